"""Demo workplace monitoring: three instruments (the contamination monitor's calibration due in 20 days), a
dozen locations, three months of surveys and wipe tests through the same services as the pages, one
contamination of the dispensing bench found and decontaminated, and the waiting-room survey overdue today.

Every record lies on a day before today at a fixed local time, so the demo is the same whatever the hour at
which it is built (the tests build it at 00:30 and 23:50). The counter efficiencies and readings are demo
numbers, not measurements.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from nmguard.apps.core.roles import Role
from nmguard.apps.protection import survey_services as s
from nmguard.protection.surveys import add_frequency

# name, area kind, survey kind, frequency, nuclide, days of history, typical reading (µSv/h or Bq/cm²)
LOCATIONS = [
    ("Hot lab dispensing bench", "controlled", "wipe", "daily", "Tc-99m", 30, None),
    ("Hot lab", "controlled", "dose_rate", "daily", "", 30, 2.0),
    ("Injection room", "controlled", "dose_rate", "daily", "", 30, 1.2),
    ("Hot lab floor", "controlled", "wipe", "weekly", "Tc-99m", 91, None),
    ("Injection room bench", "controlled", "wipe", "weekly", "F-18", 91, None),
    ("PET uptake room 1", "controlled", "dose_rate", "weekly", "", 91, 2.5),
    ("Gamma camera room", "supervised", "dose_rate", "weekly", "", 91, 0.6),
    ("Patient waiting room", "public", "dose_rate", "weekly", "", 91, 0.15),
    ("Patient toilet", "supervised", "wipe", "weekly", "Tc-99m", 91, None),
    ("Radioiodine therapy room", "controlled", "wipe", "monthly", "I-131", 91, None),
    ("Radioactive waste store", "controlled", "dose_rate", "monthly", "", 91, 1.5),
    ("Reception corridor", "public", "contamination", "monthly", "Tc-99m", 91, 0.02),
]
OVERDUE = "Patient waiting room"  # last surveyed two weeks ago: weekly + 2 grace days -> overdue today
CONTAMINATED = "Hot lab dispensing bench"
SPILL_DAYS_AGO = 20
DECONTAMINATION = "Bench cleaned with decontamination solution, absorbent liner replaced; waste bagged for decay"
CLEAN_WIPE = {
    "gross_counts": 52,
    "gross_time_s": 60,
    "background_counts": 450,
    "background_time_s": 600,
    "area_cm2": 100,
}


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _instruments(rpo, today: dt.date) -> dict[str, object]:
    ago = lambda n: today - dt.timedelta(days=n)  # noqa: E731
    ahead = lambda n: today + dt.timedelta(days=n)  # noqa: E731
    meter = s.create_instrument(
        rpo, name="Survey meter (GM, energy compensated)", kind="dose_rate_meter", serial="DEMO-SM-1",
        calibrated_on=ago(300), calibration_due=ahead(65), check_reference=5.0, check_unit="µSv/h",
    )  # fmt: skip
    monitor = s.create_instrument(
        rpo, name="Contamination monitor (pancake probe)", kind="contamination_monitor", serial="DEMO-CM-1",
        calibrated_on=ago(345), calibration_due=ahead(20), check_reference=1200.0, check_unit="cps",
    )  # fmt: skip
    counter = s.create_instrument(
        rpo, name="Wipe well counter (NaI)", kind="wipe_counter", serial="DEMO-WC-1", calibrated_on=ago(100),
        calibration_due=ahead(265), check_reference=10000.0, check_unit="cpm",
        efficiencies={"Tc-99m": 0.6, "F-18": 0.3, "I-131": 0.35, "Lu-177": 0.2},
    )  # fmt: skip
    for instrument in (meter, monitor, counter):
        for week in range(13, 0, -1):
            reading = instrument.check_reference * (1 + 0.02 * ((week % 5) - 2))  # within ±4 %
            s.record_constancy(rpo, instrument, ago(7 * week), reading)
    return {"dose_rate": meter, "contamination": monitor, "wipe": counter}


def load_monitoring_demo(users: dict) -> None:
    rpo, physicist = users[Role.RPO], users[Role.PHYSICIST]
    today = timezone.localdate()
    instruments = _instruments(rpo, today)
    for i, (name, area, kind, frequency, nuclide, history, typical) in enumerate(LOCATIONS):
        start = today - dt.timedelta(days=history)
        location = s.create_location(
            rpo, name=name, area_kind=area, survey_kind=kind, frequency=frequency, nuclide=nuclide, first_due=start,
        )  # fmt: skip
        stop = today - dt.timedelta(days=9) if name == OVERDUE else today
        day, n = start, 0
        while day < stop:
            who = physicist if n % 3 == 2 else rpo
            when = _at(day, 9 + i % 6, 5 * (i % 10))
            if kind == "wipe":
                spill = name == CONTAMINATED and day == today - dt.timedelta(days=SPILL_DAYS_AGO)
                counts = 200_000 if spill else CLEAN_WIPE["gross_counts"] + (n % 7)
                s.record_wipe(who, location, instruments["wipe"], when, **{**CLEAN_WIPE, "gross_counts": counts})
                if spill:
                    follow_up = location.follow_ups.get(closed_at__isnull=True)
                    s.record_action(rpo, follow_up, DECONTAMINATION, when + dt.timedelta(hours=1))
                    s.record_wipe(rpo, location, instruments["wipe"], when + dt.timedelta(hours=2), **CLEAN_WIPE)
            else:
                readings = [round(typical * (0.8 + 0.05 * ((n + k) % 8)), 3) for k in range(3)]
                s.record_survey(who, location, instruments[kind], when, readings)
            day, n = add_frequency(day, frequency), n + 1
