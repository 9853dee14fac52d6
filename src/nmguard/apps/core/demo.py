"""The demo department: a user per role, equipment, a radiopharmaceutical catalogue, some history.

Loaded once into an empty database; a second run finds the department and reuses it. Passwords
are printed by ``nmguard demo`` and are for trying NMGuard only.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.models import Department, User
from nmguard.apps.core.roles import Role
from nmguard.apps.core.signatures import sign
from nmguard.apps.core.users import create_user

DEMO_STUDY_FOLDER = "demo-lu177-synthetic"  # in the DICOM inbox; written by the therapy demo

DEMO_USERS: list[tuple[str, str, Role]] = [
    (role.value.replace("_", "-"), f"demo-{role.value.replace('_', '-')}-pass", role) for role in Role
]
DEMO_NAMES = {
    Role.TECHNOLOGIST: "Tara Technologist",
    Role.RADIOPHARMACIST: "Rafael Radiopharmacist",
    Role.PHYSICIST: "Pia Physicist",
    Role.PHYSICIAN: "Dr Paul Physician",
    Role.RPO: "Rosa RPO",
    Role.QUALITY_MANAGER: "Quentin Quality",
    Role.ADMINISTRATOR: "Ada Administrator",
    Role.READ_ONLY: "Reggie Reader",
}

DEMO_EQUIPMENT = [
    ("Activity meter 1 (hot lab)", "activity_meter", "Capintec", "CRC-55tR", "HL-AM-001", "Hot lab"),
    ("Gamma camera A", "gamma_camera", "Siemens", "Symbia E", "GC-A-1042", "Room 1"),
    ("SPECT/CT B", "spect_ct", "GE", "NM/CT 870 DR", "SC-B-2231", "Room 2"),
    ("PET/CT 1", "pet_ct", "Siemens", "Biograph Vision 600", "PET-0931", "PET suite"),
    ("Survey meter 1", "survey_meter", "Thermo", "RadEye G", "SM-7731", "Hot lab"),
    ("Contamination monitor 1", "contamination_monitor", "Mirion", "CoMo 170", "CM-4410", "Hot lab exit"),
]

DEMO_RADIOPHARMACEUTICALS = [  # (name, catalogue id, nuclide, route, therapy)
    ("99mTc-MDP (bone)", "tc99m-mdp", "Tc-99m", "iv", False),
    ("99mTc-MAA (lung perfusion)", "tc99m-maa", "Tc-99m", "iv", False),
    ("99mTc-tetrofosmin (myocardial, rest)", "tc99m-tetrofosmin-rest", "Tc-99m", "iv", False),
    ("99mTc-DMSA (renal cortex)", "tc99m-dmsa", "Tc-99m", "iv", False),
    ("18F-FDG", "f18-fdg", "F-18", "iv", False),
    ("68Ga-DOTATATE", "ga68-dotatate", "Ga-68", "iv", False),
    ("123I-ioflupane", "i123-ioflupane", "I-123", "iv", False),
    ("131I-sodium iodide (therapy)", "i131-iodide", "I-131", "oral", True),
    ("177Lu-PSMA-617", "lu177-psma-617", "Lu-177", "iv", True),
    ("177Lu-DOTATATE", "lu177-dotatate", "Lu-177", "iv", True),
    ("223Ra-dichloride", "ra223-dichloride", "Ra-223", "iv", True),
]


@transaction.atomic
def load_demo() -> bool:
    """Fill an empty database with the demo department; False if it was there already."""
    from nmguard.apps.equipment.models import Equipment
    from nmguard.apps.radiopharmacy.models import Radiopharmaceutical

    if Department.objects.exists():
        return False
    users: dict[Role, User] = {}
    for username, password, role in DEMO_USERS:
        users[role] = create_user(
            username, password, [role.value], display_name=DEMO_NAMES[role], actor="demo-loader", check_password=False
        )
    with acting_as(users[Role.ADMINISTRATOR], reason="demo department set up"):
        Department.objects.create(name="Demo Nuclear Medicine", institution="NMGuard Demo Hospital")
    with acting_as(users[Role.PHYSICIST], reason="commissioned"):
        devices = [
            Equipment.objects.create(name=n, kind=k, manufacturer=m, model_name=mo, serial_number=s, location=loc)
            for n, k, m, mo, s, loc in DEMO_EQUIPMENT
        ]
    with acting_as(users[Role.RADIOPHARMACIST], reason="catalogue set up"):
        for name, catalogue_id, nuclide, route, therapy in DEMO_RADIOPHARMACEUTICALS:
            item = Radiopharmaceutical(
                name=name, catalogue_id=catalogue_id, nuclide=nuclide, route=route, is_therapy=therapy
            )
            item.full_clean()
            item.save()
    # Some history: a camera taken out of service and returned, with reasons and a signature.
    camera = devices[1]
    with acting_as(users[Role.PHYSICIST], reason="detector 2 uniformity out of tolerance"):
        camera.status = Equipment.Status.OUT_OF_SERVICE
        camera.save()
    with acting_as(users[Role.PHYSICIST], reason="PMT tuned by service engineer; uniformity re-tested OK"):
        camera.status = Equipment.Status.CLINICAL
        camera.save()
    passwords = {role: password for _, password, role in DEMO_USERS}
    sign(camera, users[Role.PHYSICIST], passwords[Role.PHYSICIST], "approved", "Returned to clinical use after repair")
    meter = devices[0]
    from nmguard.apps.equipment.demo import load_qc_demo
    from nmguard.apps.patients.demo import load_administration_demo

    load_qc_demo(devices, users)
    meter.refresh_from_db()

    load_administration_demo(users, passwords, meter)
    from nmguard.apps.radiopharmacy.demo import load_hotlab_demo

    load_hotlab_demo(users, passwords)
    from nmguard.apps.therapy.demo import load_therapy_demo

    load_therapy_demo(users)
    from nmguard.apps.protection.demo import load_staff_dose_demo

    load_staff_dose_demo(users)
    from nmguard.apps.protection.source_demo import load_sources_demo

    load_sources_demo(users)
    from nmguard.apps.therapy.release_demo import load_release_demo

    load_release_demo(users, passwords)
    from nmguard.apps.protection.shielding_demo import load_shielding_demo

    load_shielding_demo(users)
    from nmguard.apps.protection.monitoring_demo import load_monitoring_demo

    load_monitoring_demo(users)
    from nmguard.apps.protection.event_demo import load_rpo_demo

    load_rpo_demo(users, passwords)
    from nmguard.apps.quality.training_demo import load_training_demo

    load_training_demo(users, passwords)
    from nmguard.apps.quality.audit_demo import load_audit_demo

    load_audit_demo(users, passwords)
    from nmguard.apps.quality.document_demo import load_documents_demo

    load_documents_demo(users, passwords)
    from nmguard.apps.quality.incident_demo import load_incident_demo

    load_incident_demo(users, passwords)
    from nmguard.apps.quality.review_meeting_demo import load_review_meeting_demo

    load_review_meeting_demo(users, passwords)
    return True


def example_files() -> dict[str, Path]:
    """The files that the README's command-line examples name, in the data folder (made once).

    ``flood.dcm`` is a synthetic 128×128 intrinsic flood (48,000 counts a pixel, one 5 % square:
    a PMT drift) for ``nmguard qc uniformity``; ``study`` is the demo's synthetic 177Lu SPECT/CT
    study in the DICOM inbox, for ``nmguard dosimetry run``.
    """
    from nmguard.apps.therapy import dosimetry_jobs
    from nmguard.synthetic.nm_images import Square, flood, write_nm

    folder = Path(settings.DATA_DIR) / "examples"
    folder.mkdir(parents=True, exist_ok=True)
    flood_path = folder / "flood.dcm"
    if not flood_path.exists():
        image = flood((128, 128), counts_per_pixel=48000, squares=[Square(40, 70, 14, 0.05)], seed=7)
        write_nm(flood_path, image[None], pixel_mm=3.2)
    return {"flood": flood_path, "study": dosimetry_jobs.inbox_root() / DEMO_STUDY_FOLDER}
