"""Citations, status codes and sourced values: every shipped number carries all three.

Status codes follow REFERENCE_DATA.md "Status codes": ``verified`` (read verbatim in the cited
source), ``derived`` (recomputed from shipped inputs; the derivation is kept in ``note``),
``secondary`` (read in a public transcription), ``unverified`` (from memory; nothing read).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cache

from nmguard.reference._files import ReferenceDataError, read_toml

SOURCES_FILE = "sources.toml"


class Status(str, Enum):  # noqa: UP042 (interface fixed as str + Enum)
    VERIFIED = "verified"
    DERIVED = "derived"
    SECONDARY = "secondary"
    UNVERIFIED = "unverified"

    @classmethod
    def parse(cls, text: str, where: str = "") -> Status:
        try:
            return cls(text.strip())
        except ValueError:
            valid = ", ".join(s.value for s in cls)
            raise ReferenceDataError(f"{where}: status {text!r} is not one of {valid}") from None


@dataclass(frozen=True)
class Citation:
    id: str
    text: str
    url: str | None
    licence: str | None


@dataclass(frozen=True)
class SourcedValue:
    value: float
    unit: str
    source: Citation
    status: Status
    uncertainty: float | None = None
    note: str | None = None


@cache
def citations() -> dict[str, Citation]:
    """All citations of ``sources.toml`` by id."""
    table = read_toml(SOURCES_FILE)
    out: dict[str, Citation] = {}
    for cid, entry in table.items():
        text = " ".join(str(entry.get("text", "")).split())
        if not text:
            raise ReferenceDataError(f"{SOURCES_FILE}: citation {cid!r} has no text")
        out[cid] = Citation(id=cid, text=text, url=entry.get("url") or None, licence=entry.get("licence") or None)
    return out


def get_citation(cid: str, where: str = "") -> Citation:
    """The citation ``cid``; a missing or unknown id is a data bug."""
    key = cid.strip()
    if not key:
        raise ReferenceDataError(f"{where}: empty source id")
    try:
        return citations()[key]
    except KeyError:
        raise ReferenceDataError(f"{where}: source id {key!r} is not in {SOURCES_FILE}") from None
