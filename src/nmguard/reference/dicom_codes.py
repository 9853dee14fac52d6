"""DICOM coded concepts used by NMGuard's dose reports (``data/dicom_codes.csv``).

One row per concept: the current code (SCT, DCM, NCIt, UCUM for units, or NMGuard's private scheme ``99NMG``), the
retired SNOMED-RT (SRT) code(s) where they exist (``;``-separated: a concept may have had two), the
context group or template row it comes from, and a citation and status. Kinds:

- ``concept``: concept names of TID 10021 / 10022 / 1020 content items (key: a short name);
- ``radiopharmaceutical``: CID 25 / 4021 values (key: catalogue id, e.g. ``f18-fdg``);
- ``radionuclide``: CID 18 / 4020 values (key: canonical nuclide, e.g. ``Tc-99m``);
- ``route``: CID 11 values (key: catalogue route, e.g. ``iv``);
- ``site``: CID 3746 values (key: e.g. ``arm-vein``);
- ``procedure``: CID 3108 values; ``intent``: CID 3629 values.

Concept rows also hold the quantity and UCUM unit codes of image real-world value mappings (CID 7180 /
7181), e.g. ``absorbed_dose`` and ``unit_gy``.

Pure Python, no Django. Import by module path: ``from nmguard.reference.dicom_codes import ...``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from nmguard.reference._files import ReferenceDataError, read_csv
from nmguard.reference.citations import Citation, Status, get_citation

CODES_FILE = "dicom_codes.csv"
KINDS = frozenset({"concept", "radiopharmaceutical", "radionuclide", "route", "site", "procedure", "intent"})
SCHEMES = frozenset({"DCM", "SCT", "NCIt", "99NMG", "UCUM"})
#: NMGuard's private coding scheme (PS3.16: local designators start with "99").
LOCAL_SCHEME = "99NMG"
LEGACY_SCHEME = "SRT"


@dataclass(frozen=True)
class DicomCode:
    kind: str
    key: str
    scheme: str
    code: str
    meaning: str
    legacy_srt: tuple[str, ...]
    nuclide: str | None
    cid: str
    source: Citation
    status: Status
    note: str | None

    def matches(self, scheme: str, code: str) -> bool:
        """True for the current (scheme, code) or the legacy SRT code of this concept."""
        scheme, code = scheme.strip(), code.strip()
        if scheme == self.scheme and code == self.code:
            return True
        return scheme == LEGACY_SCHEME and code in self.legacy_srt

    @property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        """Every (scheme, code) that denotes this concept (current first, then SRT)."""
        return ((self.scheme, self.code), *((LEGACY_SCHEME, c) for c in self.legacy_srt))


@cache
def _rows() -> tuple[DicomCode, ...]:
    out: list[DicomCode] = []
    seen: set[tuple[str, str]] = set()
    for i, row in enumerate(read_csv(CODES_FILE), start=2):
        where = f"{CODES_FILE} line {i}"
        kind, key, scheme = row["kind"].strip(), row["key"].strip(), row["scheme"].strip()
        if kind not in KINDS:
            raise ReferenceDataError(f"{where}: kind {kind!r} not in {sorted(KINDS)}")
        if scheme not in SCHEMES:
            raise ReferenceDataError(f"{where}: scheme {scheme!r} not in {sorted(SCHEMES)}")
        if not key or not row["code"].strip() or not row["meaning"].strip():
            raise ReferenceDataError(f"{where}: empty key, code or meaning")
        if (kind, key) in seen:
            raise ReferenceDataError(f"{where}: duplicate {kind} {key!r}")
        seen.add((kind, key))
        if kind == "radiopharmaceutical" and not row["nuclide"].strip():
            raise ReferenceDataError(f"{where}: radiopharmaceutical without nuclide")
        out.append(
            DicomCode(
                kind=kind,
                key=key,
                scheme=scheme,
                code=row["code"].strip(),
                meaning=row["meaning"].strip(),
                legacy_srt=tuple(c.strip() for c in row["legacy_srt"].split(";") if c.strip()),
                nuclide=row["nuclide"].strip() or None,
                cid=row["cid"].strip(),
                source=get_citation(row["source"], where),
                status=Status.parse(row["status"], where),
                note=row["note"].strip() or None,
            )
        )
    return tuple(out)


def all_codes(kind: str | None = None) -> tuple[DicomCode, ...]:
    """All rows, or those of one kind, in file order."""
    return tuple(r for r in _rows() if kind is None or r.kind == kind)


def code_for(kind: str, key: str) -> DicomCode | None:
    """The row of ``kind`` with ``key``; None when the table has none."""
    for r in _rows():
        if r.kind == kind and r.key == key:
            return r
    return None


def concept(key: str) -> DicomCode:
    """A concept-name row that the code relies on; a missing one is a data bug."""
    row = code_for("concept", key)
    if row is None:
        raise ReferenceDataError(f"{CODES_FILE}: concept {key!r} missing")
    return row


def lookup(kind: str, scheme: str, code: str) -> DicomCode | None:
    """The first row of ``kind`` denoted by (scheme, code), SRT legacy codes included."""
    for r in _rows():
        if r.kind == kind and r.matches(scheme, code):
            return r
    return None
