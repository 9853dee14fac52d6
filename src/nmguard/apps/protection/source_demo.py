"""Demo sealed sources: the QC check source of the activity meter registered as a sealed source, a Co-57 flood
source, a Ba-133 calibration vial and an exempt Co-57 marker, with leak-test history and a signed inventory.

The check source's last passing leak test is dated so that the next one falls due three days after the demo is
built (the issue's "a sealed source due for its leak test"); every date is a local day before today at 10:00, so
the demo builds at any hour.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from nmguard.apps.core.roles import Role
from nmguard.apps.equipment.models import CheckSource
from nmguard.apps.protection import source_services as svc
from nmguard.apps.protection.source_models import SealedSource
from nmguard.protection.sealed_sources import add_months

DUE_IN_DAYS = 3


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def load_sources_demo(users: dict, rpo_password: str | None = None) -> None:
    """The demo's sources (``rpo_password`` signs the inventory; the demo RPO's by default)."""
    from nmguard.apps.core.demo import DEMO_USERS

    rpo, physicist = users[Role.RPO], users[Role.PHYSICIST]
    password = rpo_password or next(p for _, p, r in DEMO_USERS if r == Role.RPO)
    today = timezone.localdate()
    check = CheckSource.objects.order_by("pk").first()
    sources: list[SealedSource] = []
    if check is not None:
        sources.append(
            svc.register_source(
                rpo,
                check_source=check,
                nuclide=check.nuclide,
                serial_number=check.serial_number or check.name,
                model_number="reference vial",
                activity_Bq=check.certified_activity_Bq,
                reference_at=check.certified_at,
                form="sealed vial",
                use=SealedSource.Use.CHECK,
                location="Hot lab, activity-meter drawer",
                custodian=rpo,
                received_on=timezone.localdate(check.certified_at),
            )
        )
    year_ago = today - dt.timedelta(days=365)
    sources.append(
        svc.register_source(
            rpo,
            nuclide="Co-57",
            serial_number="FL-57-2291",
            model_number="flood sheet 40 x 60 cm",
            activity_Bq=370e6,
            reference_at=_at(today - dt.timedelta(days=240)),
            form="epoxy sheet in acrylic",
            use=SealedSource.Use.FLOOD,
            location="Camera room 1, shielded cabinet",
            custodian=physicist,
            received_on=today - dt.timedelta(days=235),
        )
    )
    sources.append(
        svc.register_source(
            rpo,
            nuclide="Ba-133",
            serial_number="BA-133-0457",
            model_number="calibration vial 5 mL",
            activity_Bq=9.25e6,
            reference_at=_at(year_ago - dt.timedelta(days=400)),
            form="sealed vial",
            use=SealedSource.Use.CALIBRATION,
            location="Hot lab, source safe",
            custodian=rpo,
            received_on=year_ago - dt.timedelta(days=390),
        )
    )
    sources.append(  # 1.85 MBq of Co-57: under the 3.7 MBq beta/gamma threshold, exempt from leak testing
        svc.register_source(
            rpo,
            nuclide="Co-57",
            serial_number="MK-57-0012",
            model_number="pen marker",
            activity_Bq=1.85e6,
            reference_at=_at(year_ago),
            form="pen",
            use=SealedSource.Use.MARKER,
            location="Camera room 1, marker drawer",
            custodian=physicist,
            received_on=year_ago,
        )
    )
    check_src, flood, barium, _ = sources if check is not None else (None, *sources)
    if check_src is not None:  # two passing tests; the next falls due DUE_IN_DAYS after today
        last = add_months(today + dt.timedelta(days=DUE_IN_DAYS), -svc.rules().leak_interval_months)
        for day in (add_months(last, -svc.rules().leak_interval_months), last):
            svc.record_leak_test(check_src, wiped_at=_at(day), user=physicist, removable_Bq=2.1, mda_Bq=8.0)
    svc.record_leak_test(
        flood, wiped_at=_at(today - dt.timedelta(days=60)), user=physicist, removable_Bq=0.0, mda_Bq=8.0
    )
    svc.record_leak_test(
        barium,
        wiped_at=_at(today - dt.timedelta(days=120)),
        user=physicist,
        gross_cpm=412.0,
        background_cpm=380.0,
        efficiency=0.25,
        mda_Bq=12.0,
        comment="wipe counted in the well counter",
    )
    seen = {s.pk: (True, s.location, "") for s in sources}
    svc.record_inventory(
        seen, performed_on=today - dt.timedelta(days=100), user=rpo, password=password, comment="semi-annual"
    )
