"""Numbers as people read them: significant figures in plain notation, never ``2e+04``.

The pure layer's one place for display rounding, so that the CLI, the API's human strings and the
pages print a quantity the same way.
"""

from __future__ import annotations

import math


def format_sig(value: float, digits: int = 3) -> str:
    """``value`` rounded to ``digits`` significant figures in plain decimal notation.

    Trailing zeros after the decimal point are dropped (``0.4329004329`` → ``0.433``,
    ``20000.0`` → ``20000``, ``1.2000`` → ``1.2``); integers keep their digits, rounded to the
    significant figures asked for (``123456`` at 3 → ``123000``).
    """
    if value is None:
        return "–"
    value = float(value)
    if not math.isfinite(value):
        return "–"
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(digits - 1 - magnitude, 0)
    rounded = round(value, digits - 1 - magnitude)
    text = f"{rounded:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
