"""Audit checklists as data (QUANUM-style: sections of items judged on a level of conformance 0-4 or N/A),
their import from a department's TOML or CSV file, and the scoring rule.

Scoring (NMGuard's rule; QUANUM's own aggregation was not read, see source ``iaea-hhs-33-quanum-2``): a
section's conformance is the sum of its applicable items' levels over 4 x the number of applicable items, as a
percentage; items "not applicable" or not yet answered count in neither. The overall conformance is either
``pooled`` (the same sum over every applicable item of the checklist) or ``sections`` (the mean of the section
percentages weighted by the sections' weights, sections without an applicable item left out). An item answered
below ``finding_below`` (default 3: levels 0-2 are non-conformance) is a finding.
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from nmguard.errors import InputError

MAX_LEVEL = 4
LEVELS = tuple(range(MAX_LEVEL + 1))
DEFAULT_LEVELS = {
    0: "Absent: no conformance",
    1: "Basic conformance",
    2: "Partial conformance",
    3: "Substantial conformance",
    4: "Full conformance",
}
OVERALL_RULES = ("pooled", "sections")
CSV_COLUMNS = ("section_id", "section_title", "item_id", "text")
_DIR = "audit_checklists"


@dataclass(frozen=True)
class Item:
    id: str
    text: str


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    items: tuple[Item, ...]
    weight: float = 1.0
    follows: str = ""


@dataclass(frozen=True)
class Checklist:
    id: str
    title: str
    version: str
    sections: tuple[Section, ...]
    levels: Mapping[int, str]
    overall: str = "pooled"
    finding_below: int = 3
    source: str = ""
    status: str = "unverified"

    def items(self) -> list[tuple[Section, Item]]:
        return [(s, i) for s in self.sections for i in s.items]

    def to_dict(self) -> dict[str, Any]:
        """A plain form (stored with an audit so that a later edit of the file does not change old audits)."""
        return {
            "id": self.id,
            "title": self.title,
            "version": self.version,
            "source": self.source,
            "status": self.status,
            "scoring": {"overall": self.overall, "finding_below": self.finding_below},
            "levels": {str(k): v for k, v in self.levels.items()},
            "sections": [
                {
                    "id": s.id,
                    "title": s.title,
                    "weight": s.weight,
                    "follows": s.follows,
                    "items": [{"id": i.id, "text": i.text} for i in s.items],
                }
                for s in self.sections
            ],
        }


def _text(value: Any, where: str, field: str, required: bool = True, max_length: int = 2000) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise InputError(f"{where}: {field} is empty", field)
    if len(text) > max_length:
        raise InputError(f"{where}: {field} longer than {max_length} characters", field)
    return text


def checklist_from_dict(data: Mapping[str, Any], where: str = "checklist") -> Checklist:
    """Build and check a checklist from its plain form (a TOML file or a stored audit's copy)."""
    scoring = data.get("scoring") or {}
    overall = scoring.get("overall", "pooled")
    if overall not in OVERALL_RULES:
        raise InputError(f"{where}: scoring.overall must be one of {', '.join(OVERALL_RULES)}", "scoring")
    below = scoring.get("finding_below", 3)
    if not isinstance(below, int) or isinstance(below, bool) or not 0 <= below <= MAX_LEVEL + 1:
        raise InputError(f"{where}: scoring.finding_below must be a whole number 0-{MAX_LEVEL + 1}", "scoring")
    raw_levels = data.get("levels") or DEFAULT_LEVELS
    try:
        levels = {int(k): str(v) for k, v in raw_levels.items()}
    except ValueError:
        raise InputError(f"{where}: levels are keyed 0-{MAX_LEVEL}", "levels") from None
    if set(levels) != set(LEVELS):
        raise InputError(f"{where}: levels must give the meaning of each level 0-{MAX_LEVEL}", "levels")
    sections, seen = [], set()
    for n, raw in enumerate(data.get("sections") or [], start=1):
        at = f"{where} section {n}"
        items = []
        for m, item in enumerate(raw.get("items") or [], start=1):
            item_id = _text(item.get("id"), f"{at} item {m}", "item_id", max_length=20)
            if item_id in seen:
                raise InputError(f"{at} item {m}: item id {item_id} repeated", "item_id")
            seen.add(item_id)
            items.append(Item(item_id, _text(item.get("text"), f"{at} item {m}", "text")))
        if not items:
            raise InputError(f"{at}: no items", "items")
        weight = raw.get("weight", 1.0)
        if not isinstance(weight, int | float) or isinstance(weight, bool) or not 0 < weight <= 100:
            raise InputError(f"{at}: weight must be a number above 0 and at most 100", "weight")
        sections.append(
            Section(
                id=_text(raw.get("id"), at, "section_id", max_length=20),
                title=_text(raw.get("title"), at, "section_title", max_length=200),
                items=tuple(items),
                weight=float(weight),
                follows=_text(raw.get("follows"), at, "follows", required=False, max_length=300),
            )
        )
    if not sections:
        raise InputError(f"{where}: no sections", "sections")
    return Checklist(
        id=_text(data.get("id"), where, "id", max_length=60),
        title=_text(data.get("title"), where, "title", max_length=200),
        version=_text(data.get("version", "1"), where, "version", max_length=20),
        sections=tuple(sections),
        levels=levels,
        overall=overall,
        finding_below=below,
        source=_text(data.get("source"), where, "source", required=False, max_length=80),
        status=_text(data.get("status", "unverified"), where, "status", max_length=20),
    )


def shipped_checklists() -> dict[str, Checklist]:
    """The checklists packaged with NMGuard, by id."""
    folder = resources.files("nmguard.reference.data").joinpath(_DIR)
    out = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            checklist = checklist_from_dict(tomllib.loads(entry.read_text(encoding="utf-8")), entry.name)
            out[checklist.id] = checklist
    return out


def parse_toml(text: str) -> Checklist:
    """A department's checklist from TOML text (same structure as the shipped files)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"file: not valid TOML ({exc})", "file") from None
    return checklist_from_dict(data, "file")


def parse_csv(text: str, *, checklist_id: str, title: str, version: str = "1") -> Checklist:
    """A department's checklist from CSV: one row per item with section_id, section_title, item_id, text
    (optional: follows, weight). Every bad row is reported by its line number, all at once."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"file: missing column(s) {', '.join(missing)}", "file")
    errors: list[str] = []
    sections: dict[str, dict[str, Any]] = {}
    item_ids: set[str] = set()
    for line, row in enumerate(reader, start=2):
        sid, stitle = (row.get("section_id") or "").strip(), (row.get("section_title") or "").strip()
        iid, itext = (row.get("item_id") or "").strip(), (row.get("text") or "").strip()
        problems = [f"{c} is empty" for c, v in zip(CSV_COLUMNS, (sid, stitle, iid, itext), strict=True) if not v]
        if iid and iid in item_ids:
            problems.append(f"item id {iid} repeated")
        weight_text = (row.get("weight") or "").strip()
        weight = 1.0
        if weight_text:
            try:
                weight = float(weight_text)
            except ValueError:
                problems.append(f"weight {weight_text!r} is not a number")
        section = sections.get(sid)
        if section is not None and stitle and section["title"] != stitle:
            problems.append(f"section {sid} has another title on an earlier row ({section['title']!r})")
        if problems:
            errors.append(f"row {line}: {'; '.join(problems)}")
            continue
        item_ids.add(iid)
        if section is None:
            section = sections[sid] = {"id": sid, "title": stitle, "weight": weight, "items": []}
            section["follows"] = (row.get("follows") or "").strip()
        section["items"].append({"id": iid, "text": itext})
    if errors:
        raise InputError("; ".join(errors), "file")
    data = {"id": checklist_id, "title": title, "version": version, "sections": list(sections.values())}
    return checklist_from_dict(data, "file")


@dataclass(frozen=True)
class SectionScore:
    section_id: str
    title: str
    applicable: int
    answered: int
    level_sum: int
    percent: float | None


@dataclass(frozen=True)
class Score:
    sections: tuple[SectionScore, ...]
    overall_percent: float | None
    rule: str


def check_level(level: Any) -> int | None:
    """A level 0-4, or None for "not applicable"."""
    if level is None or level == "" or (isinstance(level, str) and level.strip().lower() in ("na", "n/a")):
        return None
    try:
        value = int(level)
    except (TypeError, ValueError):
        raise InputError(f"level: one of 0-{MAX_LEVEL} or N/A", "level") from None
    if isinstance(level, float) and level != value or value not in LEVELS:
        raise InputError(f"level: one of 0-{MAX_LEVEL} or N/A", "level")
    return value


def score(checklist: Checklist, levels: Mapping[str, int | None]) -> Score:
    """Conformance per section and overall from the answered levels by item id (None = not applicable; an
    item missing from ``levels`` is not yet answered: it counts in neither)."""
    rows = []
    for section in checklist.sections:
        given = [levels[i.id] for i in section.items if i.id in levels and levels[i.id] is not None]
        answered = sum(1 for i in section.items if i.id in levels)
        total = sum(given)
        percent = 100.0 * total / (MAX_LEVEL * len(given)) if given else None
        rows.append(SectionScore(section.id, section.title, len(given), answered, total, percent))
    if checklist.overall == "pooled":
        n = sum(r.applicable for r in rows)
        overall = 100.0 * sum(r.level_sum for r in rows) / (MAX_LEVEL * n) if n else None
    else:
        weights = {s.id: s.weight for s in checklist.sections}
        scored = [(weights[r.section_id], r.percent) for r in rows if r.percent is not None]
        w = sum(a for a, _ in scored)
        overall = sum(a * p for a, p in scored) / w if scored else None
    return Score(tuple(rows), overall, checklist.overall)


def compare(current: Mapping[str, int | None], previous: Mapping[str, int | None]) -> dict[str, str]:
    """Per item answered in both: "better", "worse" or "same"; "new" when not answered before, "n/a" when
    either answer is not applicable (a level cannot be compared with N/A)."""
    out = {}
    for item_id, level in current.items():
        if item_id not in previous:
            out[item_id] = "new"
        elif level is None or previous[item_id] is None:
            out[item_id] = "n/a"
        else:
            before = previous[item_id]
            out[item_id] = "better" if level > before else "worse" if level < before else "same"
    return out
