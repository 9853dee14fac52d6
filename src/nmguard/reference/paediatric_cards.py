"""Paediatric activity tables: EANM dosage card 2016 and North American consensus 2016.

EANM card (``eanm_card_2016_multiples.csv``, ``eanm_card_2016_baselines.csv``): a STEP table. Each
card row covers the band ``band_from_kg <= weight < band_to_kg`` where ``band_to_kg`` is the next
row's weight; a weight between two rows uses the lower row (e.g. 53 kg and 55 kg use the
'52-54 kg' row, 5 kg uses the 4 kg row). Weights below 3 kg are not on the card; the top row
(68 kg) covers 68 <= weight < 70 kg; above it ``rules.paediatric`` holds the top row's activity.

North American consensus (``na_consensus_2016.csv``): MBq/kg with minimum and maximum; edition
2016 update. Rows not read in a 2016 source are marked unverified (see ``intended-na-consensus-2016``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from nmguard.errors import InputError
from nmguard.reference._files import ReferenceDataError, read_csv
from nmguard.reference._sourced import opt_float, sourced, to_bool, to_float
from nmguard.reference.citations import SourcedValue
from nmguard.reference.radiopharmaceuticals import get_radiopharmaceutical

MULTIPLES_FILE = "eanm_card_2016_multiples.csv"
BASELINES_FILE = "eanm_card_2016_baselines.csv"
NA_FILE = "na_consensus_2016.csv"
EANM_CLASSES = ("A", "B", "C")


@dataclass(frozen=True)
class EanmWeightBand:
    card_row_kg: float
    band_from_kg: float
    band_to_kg: float  # exclusive
    multiples: dict[str, SourcedValue]  # class -> multiple (dimensionless)
    note: str | None

    def contains(self, weight_kg: float) -> bool:
        return self.band_from_kg <= weight_kg < self.band_to_kg

    @property
    def label(self) -> str:
        return (
            self.note.removeprefix("card row ")
            if self.note and self.note.startswith("card row")
            else f"{self.card_row_kg:g} kg"
        )


@dataclass(frozen=True)
class EanmBaseline:
    radiopharmaceutical_id: str
    indication: str
    default_indication: bool
    eanm_class: str
    baseline: SourcedValue  # MBq
    minimum: SourcedValue  # MBq


@dataclass(frozen=True)
class NaConsensusEntry:
    radiopharmaceutical_id: str
    indication: str
    default_indication: bool
    per_kg: SourcedValue  # MBq/kg (the lower end where the guideline gives a range)
    per_kg_max: float | None
    minimum: SourcedValue | None  # MBq
    maximum: SourcedValue | None  # MBq


@cache
def eanm_weight_bands() -> tuple[EanmWeightBand, ...]:
    bands: list[EanmWeightBand] = []
    for i, row in enumerate(read_csv(MULTIPLES_FILE), start=2):
        where = f"{MULTIPLES_FILE} line {i}"
        multiples = {
            c: sourced(to_float(row[f"class_{c}"], where), "1", row["source"], row["status"], where)
            for c in EANM_CLASSES
        }
        band = EanmWeightBand(
            card_row_kg=to_float(row["card_row_kg"], where),
            band_from_kg=to_float(row["band_from_kg"], where),
            band_to_kg=to_float(row["band_to_kg"], where),
            multiples=multiples,
            note=row.get("note", "").strip() or None,
        )
        if bands and band.band_from_kg != bands[-1].band_to_kg:
            raise ReferenceDataError(f"{where}: band does not start where the previous one ends")
        if band.band_to_kg <= band.band_from_kg:
            raise ReferenceDataError(f"{where}: empty band")
        bands.append(band)
    return tuple(bands)


def eanm_band_for(weight_kg: float) -> EanmWeightBand | None:
    """The card row whose band holds ``weight_kg``; ``None`` outside the card (below 3 or from 70 kg)."""
    for band in eanm_weight_bands():
        if band.contains(weight_kg):
            return band
    return None


@cache
def _baselines() -> tuple[EanmBaseline, ...]:
    out: list[EanmBaseline] = []
    for i, row in enumerate(read_csv(BASELINES_FILE), start=2):
        where = f"{BASELINES_FILE} line {i}"
        cls = row["class"].strip().upper()
        if cls not in EANM_CLASSES:
            raise ReferenceDataError(f"{where}: class {cls!r}")
        out.append(
            EanmBaseline(
                radiopharmaceutical_id=get_radiopharmaceutical(row["radiopharmaceutical_id"]).id,
                indication=row["indication"].strip(),
                default_indication=to_bool(row["default_indication"], where),
                eanm_class=cls,
                baseline=sourced(
                    to_float(row["baseline_MBq"], where), "MBq", row["source"], row["status"], where, row.get("note")
                ),
                minimum=sourced(to_float(row["minimum_MBq"], where), "MBq", row["source"], row["status"], where),
            )
        )
    _check_defaults(out, BASELINES_FILE)
    return tuple(out)


@cache
def _na() -> tuple[NaConsensusEntry, ...]:
    out: list[NaConsensusEntry] = []
    for i, row in enumerate(read_csv(NA_FILE), start=2):
        where = f"{NA_FILE} line {i}"
        src, st, note = row["source"], row["status"], row.get("note")
        lo, hi = opt_float(row["minimum_MBq"], where), opt_float(row["maximum_MBq"], where)
        out.append(
            NaConsensusEntry(
                radiopharmaceutical_id=get_radiopharmaceutical(row["radiopharmaceutical_id"]).id,
                indication=row["indication"].strip(),
                default_indication=to_bool(row["default_indication"], where),
                per_kg=sourced(to_float(row["MBq_per_kg"], where), "MBq/kg", src, st, where, note),
                per_kg_max=opt_float(row["MBq_per_kg_max"], where),
                minimum=None if lo is None else sourced(lo, "MBq", src, st, where),
                maximum=None if hi is None else sourced(hi, "MBq", src, st, where),
            )
        )
    _check_defaults(out, NA_FILE)
    return tuple(out)


def _check_defaults(rows: list, name: str) -> None:
    by_rp: dict[str, list] = {}
    for r in rows:
        by_rp.setdefault(r.radiopharmaceutical_id, []).append(r)
    for rp, entries in by_rp.items():
        if sum(e.default_indication for e in entries) != 1:
            raise ReferenceDataError(f"{name}: {rp} needs exactly one default indication")
        if len({e.indication for e in entries}) != len(entries):
            raise ReferenceDataError(f"{name}: {rp} has a duplicate indication")


def _pick(rows: tuple, rp: str, indication: str | None, card: str):
    product = get_radiopharmaceutical(rp)
    mine = [r for r in rows if r.radiopharmaceutical_id == product.id]
    if not mine:
        raise InputError(f"the {card} card has no entry for {product.id}", field="radiopharmaceutical")
    if indication is None or not str(indication).strip():
        return next(r for r in mine if r.default_indication)
    key = str(indication).strip().lower().replace(" ", "-").replace("_", "-")
    for r in mine:
        if r.indication == key:
            return r
    choices = ", ".join(r.indication for r in mine)
    raise InputError(
        f"the {card} card has no indication {indication!r} for {product.id} (choices: {choices})", field="indication"
    )


def eanm_baselines(rp: str | None = None) -> tuple[EanmBaseline, ...]:
    rows = _baselines()
    return rows if rp is None else tuple(r for r in rows if r.radiopharmaceutical_id == get_radiopharmaceutical(rp).id)


def eanm_baseline(rp: str, indication: str | None = None) -> EanmBaseline:
    """The EANM 2016 baseline entry; without ``indication`` the row marked as default."""
    return _pick(_baselines(), rp, indication, "EANM 2016")


def na_consensus_entries(rp: str | None = None) -> tuple[NaConsensusEntry, ...]:
    rows = _na()
    return rows if rp is None else tuple(r for r in rows if r.radiopharmaceutical_id == get_radiopharmaceutical(rp).id)


def na_consensus_entry(rp: str, indication: str | None = None) -> NaConsensusEntry:
    """The North American consensus (2016 update) entry; without ``indication`` the default row."""
    return _pick(_na(), rp, indication, "North American consensus 2016")
