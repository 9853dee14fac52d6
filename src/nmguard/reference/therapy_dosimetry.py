"""Therapy dosimetry recording data: organ-name synonyms for VOIs and the acquisition window of a cycle.

``organ_name_synonyms.csv`` proposes, for a VOI name, the organ that dose constraints name (left and right
kidney → kidneys); the user confirms every mapping before doses are recorded. ``therapy_dosimetry.toml`` holds
the window of acquisition dates around a cycle's administration (department policy placeholders, status
unverified, until a department sets its own) and the thresholds of the automatic time-activity model choice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from nmguard.reference._files import ReferenceDataError, read_csv, read_toml
from nmguard.reference._sourced import sourced
from nmguard.reference.citations import SourcedValue

SYNONYMS_FILE = "organ_name_synonyms.csv"
WINDOW_FILE = "therapy_dosimetry.toml"


def normalize_voi_name(name: str) -> str:
    """Case, spaces, hyphens and underscores do not change what a VOI name means."""
    return " ".join(name.replace("-", " ").casefold().split())


@cache
def organ_synonyms() -> dict[str, tuple[str, SourcedValue]]:
    """Normalized VOI name → (organ, the row's citation as a sourced value of 1)."""
    out: dict[str, tuple[str, SourcedValue]] = {}
    for i, row in enumerate(read_csv(SYNONYMS_FILE), start=2):
        where = f"{SYNONYMS_FILE}:{i}"
        key, organ = normalize_voi_name(row["voi_name"]), row["organ"].strip()
        if not key or not organ:
            raise ReferenceDataError(f"{where}: voi_name and organ are required")
        if key in out:
            raise ReferenceDataError(f"{where}: {row['voi_name']!r} is listed twice")
        out[key] = (organ, sourced(1.0, "", row["source"], row["status"], where, row.get("note")))
    # an underscore spelling (Kidney_L) normalizes like its spaced one
    for key in list(out):
        out.setdefault(key.replace("_", " "), out[key])
    return out


def organ_for_voi(name: str) -> str | None:
    """The organ a VOI name stands for, or None when the synonyms do not know it."""
    key = normalize_voi_name(name)
    hit = organ_synonyms().get(key) or organ_synonyms().get(key.replace("_", " "))
    return hit[0] if hit else None


@dataclass(frozen=True)
class CycleWindow:
    days_after_administration: SourcedValue
    planned_date_tolerance: SourcedValue


def _sourced_entries(table: str, checks: dict[str, Callable[[SourcedValue], str | None]]) -> dict[str, SourcedValue]:
    """The entries of ``[table]`` in therapy_dosimetry.toml, each a sourced value that passes its check (the check
    returns why not, or None)."""
    rows = read_toml(WINDOW_FILE).get(table) or {}
    values = {}
    for key, check in checks.items():
        entry = rows.get(key)
        where = f"{WINDOW_FILE} [{table}].{key}"
        if not isinstance(entry, dict):
            raise ReferenceDataError(f"{where}: missing")
        value = sourced(
            float(entry["value"]), str(entry["unit"]), entry["source"], entry["status"], where, entry.get("note")
        )
        if problem := check(value):
            raise ReferenceDataError(f"{where}: {problem}")
        values[key] = value
    return values


def _whole_days(value: SourcedValue) -> str | None:
    if value.unit != "d" or value.value < 0 or value.value != int(value.value):
        return "a whole, non-negative number of days (unit d)"
    return None


def _within(low: float, high: float) -> Callable[[SourcedValue], str | None]:
    return lambda v: None if low < v.value < high else f"{v.value} is outside ({low}, {high})"


@cache
def cycle_window() -> CycleWindow:
    """How many days after a cycle's administration its dosimetry images may be acquired."""
    return CycleWindow(
        **_sourced_entries(
            "cycle_window", {"days_after_administration": _whole_days, "planned_date_tolerance": _whole_days}
        )
    )


@dataclass(frozen=True)
class TiaSelection:
    misfit_alpha: SourcedValue
    distinguishable_delta_aicc: SourcedValue
    extrapolated_max_fraction: SourcedValue


@cache
def tia_selection() -> TiaSelection:
    """The thresholds by which :func:`nmguard.dosimetry.tia.fit_tia` sets models aside and warns."""
    return TiaSelection(
        **_sourced_entries(
            "tia_model_selection",
            {
                "misfit_alpha": _within(0.0, 0.5),
                "distinguishable_delta_aicc": _within(0.0, 20.0),
                "extrapolated_max_fraction": _within(0.0, 1.0),
            },
        )
    )
