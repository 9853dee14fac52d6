"""RRDSR build / parse: an independent parser (DCMTK) reads what we write; imports accept SRT and SCT."""

import datetime as dt
import shutil
import subprocess

import pydicom
import pytest
from pydicom.dataset import Dataset

from nmguard.errors import InputError, UnknownNuclideError
from nmguard.exchange.dicom import RRDSR_SOP_CLASS_UID, build_rrdsr, parse_rrdsr, read_rrdsr
from nmguard.reference.dicom_codes import all_codes, concept
from tests.imaging.factory import TZ, make_admin

BUILD = dict(
    institution_name="Test Hospital", device_observer_uid="1.2.826.0.1.3680043.8.498.99", device_observer_name="NMGuard"
)


def _write(ds, tmp_path, name="rrdsr.dcm"):
    path = tmp_path / name
    ds.save_as(path, enforce_file_format=True)
    return path


def _dcmtk(tool, path):
    exe = shutil.which(tool)
    if exe is None:
        pytest.skip(f"DCMTK '{tool}' not installed (apt-get install dcmtk); CI installs it")
    return subprocess.run([exe, str(path)], capture_output=True, text=True, timeout=60)


def _walk(items):
    for item in items:
        yield item
        yield from _walk(item.get("ContentSequence", []))


def test_dataset_is_an_rrdsr(admin):
    ds = build_rrdsr(admin, **BUILD)
    assert ds.SOPClassUID == RRDSR_SOP_CLASS_UID == "1.2.840.10008.5.1.4.1.1.88.68"
    assert ds.file_meta.MediaStorageSOPClassUID == RRDSR_SOP_CLASS_UID
    assert ds.Modality == "SR" and ds.CompletionFlag == "COMPLETE" and ds.VerificationFlag == "UNVERIFIED"
    # Enhanced General Equipment module (mandatory in the RRDSR IOD)
    for kw in ("Manufacturer", "ManufacturerModelName", "DeviceSerialNumber", "SoftwareVersions"):
        assert ds.get(kw), kw
    assert ds.ContentTemplateSequence[0].TemplateIdentifier == "10021"
    assert ds.ContentTemplateSequence[0].MappingResource == "DCMR"
    types = {i.ValueType for i in _walk(ds.ContentSequence)}
    assert types <= {"TEXT", "CODE", "NUM", "DATETIME", "UIDREF", "PNAME", "CONTAINER"}
    assert ds.PatientWeight == pytest.approx(72.5) and ds.PatientSize == pytest.approx(1.68)


def test_administered_activity_is_in_MBq(admin):
    ds = build_rrdsr(admin, **BUILD)
    num = next(i for i in _walk(ds.ContentSequence) if i.ConceptNameCodeSequence[0].CodeValue == "113507")
    mv = num.MeasuredValueSequence[0]
    assert float(mv.NumericValue) == pytest.approx(312.456789, rel=1e-12)
    assert mv.MeasurementUnitsCodeSequence[0].CodeValue == "MBq"
    assert mv.MeasurementUnitsCodeSequence[0].CodingSchemeDesignator == "UCUM"


def test_dsrdump_reads_the_report(admin, tmp_path):
    path = _write(build_rrdsr(admin, **BUILD), tmp_path)
    out = _dcmtk("dsrdump", path)
    assert out.returncode == 0, out.stderr
    assert "Radiopharmaceutical Radiation Dose SR Document" in out.stdout
    assert '"Administered activity")="312.456789" (MBq,UCUM,"MBq")' in out.stdout
    assert '(77004003,SCT,"^18^Fluorine")' in out.stdout
    assert '(35321007,SCT,"Fluorodeoxyglucose F^18^")' in out.stdout
    assert "20260301091530.250000" in out.stdout  # local time; the offset is in TimezoneOffsetFromUTC
    assert "E:" not in out.stderr


def test_dcmdump_reads_the_file(admin, tmp_path):
    path = _write(build_rrdsr(admin, **BUILD), tmp_path)
    out = _dcmtk("dcmdump", path)
    assert out.returncode == 0, out.stderr
    assert "=RadiopharmaceuticalRadiationDoseSRStorage" in out.stdout or "1.2.840.10008.5.1.4.1.1.88.68" in out.stdout
    assert "312.456789" in out.stdout


def test_round_trip_build_parse_equals_input(admin, tmp_path):
    back = read_rrdsr(_write(build_rrdsr(admin, **BUILD), tmp_path))
    assert back == admin
    assert back.administration_start == admin.administration_start
    assert back.administration_start.utcoffset() == dt.timedelta(hours=1)
    assert back.administered_activity_Bq == pytest.approx(admin.administered_activity_Bq, rel=1e-9)


@pytest.mark.parametrize(
    "rid,nuclide,route,site",
    [
        ("tc99m-mdp", "Tc-99m", "iv", "arm-vein"),
        ("i131-iodide", "I-131", "oral", None),
        ("lu177-psma-617", "Lu-177", "iv", "vein"),  # private 99NMG agent code
        (None, "Ac-225", "intra_arterial", "artery"),  # no DICOM code for the nuclide either
    ],
)
def test_round_trip_other_products(rid, nuclide, route, site, tmp_path):
    admin = make_admin(
        radiopharmaceutical_id=rid,
        radiopharmaceutical_name=f"test {nuclide}",
        nuclide=nuclide,
        route=route,
        site=site,
        procedure=None,
        intent="therapeutic",
        effective_dose_mSv=None,
        effective_dose_method=None,
        administered_by=None,
        administration_end=None,
        pre_activity_Bq=None,
        pre_activity_time=None,
        residual_activity_Bq=None,
        residual_activity_time=None,
        comment=None,
        patient_weight_kg=None,
        patient_height_m=None,
        accession_number=None,
        volume_ml=None,
        specific_activity_Bq_per_mmol=1.5e15,
    )
    path = _write(build_rrdsr(admin, **BUILD), tmp_path)
    assert read_rrdsr(path) == admin
    if shutil.which("dsrdump"):
        assert _dcmtk("dsrdump", path).returncode == 0


def _to_legacy_srt(ds: Dataset) -> int:
    """Rewrite every code that has a legacy SRT form to SRT (an 'old' RRDSR, as PS3.16 2014c wrote them)."""
    srt = {(r.scheme, r.code): r.legacy_srt[0] for r in all_codes() if r.legacy_srt}
    n = 0
    for item in _walk(ds.ContentSequence):
        for seq in ("ConceptNameCodeSequence", "ConceptCodeSequence"):
            for c in item.get(seq, []):
                key = (c.CodingSchemeDesignator, c.CodeValue)
                if key in srt:
                    c.CodingSchemeDesignator, c.CodeValue = "SRT", srt[key]
                    n += 1
    return n


def test_parse_accepts_legacy_srt_codes(admin):
    ds = build_rrdsr(admin, **BUILD)
    assert _to_legacy_srt(ds) >= 8
    assert parse_rrdsr(ds) == admin


def test_parse_accepts_the_other_srt_code_of_radiopharmaceutical_agent(admin):
    """349358000 (SCT) had two SNOMED IDs: F-61FDB in TID 10022 (2014c), C-B02C9 in PS3.16's SNOMED map."""
    ds = build_rrdsr(admin, **BUILD)
    agent = next(i for i in _walk(ds.ContentSequence) if i.ConceptNameCodeSequence[0].CodeValue == "349358000")
    agent.ConceptNameCodeSequence[0].CodingSchemeDesignator = "SRT"
    agent.ConceptNameCodeSequence[0].CodeValue = "C-B02C9"
    assert parse_rrdsr(ds) == admin


def test_parse_accepts_sct_codes_of_a_foreign_file(admin):
    """A producer writing the current SCT codes and no NMGuard extensions (no 99NMG items)."""
    ds = build_rrdsr(admin, **BUILD)
    for item in list(_walk(ds.ContentSequence)):
        kept = [
            c for c in item.get("ContentSequence", []) if c.ConceptNameCodeSequence[0].CodingSchemeDesignator != "99NMG"
        ]
        if "ContentSequence" in item:
            item.ContentSequence = kept
    back = parse_rrdsr(ds)
    assert back.radiopharmaceutical_id == "f18-fdg"
    assert back.radiopharmaceutical_name == "Fluorodeoxyglucose F^18^"
    assert back.nuclide == "F-18" and back.route == "iv" and back.site == "vein"
    assert back.administered_activity_Bq == pytest.approx(312.456789e6, rel=1e-9)


def test_parse_uses_file_timezone_for_naive_datetimes(admin):
    ds = build_rrdsr(admin, **BUILD)
    # DT values are written without an offset; the file's TimezoneOffsetFromUTC gives it
    assert all("+" not in str(item.DateTime) for item in _walk(ds.ContentSequence) if "DateTime" in item)
    assert ds.TimezoneOffsetFromUTC == "+0100"
    assert parse_rrdsr(ds).administration_start == admin.administration_start
    del ds.TimezoneOffsetFromUTC
    with pytest.raises(InputError, match="time-zone"):
        parse_rrdsr(ds)
    assert parse_rrdsr(ds, assume_timezone=TZ).administration_start == admin.administration_start


def test_refuses_ct_dose_sr(admin):
    ds = build_rrdsr(admin, **BUILD)
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.88.67"  # X-Ray Radiation Dose SR (CT dose reports)
    with pytest.raises(InputError, match="not a Radiopharmaceutical Radiation Dose SR") as err:
        parse_rrdsr(ds)
    assert err.value.field == "SOPClassUID"


def test_refuses_report_without_administered_activity(admin):
    ds = build_rrdsr(admin, **BUILD)
    event = next(i for i in ds.ContentSequence if i.ConceptNameCodeSequence[0].CodeValue == "113502")
    event.ContentSequence = [c for c in event.ContentSequence if c.ConceptNameCodeSequence[0].CodeValue != "113507"]
    with pytest.raises(InputError, match="Administered activity") as err:
        parse_rrdsr(ds)
    assert err.value.field == "administered_activity"


def test_refuses_non_dicom_file(tmp_path):
    path = tmp_path / "x.dcm"
    path.write_text("not dicom")
    with pytest.raises(InputError, match="x.dcm is not a DICOM file") as refused:
        read_rrdsr(path)
    assert "force" not in refused.value.message


def test_refuses_missing_patient_birth_date(admin):
    ds = build_rrdsr(admin, **BUILD)
    ds.PatientBirthDate = ""
    with pytest.raises(InputError, match="PatientBirthDate"):
        parse_rrdsr(ds)


def test_build_refuses_product_of_another_nuclide():
    admin = make_admin(radiopharmaceutical_id="tc99m-mdp", nuclide="F-18")
    with pytest.raises(InputError, match="Tc-99m product"):
        build_rrdsr(admin, **BUILD)


def test_concept_codes_match_pydicom_transcription():
    """Independent check of the concept rows against pydicom's machine transcription of PS3.16."""
    from pydicom.sr._concepts_dict import concepts
    from pydicom.sr._snomed_dict import mapping

    for row in all_codes():
        if row.scheme not in ("SCT", "DCM") or row.kind == "concept" and row.key == "comment":
            continue
        assert any(row.code in d for d in concepts[row.scheme].values()), (row.kind, row.key)
        if row.scheme == "SCT" and row.legacy_srt and row.code in mapping["SCT"]:
            assert mapping["SCT"][row.code] in row.legacy_srt, row.key
    assert concept("administered_activity").code == "113507"


# --------------------------------------------------------------------------- construction


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"administered_activity_Bq": 0}, "administered_activity_Bq"),
        ({"administered_activity_Bq": -5e6}, "administered_activity_Bq"),
        ({"administered_activity_Bq": float("nan")}, "administered_activity_Bq"),
        ({"administration_start": dt.datetime(2026, 3, 1, 9, 0)}, "administration_start"),
        ({"pre_activity_time": dt.datetime(2026, 3, 1, 9, 0)}, "pre_activity_time"),
        ({"route": "intravenous"}, "route"),
        ({"patient_sex": "X"}, "patient_sex"),
        ({"radiopharmaceutical_id": "F18 FDG"}, "radiopharmaceutical_id"),
        ({"effective_dose_method": None}, "effective_dose_method"),
        ({"pre_activity_time": None}, "pre_activity_time"),
        ({"administration_end": dt.datetime(2026, 3, 1, 9, 0, tzinfo=TZ)}, "administration_end"),
        ({"patient_height_m": 168}, "patient_height_m"),
        ({"study_instance_uid": "1.2.abc"}, "study_instance_uid"),
    ],
)
def test_construction_refuses_invalid(overrides, field):
    with pytest.raises(InputError) as err:
        make_admin(**overrides)
    assert err.value.field == field


def test_construction_refuses_unknown_nuclide():
    with pytest.raises(UnknownNuclideError):
        make_admin(nuclide="Xx-999")


def test_construction_normalises_nuclide():
    assert make_admin(nuclide="18F").nuclide == "F-18"


def test_file_is_readable_by_pydicom(admin, tmp_path):
    ds = pydicom.dcmread(_write(build_rrdsr(admin, **BUILD), tmp_path))
    assert ds.SOPClassUID == RRDSR_SOP_CLASS_UID


def test_code_table_loads_with_sources_and_statuses():
    rows = all_codes()
    assert len(rows) > 100
    assert all(r.source.text and r.status.value in {"verified", "secondary", "unverified"} for r in rows)
    assert {r.kind for r in rows} == {
        "concept",
        "radiopharmaceutical",
        "radionuclide",
        "route",
        "site",
        "procedure",
        "intent",
    }
    assert {r.key for r in all_codes("route")} == {
        "iv",
        "oral",
        "inhalation",
        "intra_arterial",
        "intradermal",
        "subcutaneous",
    }


def test_dsrdump_reads_a_utc_report(admin, tmp_path):
    """DCMTK 3.6.7 refuses a DT ending in +0000; a report written in UTC must still parse."""
    import dataclasses

    utc_admin = dataclasses.replace(
        admin,
        administration_start=admin.administration_start.astimezone(dt.UTC),
        administration_end=admin.administration_end.astimezone(dt.UTC) if admin.administration_end else None,
    )
    ds = build_rrdsr(utc_admin, **BUILD)
    assert ds.TimezoneOffsetFromUTC == "+0000"
    out = _dcmtk("dsrdump", _write(ds, tmp_path))
    assert out.returncode == 0, out.stderr
    assert parse_rrdsr(ds).administration_start == admin.administration_start
