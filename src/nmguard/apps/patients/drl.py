"""DRL audit per protocol over a period: median administered activity against the DRL, with a plot.

Adults (18 y and over at administration) are audited against the protocol's DRL; children per
EANM weight band (the DRL methodology audits paediatric activities by weight group).

Why the statistics are computed in the database: at a million administrations the page used to
fetch every row of the period into Python and draw every administration as a point (13 MB of SVG,
10 s). Here the database counts the administrations in fixed bins (one aggregate query), and each
quartile is read from the one bin that holds its rank (a sort of that bin only), so that the work in
Python and the plot's size no longer grow with the number of administrations. The quartiles are the
same numbers as :func:`nmguard.rules.drl.drl_audit` gives (inclusive method, interpolated between
ranks); the tests compare the two.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Count, F, FloatField, Max, Min, Q, QuerySet, Value
from django.db.models.functions import Floor, Least
from django.utils import timezone

from nmguard.apps.patients.models import Administration, Protocol
from nmguard.physics.display import format_sig
from nmguard.reporting.svg_histogram import histogram_svg
from nmguard.rules.protocol_activity import ADULT_AGE_YEARS

# bins of the histogram drawn per protocol; enough to show the shape, small enough to read
DRL_BINS = 40
# age >= 18 y with a year of 365.2425 days (the rule's definition) <=> at least this many whole days
ADULT_DAYS = math.ceil(ADULT_AGE_YEARS * 365.2425)
_ACTIVITY = "administered_activity_Bq"


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


def _period(protocol: Protocol, since: dt.datetime) -> QuerySet:
    """The protocol's administrations in the period."""
    return Administration.objects.filter(prescription__protocol=protocol, administered_at__gte=since).order_by()


def _adults_and_children(rows: QuerySet, since: dt.datetime) -> tuple[QuerySet, list[tuple[float, float]]]:
    """Adults as a queryset, children as (MBq, kg), split by the age on the day of administration.

    Why not an age column computed per row: on SQLite the date arithmetic runs as a Python function for
    every row (seconds at 100,000 rows). A patient born ADULT_DAYS before the period's first day is an
    adult at every administration in it; only the other rows (children and those turning 18 within the
    period, few) are fetched and classified here, by the rule itself."""
    surely_adult = Q(prescription__patient__birth_date__lte=timezone.localdate(since) - dt.timedelta(days=ADULT_DAYS))
    also_adult, children = [], []
    others = rows.exclude(surely_adult).values_list(
        "pk", _ACTIVITY, "administered_at", "prescription__patient__birth_date", "prescription__weight_kg"
    )
    for pk, activity, at, birth, weight in others:
        if (timezone.localdate(at) - birth).days >= ADULT_DAYS:
            also_adult.append(pk)
        elif weight:
            children.append((activity / 1e6, weight))
    return rows.filter(surely_adult | Q(pk__in=also_adult)), children


@dataclass(frozen=True)
class Histogram:
    """Counts of administered activities (Bq) in equal bins from the smallest to the largest."""

    n: int
    low_Bq: float
    width_Bq: float
    counts: tuple[int, ...]

    @property
    def edges_MBq(self) -> list[float]:
        return [(self.low_Bq + i * self.width_Bq) / 1e6 for i in range(len(self.counts) + 1)]


def _bin_expression(low: float, width: float, bins: int):
    if width <= 0:
        return Value(0.0, output_field=FloatField())
    raw = Floor((F(_ACTIVITY) - Value(low)) / Value(width))
    return Least(raw, Value(float(bins - 1)), output_field=FloatField())


def histogram(rows: QuerySet, bins: int = DRL_BINS) -> Histogram | None:
    """Two aggregate queries: n, min and max, then the count per bin (None when there is no row)."""
    totals = rows.aggregate(n=Count("pk"), low=Min(_ACTIVITY), high=Max(_ACTIVITY))
    if not totals["n"]:
        return None
    low, high = float(totals["low"]), float(totals["high"])
    width = (high - low) / bins
    if width <= 0:
        return Histogram(totals["n"], low, max(low * 1e-3, 1.0), (totals["n"],))
    per_bin = rows.annotate(bin=_bin_expression(low, width, bins)).values("bin").annotate(c=Count("pk"))
    counts = [0] * bins
    for entry in per_bin:
        counts[int(entry["bin"])] += entry["c"]
    return Histogram(totals["n"], low, width, tuple(counts))


def quartiles(rows: QuerySet, hist: Histogram) -> tuple[float, float, float]:
    """Q1, median and Q3 in MBq (inclusive method), each read from the sorted bin that holds its rank."""
    bins = len(hist.counts)
    expr = _bin_expression(hist.low_Bq, hist.width_Bq if bins > 1 else 0.0, bins)
    sorted_bins: dict[int, list[float]] = {}

    def ranked(k: int) -> float:
        start = 0
        for b, c in enumerate(hist.counts):
            if k < start + c:
                if b not in sorted_bins:
                    in_bin = rows.annotate(bin=expr).filter(bin=b).order_by(_ACTIVITY)
                    sorted_bins[b] = [float(v) for v in in_bin.values_list(_ACTIVITY, flat=True)]
                return sorted_bins[b][k - start]
            start += c
        raise IndexError(k)

    out = []
    for p in (0.25, 0.5, 0.75):
        h = p * (hist.n - 1)
        lo = math.floor(h)
        x = ranked(lo)
        if h > lo:
            x += (h - lo) * (ranked(lo + 1) - x)
        out.append(x / 1e6)
    return out[0], out[1], out[2]


def _child_bands(children: list[tuple[float, float]]) -> tuple:
    from nmguard.rules.drl import drl_audit

    if not children:
        return ()
    return drl_audit([a for a, _ in children], weights_kg=[w for _, w in children]).bands


def _plot(title: str, hist: Histogram, quartiles_MBq: tuple[float, float, float], drl: float | None) -> str:
    q1, median, q3 = quartiles_MBq
    lines = [(median, f"median {format_sig(median, 4)} MBq", "#1d2733", "")]
    if drl:
        lines.append((drl, f"DRL {format_sig(drl, 4)} MBq", "#a4262c", "6 4"))
    return histogram_svg(
        title, hist.edges_MBq, hist.counts, lines, (q1, q3, "interquartile range"), "Administered activity (MBq)"
    )


def drl_overview(days: int) -> list[DrlRow]:
    since = timezone.now() - dt.timedelta(days=days)
    result = []
    diagnostic = Protocol.objects.filter(active=True, radiopharmaceutical__is_therapy=False)
    for protocol in diagnostic.select_related("radiopharmaceutical"):
        adults, children = _adults_and_children(_period(protocol, since), since)
        bands = _child_bands(children)
        hist = histogram(adults)
        if hist is None:
            result.append(DrlRow(protocol, 0, None, None, False, None, "no adult administrations in the period", bands))
            continue
        q1, median, q3 = quartiles(adults, hist)
        drl = protocol.drl_MBq
        message = f"only {hist.n} administrations (fewer than 10): the median is uncertain" if hist.n < 10 else ""
        svg = _plot(protocol.name, hist, (q1, median, q3), drl)
        ratio = median / drl if drl else None
        result.append(DrlRow(protocol, hist.n, median, ratio, bool(drl and median > drl), svg, message, bands))
    return result
