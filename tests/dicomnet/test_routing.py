"""Routing, storing and negotiation of the DICOM listener, in-process (no network, no database).

Expected destinations follow from the DICOM headers alone (PS3.3 C.8.4.7 Image Type value 3 for NM:
``RECON TOMO`` / ``RECON GATED TOMO`` mark reconstructions; PS3.4 Annex B for the storage classes);
the real files (../shared/real-data, sources in its README) are read here with pydicom, independently.
"""

from __future__ import annotations

import io
from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from pynetdicom.presentation import build_context

from nmguard.dicomnet import routing
from nmguard.dicomnet.routing import DOSE_REPORT, DOSIMETRY, QC, UNKNOWN, Route, route
from nmguard.dicomnet.scp import TRANSFER_SYNTAXES, Listener, Peer, check_ae_title, negotiate
from nmguard.dicomnet.store import Layout, Records, keep
from nmguard.exchange.dicom import build_rrdsr
from tests.imaging.factory import make_admin

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "real-data"
NMQC, MAA = REAL / "nmqc", REAL / "mgh-maa-spect-ct"


def _image(sop_class: str, image_type: list[str] | None, **extra) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    if image_type is not None:
        ds.ImageType = image_type
    for key, value in extra.items():
        setattr(ds, key, value)
    return ds


def _file_bytes(ds: Dataset) -> bytes:
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def test_nm_acquisitions_go_to_qc_by_device_and_reconstructions_to_the_inbox():
    flood = _image(
        routing.NM_IMAGE, ["ORIGINAL", "PRIMARY", "STATIC", "EMISSION"], StationName="CAM 1", DeviceSerialNumber="SN/42"
    )
    r = route(flood)
    assert r.kind == QC and r.folder == ("CAM_1_SN_42", flood.SeriesInstanceUID)
    projections = _image(routing.NM_IMAGE, ["ORIGINAL", "PRIMARY", "TOMO", "EMISSION"])
    assert route(projections).kind == QC and route(projections).folder[0] == "unknown-device"
    for recon_type in ("RECON TOMO", "RECON GATED TOMO"):
        recon = _image(routing.NM_IMAGE, ["DERIVED", "PRIMARY", recon_type, "EMISSION"])
        assert route(recon) == Route(DOSIMETRY, (recon.StudyInstanceUID, recon.SeriesInstanceUID), route(recon).reason)
    for sop in (routing.PET_IMAGE, routing.CT_IMAGE, routing.RT_STRUCTURE_SET, routing.SEGMENTATION):
        ds = _image(sop, ["ORIGINAL", "PRIMARY", "AXIAL"])
        assert route(ds).kind == DOSIMETRY and route(ds).folder == (ds.StudyInstanceUID, ds.SeriesInstanceUID)


@pytest.mark.filterwarnings("ignore:Invalid value for VR UI")
def test_dose_reports_other_sr_unknown_classes_and_missing_uids():
    assert (
        route(
            build_rrdsr(make_admin(), institution_name="H", device_observer_uid="1.2.3", device_observer_name="N")
        ).kind
        == DOSE_REPORT
    )
    basic_sr = _image("1.2.840.10008.5.1.4.1.1.88.11", None)
    assert route(basic_sr).kind == UNKNOWN and "structured report" in route(basic_sr).reason
    private = _image("1.2.826.0.1.3680043.8.498.777", None)
    assert route(private).kind == UNKNOWN
    # the class the sender used wins over the dataset's own claim
    assert route(private, sop_class_uid=routing.RRDSR).kind == DOSE_REPORT
    no_study = _image(routing.CT_IMAGE, ["ORIGINAL", "PRIMARY", "AXIAL"])
    del no_study.StudyInstanceUID
    assert route(no_study).kind == UNKNOWN
    bad_series = _image(routing.NM_IMAGE, ["ORIGINAL", "PRIMARY", "STATIC"], SeriesInstanceUID="../../etc")
    assert route(bad_series).kind == UNKNOWN


def test_a_route_cannot_leave_its_folder():
    with pytest.raises(ValueError):
        Route(QC, ("..", "x"), "")
    with pytest.raises(ValueError):
        Route("elsewhere", (), "")


@pytest.mark.skipif(not NMQC.is_dir() or not MAA.is_dir(), reason=f"real vendor files absent ({REAL})")
def test_real_vendor_files():
    """MEDISO QC acquisitions (ImageType STATIC) -> QC folder DHV_DV000010-001 (StationName DHV, serial
    DV000010-001); its Jaszczak reconstruction and the Siemens MAA SPECT/CT/RTSTRUCT -> the inbox."""
    for name in ("FourBar.dcm", "QuadrantBar.dcm", "Spatial_Resol_X.dcm", "Spatial_Resol_Y.dcm", "Lin_X", "Lin_Y"):
        ds = pydicom.dcmread(NMQC / name, stop_before_pixels=True)
        assert route(ds).kind == QC and route(ds).folder[0] == "DHV_DV000010-001", name
    assert route(pydicom.dcmread(NMQC / "Jaszack.dcm", stop_before_pixels=True)).kind == DOSIMETRY
    study = "2.16.840.1.114362.1.11972228.23084913181.578483695.316.107"
    for path in MAA.rglob("*.dcm"):
        r = route(pydicom.dcmread(path, stop_before_pixels=True))
        assert r.kind == DOSIMETRY and r.folder[0] == study, path


def test_keep_never_overwrites_a_different_object(tmp_path):
    path = tmp_path / "a" / "1.2.3.dcm"
    assert keep(b"one", path) == (path, "")
    assert keep(b"one", path) == (path, "same object received again")
    other, note = keep(b"two", path)
    assert other != path and other.read_bytes() == b"two" and path.read_bytes() == b"one"
    assert other.name in note
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_records_skip_a_half_written_line(tmp_path):
    records = Records(tmp_path / "r.jsonl")
    records.append({"type": "object", "n": 1})
    with records.path.open("a") as handle:
        handle.write('{"type": "obj')  # a line being written
    assert [r["n"] for r in records.read()] == [1]


def test_receive_routes_keeps_and_records(tmp_path):
    calls = []

    def importer(data, ds, peer):
        assert ds.SOPInstanceUID == pydicom.dcmread(io.BytesIO(data)).SOPInstanceUID  # the dataset of these bytes
        calls.append((ds.SOPInstanceUID, peer.ae_title))
        return "not imported", "no patient with ID P123: register the patient first"

    layout = Layout.under(tmp_path / "data", tmp_path / "inbox")
    listener = Listener("NMGUARD", layout, import_dose_report=importer, lookup_device=lambda ds: "Camera 1")
    peer = Peer("MODALITY", "127.0.0.1", 5000)
    rrdsr = build_rrdsr(make_admin(), institution_name="H", device_observer_uid="1.2.3", device_observer_name="N")
    buffer = io.BytesIO()
    rrdsr.save_as(buffer, enforce_file_format=True)
    rec = listener.receive(
        buffer.getvalue(), peer, sop_class_uid=routing.RRDSR, transfer_syntax=str(rrdsr.file_meta.TransferSyntaxUID)
    )
    assert calls == [(rrdsr.SOPInstanceUID, "MODALITY")]
    assert rec["kind"] == DOSE_REPORT and rec["status"] == "not imported" and "register the patient" in rec["notes"][0]
    assert Path(rec["path"]).read_bytes() == buffer.getvalue()  # the report is kept as sent
    flood = _image(routing.NM_IMAGE, ["ORIGINAL", "PRIMARY", "STATIC", "EMISSION"], StationName="CAM")
    rec = listener.receive(
        _file_bytes(flood), peer, sop_class_uid=routing.NM_IMAGE, transfer_syntax="1.2.840.10008.1.2.4.201"
    )  # HTJ2K: not among the readable ones
    assert rec["status"] == "waiting for a QC test" and "device: Camera 1" in rec["notes"]
    assert any("do not decode" in n for n in rec["notes"])
    assert Path(rec["path"]).parent == layout.root / "qc-incoming" / "CAM" / flood.SeriesInstanceUID
    rec = listener.receive(b"not DICOM at all", peer, sop_class_uid="1.2.3.4", transfer_syntax=ExplicitVRLittleEndian)
    assert rec["kind"] == UNKNOWN and Path(rec["path"]).read_bytes() == b"not DICOM at all"
    assert [r["sop_class_uid"] for r in Records(layout.records).read()] == [routing.RRDSR, routing.NM_IMAGE, "1.2.3.4"]


def test_negotiation_prefers_readable_syntaxes_and_keeps_every_storage_class():
    ours = [build_context(uid, list(TRANSFER_SYNTAXES)) for uid in (*routing.STORAGE_CLASSES, "1.2.840.10008.1.1")]
    jpeg_baseline, htj2k = "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.201"
    proposed = [
        build_context(routing.NM_IMAGE, [jpeg_baseline, "1.2.840.10008.1.2.5"]),  # lossy first, RLE second
        build_context("1.2.826.0.1.3680043.8.498.777", [htj2k]),  # private class, unreadable syntax only
        build_context("1.2.840.10008.5.1.4.1.1.7", ["1.2.840.10008.1.2"]),  # Secondary Capture, not in ours
        build_context("1.2.840.10008.5.1.4.1.2.2.1", ["1.2.840.10008.1.2"]),  # Study Root Q/R FIND: not storage
    ]
    for i, cx in enumerate(proposed):
        cx.context_id = 2 * i + 1
    result, _ = negotiate(proposed, ours)
    outcome = {cx.context_id: (cx.result, cx.transfer_syntax[0]) for cx in result}
    assert outcome[1] == (0, "1.2.840.10008.1.2.5")
    assert outcome[3] == (0, htj2k)
    assert outcome[5] == (0, "1.2.840.10008.1.2")
    assert outcome[7][0] == 0x03  # abstract syntax not supported


@pytest.mark.parametrize(
    ("proposed", "accepted"),
    [
        (["1.2.840.10008.1.2", "1.2.840.10008.1.2.1"], "1.2.840.10008.1.2"),  # implicit first: implicit
        (["1.2.840.10008.1.2.1", "1.2.840.10008.1.2"], "1.2.840.10008.1.2.1"),  # explicit first: explicit
        (["1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.1"], "1.2.840.10008.1.2.4.90"),  # JPEG 2000 lossless kept
        (["1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.80"], "1.2.840.10008.1.2.4.80"),  # lossy baseline passed over
    ],
)
def test_the_senders_first_readable_syntax_is_accepted(proposed, accepted):
    """The sender need not transcode what it holds (it re-encoded every report before: acceptor's order)."""
    ours = [build_context(uid, list(TRANSFER_SYNTAXES)) for uid in (*routing.STORAGE_CLASSES, "1.2.840.10008.1.1")]
    for uid in (routing.RRDSR, routing.NM_IMAGE, "1.2.840.10008.1.1"):
        cx = build_context(uid, proposed)
        cx.context_id = 1
        result, _ = negotiate([cx], ours)
        assert (result[0].result, result[0].transfer_syntax) == (0, [accepted]), uid


@pytest.mark.parametrize("title", ["", "   ", "A" * 17, "BAD\\AE", "ÆTITLE"])
def test_bad_ae_titles(title):
    with pytest.raises(ValueError):
        check_ae_title(title)


def test_good_ae_title():
    assert check_ae_title("NMGUARD_SCP ") == "NMGUARD_SCP"


@pytest.fixture
def pynetdicom_settings():
    """The listener sets two process-wide pynetdicom settings; give the rest of the test run its defaults back."""
    import pynetdicom.acse
    from pynetdicom import _config

    saved = _config.UNRESTRICTED_STORAGE_SERVICE, pynetdicom.acse.negotiate_unrestricted
    yield
    _config.UNRESTRICTED_STORAGE_SERVICE, pynetdicom.acse.negotiate_unrestricted = saved


def test_the_listener_negotiates_with_its_own_rules_over_the_network(tmp_path, pynetdicom_settings):
    """pynetdicom's own unrestricted negotiation takes the first proposed syntax (here JPEG baseline, lossy,
    not decodable by NMGuard's readers); the listener's takes RLE. Fails if a pynetdicom release stops
    calling the hook the listener installs."""
    import socket

    from pynetdicom import AE

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    listener = Listener("NMG_UNIT", Layout.under(tmp_path), import_dose_report=lambda d, ds, p: ("x", "y"))
    listener.start("127.0.0.1", port, block=False)
    try:
        ae = AE(ae_title="SCU")
        ae.add_requested_context(routing.NM_IMAGE, ["1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.5"])
        ae.add_requested_context("1.2.826.0.1.3680043.8.498.777", ["1.2.840.10008.1.2.4.201"])
        assoc = ae.associate("127.0.0.1", port, ae_title="NMG_UNIT")
        assert assoc.is_established
        accepted = {cx.abstract_syntax: cx.transfer_syntax[0] for cx in assoc.accepted_contexts}
        assoc.release()
    finally:
        listener.shutdown()
    assert accepted == {
        routing.NM_IMAGE: "1.2.840.10008.1.2.5",
        "1.2.826.0.1.3680043.8.498.777": "1.2.840.10008.1.2.4.201",
    }
