"""The study reader and ``nmguard dosimetry run`` on a real vendor study, not on files NMGuard wrote.

Source: GitHub ``MGHPhysicsResearch/MIRDCalculation``, folder ``2020-12__Studies/`` (commit bfb138e10cbb), MIT
licence (``../shared/real-data/mgh-maa-spect-ct/LICENSE``): one anonymised Siemens Symbia (NM Encore2)
Tc-99m MAA SPECT reconstruction with attenuation correction, its 78 CT slices and an RTSTRUCT with 9 thoracic
ROIs. The expected values below are read from the headers with pydicom here, independently of the reader.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pydicom
import pytest

from nmguard.imaging.dicom_files import read_dicom
from nmguard.imaging.study import load_study

STUDY = Path(__file__).resolve().parents[2] / ".." / "shared" / "real-data" / "mgh-maa-spect-ct"
pytestmark = pytest.mark.skipif(
    not STUDY.is_dir(), reason=f"real vendor files absent ({STUDY}); CI has ../shared/real-data"
)
ROIS = {
    "Tumor",
    "Lung",
    "Esophagus",
    "Aorta",
    "Spinal Cord",
    "SVC",
    "Proximal bronchial tree",
    "Pulmonary Arteries",
    "Brachial Plexus",
}
TC99M_HALF_LIFE_H = 6.0072  # ENSDF, as in reference/data/nuclides.csv


@pytest.fixture(scope="module")
def study():
    return load_study(STUDY)


@pytest.fixture(scope="module")
def spect_header():
    (path,) = (STUDY / "NM").glob("*.dcm")
    return pydicom.dcmread(path, stop_before_pixels=True)


def test_every_file_opens_and_decodes():
    """Every DICOM file of the study opens with the project's opener and its pixel data (if any) decodes."""
    paths = [p for p in STUDY.rglob("*.dcm")]
    assert len(paths) == 1 + 78 + 1
    for path in paths:
        ds = read_dicom(path)
        if "PixelData" in ds:
            assert ds.pixel_array.size == int(ds.Rows) * int(ds.Columns) * int(ds.get("NumberOfFrames", 1) or 1)


def test_spect_header_values(study, spect_header):
    info = spect_header.RadiopharmaceuticalInformationSequence[0]
    code = info.RadionuclideCodeSequence[0]
    assert (code.CodingSchemeDesignator, code.CodeValue) == ("99SDM", "C-163A8")  # Siemens' private scheme
    assert float(info.RadionuclideTotalDose) == 142.45  # MBq in the NM Image IOD
    assert study.nuclide == "Tc-99m"
    assert study.injected_activity_MBq == pytest.approx(142.45, rel=1e-12)
    assert study.patient_id == "ANON60446"
    (tp,) = study.time_points
    assert tp.modality == "NM" and tp.units_in_file == ""  # Siemens writes no Units: counts
    assert tp.acquired == dt.datetime(2020, 12, 22, 14, 24, 40, 62000, tzinfo=dt.UTC)  # no zone offset: UTC
    # the file has no injection time (RadiopharmaceuticalStartTime is type 3): the study start stands in
    assert "RadiopharmaceuticalStartTime" not in info and "RadiopharmaceuticalStartDateTime" not in info
    assert study.injection_time == dt.datetime(2020, 12, 22, 13, 14, 2, 856000, tzinfo=dt.UTC)
    assert any("study start" in w for w in study.warnings)
    assert tp.hours_after_injection == pytest.approx(
        (14 * 3600 + 24 * 60 + 40.062 - (13 * 3600 + 14 * 60 + 2.856)) / 3600
    )


def test_spect_grid_and_tilt(study, spect_header):
    detector = spect_header.DetectorInformationSequence[0]
    iop = [float(v) for v in detector.ImageOrientationPatient]
    normal = np.cross(iop[:3], iop[3:])
    tilt = math.degrees(math.acos(min(iop[0], iop[4], normal[2])))
    assert 0.35 < tilt < 0.45  # a real table tilt of about 0.4°
    volume = study.time_points[0].activity_Bq
    assert volume.shape == (80, 128, 128)
    assert volume.spacing_mm == pytest.approx((4.7951998710632,) * 3)
    assert volume.origin_mm == pytest.approx([float(v) for v in detector.ImagePositionPatient])
    assert any(f"tilted {tilt:.2f}°" in w for w in study.warnings)


def test_counts_scaled_to_the_injection(study):
    """MAA is trapped: the counts are scaled to 142.45 MBq decayed (physical, Tc-99m) to the acquisition."""
    hours = study.time_points[0].hours_after_injection
    expected = 142.45e6 * 2 ** (-hours / TC99M_HALF_LIFE_H)
    assert study.time_points[0].total_activity_Bq == pytest.approx(expected, rel=1e-9)
    assert np.all(study.time_points[0].activity_Bq.array >= 0)


def test_ct_header_values(study):
    ct = study.time_points[0].ct_hu
    assert ct is not None and ct.shape == (78, 512, 512)
    assert ct.spacing_mm == pytest.approx((5.0, 0.9765625, 0.9765625))
    assert ct.origin_mm == pytest.approx((-249.51171875, -379.51171875, 1426.0))
    assert ct.array.min() >= -1024 - 1e-9  # RescaleIntercept -1024 applied
    assert -1100 < np.median(ct.array) < 100  # air around the body and soft tissue


def test_rtstruct_rois_load(study):
    assert set(study.vois) == ROIS
    for name, mask in study.vois.items():
        assert mask.shape == (80, 128, 128) and mask.any(), name
        assert "RTSTRUCT" in study.voi_sources[name]
    voxel_mL = study.reference.voxel_volume_mL
    lungs_mL = study.vois["Lung"].sum() * voxel_mL
    assert 1500 < lungs_mL < 7000  # adult lungs (total lung capacity about 6 L)
    assert study.vois["Tumor"].sum() * voxel_mL < lungs_mL


NMGUARD = [sys.executable, "-m", "nmguard"]


def test_dosimetry_run_cli_end_to_end(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "NMGUARD_DATABASE_URL"}
    out = tmp_path / "out"
    r = subprocess.run(
        [*NMGUARD, "dosimetry", "run", str(STUDY), "--method", "ld", "--out", str(out), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["radiopharmaceutical"]["nuclide"] == "Tc-99m"
    assert doc["radiopharmaceutical"]["injected_activity_MBq"] == pytest.approx(142.45)
    assert doc["dose_grid"]["shape_zyx"] == [80, 128, 128]
    assert {v["name"] for v in doc["vois"]} == ROIS
    assert (out / "rtdose.dcm").is_file() and (out / "results.json").is_file()
    # one time point of MAA: physical decay only, and the dose by hand from the TIA (local deposition of
    # the ICRP-107 mean electron energy, 0.01618 MeV per decay, in the VOI's CT mass), within 0.1 %
    tumour = next(v for v in doc["vois"] if v["name"] == "Tumor")
    assert tumour["tia"]["model"] == "physical" and "trapped" in tumour["tia"]["model_reason"]
    (t_h,) = doc["time_points_h"]
    (a_t,) = tumour["time_activity"]["activities_MBq"]
    lam = math.log(2) / TC99M_HALF_LIFE_H
    assert tumour["tia"]["value_MBq_h"] == pytest.approx(a_t * math.exp(lam * t_h) / lam, rel=1e-9)
    decays = tumour["tia"]["value_MBq_h"] * 1e6 * 3600
    by_hand_Gy = decays * 0.01618 * 1.602176634e-13 / (tumour["mass_g"] / 1000)
    assert tumour["absorbed_dose"]["mean_Gy"] == pytest.approx(by_hand_Gy, rel=1e-3)


def test_injection_time_option_stands_in_for_the_missing_one(tmp_path):
    """The files give no injection time (the study start stands in, with a warning); --injection-time,
    written without an offset, is read in the zone of the files' times and moves every time point."""
    from nmguard.dosimetry.run_options import RunOptions
    from nmguard.imaging.study import load_study as load

    given = load(STUDY, injection_time="2020-12-22T12:14:02.856")
    default = load(STUDY)
    assert any("study start" in w for w in default.warnings)
    assert any("as given (the files give none)" in w for w in given.warnings)
    shift = given.time_points[0].hours_after_injection - default.time_points[0].hours_after_injection
    assert shift == pytest.approx(1.0, abs=1e-9)
    assert given.injection_time == dt.datetime(2020, 12, 22, 12, 14, 2, 856000, tzinfo=dt.UTC)
    with_offset = load(STUDY, injection_time="2020-12-22 13:14:02.856+01:00")
    assert with_offset.injection_time == given.injection_time
    assert RunOptions(injection_time="2020-12-22T12:00").checked().injection_time == "2020-12-22T12:00"


@pytest.mark.parametrize(
    "text, message",
    [
        ("22.12.2020 12:05", "is not a date and time"),  # a European date, not ISO 8601
        ("2020-12-22T25:00", "is not a date and time"),
        ("2020-12-22T15:00", "before the injection"),  # after the SPECT acquisition (14:24 in the files' zone)
    ],
)
def test_injection_time_refusals(text, message):
    from nmguard.errors import InputError
    from nmguard.imaging.study import load_study as load

    with pytest.raises(InputError) as exc:
        load(STUDY, injection_time=text)
    assert exc.value.field in ("injection_time", "time_points")
    assert message in str(exc.value)


def test_nuclide_option_that_contradicts_the_files_is_one_line_exit_2(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "NMGUARD_DATABASE_URL"}
    r = subprocess.run(
        [*NMGUARD, "dosimetry", "run", str(STUDY), "--nuclide", "Y-90", "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:")
    assert "--nuclide Y-90 contradicts the files, which give Tc-99m" in lines[0] and "99SDM" in lines[0]
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def sirt_plans(tmp_path_factory):
    """``nmguard dosimetry sirt`` with the default options (and --method dvk) on the real study, 1 GBq Y-90;
    outputs in a temporary folder (the shared real-data folder is never written)."""
    import io
    from contextlib import redirect_stdout

    from nmguard.cli import main

    plans = {}
    for method in ("ld", "dvk"):
        buffer = io.StringIO()
        out = tmp_path_factory.mktemp("sirt") / method
        with redirect_stdout(buffer):
            code = main(
                [
                    "dosimetry",
                    "sirt",
                    str(STUDY),
                    "--activity",
                    "1 GBq",
                    "--method",
                    method,
                    "--out",
                    str(out),
                    "--json",
                ]
            )
        assert code == 0
        plans[method] = json.loads(buffer.getvalue())
    return plans


def test_sirt_on_the_real_study_reads_and_normalises_the_maa_counts(sirt_plans, study):
    """Count fractions recomputed here from the reader's image and masks, with the body mask written out
    (CT density >= 0.05 g/cm3): 0.12 % of the counts lie outside the body and are masked."""
    from nmguard.dosimetry.ct_density import hu_to_density_material
    from nmguard.imaging.registration import ct_density_grid

    plan = sirt_plans["ld"]
    density, _ = hu_to_density_material(ct_density_grid(study).array)
    counts = np.clip(study.time_points[0].activity_Bq.array, 0, None)
    inside = np.where(density >= 0.05, counts, 0.0)
    assert plan["counts"]["outside_body_fraction"] == pytest.approx(1 - inside.sum() / counts.sum(), rel=1e-6)
    assert plan["counts"]["outside_body_fraction"] < 0.005
    assert {v["name"] for v in plan["vois"]} == ROIS
    for v in plan["vois"]:
        mask = study.vois[v["name"]]
        assert v["count_fraction"] == pytest.approx(inside[mask].sum() / inside.sum(), rel=1e-9), v["name"]
    by_name = {v["name"]: v for v in plan["vois"]}
    assert by_name["Tumor"]["count_fraction"] == pytest.approx(0.1967, abs=5e-4)
    assert by_name["Lung"]["count_fraction"] == pytest.approx(0.6874, abs=5e-4)
    # no liver VOI: neither lung shunt nor partition model, and the plan says why
    assert plan["lung_shunt_fraction"] is None and plan["partition"] is None
    assert plan["planning"] is None and any(w.startswith("no liver VOI") for w in plan["warnings"])


def test_sirt_local_deposition_is_k_a_f_over_m_and_dvk_close_to_it(sirt_plans):
    """LD: D = K·A·f/m exactly (K = E_beta·T½/ln2 from the Y-90 decay data, 49.68 Gy·kg/GBq; m the CT mass). The
    earlier hand check (502 Gy/GBq for the tumour) divided by the volume at 1 g/mL; the CT mass is 0.945 of that.
    DVK spreads the electrons: the 19.5 mL tumour (about 176 voxels of 4.8 mm) loses some, the lung hardly any.
    An independent check following MIRDCalculator 2.4.1 (Lanconelli S-values, unit density, the same mask) gave
    454 Gy/GBq (tumour) and 12.4 (lung, unit density; 0.33 g/cm3 makes it about 3x higher): see the closing note."""
    ld, dvk = ({v["name"]: v for v in sirt_plans[m]["vois"]} for m in ("ld", "dvk"))
    k = sirt_plans["ld"]["gy_kg_per_GBq"]["value"]
    assert k == pytest.approx(49.67, rel=2e-3)
    for name in ("Tumor", "Lung"):
        v = ld[name]
        assert v["mean_Gy"] == pytest.approx(k * v["count_fraction"] / (v["mass_g"] / 1000), rel=1e-6)
    assert ld["Tumor"]["mean_Gy"] == pytest.approx(530, rel=0.01)
    assert ld["Lung"]["mean_Gy"] == pytest.approx(39.4, rel=0.01)
    assert 0.85 < dvk["Tumor"]["mean_Gy"] / ld["Tumor"]["mean_Gy"] < 1.0
    assert dvk["Lung"]["mean_Gy"] / ld["Lung"]["mean_Gy"] == pytest.approx(1.0, abs=0.03)
