"""Waste rules per jurisdiction profile (``data/waste_rules.toml``): decay-in-storage, hold, survey, record.

``nrc``: 10 CFR 35.92 decay-in-storage for physical half-lives ≤ 120 d, no numeric hold (an Agreement-State
option of 10 half-lives is shipped separately), survey "indistinguishable from background", 35.2092 record
fields. ``euratom`` and ``iaea``: release by clearance; no decay-in-storage half-life rule is shipped, and the
IAEA clearance levels are status ``unverified`` (from memory, REFERENCE_DATA.md 8.2 "M").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from nmguard.errors import InputError
from nmguard.reference._files import ReferenceDataError, read_toml
from nmguard.reference._sourced import sourced, sourced_entry
from nmguard.reference.citations import Citation, SourcedValue, Status, get_citation
from nmguard.reference.nuclides import normalize_nuclide_name

WASTE_RULES_FILE = "waste_rules.toml"
PROFILES = ("nrc", "euratom", "iaea")


@dataclass(frozen=True)
class WasteRule:
    profile: str
    name: str
    citation: str
    decay_in_storage: bool | None  # None: the profile ships no decay-in-storage rule
    max_half_life: SourcedValue | None  # unit "d"
    hold_half_lives_required: bool
    hold_source: Citation
    hold_status: Status
    hold_note: str
    agreement_state_hold_half_lives: SourcedValue | None
    survey: str
    survey_source: Citation
    survey_status: Status
    record_citation: str
    record_fields: tuple[str, ...]
    record_source: Citation
    record_status: Status
    record_retention_years: SourcedValue | None
    clearance_Bq_per_g: dict[str, SourcedValue] = field(default_factory=dict)

    def sources(self) -> tuple[Citation, ...]:
        seen: dict[str, Citation] = {}
        values = [self.max_half_life, self.agreement_state_hold_half_lives, self.record_retention_years]
        cites = [v.source for v in values if v is not None]
        cites += [self.hold_source, self.survey_source, self.record_source]
        for c in cites:
            seen.setdefault(c.id, c)
        return tuple(seen.values())

    def to_dict(self) -> dict[str, Any]:
        def sv(v: SourcedValue | None) -> dict[str, Any] | None:
            return (
                None
                if v is None
                else {"value": v.value, "unit": v.unit, "source": v.source.id, "status": v.status.value, "note": v.note}
            )

        return {
            "profile": self.profile,
            "name": self.name,
            "citation": self.citation,
            "decay_in_storage": self.decay_in_storage,
            "max_half_life": sv(self.max_half_life),
            "hold_half_lives_required": self.hold_half_lives_required,
            "hold_note": self.hold_note,
            "agreement_state_hold_half_lives": sv(self.agreement_state_hold_half_lives),
            "survey": self.survey,
            "survey_source": self.survey_source.id,
            "survey_status": self.survey_status.value,
            "record_citation": self.record_citation,
            "record_fields": list(self.record_fields),
            "clearance_Bq_per_g": {k: sv(v) for k, v in self.clearance_Bq_per_g.items()},
        }


def _opt_entry(table: dict[str, Any], key: str, where: str) -> SourcedValue | None:
    return sourced_entry(table[key], f"{where}.{key}") if key in table else None


@cache
def _rules() -> dict[str, WasteRule]:
    data = read_toml(WASTE_RULES_FILE)
    out: dict[str, WasteRule] = {}
    for pid in PROFILES:
        where = f"{WASTE_RULES_FILE} [{pid}]"
        t = data.get(pid)
        if not isinstance(t, dict):
            raise ReferenceDataError(f"{where}: missing")
        try:
            clearance: dict[str, SourcedValue] = {}
            for nuclide, value in (t.get("clearance_Bq_per_g") or {}).items():
                name = normalize_nuclide_name(nuclide)
                clearance[name] = sourced(
                    float(value), "Bq/g", t["clearance_source"], t["clearance_status"], f"{where} clearance {nuclide}"
                )
            max_hl = _opt_entry(t, "max_half_life", where)
            if max_hl is not None and max_hl.unit != "d":
                raise ReferenceDataError(f"{where}: max_half_life must be in d")
            rule = WasteRule(
                profile=pid,
                name=str(t["name"]),
                citation=str(t["citation"]),
                decay_in_storage=t.get("decay_in_storage"),
                max_half_life=max_hl,
                hold_half_lives_required=bool(t["hold_half_lives_required"]),
                hold_source=get_citation(t["hold_source"], where),
                hold_status=Status.parse(t["hold_status"], where),
                hold_note=str(t["hold_note"]),
                agreement_state_hold_half_lives=_opt_entry(t, "agreement_state_hold_half_lives", where),
                survey=str(t["survey"]),
                survey_source=get_citation(t["survey_source"], where),
                survey_status=Status.parse(t["survey_status"], where),
                record_citation=str(t["record_citation"]),
                record_fields=tuple(str(f) for f in t["record_fields"]),
                record_source=get_citation(t["record_source"], where),
                record_status=Status.parse(t["record_status"], where),
                record_retention_years=_opt_entry(t, "record_retention_years", where),
                clearance_Bq_per_g=clearance,
            )
        except KeyError as exc:
            raise ReferenceDataError(f"{where}: missing {exc.args[0]!r}") from None
        if rule.decay_in_storage and rule.max_half_life is None:
            raise ReferenceDataError(f"{where}: decay_in_storage needs max_half_life")
        out[pid] = rule
    return out


def waste_rule(profile: str = "nrc") -> WasteRule:
    key = str(profile or "").strip().lower()
    rules = _rules()
    if key not in rules:
        raise InputError(f"unknown jurisdiction profile {profile!r}; use one of {', '.join(rules)}", "profile")
    return rules[key]
