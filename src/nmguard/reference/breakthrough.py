"""Generator breakthrough limits per jurisdiction profile (``data/breakthrough_limits.csv``).

One row per (profile, parent, product): the parent radionuclide that may break through (Mo-99, Sr-82,
Sr-85, Ge-68), the eluate's radionuclide it is compared with (Tc-99m, Rb-82, Ga-68), the limit in kBq of
parent per MBq of eluate radionuclide, the rule, the source and its status. An empty limit means the
profile sets no number for the pair (say so; never invent one). Where a profile has several products for a
parent (Ph. Eur. fission / non-fission pertechnetate) one row is the ``default``.

Pharmacopoeial limits written "x per cent of the total radioactivity" are converted to kBq/MBq of the
eluate radionuclide as 10·x (x % of the total is x/(100 − x) of the rest, so the shipped value is stricter
by about x %); the note of each row says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from nmguard.errors import InputError
from nmguard.reference._files import ReferenceDataError, read_csv
from nmguard.reference._sourced import to_bool
from nmguard.reference.citations import Citation, SourcedValue, Status, get_citation
from nmguard.reference.jurisdictions import get_profile, profiles
from nmguard.reference.nuclides import get_nuclide, normalize_nuclide_name

BREAKTHROUGH_FILE = "breakthrough_limits.csv"
LIMIT_UNIT = "kBq/MBq"


@dataclass(frozen=True)
class BreakthroughLimit:
    profile: str
    parent: str
    daughter: str  # the eluate's radionuclide the parent activity is compared with
    product: str
    default: bool
    limit: SourcedValue | None  # kBq of parent per MBq of daughter; None: the profile sets no number
    rule: str
    source: Citation
    status: Status
    note: str

    @property
    def limit_kBq_per_MBq(self) -> float | None:
        return None if self.limit is None else self.limit.value


@cache
def _rows() -> tuple[BreakthroughLimit, ...]:
    known_profiles = {p.id for p in profiles()}
    out: list[BreakthroughLimit] = []
    daughters: dict[str, str] = {}
    for i, row in enumerate(read_csv(BREAKTHROUGH_FILE), start=2):
        where = f"{BREAKTHROUGH_FILE} line {i}"
        pid = row["profile"].strip()
        if pid not in known_profiles:
            raise ReferenceDataError(f"{where}: profile {pid!r} is not in jurisdictions.toml")
        parent, daughter = row["parent"].strip(), row["daughter"].strip()
        for name in (parent, daughter):
            try:
                if normalize_nuclide_name(name) != name:
                    raise ReferenceDataError(f"{where}: {name!r} is not a canonical nuclide name")
            except InputError:
                raise ReferenceDataError(f"{where}: nuclide {name!r} is not in the nuclide table") from None
        if daughters.setdefault(parent, daughter) != daughter:
            raise ReferenceDataError(f"{where}: {parent} is compared with {daughters[parent]} on another row")
        source = get_citation(row["source"], where)
        status = Status.parse(row["status"], where)
        note = row.get("note", "").strip()
        text = row["limit_kBq_per_MBq"].strip()
        limit = None
        if text:
            try:
                value = float(text)
            except ValueError:
                raise ReferenceDataError(f"{where}: limit {text!r} is not a number") from None
            if not (math.isfinite(value) and value > 0):
                raise ReferenceDataError(f"{where}: limit {value!r} must be positive")
            limit = SourcedValue(value=value, unit=LIMIT_UNIT, source=source, status=status, note=note or None)
        out.append(
            BreakthroughLimit(
                profile=pid,
                parent=parent,
                daughter=daughter,
                product=row["product"].strip(),
                default=to_bool(row["default"], where),
                limit=limit,
                rule=row["rule"].strip(),
                source=source,
                status=status,
                note=note,
            )
        )
    keys = [(r.profile, r.parent, r.product) for r in out]
    if len(keys) != len(set(keys)):
        raise ReferenceDataError(f"{BREAKTHROUGH_FILE}: duplicate (profile, parent, product) rows")
    for pid, parent in {(r.profile, r.parent) for r in out}:
        defaults = [r for r in out if r.profile == pid and r.parent == parent and r.default]
        if len(defaults) != 1:
            raise ReferenceDataError(f"{BREAKTHROUGH_FILE}: {pid}/{parent} needs exactly one default row")
    return tuple(out)


def breakthrough_limits() -> tuple[BreakthroughLimit, ...]:
    """All rows in file order."""
    return _rows()


def breakthrough_parents() -> tuple[str, ...]:
    return tuple(dict.fromkeys(r.parent for r in _rows()))


def generator_daughter(parent: str) -> str:
    """The eluate radionuclide a breakthrough parent is compared with: Mo-99 → Tc-99m, Sr-82/Sr-85 → Rb-82,
    Ge-68 → Ga-68. Unknown or non-generator nuclides raise :class:`InputError` (field ``parent``)."""
    try:
        name = get_nuclide(parent).name
    except InputError as exc:
        raise InputError(exc.message, "parent") from None
    for r in _rows():
        if r.parent == name:
            return r.daughter
    raise InputError(
        f"parent: {name} is not a generator breakthrough nuclide (choices: {', '.join(breakthrough_parents())})",
        "parent",
    )


def breakthrough_products(profile: str, parent: str) -> tuple[str, ...]:
    pid, name = get_profile(profile).id, get_nuclide(parent).name
    return tuple(r.product for r in _rows() if r.profile == pid and r.parent == name)


def get_breakthrough_limit(profile: str, parent: str, product: str | None = None) -> BreakthroughLimit:
    """The row for ``profile`` and ``parent`` (and ``product``, else the profile's default product).

    The row exists for every profile and shipped parent; its ``limit`` is None when the profile sets no
    number for the pair.
    """
    pid = get_profile(profile).id
    generator_daughter(parent)
    name = get_nuclide(parent).name
    rows = [r for r in _rows() if r.profile == pid and r.parent == name]
    if not rows:
        raise InputError(f"profile: {pid} has no breakthrough row for {name}", "profile")
    if product is None or not str(product).strip():
        return next(r for r in rows if r.default)
    key = str(product).strip().lower()
    for r in rows:
        if r.product.lower() == key:
            return r
    raise InputError(
        f"product: {product!r} is not a {name} product of profile {pid} "
        f"(choices: {', '.join(r.product for r in rows)})",
        "product",
    )
