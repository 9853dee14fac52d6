"""Demo staff doses: the last twelve completed months of badges and rings for five workers, imported as the
RPO through the same service as a real file, with one correction and one pregnancy declaration.

The nurse's last month holds an unplanned 6.5 mSv (a spill, in the story), which puts her at the
investigation level (IAEA: 30 % of 20 mSv = 6 mSv) in the year that month ends in, so the RPO's dashboard
has an alert to show whenever that month is in the current year.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.roles import Role
from nmguard.apps.protection import declarations
from nmguard.apps.protection.dose_import import correct_reading, import_readings
from nmguard.apps.protection.models import DoseReading, Worker
from nmguard.protection.readings import HEADER

# worker id, name, monthly Hp(10), monthly ring Hp(0.07) (None: no ring), linked demo role
DEMO_WORKERS = [
    ("D-101", "Tara Technologist", 0.15, 1.2, Role.TECHNOLOGIST),
    ("D-102", "Rafael Radiopharmacist", 0.2, 8.0, Role.RADIOPHARMACIST),
    ("D-103", "Pia Physicist", 0.05, None, Role.PHYSICIST),
    ("D-104", "Nora Nurse", 0.3, None, None),
    ("D-105", "Sam Student", 0.02, None, None),
]
SPILL_MSV = 6.5


def _months(today: dt.date, n: int = 12) -> list[tuple[dt.date, dt.date]]:
    """The ``n`` completed calendar months before ``today``'s month, oldest first."""
    out = []
    first = today.replace(day=1)
    for _ in range(n):
        end = first - dt.timedelta(days=1)
        first = end.replace(day=1)
        out.append((first, end))
    return out[::-1]


def demo_file(today: dt.date) -> str:
    lines = [",".join(HEADER)]
    months = _months(today)
    for wid, name, hp10, ring, _ in DEMO_WORKERS:
        for i, (start, end) in enumerate(months):
            dose = SPILL_MSV if wid == "D-104" and i == len(months) - 1 else hp10
            lines.append(f"{wid},{name},whole_body,{start},{end},{dose},{dose},")
            if ring is not None:
                lines.append(f"{wid},{name},extremity,{start},{end},,{ring},")
    return "\n".join(lines) + "\n"


def load_staff_dose_demo(users: dict) -> None:
    rpo = users[Role.RPO]
    today = timezone.localdate()
    import_readings(demo_file(today), "dosimetry-service-demo.csv", rpo)
    with acting_as(rpo, reason="register completed from the staff list"):
        for wid, _, _, _, role in DEMO_WORKERS:
            worker = Worker.objects.get(worker_id=wid)
            worker.user = users.get(role) if role else None
            worker.category = "apprentice" if wid == "D-105" else "worker"
            worker.save()
    first = DoseReading.objects.filter(worker__worker_id="D-101", dosimeter="whole_body").order_by("period_start")[0]
    correct_reading(first, {"hp10_mSv": 0.12}, "the service re-read the badge (fading correction)", rpo)
    declared = _months(today)[-3][0]  # the first day of the third-last completed month
    declarations.declare(Worker.objects.get(worker_id="D-103"), declared, None, rpo)
