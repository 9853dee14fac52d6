"""``nmguard dicom listen`` as a user runs it: a real subprocess on a loopback port, fed by a pynetdicom SCU.

Real files: ../shared/real-data/mgh-maa-spect-ct (MGHPhysicsResearch/MIRDCalculation, MIT: Siemens Tc-99m MAA
SPECT, 78 CT slices, RTSTRUCT with 9 ROIs) and ../shared/real-data/nmqc (glpoli/NMQC, Apache-2.0: MEDISO
camera QC acquisitions). The expected places and values are read from the headers with pydicom here.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pydicom
import pytest
from pydicom.uid import generate_uid
from pynetdicom import AE

from nmguard.exchange.dicom import build_rrdsr
from tests.imaging.factory import make_admin

NMGUARD = [sys.executable, "-m", "nmguard"]
REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "real-data"
NMQC, MAA = REAL / "nmqc", REAL / "mgh-maa-spect-ct"
AE_TITLE, SCU_TITLE = "NMG_TEST", "TESTSCU"
MAA_STUDY = "2.16.840.1.114362.1.11972228.23084913181.578483695.316.107"
PATIENT = dict(patient_id="DICOMNET-1", patient_name="Doe^Jane", patient_birth_date=make_admin().patient_birth_date)


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "NMGUARD_DATABASE_URL"}  # the embedded database
    env["NMGUARD_DATA_DIR"] = str(data_dir)
    return env


def run(*args: str, data_dir: Path, timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run([*NMGUARD, *args], capture_output=True, text=True, env=_env(data_dir), timeout=timeout)


def django_query(code: str, data_dir: Path) -> dict:
    """Run ``code`` (which sets ``out``) in a fresh process on the listener's database; return ``out``."""
    script = (
        "import json\nfrom nmguard.cli.service import setup_django\nsetup_django(None)\n"
        + code
        + "\nprint(json.dumps(out, default=str))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=_env(data_dir), timeout=180
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scu(port: int, datasets: list[pydicom.Dataset], called: str = AE_TITLE) -> list[int]:
    """Send ``datasets`` in one association as a modality would; the C-STORE statuses."""
    ae = AE(ae_title=SCU_TITLE)
    for uid in sorted({str(ds.SOPClassUID) for ds in datasets}):
        ae.add_requested_context(uid)
    assoc = ae.associate("127.0.0.1", port, ae_title=called)
    assert assoc.is_established, "association refused"
    try:
        return [int(assoc.send_c_store(ds).Status) for ds in datasets]
    finally:
        assoc.release()


def echo(port: int) -> bool:
    ae = AE(ae_title=SCU_TITLE)
    ae.add_requested_context("1.2.840.10008.1.1")
    ae.acse_timeout = ae.network_timeout = 5
    assoc = ae.associate("127.0.0.1", port, ae_title=AE_TITLE)
    if not assoc.is_established:
        return False
    status = assoc.send_c_echo()
    assoc.release()
    return bool(status) and int(status.Status) == 0


def received(data_dir: Path, *extra: str) -> dict:
    r = run("dicom", "received", "--json", *extra, data_dir=data_dir)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def settled(data_dir: Path, *extra: str, timeout: float = 60) -> dict:
    """``received`` once every dose report's import has ended (they are imported after the C-STORE answer)."""
    deadline = time.monotonic() + timeout
    while True:
        listing = received(data_dir, *extra)
        if not any(o["status"] == "queued for import" for o in listing["objects"]):
            return listing
        assert time.monotonic() < deadline, f"imports still queued after {timeout} s: {listing['objects']}"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def listener(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("nmguard-data")
    assert run("migrate", data_dir=data_dir).returncode == 0
    # a patient known to the department, as registration would leave it
    django_query(
        "import datetime as dt\nfrom nmguard.apps.core.actor import acting_as\n"
        "from nmguard.apps.patients.models import Patient\n"
        "with acting_as('test-registration', reason='registered'):\n"
        f"    p = Patient.objects.create(mrn={PATIENT['patient_id']!r}, family_name='Doe', given_name='Jane',"
        f" birth_date=dt.date.fromisoformat({PATIENT['patient_birth_date'].isoformat()!r}), sex='F')\n"
        "out = p.pk",
        data_dir,
    )
    port = free_port()
    log = (data_dir / "listener-stdout.txt").open("w")
    proc = subprocess.Popen(
        [*NMGUARD, "dicom", "listen", "--port", str(port), "--ae-title", AE_TITLE],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=_env(data_dir),
    )
    deadline = time.monotonic() + 180
    while not echo(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the listener did not answer C-ECHO: " + (data_dir / "listener-stdout.txt").read_text())
        time.sleep(0.5)
    yield port, data_dir
    proc.terminate()
    assert proc.wait(timeout=30) == 0  # SIGTERM: a clean stop
    log.close()


@pytest.mark.skipif(not MAA.is_dir(), reason=f"real MAA SPECT/CT absent ({MAA}); CI has ../shared/real-data")
def test_real_maa_study_lands_in_the_inbox_and_the_study_reader_reads_it(listener):
    from nmguard.imaging.study import load_study

    port, data_dir = listener
    files = sorted(MAA.rglob("*.dcm"))
    assert len(files) == 80
    datasets = [pydicom.dcmread(p) for p in files]
    assert scu(port, datasets) == [0] * 80
    folder = data_dir / "inbox" / MAA_STUDY
    stored = sorted(folder.rglob("*.dcm"))
    assert len(stored) == 80
    assert {pydicom.dcmread(p, stop_before_pixels=True).SOPInstanceUID for p in stored} == {
        ds.SOPInstanceUID for ds in datasets
    }
    study = load_study(folder)
    assert study.study_instance_uid == MAA_STUDY and study.patient_id == "ANON60446"
    assert study.nuclide == "Tc-99m" and study.injected_activity_MBq == pytest.approx(142.45, rel=1e-12)
    assert len(study.time_points) == 1 and len(study.vois) == 9
    listed = received(data_dir, "--kind", "dosimetry")["objects"]
    assert {o["sop_instance_uid"] for o in listed} >= {ds.SOPInstanceUID for ds in datasets}


@pytest.mark.skipif(not NMQC.is_dir(), reason=f"real camera QC files absent ({NMQC}); CI has ../shared/real-data")
def test_real_camera_acquisitions_wait_in_the_qc_folder_of_their_device(listener):
    port, data_dir = listener
    names = ["FourBar.dcm", "QuadrantBar.dcm", "Spatial_Resol_X.dcm", "Spatial_Resol_Y.dcm", "Lin_X", "Lin_Y"]
    datasets = [pydicom.dcmread(NMQC / n) for n in names]
    assert {(ds.StationName, ds.DeviceSerialNumber) for ds in datasets} == {("DHV", "DV000010-001")}
    assert scu(port, datasets) == [0] * 6
    device = data_dir / "dicom" / "qc-incoming" / "DHV_DV000010-001"
    for ds in datasets:
        path = device / ds.SeriesInstanceUID / f"{ds.SOPInstanceUID}.dcm"
        assert pydicom.dcmread(path).pixel_array.shape == (ds.Rows, ds.Columns)
    qc = {o["sop_instance_uid"]: o for o in received(data_dir, "--kind", "qc")["objects"]}
    for ds in datasets:
        assert qc[ds.SOPInstanceUID]["status"] == "waiting for a QC test"
        assert "device not in the equipment register" in qc[ds.SOPInstanceUID]["notes"]


def test_rrdsr_is_imported_as_a_dose_report_and_audited(listener):
    port, data_dir = listener
    admin = make_admin(**PATIENT, administration_event_uid=generate_uid())
    known = build_rrdsr(
        admin,
        institution_name="Test Hospital",
        device_observer_uid="1.2.826.0.1.3680043.8.498.99",
        device_observer_name="Injector",
    )
    stranger = build_rrdsr(
        make_admin(patient_id="NOBODY-9", administration_event_uid=generate_uid()),
        institution_name="Test Hospital",
        device_observer_uid="1.2.826.0.1.3680043.8.498.99",
        device_observer_name="Injector",
    )
    assert scu(port, [known, stranger]) == [0, 0]
    reports = {o["sop_instance_uid"]: o for o in settled(data_dir, "--kind", "dose_report")["objects"]}
    assert reports[known.SOPInstanceUID]["status"] == "imported"
    failed = reports[stranger.SOPInstanceUID]
    assert failed["status"] == "not imported" and any("no patient with ID NOBODY-9" in n for n in failed["notes"])
    assert pydicom.dcmread(failed["path"]).SOPInstanceUID == stranger.SOPInstanceUID  # kept as a file
    db = django_query(
        "from nmguard.apps.patients.models import ImportedDoseReport\nfrom nmguard.apps.core.models import AuditEvent\n"
        f"r = ImportedDoseReport.objects.get(sop_instance_uid={known.SOPInstanceUID!r})\n"
        "e = AuditEvent.objects.filter(action='dicom_received', object_id=str(r.pk)).get()\n"
        "out = dict(mrn=r.patient.mrn, activity=r.administered_activity_Bq, at=r.administered_at.isoformat(),"
        " nuclide=r.nuclide, by=e.actor_username, reason=e.reason,"
        f" others=ImportedDoseReport.objects.filter(sop_instance_uid={stranger.SOPInstanceUID!r}).count())",
        data_dir,
    )
    assert db["mrn"] == "DICOMNET-1" and db["others"] == 0
    assert db["activity"] == pytest.approx(admin.administered_activity_Bq, rel=1e-9)
    assert db["at"] == admin.administration_start.astimezone(__import__("datetime").UTC).isoformat()
    assert db["by"] == f"dicom-{AE_TITLE}" and f"AE {SCU_TITLE} at 127.0.0.1:" in db["reason"]
    assert run("audit", "verify", data_dir=data_dir).returncode == 0
    # the same report sent again is kept, listed, and not imported twice
    assert scu(port, [known]) == [0]
    again = [
        o
        for o in settled(data_dir, "--kind", "dose_report")["objects"]
        if o["sop_instance_uid"] == known.SOPInstanceUID
    ]
    assert again[0]["status"] == "imported"  # the first copy's outcome stays its own
    assert again[-1]["status"] == "not imported" and "same object received again" in again[-1]["notes"]
    assert any("imported already" in n for n in again[-1]["notes"])


def test_object_of_an_unknown_class_is_kept_and_listed(listener):
    port, data_dir = listener
    ds = build_rrdsr(
        make_admin(administration_event_uid=generate_uid()),
        institution_name="H",
        device_observer_uid="1.2.3",
        device_observer_name="N",
    )
    private = "1.2.826.0.1.3680043.8.498.424242"  # a vendor's private storage class
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = private
    assert scu(port, [ds]) == [0]
    (kept,) = [
        o for o in received(data_dir, "--kind", "unknown")["objects"] if o["sop_instance_uid"] == ds.SOPInstanceUID
    ]
    assert kept["status"] == "kept" and kept["sop_class_uid"] == private
    assert Path(kept["path"]).parent == data_dir / "dicom" / "unknown"
    assert pydicom.dcmread(kept["path"]).SOPClassUID == private
    table = run("dicom", "received", data_dir=data_dir)
    assert table.returncode == 0 and private in table.stdout and ds.SOPInstanceUID in table.stdout


def test_associations_and_objects_are_logged(listener):
    port, data_dir = listener
    assert echo(port)
    records = received(data_dir)
    associations = [a for a in records["associations"] if a["calling_ae"] == SCU_TITLE]
    assert associations and all(a["status"] == "accepted" and a["address"] == "127.0.0.1" for a in associations)
    assert sum(a["objects"] for a in associations) == len(records["objects"])
    log = (data_dir / "dicom" / "listener.log").read_text()
    assert f"association accepted from {SCU_TITLE}@127.0.0.1" in log and "C-ECHO from" in log
    for obj in records["objects"]:
        assert obj["sop_instance_uid"] in log


def test_a_wrong_called_ae_title_is_refused_and_logged(listener):
    port, data_dir = listener
    ae = AE(ae_title=SCU_TITLE)
    ae.add_requested_context("1.2.840.10008.1.1")
    assoc = ae.associate("127.0.0.1", port, ae_title="SOMEONE_ELSE")
    assert not assoc.is_established
    rejected = [a for a in received(data_dir)["associations"] if a["status"] == "rejected"]
    assert rejected and rejected[-1]["calling_ae"] == SCU_TITLE


def test_bad_input_exits_2_with_one_line(listener, tmp_path):
    port, data_dir = listener
    long_title = run("dicom", "listen", "--port", str(free_port()), "--ae-title", "A" * 17, data_dir=data_dir)
    assert long_title.returncode == 2 and long_title.stderr.count("\n") == 1 and "at most 16" in long_title.stderr
    in_use = run("dicom", "listen", "--port", str(port), "--ae-title", AE_TITLE, data_dir=data_dir)
    assert in_use.returncode == 2 and in_use.stderr.count("\n") == 1
    assert in_use.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}")
    empty = run("dicom", "listen", "--port", str(free_port()), "--ae-title", AE_TITLE, data_dir=tmp_path)
    assert empty.returncode == 2 and "nmguard migrate" in empty.stderr and empty.stderr.count("\n") == 1
    bad_kind = run("dicom", "received", "--kind", "x-ray", data_dir=data_dir)
    assert bad_kind.returncode == 2 and "unknown kind" in bad_kind.stderr


@pytest.mark.skipif(not MAA.is_dir(), reason=f"real MAA SPECT/CT absent ({MAA}); CI has ../shared/real-data")
def test_a_compressed_slice_is_taken_in_its_syntax_and_decodes_to_the_same_pixels(listener):
    """An SCU that offers only RLE Lossless (PS3.5 Annex G) for CT: accepted in RLE, stored as sent, and the
    stored file decodes to the pixels of the real uncompressed slice it was made from."""
    from pydicom.uid import RLELossless

    port, data_dir = listener
    ct = pydicom.dcmread(sorted((MAA / "CT").glob("*.dcm"))[0])
    pixels = ct.pixel_array.copy()
    ct.compress(RLELossless)
    ct.StudyInstanceUID, ct.SeriesInstanceUID, ct.SOPInstanceUID = generate_uid(), generate_uid(), generate_uid()
    ae = AE(ae_title=SCU_TITLE)
    ae.add_requested_context(ct.SOPClassUID, [RLELossless])
    assoc = ae.associate("127.0.0.1", port, ae_title=AE_TITLE)
    assert assoc.is_established
    assert int(assoc.send_c_store(ct).Status) == 0
    assoc.release()
    (rec,) = [o for o in received(data_dir)["objects"] if o["sop_instance_uid"] == ct.SOPInstanceUID]
    assert rec["transfer_syntax"] == RLELossless and rec["kind"] == "dosimetry" and not rec["notes"]
    stored = pydicom.dcmread(rec["path"])
    assert stored.file_meta.TransferSyntaxUID == RLELossless
    assert (stored.pixel_array == pixels).all()


def test_a_report_kept_but_not_imported_before_a_kill_is_imported_at_the_next_start(listener):
    """kill -9 between the C-STORE answer and the import leaves a kept report and its "queued" line without an
    import line: the next `dicom listen` imports it (here a second listener on the same data folder)."""
    _, data_dir = listener
    report = build_rrdsr(
        make_admin(**PATIENT, administration_event_uid=generate_uid()),
        institution_name="Test Hospital",
        device_observer_uid="1.2.826.0.1.3680043.8.498.99",
        device_observer_name="Injector",
    )
    kept = data_dir / "dicom" / "dose-reports" / f"{report.SOPInstanceUID}.dcm"
    kept.parent.mkdir(parents=True, exist_ok=True)
    report.save_as(kept, enforce_file_format=True)
    line = {"at": "2026-12-06T05:00:00.000+00:00", "type": "object", "calling_ae": "INJECTOR", "address": "10.0.0.7",
            "sop_class_uid": str(report.SOPClassUID), "sop_class": "RRDSR", "sop_instance_uid": report.SOPInstanceUID,
            "kind": "dose_report", "route": "dose report", "path": str(kept), "status": "queued for import",
            "notes": []}  # fmt: skip
    with (data_dir / "dicom" / "received.jsonl").open("a") as handle:
        handle.write(json.dumps(line) + "\n")
    port = free_port()
    second = subprocess.Popen(
        [*NMGUARD, "dicom", "listen", "--port", str(port), "--ae-title", "NMG_RESTART"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(data_dir),
    )
    try:
        listing = settled(data_dir, "--kind", "dose_report", timeout=120)
    finally:
        second.terminate()
        assert second.wait(timeout=60) == 0
    mine = [o for o in listing["objects"] if o["sop_instance_uid"] == report.SOPInstanceUID]
    assert [o["status"] for o in mine] == ["imported"]
    db = django_query(
        "from nmguard.apps.patients.models import ImportedDoseReport\n"
        f"out = ImportedDoseReport.objects.filter(sop_instance_uid={report.SOPInstanceUID!r}).count()",
        data_dir,
    )
    assert db == 1
