"""Parse volumes at the edges: ``"5 mL"``, ``"0.5ml"``, ``"500 µL"``, ``"2 L"`` → millilitres.

Volumes are kept in mL inside the hot-lab calculators (activity concentrations in Bq/mL are what an
activity meter and a syringe label show). Zero, negative, non-finite and unit-less volumes are refused.
"""

from __future__ import annotations

import math
import re

from nmguard.errors import InputError

_VOLUME_UNITS: dict[str, float] = {  # millilitres per unit
    "µl": 1e-3,  # micro sign U+00B5
    "μl": 1e-3,  # Greek mu U+03BC
    "ul": 1e-3,
    "ml": 1.0,
    "cc": 1.0,
    "cl": 10.0,
    "dl": 100.0,
    "l": 1000.0,
}
_SPELLING = {"µl": "µL", "μl": "µL", "ul": "µL", "ml": "mL", "cc": "cc", "cl": "cL", "dl": "dL", "l": "L"}

_NUMBER_UNIT = re.compile(r"^\s*([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?)\s*([^\d\s].*?)?\s*$")


def volume_units() -> tuple[str, ...]:
    return tuple(dict.fromkeys(_SPELLING.values()))


def parse_volume(text: str | float, field: str = "volume") -> float:
    """A volume with its unit → millilitres. Raises :class:`InputError` naming ``field``."""
    match = _NUMBER_UNIT.match(str(text))
    if not match:
        raise InputError(f"{field}: cannot read {text!r} as a volume such as '5 mL'", field)
    number, unit = match.group(1).replace(",", "."), (match.group(2) or "").strip()
    if not unit:
        raise InputError(f"{field}: {text!r} has no unit; write e.g. '{number} mL'", field)
    factor = _VOLUME_UNITS.get(unit.lower())
    if factor is None:
        raise InputError(f"{field}: unknown volume unit {unit!r}; use one of {', '.join(volume_units())}", field)
    value = float(number) * factor
    if not math.isfinite(value):
        raise InputError(f"{field}: {text!r} is not a finite volume", field)
    if value <= 0:
        raise InputError(f"{field}: a volume must be positive ({text!r})", field)
    return value


def check_volume_mL(value: float, field: str = "volume") -> float:
    """A volume already in mL from code: positive and finite, else :class:`InputError`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise InputError(f"{field}: a volume must be a positive number of mL, got {value!r}", field)
    return float(value)
