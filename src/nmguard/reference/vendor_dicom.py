"""How the study reader treats what vendors write (``data/vendor_dicom.toml``).

The unit of Radionuclide Total Dose per IOD (MBq in NM, Bq in PET), the largest table tilt resampled onto
the axial grid, the coding-scheme designators that carry SNOMED-RT codes (Siemens ``99SDM``), and the
radiopharmaceuticals (MAA, microspheres) whose counts may be normalised to the injected activity. Every
value has a source and a status. Pure Python, no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from nmguard.reference._files import ReferenceDataError, read_toml
from nmguard.reference._sourced import sourced, sourced_entry
from nmguard.reference.citations import SourcedValue

VENDOR_FILE = "vendor_dicom.toml"


@dataclass(frozen=True)
class SourcedNames:
    """A list of names with the citation that justifies it."""

    names: tuple[str, ...]
    source: SourcedValue  # value 1, unit "", for the citation, status and note


@dataclass(frozen=True)
class VendorDicom:
    total_dose_Bq_per_unit: dict[str, SourcedValue]  # modality (NM, PT) -> Bq per stored unit
    nm_max_plausible_MBq: SourcedValue
    max_tilt_deg: SourcedValue
    srt_alias_schemes: SourcedNames
    trapped_radiopharmaceuticals: SourcedNames


def _names(entry: object, where: str) -> SourcedNames:
    if not isinstance(entry, dict) or not isinstance(entry.get("value"), list) or not entry["value"]:
        raise ReferenceDataError(f"{where}: a non-empty list 'value' with source and status is required")
    names = tuple(str(v).strip() for v in entry["value"] if str(v).strip())
    return SourcedNames(names, sourced(1.0, "", entry["source"], entry["status"], where, entry.get("note")))


def _entry(table: dict, section: str, key: str) -> SourcedValue:
    entry = (table.get(section) or {}).get(key)
    where = f"{VENDOR_FILE} [{section}].{key}"
    if not isinstance(entry, dict):
        raise ReferenceDataError(f"{where}: missing")
    value = sourced_entry(entry, where)
    if not value.value > 0:
        raise ReferenceDataError(f"{where}: must be positive")
    return value


@cache
def vendor_dicom() -> VendorDicom:
    """The vendor-DICOM reading rules, validated once."""
    table = read_toml(VENDOR_FILE)
    return VendorDicom(
        total_dose_Bq_per_unit={m: _entry(table, "total_dose_unit", m) for m in ("NM", "PT")},
        nm_max_plausible_MBq=_entry(table, "total_dose_unit", "nm_max_plausible_MBq"),
        max_tilt_deg=_entry(table, "tilt", "max_deg"),
        srt_alias_schemes=_names(
            (table.get("radionuclide_code_schemes") or {}).get("srt_aliases"),
            f"{VENDOR_FILE} [radionuclide_code_schemes].srt_aliases",
        ),
        trapped_radiopharmaceuticals=_names(
            (table.get("count_normalisation") or {}).get("trapped_radiopharmaceuticals"),
            f"{VENDOR_FILE} [count_normalisation].trapped_radiopharmaceuticals",
        ),
    )
