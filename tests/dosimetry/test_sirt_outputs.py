"""``nmguard dosimetry sirt --out``: RT Dose, results.json (schema ``nmguard.sirt-plan/1``) and report.html.

Checks against independent calculations: the RT Dose read back with pydicom alone (stored value × DoseGridScaling)
against the plan's dose map from :func:`plan_study` (max within 0.1 %, every voxel within the encoding step); its
geometry against the SPECT file's own frame of reference and voxel size; the input SHA-256 recomputed here from
the documented rule (relative name, NUL, bytes, files sorted); the document against its JSON Schema. The real
Siemens MAA SPECT/CT runs end to end where ../shared/real-data is present (skipped with the reason otherwise).
"""

from __future__ import annotations

import hashlib
import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import jsonschema
import numpy as np
import pydicom
import pytest

from nmguard.cli import main
from tests.dosimetry.sirt_study import write_maa_study

REAL_STUDY = Path(__file__).resolve().parents[2] / ".." / "shared" / "real-data" / "mgh-maa-spect-ct"
ARGS = ("--activity", "2 GBq", "--voi-tumour", "Lesion 1")


@pytest.fixture(scope="module")
def maa(tmp_path_factory):
    return write_maa_study(tmp_path_factory.mktemp("sirt-out") / "maa")


def run_cli(*args: str) -> tuple[int, str]:
    buffer = io.StringIO()
    with redirect_stdout(buffer):
        code = main(["dosimetry", "sirt", *args])
    return code, buffer.getvalue()


@pytest.fixture(scope="module")
def written(maa, tmp_path_factory):
    out = tmp_path_factory.mktemp("plan") / "out"
    code, text = run_cli(str(maa.folder), *ARGS, "--out", str(out), "--json")
    assert code == 0
    return out, json.loads(text)


@pytest.fixture(scope="module")
def plan(maa):
    from nmguard.dosimetry.sirt import SirtOptions, plan_study

    return plan_study(maa.folder, SirtOptions(activity_GBq=2.0, voi_tumour="Lesion 1"))[0]


def spect_file(folder: Path) -> pydicom.Dataset:
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            try:
                ds = pydicom.dcmread(p, stop_before_pixels=True)
            except pydicom.errors.InvalidDicomError:
                continue
            if ds.get("Modality") == "NM":
                return ds
    raise AssertionError("no NM file")


def test_out_writes_the_three_files_and_json_prints_the_stored_document(written):
    out, printed = written
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "results.json", "rtdose.dcm"]
    stored = json.loads((out / "results.json").read_text())
    assert {k: v for k, v in printed.items() if k != "outputs"} == stored
    assert printed["outputs"]["rt_dose"] == str(out / "rtdose.dcm")
    assert not [p for p in out.parent.iterdir() if ".partial-" in p.name]


def test_rt_dose_reads_back_with_the_plan_dose(written, plan, maa):
    out, doc = written
    ds = pydicom.dcmread(out / "rtdose.dcm")
    assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.481.2" and ds.DoseUnits == "GY"
    scaling = float(ds.DoseGridScaling)
    dose = ds.pixel_array.astype(np.float64) * scaling
    expected = plan.dose_Gy
    assert dose.shape == expected.shape
    assert dose.max() == pytest.approx(expected.max(), rel=1e-3)
    assert np.max(np.abs(dose - expected)) <= scaling  # the 32-bit encoding step, nothing else
    spect = spect_file(maa.folder)
    assert ds.FrameOfReferenceUID == spect.FrameOfReferenceUID == doc["study"]["frame_of_reference_uid"]
    assert ds.StudyInstanceUID == spect.StudyInstanceUID
    assert [float(v) for v in ds.PixelSpacing] == pytest.approx([float(v) for v in spect.PixelSpacing])
    assert [float(v) for v in ds.ImagePositionPatient] == pytest.approx(doc["dose_grid"]["origin_mm_xyz"])
    assert ds.PatientID == spect.PatientID


def test_results_document_follows_its_schema(written, maa):
    from nmguard.exchange.sirt_plan import SCHEMA_ID, schema

    _, doc = written
    doc = {k: v for k, v in doc.items() if k != "outputs"}
    jsonschema.validate(doc, schema())
    assert doc["schema"] == SCHEMA_ID == "nmguard.sirt-plan/1"
    assert doc["dose_grid"]["rt_dose_file"] == "rtdose.dcm"
    assert {"nmguard", "numpy", "reference_data"} <= set(doc["software"]["versions"])
    h = hashlib.sha256()
    for p in sorted(p for p in maa.folder.rglob("*") if p.is_file()):
        h.update(str(p.relative_to(maa.folder)).encode() + b"\0" + p.read_bytes())
    assert doc["study"]["input_sha256"] == h.hexdigest()
    assert doc["partition"]["tumour_Gy"] > 0 and doc["lung_shunt_fraction"] > 0
    broken = {**doc, "schema": "nmguard.dosimetry-results/1"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema())


def test_report_has_table_dvh_partition_planning_and_uncertainty(written):
    out, doc = written
    text = (out / "report.html").read_text()
    assert text.startswith("<!doctype html>") and "<h1>Y-90 microsphere plan</h1>" in text
    for v in doc["vois"]:
        assert f"<th scope='row'>{v['name']}</th>" in text
    assert text.count("<svg") >= 2  # dose-map slices and DVHs
    for heading in ("Partition model", "Planning per microsphere", "Warnings", "Assumptions", "Uncertainty"):
        assert f"<h2>{heading}</h2>" in text
    assert "glass microspheres" in text and "resin microspheres" in text and "Limited by" in text
    assert "<script" not in text and "<link" not in text and "src=" not in text  # self-contained


def test_existing_non_empty_folder_is_refused_before_planning(maa, tmp_path, capsys):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_text("earlier result")
    code = main(["dosimetry", "sirt", str(maa.folder), *ARGS, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error:") and len(err.strip().splitlines()) == 1
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_a_failed_write_leaves_nothing(maa, tmp_path, monkeypatch):
    import nmguard.reporting.sirt_report as report
    from nmguard.dosimetry.sirt import SirtOptions
    from nmguard.outputs.sirt_plan import plan_study_result, write_sirt_outputs

    result = plan_study_result(maa.folder, SirtOptions(activity_GBq=1.0))

    def broken(_result):
        raise RuntimeError("disk full")

    monkeypatch.setattr(report, "sirt_report_html", broken)
    with pytest.raises(RuntimeError):
        write_sirt_outputs(result, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_default_folder_is_beside_the_study_and_never_reused(maa, tmp_path):
    import datetime as dt

    from nmguard.outputs.dosimetry_run import default_out_dir

    when = dt.datetime(2026, 1, 2, 3, 4, 5)
    first = default_out_dir(tmp_path / "study", "sirt", when)
    assert first == tmp_path / "study-sirt-20260102T030405"
    first.mkdir()
    assert default_out_dir(tmp_path / "study", "sirt", when) == tmp_path / "study-sirt-20260102T030405-2"


def test_real_siemens_maa_study_end_to_end(tmp_path):
    if not REAL_STUDY.is_dir():
        print(f"skipped: real vendor files absent ({REAL_STUDY}); CI has ../shared/real-data")
        pytest.skip(f"real vendor files absent ({REAL_STUDY})")
    out = tmp_path / "plan"
    code, text = run_cli(str(REAL_STUDY), "--activity", "1 GBq", "--out", str(out), "--json")
    assert code == 0
    doc = json.loads(text)
    from nmguard.dosimetry.sirt import SirtOptions, plan_study
    from nmguard.exchange.sirt_plan import schema

    jsonschema.validate({k: v for k, v in doc.items() if k != "outputs"}, schema())
    names = {v["name"] for v in doc["vois"]}
    assert {"Tumor", "Lung"} <= names
    assert doc["study"]["mapping_nuclide"] == "Tc-99m" and doc["patient"]["id"] == "ANON60446"
    # 1 GBq shared by the counts: each VOI's ld mean equals K x A x f / m (Ho et al. 1996 form, K from the data)
    k = doc["gy_kg_per_GBq"]["value"]
    for v in doc["vois"]:
        assert v["mean_Gy"] == pytest.approx(k * 1.0 * v["count_fraction"] / (v["mass_g"] / 1000), rel=1e-6)
    ds = pydicom.dcmread(out / "rtdose.dcm")
    dose = ds.pixel_array.astype(np.float64) * float(ds.DoseGridScaling)
    assert list(dose.shape) == doc["dose_grid"]["shape_zyx"] == [80, 128, 128]
    expected = plan_study(REAL_STUDY, SirtOptions(activity_GBq=1.0))[0].dose_Gy
    assert dose.max() == pytest.approx(expected.max(), rel=1e-3)
    nm = spect_file(REAL_STUDY)
    assert ds.FrameOfReferenceUID == nm.FrameOfReferenceUID
    assert "<h1>Y-90 microsphere plan</h1>" in (out / "report.html").read_text()
