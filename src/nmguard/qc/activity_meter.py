"""Activity-meter (dose calibrator) QC analyses: constancy, accuracy, linearity (decay, sleeves), geometry.

Every analysis returns one :class:`~nmguard.analysis.AnalysisResult`; activities are in Bq inside, MBq in the
reported values. Each point is evaluated against the catalogue test's bands (``am-constancy``,
``am-accuracy``, ``am-linearity``, ``am-geometry``) or the department's (``bands=``, with a reason). The
worst point decides the result's ``outcome``; ``passed`` is true only when every point is ``ok``.

Why one module of about 610 lines: the activity-meter tests (constancy, accuracy, linearity, geometry) share the band
evaluation and the result shape; each test is a short function.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nmguard.analysis import AnalysisResult, Quantity
from nmguard.errors import InputError
from nmguard.physics.decay import LN2, decay_factor, elapsed_seconds
from nmguard.physics.display import format_sig
from nmguard.physics.units import parse_activity, parse_instant
from nmguard.qc.evaluation import BandOverride, Evaluation, evaluate
from nmguard.reference.nuclides import Nuclide, get_nuclide

MBQ = 1e6
#: the low end of the linearity range in former 10 CFR 35.50(b)(3) (1.1 MBq = 30 µCi)
LINEARITY_LOW_END_BQ = 1.1e6
_RANK = {"ok": 0, "tolerance": 1, "action": 2}


# --------------------------------------------------------------------------- helpers


def _activity(x: Any, name: str) -> float:
    if isinstance(x, bool):
        raise InputError(f"{name} {x!r} is not an activity", name)
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise InputError(f"{name} {x!r} is not an activity in Bq", name) from None
    if not math.isfinite(v) or v <= 0:
        raise InputError(f"{name} must be a positive, finite activity, got {x!r}", name)
    return v


def _aware(t: Any, name: str) -> dt.datetime:
    if not isinstance(t, dt.datetime):
        raise InputError(f"{name} must be a date and time, got {t!r}", name)
    if t.tzinfo is None or t.utcoffset() is None:
        raise InputError(f"{name} must carry a UTC offset", name)
    return t


def _half_life(nuclide: Nuclide) -> Quantity:
    hl = nuclide.half_life
    return Quantity(hl.value, "s", source=hl.source.id, status=hl.status.value, note=hl.note)


def _worst(evaluations: Sequence[Evaluation]) -> Evaluation:
    return max(evaluations, key=lambda e: (_RANK[e.outcome], abs(e.deviation)))


def _warnings(evaluations: Sequence[Evaluation], extra: Sequence[str] = ()) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for e in evaluations:
        for w in e.warnings:
            seen.setdefault(w, None)
    for w in extra:
        seen.setdefault(w, None)
    return tuple(seen)


def _summary(test_id: str, evaluations: Sequence[Evaluation]) -> dict[str, Quantity]:
    worst = _worst(evaluations)
    return {
        "max_abs_deviation_percent": Quantity(max(abs(e.deviation) for e in evaluations), "%"),
        "within_tolerance": Quantity(all(e.outcome == "ok" for e in evaluations)),
        "outcome": Quantity(worst.outcome, source=worst.source, status=worst.status, note=worst.override_reason),
    }


def _parameters(test_id: str, evaluations: Sequence[Evaluation], **more: Any) -> dict[str, Any]:
    e = evaluations[0]
    return {
        "test": test_id,
        "tolerance": e.tolerance.to_dict() if e.tolerance else None,
        "action": e.action.to_dict() if e.action else None,
        "override_reason": e.override_reason,
        **more,
    }


def _iso(t: dt.datetime) -> str:
    return t.isoformat()


# --------------------------------------------------------------------------- constancy


def constancy(
    source_nuclide: str,
    certified_activity_Bq: float,
    reference_time: dt.datetime,
    measured_at: dt.datetime,
    readings: Mapping[str, float],
    baseline_readings: Mapping[str, float] | None = None,
    bands: BandOverride | None = None,
) -> AnalysisResult:
    """Constancy with a long-lived check source, per nuclide setting.

    ``readings``: nuclide setting → reading (Bq) at ``measured_at``. The expected reading on a setting is the
    reading established on that setting at ``reference_time`` (``baseline_readings``), or else the certified
    activity, decayed with the check source's half-life to ``measured_at``.
    """
    nuclide = get_nuclide(source_nuclide)
    a0 = _activity(certified_activity_Bq, "certified_activity")
    t0, t = _aware(reference_time, "reference_time"), _aware(measured_at, "measured_at")
    if not readings:
        raise InputError("give at least one reading (setting → activity)", "readings")
    elapsed = elapsed_seconds(t0, t)
    factor = decay_factor(nuclide.half_life_s, elapsed)
    baselines = dict(baseline_readings or {})
    unknown = set(baselines) - set(readings)
    if unknown:
        raise InputError(f"baseline readings for settings without a reading: {sorted(unknown)}", "baseline_readings")
    rows, evaluations = [], []
    for setting, reading in readings.items():
        r = _activity(reading, f"reading[{setting}]")
        base = _activity(baselines[setting], f"baseline_readings[{setting}]") if setting in baselines else a0
        expected = base * factor
        ev = evaluate("am-constancy", r, expected, bands)
        evaluations.append(ev)
        rows.append(
            {
                "setting": setting,
                "measured_MBq": r / MBQ,
                "expected_MBq": expected / MBQ,
                "deviation_percent": ev.deviation,
                "outcome": ev.outcome,
            }
        )
    values = {
        "elapsed_days": Quantity(elapsed / 86400.0, "d"),
        "decay_factor": Quantity(factor),
        "half_life": _half_life(nuclide),
        **_summary("am-constancy", evaluations),
        "settings": Quantity(rows),  # type: ignore[arg-type]
    }
    extra = []
    if elapsed < 0:
        extra.append("the measurement time is before the source's reference time")
    return AnalysisResult(
        analysis="am-constancy",
        inputs={
            "source_nuclide": nuclide.name,
            "certified_activity_MBq": a0 / MBQ,
            "reference_time": _iso(t0),
            "measured_at": _iso(t),
            "readings_MBq": {k: float(v) / MBQ for k, v in readings.items()},
            "baseline_readings_MBq": {k: float(v) / MBQ for k, v in baselines.items()},
        },
        parameters=_parameters("am-constancy", evaluations),
        values=values,
        warnings=_warnings(evaluations, extra),
        passed=all(e.outcome == "ok" for e in evaluations),
    )


# --------------------------------------------------------------------------- accuracy


@dataclass(frozen=True)
class CertifiedSource:
    """A certified sealed source and the readings (Bq, on its own setting) taken at ``measured_at``."""

    nuclide: str
    certified_activity_Bq: float
    reference_time: dt.datetime
    measured_at: dt.datetime
    readings_Bq: Sequence[float]
    label: str = ""


def accuracy(sources: Sequence[CertifiedSource], bands: BandOverride | None = None) -> AnalysisResult:
    """Accuracy against certified sources: mean reading vs certified activity decayed to the measurement."""
    if not sources:
        raise InputError("give at least one certified source", "sources")
    rows, evaluations, inputs = [], [], []
    for i, s in enumerate(sources, start=1):
        nuclide = get_nuclide(s.nuclide)
        a0 = _activity(s.certified_activity_Bq, f"sources[{i}].certified_activity")
        t0 = _aware(s.reference_time, f"sources[{i}].reference_time")
        t = _aware(s.measured_at, f"sources[{i}].measured_at")
        if not s.readings_Bq:
            raise InputError(f"source {i} ({nuclide.name}) has no reading", "readings")
        readings = [_activity(r, f"sources[{i}].readings") for r in s.readings_Bq]
        mean = sum(readings) / len(readings)
        factor = decay_factor(nuclide.half_life_s, elapsed_seconds(t0, t))
        expected = a0 * factor
        ev = evaluate("am-accuracy", mean, expected, bands)
        evaluations.append(ev)
        label = s.label or nuclide.name
        rows.append(
            {
                "source": label,
                "nuclide": nuclide.name,
                "mean_measured_MBq": mean / MBQ,
                "expected_MBq": expected / MBQ,
                "decay_factor": factor,
                "deviation_percent": ev.deviation,
                "outcome": ev.outcome,
                "half_life_source": nuclide.half_life.source.id,
                "half_life_status": nuclide.half_life.status.value,
            }
        )
        inputs.append(
            {
                "source": label,
                "nuclide": nuclide.name,
                "certified_activity_MBq": a0 / MBQ,
                "reference_time": _iso(t0),
                "measured_at": _iso(t),
                "readings_MBq": [r / MBQ for r in readings],
            }
        )
    extra = []
    if len({r["nuclide"] for r in rows}) < 2:
        extra.append("former 10 CFR 35.50(b)(2) asked for at least two sources of different nuclides")
    return AnalysisResult(
        analysis="am-accuracy",
        inputs={"sources": inputs},
        parameters=_parameters("am-accuracy", evaluations),
        values={**_summary("am-accuracy", evaluations), "sources": Quantity(rows)},  # type: ignore[arg-type]
        warnings=_warnings(evaluations, extra),
        passed=all(e.outcome == "ok" for e in evaluations),
    )


# --------------------------------------------------------------------------- linearity, decay method


def linearity_decay(
    times: Sequence[dt.datetime],
    readings_Bq: Sequence[float],
    nuclide: str = "Tc-99m",
    bands: BandOverride | None = None,
) -> AnalysisResult:
    """Linearity by the decay method.

    ln A(t) = ln A₀ − λ t is fitted by least squares with λ = ln 2 / T½ fixed at the reference half-life
    (so ln A₀ = mean(ln Aᵢ + λ tᵢ)); each point's deviation is (Aᵢ / A₀e^(−λtᵢ) − 1) × 100. The half-life is also
    fitted freely (slope of ln A on t) and compared with the reference one.
    """
    n = get_nuclide(nuclide)
    if len(times) != len(readings_Bq):
        raise InputError(f"{len(times)} times but {len(readings_Bq)} readings", "readings")
    if len(times) < 3:
        raise InputError(f"the decay method needs at least 3 readings, got {len(times)}", "readings")
    ts = [_aware(t, f"time[{i}]") for i, t in enumerate(times, start=1)]
    activities = [_activity(a, f"activity[{i}]") for i, a in enumerate(readings_Bq, start=1)]
    if len(set(ts)) != len(ts):
        raise InputError("two readings have the same time", "time")
    t_first = min(ts)
    x = [elapsed_seconds(t_first, t) for t in ts]
    y = [math.log(a) for a in activities]
    lam = LN2 / n.half_life_s
    ln_a0 = sum(yi + lam * xi for xi, yi in zip(x, y, strict=True)) / len(x)
    # free fit: slope of ln A on t
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxx = sum((xi - mx) ** 2 for xi in x)
    slope = sum((xi - mx) * (yi - my) for xi, yi in zip(x, y, strict=True)) / sxx
    fitted_hl = LN2 / -slope if slope < 0 else math.inf
    points, evaluations = [], []
    for t, xi, a in zip(ts, x, activities, strict=True):
        expected = math.exp(ln_a0 - lam * xi)
        ev = evaluate("am-linearity", a, expected, bands)
        evaluations.append(ev)
        points.append(
            {
                "time": _iso(t),
                "measured_MBq": a / MBQ,
                "expected_MBq": expected / MBQ,
                "deviation_percent": ev.deviation,
                "outcome": ev.outcome,
            }
        )
    worst_index = max(range(len(points)), key=lambda i: abs(points[i]["deviation_percent"]))
    extra = []
    if min(activities) > LINEARITY_LOW_END_BQ * 1.0000001:
        extra.append(
            f"the lowest reading ({format_sig(min(activities) / MBQ, 4)} MBq) is above 1.1 MBq, the low end of the "
            "range in former 10 CFR 35.50(b)(3)"
        )
    if not math.isfinite(fitted_hl):
        extra.append("the readings do not decrease with time; the free half-life fit is meaningless")
    hl_dev = (fitted_hl / n.half_life_s - 1.0) * 100.0 if math.isfinite(fitted_hl) else math.inf
    values = {
        **_summary("am-linearity", evaluations),
        "points": Quantity(points),  # type: ignore[arg-type]
        "worst_point": Quantity(worst_index, note=f"index into points; time {points[worst_index]['time']}"),
        "fitted_activity_at_first_time_MBq": Quantity(math.exp(ln_a0) / MBQ, "MBq"),
        "half_life_reference_h": Quantity(
            n.half_life_s / 3600.0, "h", source=n.half_life.source.id, status=n.half_life.status.value
        ),
        "fitted_half_life_h": Quantity(fitted_hl / 3600.0, "h", note="free fit of ln A against t"),
        "half_life_deviation_percent": Quantity(hl_dev, "%"),
        "range_MBq": Quantity(f"{format_sig(min(activities) / MBQ, 4)} to {format_sig(max(activities) / MBQ, 4)}"),
    }
    return AnalysisResult(
        analysis="am-linearity-decay",
        inputs={
            "nuclide": n.name,
            "n": len(ts),
            "points": [{"time": _iso(t), "activity_MBq": a / MBQ} for t, a in zip(ts, activities, strict=True)],
        },
        parameters=_parameters(
            "am-linearity",
            evaluations,
            method="decay",
            fit="least squares of ln A on t, half-life fixed at the reference value",
        ),
        values=values,
        warnings=_warnings(evaluations, extra),
        figure_svg=_deviation_svg(points, evaluations[0]),
        passed=all(e.outcome == "ok" for e in evaluations),
    )


# --------------------------------------------------------------------------- linearity, sleeves


@dataclass(frozen=True)
class SleeveReading:
    """A reading (Bq) of the source inside a sleeve whose calibrated factor is unsleeved/sleeved reading (≥ 1)."""

    sleeve: str
    reading_Bq: float
    factor: float
    time: dt.datetime | None = None


def linearity_sleeves(
    unsleeved_reading_Bq: float,
    sleeves: Sequence[SleeveReading],
    nuclide: str | None = None,
    unsleeved_time: dt.datetime | None = None,
    bands: BandOverride | None = None,
) -> AnalysisResult:
    """Linearity by calibrated attenuating sleeves.

    Each sleeved reading times its factor should equal the unsleeved reading; where times and the nuclide are
    given, the unsleeved reading is decayed to each sleeve's time first. Deviation = (R·F / expected − 1) × 100.
    """
    a0 = _activity(unsleeved_reading_Bq, "unsleeved_reading")
    if not sleeves:
        raise InputError("give at least one sleeve reading", "sleeves")
    n = get_nuclide(nuclide) if nuclide else None
    t0 = _aware(unsleeved_time, "unsleeved_time") if unsleeved_time is not None else None
    rows, evaluations = [], []
    for i, s in enumerate(sleeves, start=1):
        r = _activity(s.reading_Bq, f"sleeves[{i}].reading")
        f = _activity(s.factor, f"sleeves[{i}].factor")
        expected = a0
        if s.time is not None:
            if n is None or t0 is None:
                raise InputError("sleeve times need the nuclide and the unsleeved reading's time", "nuclide")
            expected = a0 * decay_factor(n.half_life_s, elapsed_seconds(t0, _aware(s.time, f"sleeves[{i}].time")))
        ev = evaluate("am-linearity", r * f, expected, bands)
        evaluations.append(ev)
        rows.append(
            {
                "sleeve": s.sleeve,
                "measured_MBq": r / MBQ,
                "factor": f,
                "corrected_MBq": r * f / MBQ,
                "expected_MBq": expected / MBQ,
                "deviation_percent": ev.deviation,
                "outcome": ev.outcome,
            }
        )
    values = {**_summary("am-linearity", evaluations), "sleeves": Quantity(rows)}  # type: ignore[arg-type]
    if n is not None:
        values["half_life"] = _half_life(n)
    return AnalysisResult(
        analysis="am-linearity-sleeves",
        inputs={
            "unsleeved_MBq": a0 / MBQ,
            "nuclide": n.name if n else None,
            "unsleeved_time": _iso(t0) if t0 else None,
            "sleeves": [
                {
                    "sleeve": s.sleeve,
                    "reading_MBq": float(s.reading_Bq) / MBQ,
                    "factor": float(s.factor),
                    "time": _iso(s.time) if s.time else None,
                }
                for s in sleeves
            ],
        },
        parameters=_parameters(
            "am-linearity",
            evaluations,
            method="sleeves",
            factor="unsleeved reading / sleeved reading, from the sleeve set's calibration",
        ),
        values=values,
        warnings=_warnings(evaluations),
        passed=all(e.outcome == "ok" for e in evaluations),
    )


# --------------------------------------------------------------------------- geometry


def geometry(
    volumes_mL: Sequence[float],
    readings_Bq: Sequence[float],
    reference_volume_mL: float,
    times: Sequence[dt.datetime] | None = None,
    nuclide: str | None = None,
    bands: BandOverride | None = None,
) -> AnalysisResult:
    """Geometry / volume dependence: each reading relative to the reading at the reference volume.

    With ``times`` and ``nuclide`` each reading is first decay-corrected to the reference reading's time. The
    correction factor for a volume is reference reading / reading.
    """
    if len(volumes_mL) != len(readings_Bq):
        raise InputError(f"{len(volumes_mL)} volumes but {len(readings_Bq)} readings", "readings")
    vols = [_activity(v, f"volume[{i}]") for i, v in enumerate(volumes_mL, start=1)]  # positive, finite
    reads = [_activity(r, f"reading[{i}]") for i, r in enumerate(readings_Bq, start=1)]
    ref_vol = _activity(reference_volume_mL, "reference_volume")
    matches = [i for i, v in enumerate(vols) if math.isclose(v, ref_vol, rel_tol=1e-9)]
    if len(matches) != 1:
        raise InputError(
            f"the reference volume {ref_vol:g} mL must appear exactly once among the volumes", "reference_volume"
        )
    k = matches[0]
    corrected = list(reads)
    n = None
    if times is not None:
        if nuclide is None:
            raise InputError("times need the nuclide for decay correction", "nuclide")
        if len(times) != len(reads):
            raise InputError(f"{len(times)} times but {len(reads)} readings", "times")
        n = get_nuclide(nuclide)
        ts = [_aware(t, f"time[{i}]") for i, t in enumerate(times, start=1)]
        corrected = [r / decay_factor(n.half_life_s, elapsed_seconds(ts[k], t)) for r, t in zip(reads, ts, strict=True)]
    ref = corrected[k]
    rows, evaluations = [], []
    for v, r, c in zip(vols, reads, corrected, strict=True):
        ev = evaluate("am-geometry", c, ref, bands)
        evaluations.append(ev)
        rows.append(
            {
                "volume_mL": v,
                "measured_MBq": r / MBQ,
                "decay_corrected_MBq": c / MBQ,
                "deviation_percent": ev.deviation,
                "correction_factor": ref / c,
                "outcome": ev.outcome,
            }
        )
    values = {**_summary("am-geometry", evaluations), "volumes": Quantity(rows)}  # type: ignore[arg-type]
    if n is not None:
        values["half_life"] = _half_life(n)
    return AnalysisResult(
        analysis="am-geometry",
        inputs={
            "volumes_mL": vols,
            "readings_MBq": [r / MBQ for r in reads],
            "reference_volume_mL": ref_vol,
            "times": [_iso(t) for t in times] if times is not None else None,
            "nuclide": n.name if n else None,
        },
        parameters=_parameters("am-geometry", evaluations),
        values=values,
        warnings=_warnings(evaluations),
        passed=all(e.outcome == "ok" for e in evaluations),
    )


# --------------------------------------------------------------------------- CSV for the CLI


def read_linearity_csv(path: str | Path) -> tuple[list[dt.datetime], list[float]]:
    """Rows of ``time`` (ISO 8601 with offset) and ``activity`` (text with unit) or ``activity_MBq`` (number).

    A bad row is an :class:`InputError` naming the file line and the column.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"no such file: {p}", "file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {p}: {exc}", "file") from None
    reader = csv.reader(text.splitlines())
    header: list[str] | None = None
    times: list[dt.datetime] = []
    activities: list[float] = []
    seen: dict[dt.datetime, int] = {}
    for line_no, row in enumerate(reader, start=1):
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [c.strip().lower() for c in row]
            if "time" not in header or not ({"activity", "activity_mbq"} & set(header)):
                raise InputError(
                    f"{p.name} line {line_no}: the header must name the columns 'time' and 'activity' "
                    f"(e.g. '35.2 GBq') or 'activity_MBq'; found {', '.join(c for c in row) or 'nothing'}",
                    "file",
                )
            continue
        cells = dict(zip(header, (c.strip() for c in row), strict=False))
        if len(row) < len(header):
            missing = header[len(row)]
            raise InputError(f"{p.name} line {line_no}: column {missing!r} is empty", missing)
        where = f"{p.name} line {line_no}"
        raw_t = cells.get("time", "")
        if not raw_t:
            raise InputError(f"{where}: column 'time' is empty", "time")
        try:
            t = parse_instant(raw_t, "time")
        except InputError as exc:
            raise InputError(f"{where}, column 'time': {exc.message}", "time") from None
        if "activity" in cells:
            raw_a = cells["activity"]
            if not raw_a:
                raise InputError(f"{where}: column 'activity' is empty", "activity")
            try:
                a = parse_activity(raw_a, "activity")
            except InputError as exc:
                raise InputError(f"{where}, column 'activity': {exc.message}", "activity") from None
        else:
            raw_a = cells.get("activity_mbq", "")
            try:
                a = float(raw_a.replace(",", ".")) * MBQ
            except ValueError:
                raise InputError(
                    f"{where}, column 'activity_MBq': {raw_a!r} is not a number of MBq", "activity_MBq"
                ) from None
        if not math.isfinite(a) or a <= 0:
            col = "activity" if "activity" in cells else "activity_MBq"
            raise InputError(f"{where}, column {col!r}: the activity must be positive, got {raw_a!r}", col)
        if t in seen:
            raise InputError(f"{where}, column 'time': same time as line {seen[t]}", "time")
        seen[t] = line_no
        times.append(t)
        activities.append(a)
    if header is None:
        raise InputError(f"{p.name} is empty; expected a header 'time,activity' and rows", "file")
    if len(times) < 3:
        raise InputError(f"{p.name}: the decay method needs at least 3 rows, found {len(times)}", "file")
    return times, activities


def linearity_from_csv(path: str | Path, nuclide: str, bands: BandOverride | None = None) -> AnalysisResult:
    """``nmguard qc linearity FILE.csv --nuclide N``: the decay-method linearity of the readings in a CSV."""
    times, activities = read_linearity_csv(path)
    result = linearity_decay(times, activities, nuclide, bands)
    return AnalysisResult(
        analysis=result.analysis,
        inputs={"file": Path(path).name, **result.inputs},
        parameters=result.parameters,
        values=result.values,
        warnings=result.warnings,
        figure_svg=result.figure_svg,
        passed=result.passed,
    )


# --------------------------------------------------------------------------- figure


def _deviation_svg(points: Sequence[dict[str, Any]], ev: Evaluation) -> str:
    """Deviation (%) per point against time order, with the tolerance and action limits as dashed lines."""
    w, h, m = 480, 240, 40
    devs = [p["deviation_percent"] for p in points]
    limits = [x for b in (ev.tolerance, ev.action) if b is not None for x in (b.low, b.high) if x is not None]
    span = max([abs(d) for d in devs] + [abs(x) for x in limits] + [1.0]) * 1.15

    def ypix(v: float) -> float:
        return h / 2 - v / span * (h / 2 - m / 2)

    def xpix(i: int) -> float:
        return m + i * (w - 2 * m) / max(1, len(points) - 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">',
        f'<line x1="{m}" y1="{ypix(0):.1f}" x2="{w - m}" y2="{ypix(0):.1f}" stroke="#888"/>',
    ]
    for band, colour in ((ev.tolerance, "#d9a400"), (ev.action, "#c00000")):
        if band is None:
            continue
        for lim in (band.low, band.high):
            if lim is not None:
                parts.append(
                    f'<line x1="{m}" y1="{ypix(lim):.1f}" x2="{w - m}" y2="{ypix(lim):.1f}" '
                    f'stroke="{colour}" stroke-dasharray="4 3"/>'
                )
    for i, d in enumerate(devs):
        parts.append(
            f'<circle cx="{xpix(i):.1f}" cy="{ypix(d):.1f}" r="3" fill="#1f4e9c"><title>'
            f"{points[i]['time']}: {d:+.2f} %</title></circle>"
        )
    parts.append(f'<text x="4" y="14" font-size="11">deviation from the fitted decay curve (%), ±{span:.3g} %</text>')
    parts.append("</svg>")
    return "".join(parts)
