"""Demo QC programme: schedules on every demo device, a check source, and a month of history.

Results go through the same entry adapters and services as real work (analyses, evaluation,
lock-out), so the trends, the day's list and the EARL report show real computations.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.demo_clock import routine_at
from nmguard.apps.core.roles import Role
from nmguard.apps.equipment import qc_entry, qc_services
from nmguard.apps.equipment.models import CheckSource, Equipment
from nmguard.reference import get_nuclide


def _at(days_ago: int, hour: int = 7, minute: int = 30) -> dt.datetime:
    return routine_at(days_ago, hour, minute)


def _demo_password(role: Role) -> str:
    """The demo user's password (printed by ``nmguard demo``), for the e-signatures the history needs."""
    from nmguard.apps.core.demo import DEMO_USERS

    return next(password for _, password, r in DEMO_USERS if r == role)


def _constancy_history(meter: Equipment, users: dict, rng: random.Random) -> None:
    physicist, tech = users[Role.PHYSICIST], users[Role.TECHNOLOGIST]
    with acting_as(physicist, reason="check source received"):
        source = CheckSource.objects.create(
            name="Cs-137 reference vial",
            nuclide="Cs-137",
            serial_number="CS-2019-114",
            certified_activity_Bq=7.77e6,
            certified_at=timezone.now() - dt.timedelta(days=6 * 365),
            certificate="PTB-style certificate 2019-114 (demo)",
        )
    schedule = qc_services.schedule_test(meter, "am-constancy", physicist, check_source=source)
    half_life = get_nuclide("Cs-137").half_life_s
    for days_ago in range(30, -1, -1):
        at = _at(days_ago)
        expected = source.certified_activity_Bq * 2 ** (-(at - source.certified_at).total_seconds() / half_life)
        factor = rng.gauss(1.0, 0.012)
        if days_ago == 12:
            factor = 1.123  # a failed constancy: the meter is locked until the re-test passes
        if days_ago == 11:
            factor = 1.004
        qc_entry.record_from_form(
            schedule,
            {
                "performed_at": at,
                "reading": expected * factor,
                "comment": "" if days_ago != 12 else "ionisation chamber dropped",
            },
            tech,
        )
        if days_ago == 11:  # passed again: only eligible for return; the physicist signs it back into use
            qc_services.return_to_service(
                meter,
                physicist=physicist,
                password=_demo_password(Role.PHYSICIST),
                reason="chamber checked after the drop; constancy re-test within tolerance",
            )


def _uniformity_history(camera: Equipment, users: dict) -> None:
    """Ten daily floods whose PMT defect grows: each passes, but the drift rules warn (the demo's point)."""
    from nmguard.synthetic.nm_images import Square, flood, write_nm

    schedule = qc_services.schedule_test(camera, "gc-uniformity-daily", users[Role.PHYSICIST])
    with tempfile.TemporaryDirectory() as folder:
        for i, days_ago in enumerate(range(9, -1, -1)):
            contrast = 0.02 + 0.004 * i  # a slowly growing PMT drift
            image = flood((128, 128), counts_per_pixel=48000, squares=[Square(40, 70, 14, contrast)], seed=i)
            path = Path(folder) / f"flood-{i}.dcm"
            write_nm(path, image[None], pixel_mm=3.2)
            upload = SimpleUploadedFile(path.name, path.read_bytes())
            qc_entry.record_from_form(
                schedule,
                {"performed_at": _at(days_ago, 7, 45), "file": upload, "comment": ""},
                users[Role.TECHNOLOGIST],
            )


def _pet_image_quality(pet: Equipment, users: dict) -> None:
    from nmguard.synthetic.pet_phantom import iec_phantom, write_pet_series

    schedule = qc_services.schedule_test(pet, "pet-image-quality", users[Role.PHYSICIST])
    qc_services.schedule_test(pet, "pet-suv-calibration", users[Role.PHYSICIST])
    phantom = iec_phantom(voxel_mm=2.0, fwhm_mm=8.0)
    with tempfile.TemporaryDirectory() as folder:
        scan = timezone.localtime(_at(20, 15, 0)).replace(tzinfo=None)  # DICOM dates are local times
        write_pet_series(
            phantom.volume,
            phantom.spacing_mm,
            phantom.origin_mm,
            folder,
            series_datetime=scan,
            injection_datetime=scan - dt.timedelta(hours=1),
            injected_activity_Bq=100e6,
        )
        import io
        import zipfile

        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for f in sorted(Path(folder).iterdir()):
                archive.write(f, f.name)
        upload = SimpleUploadedFile("iec.zip", buffer.getvalue())
        qc_entry.record_from_form(
            schedule,
            {
                "performed_at": _at(20, 16, 0),
                "file": upload,
                "standard": "earl1",
                "sphere_kbq_ml": phantom.sphere_concentration / 1e3,
                "background_kbq_ml": phantom.background_concentration / 1e3,
                "comment": "annual EARL image-quality phantom",
            },
            users[Role.PHYSICIST],
        )


def load_qc_demo(devices: list[Equipment], users: dict) -> None:
    rng = random.Random(4)
    by_kind = {d.kind: d for d in devices}
    _constancy_history(by_kind["activity_meter"], users, rng)
    _uniformity_history(by_kind["gamma_camera"], users)
    _pet_image_quality(by_kind["pet_ct"], users)
