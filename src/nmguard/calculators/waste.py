"""Waste calculators shared by the CLI and the API: text in as a person types it, JSON-ready dict out."""

from __future__ import annotations

import math
from typing import Any

from nmguard.errors import InputError
from nmguard.hotlab.waste import release_date as _release_date
from nmguard.input_bounds import finite_result, parse_activity, parse_instant
from nmguard.reference.citations import get_citation


def _hold(text: str | float | None) -> float | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise InputError(f"hold-half-lives: {text!r} is not a number", "hold_half_lives") from None
    if not math.isfinite(value) or value < 0:
        raise InputError(f"hold-half-lives must be a non-negative number, got {text!r}", "hold_half_lives")
    return value


@finite_result
def release_date(
    nuclide: str,
    activity: str,
    at: str,
    limit: str,
    profile: str = "nrc",
    hold_half_lives: str | float | None = None,
) -> dict[str, Any]:
    """``nmguard waste release-date``: when a waste container may be released (decay-in-storage)."""
    result = _release_date(
        nuclide,
        parse_activity(activity, "activity"),
        parse_instant(at, "at"),
        parse_activity(limit, "limit"),
        profile=profile,
        hold_half_lives=_hold(hold_half_lives),
    )
    out = result.to_dict()
    for s in out["sources"]:
        s["text"] = get_citation(s["id"]).text
    return out
