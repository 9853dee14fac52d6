"""The VOIs of a run and their time-activity curves: threshold VOIs drawn by NMGuard, then each VOI's TIA by a
curve fit (several time points) or a single-time-point method (one)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from nmguard.dosimetry.run_options import SINGLE_POINT_MODELS, RunOptions, parse_threshold_voi
from nmguard.errors import InputError


def with_threshold_vois(study, specs: tuple[str, ...]):
    """The study with VOIs drawn by a threshold on the first time point's activity (within a seed VOI if named)."""
    from nmguard.imaging.voi import threshold_voi

    if not specs:
        return study
    activity = study.time_points[0].activity_Bq
    vois, sources = dict(study.vois), dict(study.voi_sources)
    for spec in specs:
        name, fraction, seed = parse_threshold_voi(spec)
        if name in vois:
            raise InputError(f"threshold VOI {name!r}: the study already has a VOI of that name", "threshold_vois")
        if seed is not None and seed not in vois:
            raise InputError(f"threshold VOI {name!r}: no VOI named {seed!r} to search within", "threshold_vois")
        mask = threshold_voi(activity, fraction, vois[seed] if seed else None)
        vois[name] = mask & vois[seed] if seed else mask  # "within": never beyond the named VOI
        where = f" within {seed}" if seed else ""
        sources[name] = f"threshold {100 * fraction:g} % of the maximum{where}, time point 1 (NMGuard)"
    return dataclasses.replace(study, vois=vois, voi_sources=sources)


@dataclass(frozen=True)
class VoiCurve:
    """A VOI's time-activity curve and its time integral, whatever method gave it."""

    activities_MBq: list[float]
    tia_MBq_h: float
    uncertainty_percent: float | None
    model: str
    reason: str
    warnings: tuple[str, ...]
    clearance_per_h: float | None  # the slowest effective decay constant (for BED); None if not known


def single_point_model(study, options: RunOptions) -> tuple[str, str]:
    """The single-time-point method and why: physical decay only for a trapped radiopharmaceutical (MAA,
    microspheres: exact), else Hänscheid (valid only near 1-2 effective half-lives); the user may choose."""
    if options.tia_model in SINGLE_POINT_MODELS:
        return options.tia_model, f"one time point: {options.tia_model} as chosen"
    if options.tia_model != "auto":
        raise InputError(
            f"one time point: the TIA model {options.tia_model!r} needs several; choose auto, "
            f"{' or '.join(SINGLE_POINT_MODELS)}",
            "tia_model",
        )
    if study.trapped:
        return "physical", (
            f"one time point of a trapped radiopharmaceutical ({study.radiopharmaceutical}): physical decay only "
            "(exact when the activity leaves only by decay)"
        )
    return "haenscheid", (
        "one time point: Hänscheid single-time-point method (valid when the time is near the effective half-life)"
    )


def voi_curves(study, options: RunOptions) -> dict[str, VoiCurve]:
    """Each VOI's TIA: a curve fit (several time points) or a single-time-point method (one)."""
    from nmguard.dosimetry.stp import stp_tia
    from nmguard.dosimetry.tia import fit_tia

    times = [tp.hours_after_injection for tp in study.time_points]
    single = single_point_model(study, options) if len(times) == 1 else None
    if single is None and options.tia_model in SINGLE_POINT_MODELS:
        raise InputError(
            f"{options.tia_model} is a single-time-point method and the study has {len(times)} time points",
            "tia_model",
        )
    curves = {}
    for name, mask in study.vois.items():
        acts = [float(tp.activity_Bq.array[mask].sum()) / 1e6 for tp in study.time_points]
        if min(acts) <= 0:
            raise InputError(f"VOI {name!r} holds no activity at some time point", "vois")
        if single is not None:
            model, reason = single
            r = stp_tia(times[0], acts[0], study.nuclide, model)
            lam = r.values["lambda_physical_per_h"].value if model == "physical" else None
            curves[name] = VoiCurve(acts, float(r.values["tia_MBq_h"].value), None, model, reason, r.warnings, lam)
            continue
        r = fit_tia(times, acts, study.nuclide, options.tia_model, options.activity_uncertainty_percent)
        params = r.values["parameters"].value or {}
        lam = params.get("lambda1") or params.get("lambda_tail")
        curves[name] = VoiCurve(
            acts,
            float(r.values["tia_MBq_h"].value),
            r.values["tia_uncertainty_percent"].value,
            str(r.values["model"].value),
            str(r.values["model_reason"].value),
            r.warnings,
            float(lam) if lam else None,
        )
    return curves
