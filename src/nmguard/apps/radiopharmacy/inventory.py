"""Unsealed sources on hand per nuclide against the licence's possession limits.

On hand = deliveries in stock + the parent in generators in use + waste in storage, each decayed
from its reference time to now. A conservative sum: what was injected from a delivery is not
subtracted until the delivery is marked used up.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.radiopharmacy.models import Delivery, Generator, PossessionLimit, WasteContainer
from nmguard.errors import InputError
from nmguard.physics.decay import decay_factor
from nmguard.reference import get_nuclide


@dataclass(frozen=True)
class Holding:
    nuclide: str
    on_hand_Bq: float
    limit_Bq: float | None
    licence: str
    exceeded: bool
    # Stored records whose activity now cannot be computed (a calibration implausibly far ahead that
    # overflows when decayed back): shown flagged, left out of ``on_hand_Bq`` (which is then a lower bound).
    flagged: tuple[str, ...] = ()


def _decayed(nuclide: str, activity_Bq: float, since: dt.datetime, now: dt.datetime) -> float:
    return activity_Bq * decay_factor(get_nuclide(nuclide).half_life_s, (now - since).total_seconds())


def activity_now(nuclide: str, activity_Bq: float, since: dt.datetime, now: dt.datetime) -> tuple[float | None, str]:
    """The stored activity decayed from ``since`` to ``now``, or ``None`` and why not (a page shows the
    record flagged instead of failing: a calibration implausibly far ahead overflows when decayed back)."""
    from nmguard.input_bounds import QUANTITY_BOUNDS, plausible_or_reason

    value, why = plausible_or_reason(_decayed, nuclide, activity_Bq, since, now)
    if value is not None and value > QUANTITY_BOUNDS["activity"][1]:
        value, why = None, f"{value:.3g} Bq now"
    if value is None:
        return None, f"calibration date implausible: {timezone.localtime(since):%Y-%m-%d %H:%M} ({why})"
    return value, ""


def holdings(now: dt.datetime | None = None) -> list[Holding]:
    now = now or timezone.now()
    total: dict[str, float] = defaultdict(float)
    flagged: dict[str, list[str]] = defaultdict(list)
    records = [
        *(
            (f"delivery {d.product} #{d.pk}", d.nuclide, d.activity_Bq, d.calibrated_at)
            for d in Delivery.objects.filter(status=Delivery.Status.IN_STOCK)
        ),
        *(
            (f"generator {g.name}", g.parent, g.calibrated_activity_Bq, g.calibrated_at)
            for g in Generator.objects.filter(status=Generator.Status.IN_USE)
        ),
        *(
            (f"waste {w.label}", w.nuclide, w.activity_Bq, w.sealed_at)
            for w in WasteContainer.objects.filter(disposed_at__isnull=True)
        ),
    ]
    for what, nuclide, activity_Bq, since in records:
        value, why = activity_now(nuclide, activity_Bq, since, now)
        total[nuclide] += value or 0.0
        if value is None:
            flagged[nuclide].append(f"{what}: {why}")
    limits = {p.nuclide: p for p in PossessionLimit.objects.all()}
    rows = []
    for nuclide in sorted(set(total) | set(limits) | set(flagged)):
        limit = limits.get(nuclide)
        on_hand = total.get(nuclide, 0.0)
        rows.append(
            Holding(
                nuclide,
                on_hand,
                limit.limit_Bq if limit else None,
                limit.licence if limit else "",
                bool(limit and on_hand > limit.limit_Bq),
                tuple(flagged.get(nuclide, ())),
            )
        )
    return rows


def receive_delivery(
    *,
    nuclide: str,
    product: str,
    activity_Bq: float,
    calibrated_at: dt.datetime,
    received_at: dt.datetime,
    receipt_ok: bool,
    user,
    supplier: str = "",
    package_surface_uSv_h: float | None = None,
    package_1m_uSv_h: float | None = None,
    wipe_Bq_per_cm2: float | None = None,
    receipt_note: str = "",
) -> tuple[Delivery, list[Holding]]:
    """Record a delivery; returns it with the possession limits it now exceeds (an alert for the RPO).

    Whether the receipt checks passed is an explicit answer (True or False): there is no default."""
    from nmguard.apps.radiopharmacy.services import _require

    _require(user, "delivery", "receiving a delivery")
    if receipt_ok is not True and receipt_ok is not False:
        raise InputError("answer whether the receipt checks passed (yes or no)", "receipt_ok")
    if not activity_Bq > 0:
        raise InputError("activity must be positive", "activity")
    for name, value in (
        ("package_surface_uSv_h", package_surface_uSv_h),
        ("package_1m_uSv_h", package_1m_uSv_h),
        ("wipe_Bq_per_cm2", wipe_Bq_per_cm2),
    ):
        if value is not None and value < 0:
            raise InputError(f"{name} cannot be negative", name)
    if not receipt_ok and not receipt_note.strip():
        raise InputError("say what was wrong at receipt", "receipt_note")
    from nmguard.apps.radiopharmacy.services import check_calibration

    check_calibration(calibrated_at, received_at, "delivery")
    with transaction.atomic(), acting_as(user, reason="delivery received"):
        delivery = Delivery.objects.create(
            nuclide=get_nuclide(nuclide).name,
            product=product,
            activity_Bq=activity_Bq,
            calibrated_at=calibrated_at,
            received_at=received_at,
            supplier=supplier,
            package_surface_uSv_h=package_surface_uSv_h,
            package_1m_uSv_h=package_1m_uSv_h,
            wipe_Bq_per_cm2=wipe_Bq_per_cm2,
            receipt_ok=receipt_ok,
            receipt_note=receipt_note,
            received_by=user,
        )
    return delivery, [h for h in holdings() if h.exceeded]
