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

from django.db.models import Case, Count, F, FloatField, Max, Min, Q, QuerySet, Value, When
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


_PROTOCOL = "prescription__protocol_id"


def _period(protocols: list[int], since: dt.datetime) -> QuerySet:
    """The protocols' administrations in the period."""
    return Administration.objects.filter(prescription__protocol__in=protocols, administered_at__gte=since).order_by()


def _adults_and_children(rows: QuerySet, since: dt.datetime) -> tuple[QuerySet, dict[int, list[tuple[float, float]]]]:
    """Adults as a queryset, children per protocol as (MBq, kg), split by the age on the day of administration.

    Why not an age column computed per row: on SQLite the date arithmetic runs as a Python function for
    every row (seconds at 100,000 rows). A patient born ADULT_DAYS before the period's first day is an
    adult at every administration in it; only the other rows (children and those turning 18 within the
    period, few) are fetched and classified here, by the rule itself."""
    surely_adult = Q(prescription__patient__birth_date__lte=timezone.localdate(since) - dt.timedelta(days=ADULT_DAYS))
    also_adult, children = [], {}
    others = rows.exclude(surely_adult).values_list(
        "pk", _PROTOCOL, _ACTIVITY, "administered_at", "prescription__patient__birth_date", "prescription__weight_kg"
    )
    for pk, protocol, activity, at, birth, weight in others:
        if (timezone.localdate(at) - birth).days >= ADULT_DAYS:
            also_adult.append(pk)
        elif weight:
            children.setdefault(protocol, []).append((activity / 1e6, weight))
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


def _bin_expression(hists: dict[int, Histogram]):
    """Each row's bin in its protocol's histogram, one expression for every protocol."""

    def per_protocol(value) -> Case:
        whens = [When(**{_PROTOCOL: pid, "then": Value(value(h))}) for pid, h in hists.items()]
        return Case(*whens, output_field=FloatField())

    raw = Floor((F(_ACTIVITY) - per_protocol(lambda h: h.low_Bq)) / per_protocol(lambda h: h.width_Bq))
    return Least(raw, per_protocol(lambda h: float(len(h.counts) - 1)), output_field=FloatField())


def histograms(rows: QuerySet, bins: int = DRL_BINS) -> dict[int, Histogram]:
    """Per protocol: n, min and max in one grouped query, then the count per bin in another."""
    hists = {}
    for t in rows.values(_PROTOCOL).annotate(n=Count("pk"), low=Min(_ACTIVITY), high=Max(_ACTIVITY)):
        low, high = float(t["low"]), float(t["high"])
        width = (high - low) / bins
        # all equal: one bin (the expression then gives 0 for every row)
        hists[t[_PROTOCOL]] = (
            Histogram(t["n"], low, width, (0,) * bins)
            if width > 0
            else Histogram(t["n"], low, max(low * 1e-3, 1.0), (t["n"],))
        )
    multi = {pid: h for pid, h in hists.items() if len(h.counts) > 1}
    if multi:
        counts = {pid: [0] * bins for pid in multi}
        per_bin = (
            rows.filter(**{f"{_PROTOCOL}__in": list(multi)})
            .annotate(bin=_bin_expression(multi))
            .values(_PROTOCOL, "bin")
            .annotate(c=Count("pk"))
        )
        for entry in per_bin:
            counts[entry[_PROTOCOL]][int(entry["bin"])] += entry["c"]
        for pid, h in multi.items():
            hists[pid] = Histogram(h.n, h.low_Bq, h.width_Bq, tuple(counts[pid]))
    return hists


def _ranks(n: int) -> list[tuple[int, float]]:
    """Inclusive quartiles: the lower rank and the fraction towards the next, for Q1, median, Q3."""
    return [(math.floor(p * (n - 1)), p * (n - 1) - math.floor(p * (n - 1))) for p in (0.25, 0.5, 0.75)]


def _bin_of(hist: Histogram, k: int) -> tuple[int, int]:
    start = 0
    for b, c in enumerate(hist.counts):
        if k < start + c:
            return b, start
        start += c
    raise IndexError(k)


def quartiles(rows: QuerySet, hists: dict[int, Histogram]) -> dict[int, tuple[float, float, float]]:
    """Per protocol Q1, median and Q3 in MBq (inclusive method): the bins holding their ranks are read,
    sorted, in one query for all protocols."""
    wanted = set()
    for pid, h in hists.items():
        for lo, frac in _ranks(h.n):
            wanted.add((pid, _bin_of(h, lo)[0]))
            if frac:
                wanted.add((pid, _bin_of(h, lo + 1)[0]))
    if not wanted:
        return {}
    which = Q()
    for pid, b in wanted:
        which |= Q(**{_PROTOCOL: pid, "bin": b})
    values: dict[tuple[int, int], list[float]] = {}
    in_bins = rows.annotate(bin=_bin_expression(hists)).filter(which).order_by(_PROTOCOL, "bin", _ACTIVITY)
    for pid, b, v in in_bins.values_list(_PROTOCOL, "bin", _ACTIVITY):
        values.setdefault((pid, int(b)), []).append(float(v))

    def ranked(pid: int, k: int) -> float:
        b, start = _bin_of(hists[pid], k)
        return values[(pid, b)][k - start]

    out = {}
    for pid, h in hists.items():
        qs = []
        for lo, frac in _ranks(h.n):
            x = ranked(pid, lo)
            if frac:
                x += frac * (ranked(pid, lo + 1) - x)
            qs.append(x / 1e6)
        out[pid] = (qs[0], qs[1], qs[2])
    return out


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
    diagnostic = list(
        Protocol.objects.filter(active=True, radiopharmaceutical__is_therapy=False).select_related(
            "radiopharmaceutical"
        )
    )
    adults, children = _adults_and_children(_period([p.pk for p in diagnostic], since), since)
    hists = histograms(adults)
    stats = quartiles(adults, hists)
    for protocol in diagnostic:
        bands = _child_bands(children.get(protocol.pk, []))
        hist = hists.get(protocol.pk)
        if hist is None:
            result.append(DrlRow(protocol, 0, None, None, False, None, "no adult administrations in the period", bands))
            continue
        q1, median, q3 = stats[protocol.pk]
        drl = protocol.drl_MBq
        message = f"only {hist.n} administrations (fewer than 10): the median is uncertain" if hist.n < 10 else ""
        svg = _plot(protocol.name, hist, (q1, median, q3), drl)
        ratio = median / drl if drl else None
        result.append(DrlRow(protocol, hist.n, median, ratio, bool(drl and median > drl), svg, message, bands))
    return result
