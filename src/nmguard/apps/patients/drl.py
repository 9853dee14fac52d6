"""DRL audit per protocol over a period: median administered activity against the DRL, with a plot.

Adults (18 y and over at administration) are audited against the protocol's DRL; children per
EANM weight band (the DRL methodology audits paediatric activities by weight group).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from nmguard.apps.patients.models import Administration, Protocol
from nmguard.reporting.plots import drl_plot
from nmguard.rules.protocol_activity import ADULT_AGE_YEARS


@dataclass(frozen=True)
class DrlRow:
    protocol: Protocol
    n: int
    median_MBq: float | None
    ratio: float | None
    above: bool
    svg: str | None
    message: str
    child_bands: tuple = ()


def _split_by_age(protocol: Protocol, since: dt.datetime) -> tuple[list[float], list[tuple[float, float]]]:
    adults, children = [], []
    rows = Administration.objects.filter(prescription__protocol=protocol, administered_at__gte=since).values_list(
        "administered_activity_Bq", "administered_at", "prescription__patient__birth_date", "prescription__weight_kg"
    )
    for activity, at, birth, weight in rows:
        age = (timezone.localdate(at) - birth).days / 365.2425
        if age >= ADULT_AGE_YEARS:
            adults.append(activity / 1e6)
        elif weight:
            children.append((activity / 1e6, weight))
    return adults, children


def drl_overview(days: int) -> list[DrlRow]:
    from nmguard.rules.drl import drl_audit

    since = timezone.now() - dt.timedelta(days=days)
    result = []
    diagnostic = Protocol.objects.filter(active=True, radiopharmaceutical__is_therapy=False)
    for protocol in diagnostic.select_related("radiopharmaceutical"):
        adults, children = _split_by_age(protocol, since)
        bands = ()
        if children:
            child_audit = drl_audit([a for a, _ in children], weights_kg=[w for _, w in children])
            bands = child_audit.bands
        if not adults:
            result.append(DrlRow(protocol, 0, None, None, False, None, "no adult administrations in the period", bands))
            continue
        audit = drl_audit(adults, drl_MBq=protocol.drl_MBq)
        stats = audit.overall
        svg = drl_plot(protocol.name, adults, stats.median_MBq, protocol.drl_MBq)
        result.append(
            DrlRow(
                protocol,
                stats.n,
                stats.median_MBq,
                stats.ratio_to_drl,
                bool(stats.above_drl),
                svg,
                "; ".join(audit.warnings),
                bands,
            )
        )
    return result
