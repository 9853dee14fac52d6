"""The nuclide table: half-life, decay branches, mean energies, photon lines, air-kerma constant.

Data files (``data/``): ``nuclides.csv`` (one row per nuclide), ``decay_branches.csv``,
``photon_lines.csv``; each row names its source (``sources.toml``) and status. The mean electron
energy comes from ``electron_energy.csv`` (ENSDF-derived) where that row is usable, else from the
placeholder in ``nuclides.csv``. The mean photon
energy and the air-kerma-rate constant are derived here from the shipped photon lines.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from nmguard.errors import UnknownNuclideError
from nmguard.reference._files import ReferenceDataError, read_csv
from nmguard.reference.air_kerma import (
    AIR_KERMA_UNIT,
    air_kerma_rate_constant,
    air_table,
)
from nmguard.reference.citations import Citation, SourcedValue, Status, get_citation
from nmguard.reference.electron_energy import derived_electron_energy

NUCLIDES_FILE = "nuclides.csv"
BRANCHES_FILE = "decay_branches.csv"
LINES_FILE = "photon_lines.csv"

DECAY_MODES = frozenset({"IT", "B-", "B+", "EC", "B+/EC", "A", "SF"})
PHOTON_KINDS = frozenset({"gamma", "xray", "annihilation"})
DERIVATION_SOURCE = "nmguard-derivation"

#: seconds per half-life unit used in the data files; "a" is the Julian year (365.25 d).
SECONDS_PER_UNIT = {
    "s": 1.0,
    "min": 60.0,
    "h": 3600.0,
    "d": 86400.0,
    "a": 365.25 * 86400.0,
}


@dataclass(frozen=True)
class DecayBranch:
    mode: str
    fraction: float
    daughter: str | None
    source: Citation
    status: Status


@dataclass(frozen=True)
class PhotonLine:
    energy_keV: float
    yield_per_decay: float
    kind: str
    source: Citation
    status: Status


@dataclass(frozen=True)
class Nuclide:
    name: str
    half_life: SourcedValue
    decay_branches: tuple[DecayBranch, ...]
    mean_electron_energy: SourcedValue
    mean_photon_energy: SourcedValue
    air_kerma_rate_constant: SourcedValue
    photon_lines: tuple[PhotonLine, ...]

    @property
    def half_life_s(self) -> float:
        return self.half_life.value

    @property
    def decay_constant_per_s(self) -> float:
        return math.log(2.0) / self.half_life.value

    def branch_fraction_to(self, daughter: str) -> float:
        """Sum of the branch fractions leading to ``daughter`` (any spelling); 0.0 if none."""
        target = _canonical_form(daughter) or daughter.strip()
        return sum(b.fraction for b in self.decay_branches if b.daughter == target)

    def sources(self) -> tuple[Citation, ...]:
        """Distinct citations behind this nuclide's values, in first-use order."""
        seen: dict[str, Citation] = {}
        values = (
            self.half_life,
            self.mean_electron_energy,
            self.mean_photon_energy,
            self.air_kerma_rate_constant,
        )
        for c in [v.source for v in values]:
            seen.setdefault(c.id, c)
        for c in [b.source for b in self.decay_branches] + [p.source for p in self.photon_lines]:
            seen.setdefault(c.id, c)
        if self.photon_lines:  # the air-kerma derivation also rests on the air table
            seen.setdefault(air_table().source.id, air_table().source)
        return tuple(seen.values())


# --------------------------------------------------------------------------- names

_SYMBOL_FIRST = re.compile(r"^([A-Za-z]{1,2})[\s_-]*(\d{1,3})[\s_-]*([mM]\d?)?$")
_MASS_FIRST = re.compile(r"^(\d{1,3})[\s_-]*([mM]\d?)?[\s_-]*([A-Za-z]{1,2})$")
_MASS_FIRST_NO_META = re.compile(r"^(\d{1,3})()[\s_-]*([A-Za-z]{1,2})$")


def _canonical_form(text: str) -> str | None:
    """The most likely canonical reading of ``text``, None when unparsable (see :func:`_canonical_forms`)."""
    forms = _canonical_forms(text)
    return forms[0] if forms else None


def _canonical_forms(text: str) -> list[str]:
    """``"99mTc"``, ``"TC99M"``, ``"tc-99m"`` ... -> ``["Tc-99m"]``; every reading of an ambiguous text
    (``"99Mo"`` is molybdenum-99, not a metastable oxygen), most likely first; empty when unparsable."""
    s = text.strip()
    m = _SYMBOL_FIRST.match(s)
    if m:
        symbol, mass, meta = m.group(1), m.group(2), m.group(3)
        return [f"{symbol.capitalize()}-{int(mass)}{meta.lower() if meta else ''}"]
    forms = []
    for pattern in (_MASS_FIRST, _MASS_FIRST_NO_META):
        m = pattern.match(s)
        if m:
            mass, meta, symbol = m.group(1), m.group(2), m.group(3)
            forms.append(f"{symbol.capitalize()}-{int(mass)}{meta.lower() if meta else ''}")
    return list(dict.fromkeys(forms))


def normalize_nuclide_name(text: str) -> str:
    """Canonical name of a nuclide in the table, e.g. ``"99mTc"`` -> ``"Tc-99m"``.

    Raises :class:`UnknownNuclideError` when the text cannot be read as a nuclide or the
    nuclide is not in the table; the message gives a hint.
    """
    if not isinstance(text, str) or not text.strip():
        raise UnknownNuclideError("empty nuclide name; write it like 'Tc-99m' or 'F-18'", field="nuclide")
    forms = _canonical_forms(text)
    table = _table()
    canonical = next((f for f in forms if f in table), forms[0] if forms else None)
    if canonical is None:
        raise UnknownNuclideError(
            f"cannot read {text!r} as a nuclide; write it like 'Tc-99m', '99mTc' or 'F-18'",
            field="nuclide",
        )
    if canonical not in table:
        element = canonical.split("-")[0]
        same = [n for n in table if n.split("-")[0] == element]
        hint = f"known {element} nuclides: {', '.join(same)}" if same else f"known nuclides: {', '.join(sorted(table))}"
        raise UnknownNuclideError(f"nuclide {canonical!r} is not in the reference data; {hint}", field="nuclide")
    return canonical


def get_nuclide(name: str) -> Nuclide:
    """The nuclide ``name`` (any accepted spelling)."""
    return _table()[normalize_nuclide_name(name)]


def all_nuclides() -> tuple[Nuclide, ...]:
    """All nuclides in file order."""
    return tuple(_table().values())


# --------------------------------------------------------------------------- loading


def _float(row: dict[str, str], key: str, where: str) -> float:
    try:
        return float(row[key])
    except (KeyError, ValueError):
        raise ReferenceDataError(f"{where}: column {key!r} is not a number: {row.get(key)!r}") from None


def _branches() -> dict[str, list[DecayBranch]]:
    out: dict[str, list[DecayBranch]] = defaultdict(list)
    for i, row in enumerate(read_csv(BRANCHES_FILE), start=2):
        where = f"{BRANCHES_FILE} line {i}"
        mode = row["mode"].strip()
        if mode not in DECAY_MODES:
            raise ReferenceDataError(f"{where}: decay mode {mode!r} not in {sorted(DECAY_MODES)}")
        fraction = _float(row, "fraction", where)
        if not 0.0 < fraction <= 1.0:
            raise ReferenceDataError(f"{where}: fraction {fraction} outside (0, 1]")
        out[row["parent"].strip()].append(
            DecayBranch(
                mode=mode,
                fraction=fraction,
                daughter=row["daughter"].strip() or None,
                source=get_citation(row["source"], where),
                status=Status.parse(row["status"], where),
            )
        )
    return out


def _lines() -> dict[str, list[PhotonLine]]:
    out: dict[str, list[PhotonLine]] = defaultdict(list)
    for i, row in enumerate(read_csv(LINES_FILE), start=2):
        where = f"{LINES_FILE} line {i}"
        kind = row["kind"].strip()
        if kind not in PHOTON_KINDS:
            raise ReferenceDataError(f"{where}: kind {kind!r} not in {sorted(PHOTON_KINDS)}")
        energy = _float(row, "energy_keV", where)
        y = _float(row, "yield_per_decay", where)
        if energy <= 0 or y <= 0 or y > 2.0:
            raise ReferenceDataError(f"{where}: energy {energy} keV / yield {y} implausible")
        out[row["nuclide"].strip()].append(
            PhotonLine(
                energy_keV=energy,
                yield_per_decay=y,
                kind=kind,
                source=get_citation(row["source"], where),
                status=Status.parse(row["status"], where),
            )
        )
    return out


def _half_life(row: dict[str, str], where: str) -> SourcedValue:
    unit = row["half_life_unit"].strip()
    if unit not in SECONDS_PER_UNIT:
        raise ReferenceDataError(f"{where}: half-life unit {unit!r} not in {list(SECONDS_PER_UNIT)}")
    factor = SECONDS_PER_UNIT[unit]
    value = _float(row, "half_life", where)
    unc_text = row["half_life_uncertainty"].strip()
    note = f"{row['half_life']} {unit}" + (f" ({unc_text} {unit})" if unc_text else "")
    if row.get("half_life_note", "").strip():
        note += f"; {row['half_life_note'].strip()}"
    return SourcedValue(
        value=value * factor,
        unit="s",
        source=get_citation(row["half_life_source"], where),
        status=Status.parse(row["half_life_status"], where),
        uncertainty=float(unc_text) * factor if unc_text else None,
        note=note,
    )


def _electron(row: dict[str, str], where: str) -> SourcedValue:
    if row["mean_electron_energy_unit"].strip() != "MeV":
        raise ReferenceDataError(f"{where}: mean electron energy must be in MeV")
    return SourcedValue(
        value=_float(row, "mean_electron_energy", where),
        unit="MeV",
        source=get_citation(row["mean_electron_energy_source"], where),
        status=Status.parse(row["mean_electron_energy_status"], where),
        note=row.get("mean_electron_energy_note", "").strip() or None,
    )


def mean_photon_energy_MeV(lines: tuple[PhotonLine, ...]) -> float:
    """Sum of yield x energy over ``lines``, in MeV per decay."""
    return sum(p.yield_per_decay * p.energy_keV for p in lines) / 1000.0


def _derived_photon_values(
    lines: tuple[PhotonLine, ...], cutoff_keV: float, caveat: str = ""
) -> tuple[SourcedValue, SourcedValue]:
    derivation = get_citation(DERIVATION_SOURCE)
    n = len(lines)
    mean = SourcedValue(
        value=mean_photon_energy_MeV(lines),
        unit="MeV",
        source=derivation,
        status=Status.DERIVED,
        note=(
            f"sum of yield x energy over the {n} shipped photon lines (photon_lines.csv, "
            "yield >= 1e-5 per decay); omitted lines and bremsstrahlung are not included"
        ),
    )
    gamma = SourcedValue(
        value=air_kerma_rate_constant(((p.energy_keV, p.yield_per_decay) for p in lines), cutoff_keV),
        unit=AIR_KERMA_UNIT,
        source=derivation,
        status=Status.DERIVED,
        note=(
            f"delta = {cutoff_keV:g} keV; Gamma_delta = sum over shipped lines with E >= delta of "
            "Y E (mu_en/rho)_air(E) / (4 pi), mu_en/rho log-log interpolated in "
            "air_mass_energy_absorption.csv (NIST SRD 126); point source in vacuum, "
            "no bremsstrahlung"
        )
        + (f"; {caveat}" if caveat else ""),
    )
    return mean, gamma


@cache
def _table() -> dict[str, Nuclide]:
    branches = _branches()
    lines = _lines()
    table: dict[str, Nuclide] = {}
    for i, row in enumerate(read_csv(NUCLIDES_FILE), start=2):
        where = f"{NUCLIDES_FILE} line {i}"
        name = row["name"].strip()
        if _canonical_form(name) != name:
            raise ReferenceDataError(f"{where}: {name!r} is not a canonical nuclide name")
        if name in table:
            raise ReferenceDataError(f"{where}: duplicate nuclide {name!r}")
        nuclide_lines = tuple(sorted(lines.get(name, []), key=lambda p: p.energy_keV))
        mean_photon, gamma = _derived_photon_values(
            nuclide_lines,
            _float(row, "air_kerma_cutoff_keV", where),
            row.get("air_kerma_note", "").strip(),
        )
        table[name] = Nuclide(
            name=name,
            half_life=_half_life(row, where),
            decay_branches=tuple(branches.get(name, [])),
            mean_electron_energy=derived_electron_energy(name) or _electron(row, where),
            mean_photon_energy=mean_photon,
            air_kerma_rate_constant=gamma,
            photon_lines=nuclide_lines,
        )
    orphans = (set(branches) | set(lines)) - set(table)
    if orphans:
        raise ReferenceDataError(f"branches or lines for nuclides not in the table: {orphans}")
    return table
