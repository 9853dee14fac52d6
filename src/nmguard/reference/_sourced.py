"""Small helpers shared by the administration-safety loaders (one citation + status per value)."""

from __future__ import annotations

import math
from typing import Any

from nmguard.reference._files import ReferenceDataError
from nmguard.reference.citations import SourcedValue, Status, get_citation


def sourced(value: float, unit: str, source_id: str, status: str, where: str, note: str | None = None) -> SourcedValue:
    if not math.isfinite(value):
        raise ReferenceDataError(f"{where}: value {value!r} is not finite")
    return SourcedValue(
        value=value,
        unit=unit,
        source=get_citation(source_id, where),
        status=Status.parse(status, where),
        note=(note or "").strip() or None,
    )


def to_float(text: str, where: str) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise ReferenceDataError(f"{where}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise ReferenceDataError(f"{where}: {text!r} is not finite")
    return value


def opt_float(text: str | None, where: str) -> float | None:
    return None if text is None or not text.strip() else to_float(text, where)


def to_bool(text: str, where: str) -> bool:
    key = text.strip().lower()
    if key in ("true", "yes", "1"):
        return True
    if key in ("false", "no", "0", ""):
        return False
    raise ReferenceDataError(f"{where}: {text!r} is not a boolean")


def sourced_entry(entry: dict[str, Any], where: str) -> SourcedValue:
    """An inline TOML table ``{value, unit, source, status, note}``."""
    try:
        return sourced(
            float(entry["value"]),
            str(entry["unit"]),
            str(entry["source"]),
            str(entry["status"]),
            where,
            entry.get("note"),
        )
    except KeyError as exc:
        raise ReferenceDataError(f"{where}: missing {exc.args[0]!r}") from None
