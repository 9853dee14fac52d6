"""The radiopharmaceutical catalogue (``data/radiopharmaceuticals.csv``) and name lookup.

Lookup is case-insensitive and ignores spaces, hyphens, underscores, dots and brackets, so
``18F-FDG``, ``FDG``, ``F-18 FDG`` and ``fdg`` all find ``f18-fdg``. Besides the id and the listed
aliases, every short alias without a nuclide is also accepted with the nuclide in front in both
orders (``99mTc-MDP``, ``Tc-99m MDP``, ``Tc99m MDP``).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache

from nmguard.errors import InputError
from nmguard.reference._files import ReferenceDataError, read_csv
from nmguard.reference._sourced import opt_float, sourced, to_bool
from nmguard.reference.citations import SourcedValue
from nmguard.reference.nuclides import get_nuclide

RADIOPHARMACEUTICALS_FILE = "radiopharmaceuticals.csv"
ROUTES = frozenset(
    {
        "iv",
        "oral",
        "inhalation",
        "intra_arterial",
        "subcutaneous",
        "intradermal",
        "intrathecal",
        "intracavitary",
        "intra_articular",
    }
)

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹ᵐ", "0123456789m")
_DROP = re.compile(r"[\s\-_.,()\[\]/]+")
_NUCLIDE = re.compile(r"^([A-Za-z]{1,2})-(\d+)(m?)$")


@dataclass(frozen=True)
class Radiopharmaceutical:
    id: str
    name: str
    aliases: tuple[str, ...]
    nuclide: str
    route: str
    therapy: bool
    typical_adult_activity_MBq: SourcedValue | None
    typical_adult_activity_MBq_per_kg: SourcedValue | None
    note: str | None = None


def normalize_name(text: str) -> str:
    """The lookup key of a name: lower case, superscripts as digits, no separators."""
    return _DROP.sub("", str(text).translate(_SUPERSCRIPTS)).lower()


def _nuclide_prefixes(nuclide: str) -> tuple[str, ...]:
    m = _NUCLIDE.match(nuclide)
    if not m:
        return ()
    sym, mass, meta = m.group(1).lower(), m.group(2), m.group(3)
    return (f"{sym}{mass}{meta}", f"{mass}{meta}{sym}")


@cache
def _catalogue() -> tuple[dict[str, Radiopharmaceutical], dict[str, str]]:
    by_id: dict[str, Radiopharmaceutical] = {}
    keys: dict[str, str] = {}

    def claim(key: str, rp_id: str, where: str) -> None:
        if not key:
            return
        other = keys.setdefault(key, rp_id)
        if other != rp_id:
            raise ReferenceDataError(f"{where}: name key {key!r} names both {other} and {rp_id}")

    for i, row in enumerate(read_csv(RADIOPHARMACEUTICALS_FILE), start=2):
        where = f"{RADIOPHARMACEUTICALS_FILE} line {i}"
        rp_id = row["id"].strip()
        if not rp_id or rp_id in by_id:
            raise ReferenceDataError(f"{where}: empty or duplicate id {rp_id!r}")
        nuclide = get_nuclide(row["nuclide"]).name
        route = row["route"].strip()
        if route not in ROUTES:
            raise ReferenceDataError(f"{where}: route {route!r} is not one of {sorted(ROUTES)}")
        src, status = row["typical_activity_source"], row["typical_activity_status"]
        fixed = opt_float(row["typical_adult_MBq"], where)
        per_kg = opt_float(row["typical_adult_MBq_per_kg"], where)
        if fixed is None and per_kg is None:
            raise ReferenceDataError(f"{where}: no typical adult activity")
        aliases = tuple(a.strip() for a in row["aliases"].split(";") if a.strip())
        rp = Radiopharmaceutical(
            id=rp_id,
            name=row["name"].strip(),
            aliases=aliases,
            nuclide=nuclide,
            route=route,
            therapy=to_bool(row["therapy"], where),
            typical_adult_activity_MBq=None if fixed is None else sourced(fixed, "MBq", src, status, where),
            typical_adult_activity_MBq_per_kg=None if per_kg is None else sourced(per_kg, "MBq/kg", src, status, where),
            note=row.get("note", "").strip() or None,
        )
        by_id[rp_id] = rp
        prefixes = _nuclide_prefixes(nuclide)
        claim(normalize_name(rp_id), rp_id, where)
        for alias in aliases:
            key = normalize_name(alias)
            claim(key, rp_id, where)
            if not any(key.startswith(p) for p in prefixes):
                for p in prefixes:
                    claim(p + key, rp_id, where)
    return by_id, keys


def all_radiopharmaceuticals() -> tuple[Radiopharmaceutical, ...]:
    """The catalogue in file order."""
    return tuple(_catalogue()[0].values())


def get_radiopharmaceutical(text: str) -> Radiopharmaceutical:
    """The catalogue entry for an id or a common name; unknown names raise :class:`InputError`."""
    by_id, keys = _catalogue()
    if isinstance(text, Radiopharmaceutical):
        return text
    key = normalize_name(text or "")
    if not key:
        raise InputError("no radiopharmaceutical given", field="radiopharmaceutical")
    if key in keys:
        return by_id[keys[key]]
    hint = _suggest(key, keys)
    msg = f"unknown radiopharmaceutical {text!r}"
    if hint:
        msg += f"; did you mean {', '.join(hint)}?"
    else:
        msg += "; see the catalogue (nmguard radiopharmaceuticals)"
    raise InputError(msg, field="radiopharmaceutical")


def _suggest(key: str, keys: dict[str, str]) -> list[str]:
    partial = sorted({rp for k, rp in keys.items() if len(key) >= 3 and (key in k or k in key and len(k) >= 3)})
    if partial and len(partial) <= 6:
        return partial
    close = difflib.get_close_matches(key, list(keys), n=5, cutoff=0.6)
    out: list[str] = []
    for k in close:
        if keys[k] not in out:
            out.append(keys[k])
    return out[:3]
