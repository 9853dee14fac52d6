"""Demo of the RPO's records, after the staff doses (:mod:`nmguard.apps.protection.demo`): the nurse's
investigation-level alert with an open investigation, an older one closed, and two protection events.

The story: a year before this year's spill, the nurse's badge read 6.2 mSv (a contaminated glove left on the
badge), which reached the investigation level (IAEA: 30 % of 20 mSv = 6 mSv) in that year; the investigation
was closed. This year's 6.5 mSv month (the spill) has an investigation open, and a contamination event of the
same spill is open while another, earlier contamination was closed. Every date is counted from today's
completed months, so the demo holds at any hour and on any day of the year.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from nmguard.apps.core.roles import Role
from nmguard.apps.protection import event_records, investigation_records
from nmguard.apps.protection.demo import SPILL_MSV, _months
from nmguard.apps.protection.dose_import import import_readings
from nmguard.apps.protection.models import Worker
from nmguard.protection.readings import HEADER

NURSE = "D-104"
EARLIER_MSV = 6.2


def _earlier_file(today: dt.date) -> str:
    """The nurse's badge of the same month a year before the last completed month."""
    start, end = _months(today, 13)[0]
    return ",".join(HEADER) + f"\n{NURSE},Nora Nurse,whole_body,{start},{end},{EARLIER_MSV},{EARLIER_MSV},\n"


def _noon(day: dt.date, hour: int = 11) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 20)))


def load_rpo_demo(users: dict, passwords: dict) -> None:
    """Investigations (one open, one closed by e-signature) and protection events (one open, one closed)."""
    rpo, password = users[Role.RPO], passwords[Role.RPO]
    today = timezone.localdate()
    import_readings(_earlier_file(today), "dosimetry-service-demo-earlier.csv", rpo)
    nurse = Worker.objects.get(worker_id=NURSE)
    earlier_start, _ = _months(today, 13)[0]
    spill_start, spill_end = _months(today)[-1]

    older = investigation_records.open_investigation(nurse, earlier_start.year, "effective", rpo)
    investigation_records.close_investigation(
        older,
        {
            "findings": "The badge read 6.2 mSv in one month; the ring and the survey of the injection room did not "
            "show a matching exposure.",
            "cause": "The badge was clipped to a glove cuff that was contaminated during an injection.",
            "actions": "Badge worn under the lead apron collar; gloves changed after every injection.",
        },
        rpo,
        password,
    )
    current = investigation_records.open_investigation(nurse, spill_end.year, "effective", rpo)
    investigation_records.update_investigation(
        current, {"findings": "Spill of a Tc-99m syringe in the injection room; dose estimate pending."}, rpo
    )

    earlier_event = event_records.record_event(
        {
            "kind": "contamination_person",
            "occurred_at": _noon(earlier_start + dt.timedelta(days=9)),
            "location": "Injection room 2",
            "description": "Contaminated glove cuff found at the end of the day; hands monitored clean.",
            "estimated_dose_mSv": 0.5,
        },
        rpo,
        [nurse],
    )
    event_records.close_event(
        earlier_event, "Glove discarded as waste; badge re-read; procedure reminded.", rpo, password
    )
    event_records.record_event(
        {
            "kind": "spill",
            "occurred_at": _noon(spill_start + dt.timedelta(days=min(14, (spill_end - spill_start).days))),
            "location": "Injection room 2",
            "description": "A Tc-99m syringe (about 700 MBq) broke on the floor; the area was cordoned off.",
            "estimated_dose_mSv": SPILL_MSV,  # the badge of that month, the estimate recorded
            "actions": "Floor decontaminated; wipe tests taken.",
        },
        rpo,
        [nurse],
    )
