"""Broad-beam transmission of a barrier by the Archer equation, forwards and inverted in closed form.

    B(x) = [(1 + beta/alpha) exp(alpha gamma x) - beta/alpha]^(-1/gamma)
    x(B) = ln[(B^-gamma + beta/alpha) / (1 + beta/alpha)] / (alpha gamma)

Why the log form below: for the small transmissions of a PET wall B^-gamma overflows long before the
thickness is unreasonable, so x is computed as [-gamma ln B + ln(1 + (beta/alpha) B^gamma) - ln(1 + beta/alpha)]
/ (alpha gamma), which is the same expression with the powers kept inside logarithms.
The fits (alpha, beta, gamma per material and energy) come from :mod:`nmguard.reference.shielding`;
a material or energy without a cited fit is refused there ("not yet"), never extrapolated.
"""

from __future__ import annotations

import math

from nmguard.errors import InputError
from nmguard.reference.shielding import ArcherFit

MM_PER_CM = 10.0


def archer_transmission(fit: ArcherFit, thickness_mm: float) -> float:
    """B of ``thickness_mm`` of the fit's material (1 at zero thickness)."""
    if not math.isfinite(thickness_mm) or thickness_mm < 0:
        raise InputError(f"thickness_mm: {thickness_mm!r} is not a thickness >= 0", "thickness_mm")
    a, b, g = fit.alpha.value, fit.beta.value, fit.gamma.value
    x_cm = thickness_mm / MM_PER_CM
    # ln of the bracket, kept in logs so that thick barriers give a tiny B instead of an overflow
    log_bracket = a * g * x_cm + math.log1p(b / a) + math.log1p(-(b / a) / ((1 + b / a) * math.exp(a * g * x_cm)))
    return math.exp(-log_bracket / g)


def archer_thickness_mm(fit: ArcherFit, transmission: float) -> float:
    """The thickness (mm) whose broad-beam transmission is ``transmission``; 0 when B >= 1 (no barrier needed)."""
    if not math.isfinite(transmission) or transmission <= 0:
        raise InputError(f"transmission: {transmission!r} must be a number > 0", "transmission")
    if transmission >= 1:
        return 0.0
    a, b, g = fit.alpha.value, fit.beta.value, fit.gamma.value
    r = b / a
    x_cm = (-g * math.log(transmission) + math.log1p(r * transmission**g) - math.log1p(r)) / (a * g)
    return max(0.0, x_cm * MM_PER_CM)
