"""Dosimetry calculators shared by the CLI and the API: text in (as a person types it), a dict out.

``tia`` fits a time-activity curve (:mod:`nmguard.dosimetry.tia`); ``stp`` estimates the TIA from one
measurement (:mod:`nmguard.dosimetry.stp`). Bad input raises :class:`~nmguard.errors.InputError` naming
the field as the API calls it (``times_h``, ``activities_MBq``, ``model``, ``nuclide``, ``time_h``,
``activity``, ``method``, ``effective_half_life_h``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from nmguard.dosimetry.stp import stp_tia
from nmguard.dosimetry.tia import fit_tia
from nmguard.errors import InputError
from nmguard.physics.units import parse_activity


def _numbers(text: str | Sequence[float], field: str) -> list[float]:
    """``"4,24,96"`` or ``"4 24 96"`` or a list → floats."""
    if isinstance(text, str):
        parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    else:
        parts = list(text)
    out = []
    for p in parts:
        try:
            v = float(p)
        except (TypeError, ValueError):
            raise InputError(f"{field.replace('_', ' ')}: cannot read {p!r} as a number", field) from None
        if not math.isfinite(v):
            raise InputError(f"{field.replace('_', ' ')}: {p!r} is not a finite number", field)
        out.append(v)
    if not out:
        raise InputError(f"{field.replace('_', ' ')}: no values given", field)
    return out


def _number(text: str | float | None, field: str) -> float | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        return float(str(text).replace(",", ".").strip())
    except ValueError:
        raise InputError(f"{field.replace('_', ' ')}: cannot read {text!r} as a number", field) from None


def _activity_MBq(text: str | float) -> float:
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    try:
        return parse_activity(str(text), "activity") / 1e6
    except InputError as exc:
        raise InputError(exc.message, "activity") from None


def tia(
    nuclide: str,
    times_h: str | Sequence[float],
    activities_MBq: str | Sequence[float],
    model: str = "auto",
    activity_uncertainty_percent: str | float | None = None,
) -> dict[str, Any]:
    """Time-integrated activity of a time-activity curve; keys ``tia_MBq_h``, ``model``, ``parameters``,
    ``tia_uncertainty_percent``, ``candidates`` (one per model, with AICc, BIC, weight and reason)."""
    result = fit_tia(
        _numbers(times_h, "times_h"),
        _numbers(activities_MBq, "activities_MBq"),
        nuclide,
        model=model,
        activity_uncertainty_percent=_number(activity_uncertainty_percent, "activity_uncertainty_percent"),
    )
    return result.to_dict()


def stp(
    nuclide: str,
    time_h: str | float,
    activity: str | float,
    method: str = "haenscheid",
    effective_half_life_h: str | float | None = None,
) -> dict[str, Any]:
    """Single-time-point TIA; ``activity`` as text with a unit (``"1200 MBq"``) or a number in MBq."""
    t = _number(time_h, "time_h")
    if t is None:
        raise InputError("time h: the measurement time is required", "time_h")
    return stp_tia(
        t,
        _activity_MBq(activity),
        nuclide,
        method=method,
        effective_half_life_h=_number(effective_half_life_h, "effective_half_life_h"),
    ).to_dict()


def sphere(nuclide: str, mass_g: str | float, density_g_cm3: str | float | None = None) -> dict[str, Any]:
    """Self-dose S-value of a uniform sphere (:mod:`nmguard.dosimetry.sphere`); key ``s_value_mGy_per_MBq_s``."""
    from nmguard.dosimetry.sphere import sphere_s_value

    m = _number(mass_g, "mass_g")
    if m is None:
        raise InputError("mass g: the sphere mass is required", "mass_g")
    rho = _number(density_g_cm3, "density_g_cm3")
    r = sphere_s_value(nuclide, m, 1.0 if rho is None else rho)
    out = r.to_dict()
    out["inputs"] = {"nuclide": r.nuclide, "mass_g": r.mass_g, "density_g_cm3": r.density_g_cm3}
    out["status"] = "derived"
    return out


def kernel(nuclide: str, voxel_mm: str | float, radius_mm: str | float | None = None) -> dict[str, Any]:
    """Dose voxel kernel summary (:mod:`nmguard.dosimetry.dvk`); ``voxel_mm`` one size or ``"dz,dy,dx"``."""
    from nmguard.dosimetry.dvk import voxel_kernel

    sizes = _numbers(voxel_mm, "voxel_mm") if isinstance(voxel_mm, str) else [float(voxel_mm)]
    if len(sizes) not in (1, 3):
        raise InputError("voxel mm: give one size or three (dz,dy,dx)", "voxel_mm")
    spacing = sizes[0] if len(sizes) == 1 else tuple(sizes)
    k = voxel_kernel(nuclide, spacing, _number(radius_mm, "radius_mm"))  # type: ignore[arg-type]
    out = k.to_dict()
    out["inputs"] = {"nuclide": k.nuclide, "voxel_mm": list(k.voxel_mm), "radius_mm": _number(radius_mm, "radius_mm")}
    out["status"] = "derived"
    return out
