"""Plausibility limits of the administration path (``data/administration_plausibility.toml``).

How far above the protocol a prescription may go before it needs an e-signed override, what a reason
"of substance" is, how far in the past a prescription may be scheduled, the earliest birth date. Each
value carries its source and status; the department changes the file, not the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from nmguard.reference._files import read_toml
from nmguard.reference._sourced import sourced_entry
from nmguard.reference.citations import SourcedValue

PLAUSIBILITY_FILE = "administration_plausibility.toml"


@dataclass(frozen=True)
class AdministrationPlausibility:
    far_above_protocol_factor: SourcedValue
    scheduled_past_margin_minutes: SourcedValue
    scheduled_ahead_days: SourcedValue
    override_reason_min_characters: SourcedValue
    override_reason_min_words: SourcedValue
    earliest_birth_year: SourcedValue


@cache
def administration_plausibility() -> AdministrationPlausibility:
    data = read_toml(PLAUSIBILITY_FILE)
    where = PLAUSIBILITY_FILE
    return AdministrationPlausibility(
        far_above_protocol_factor=sourced_entry(
            data["prescription"]["far_above_protocol_factor"], f"{where} [prescription]"
        ),
        scheduled_past_margin_minutes=sourced_entry(
            data["prescription"]["scheduled_past_margin_minutes"], f"{where} [prescription]"
        ),
        scheduled_ahead_days=sourced_entry(data["prescription"]["scheduled_ahead_days"], f"{where} [prescription]"),
        override_reason_min_characters=sourced_entry(
            data["override_reason"]["min_characters"], f"{where} [override_reason]"
        ),
        override_reason_min_words=sourced_entry(data["override_reason"]["min_words"], f"{where} [override_reason]"),
        earliest_birth_year=sourced_entry(data["patient"]["earliest_birth_year"], f"{where} [patient]"),
    )
