"""DICOM Radiopharmaceutical Radiation Dose SR (RRDSR): build one per administration, import others.

Content tree (DICOM PS3.16 TID 10021 root, TID 10022 administration event; concept codes and their
citations in ``reference/data/dicom_codes.csv``)::

    CONTAINER (113500, DCM) Radiopharmaceutical Radiation Dose Report        [TID 10021]
      HAS CONCEPT MOD  CODE Associated Procedure (DCID 3108)
        HAS CONCEPT MOD  CODE Has Intent (DCID 3629)
      CONTAINS CONTAINER (113502, DCM) Radiopharmaceutical Administration    [TID 10022]
        CONTAINS CODE Radiopharmaceutical agent (DCID 25 / 4021)
          HAS PROPERTIES CODE Radionuclide (DCID 18 / 4020)
          HAS PROPERTIES NUM Radionuclide Half Life [s]
          HAS PROPERTIES TEXT product name (99NMG)                           [extension]
        CONTAINS NUM Radiopharmaceutical Specific Activity [Bq/mmol]         (if known)
        CONTAINS UIDREF Radiopharmaceutical Administration Event UID
        CONTAINS DATETIME Radiopharmaceutical Start DateTime / Stop DateTime
        CONTAINS NUM Administered activity [MBq]
        CONTAINS NUM Radiopharmaceutical Volume [cm3]                        (if known)
        CONTAINS NUM Pre- / Post-Administration Measured Activity [MBq]      (Observation DateTime)
          HAS OBS CONTEXT CODE Activity Measurement Device = Dose Calibrator
        CONTAINS PNAME Person Name (TID 1020), HAS PROPERTIES Person Role in Procedure =
          Irradiation Administering
        CONTAINS CODE Route of administration (DCID 11)
          HAS PROPERTIES CODE Site of (CID 3746)  [+ TEXT site, 99NMG, when the site is free text]
      CONTAINS NUM Effective Dose [mSv], HAS PROPERTIES TEXT Reference Authority   [extension]
      CONTAINS TEXT Comment

Effective dose: TID 10021 has no effective-dose row and TID 10023 holds organ doses only, so the
effective dose (with its method, e.g. "ICRP 128, adult") is written as an extension of the
extensible TID 10021 with the DCM concept (113839, "Effective Dose"); a reader that does not know
it may ignore it. Organ doses (TID 10023) and TID 10024 patient characteristics are not written;
patient weight and height go in the Patient Study module (PatientWeight in kg, PatientSize in m).

Recording device: PS3.3 Table A.35.14-2 allows HAS OBS CONTEXT only below TEXT, CODE and NUM
items (DCMTK enforces it), so no TID 1002 observer context can sit at the root; the recording
system is named in the equipment modules instead (Device Serial Number = ``device_observer_uid``,
Station Name = ``device_observer_name``, first 16 characters).

SOP class: highdicom's SR document classes (EnhancedSR, ComprehensiveSR, Comprehensive3DSR) fix
their SOP class and their constructor requires evidence instances, so none of them can produce an
RRDSR honestly. :class:`RadiopharmaceuticalRadiationDoseSR` therefore subclasses highdicom's
public :class:`highdicom.SOPClass` with the RRDSR SOP class UID: SOPClass writes the SOP Common,
Patient, General Study, General/SR Document Series and General Equipment modules and consults the
RRDSR IOD module table (highdicom's copy of PS3.3) for Content Date/Time. This class adds the SR
Document General and SR Document Content modules, fills the Enhanced General Equipment module
(mandatory in this IOD: Manufacturer, Manufacturer's Model Name, Device Serial Number, Software
Versions) and checks the IOD's content constraints (PS3.3 A.35.14: value types TEXT, CODE, NUM,
DATETIME, UIDREF, PNAME, CONTAINER only; by-value relationships only).

Why one module of about 790 lines: building and parsing TID 10021 use the same content tree and codes; kept together
so that what NMGuard writes it can read back.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from pathlib import Path

import highdicom as hd
import pydicom
from highdicom.sr import (
    CodeContentItem,
    ContainerContentItem,
    ContentSequence,
    DateTimeContentItem,
    NumContentItem,
    PnameContentItem,
    TextContentItem,
    UIDRefContentItem,
)
from pydicom.dataset import Dataset
from pydicom.sr.coding import Code
from pydicom.uid import generate_uid
from pydicom.valuerep import DT, DSfloat

from nmguard import __version__
from nmguard.errors import InputError
from nmguard.exchange.dicom.administration_report import RadiopharmaceuticalAdministration
from nmguard.imaging.dicom_files import read_dicom
from nmguard.reference import get_nuclide, normalize_nuclide_name
from nmguard.reference.dicom_codes import LOCAL_SCHEME, DicomCode, all_codes, code_for, concept, lookup

RRDSR_SOP_CLASS_UID = "1.2.840.10008.5.1.4.1.1.88.68"
ALLOWED_VALUE_TYPES = frozenset({"TEXT", "CODE", "NUM", "DATETIME", "UIDREF", "PNAME", "CONTAINER"})
MANUFACTURER = "NMGuard"

_UCUM_ACTIVITY_TO_MBQ = {"MBq": 1.0, "Bq": 1e-6, "kBq": 1e-3, "GBq": 1e3, "mCi": 37.0, "uCi": 0.037}


# --------------------------------------------------------------------------- codes


def _code(row: DicomCode) -> Code:
    return Code(value=row.code, scheme_designator=row.scheme, meaning=row.meaning)


def _c(key: str) -> Code:
    return _code(concept(key))


def _ucum(unit: str, meaning: str | None = None) -> Code:
    return Code(value=unit, scheme_designator="UCUM", meaning=meaning or unit)


def _mbq(bq: float) -> float:
    return bq / 1e6


def _num(name: str, value: float, unit: Code, relationship: str) -> NumContentItem:
    return NumContentItem(name=_c(name), value=value, unit=unit, relationship_type=relationship)


def _in_zone(value: dt.datetime, zone: dt.tzinfo | None) -> dt.datetime:
    """``value`` as a naive time in the document's zone (its TimezoneOffsetFromUTC).

    DT values are written without their own offset: DCMTK 3.6.7 (dsrdump) rejects a DT whose
    offset is "+0000", which the standard allows; with TimezoneOffsetFromUTC set, an offset-less
    DT means the same instant to every reader (PS3.5 DT; PS3.3 C.12.1.1.8).
    """
    return value.astimezone(zone).replace(tzinfo=None)


def _with_children(item: Dataset, children: Iterable[Dataset]) -> Dataset:
    kids = list(children)
    if kids:
        item.ContentSequence = ContentSequence(kids)
    return item


def _site_row(site: str) -> DicomCode | None:
    text = site.strip().lower()
    for row in all_codes("site"):
        if text in {row.key, row.meaning.lower()}:
            return row
    return None


# --------------------------------------------------------------------------- the SOP class


class RadiopharmaceuticalRadiationDoseSR(hd.SOPClass):
    """A Radiopharmaceutical Radiation Dose SR instance (SOP class 1.2.840.10008.5.1.4.1.1.88.68).

    ``content`` is the TID 10021 root container (no relationship type). See the module docstring
    for why this subclasses :class:`highdicom.SOPClass` rather than an SR document class.
    """

    def __init__(
        self,
        content: Dataset,
        *,
        patient_id: str,
        patient_name: str,
        patient_birth_date: dt.date,
        patient_sex: str,
        study_instance_uid: str,
        accession_number: str | None,
        study_datetime: dt.datetime,
        content_datetime: dt.datetime,
        series_instance_uid: str,
        series_number: int,
        sop_instance_uid: str,
        instance_number: int,
        institution_name: str,
        device_serial_number: str,
        station_name: str | None = None,
        coding_schemes: list[hd.coding_schemes.CodingSchemeIdentificationItem] | None = None,
        specific_character_set: str | None = None,
        patient_weight_kg: float | None = None,
        patient_height_m: float | None = None,
    ) -> None:
        super().__init__(
            study_instance_uid=study_instance_uid,
            series_instance_uid=series_instance_uid,
            series_number=series_number,
            sop_instance_uid=sop_instance_uid,
            sop_class_uid=RRDSR_SOP_CLASS_UID,
            instance_number=instance_number,
            modality="SR",
            manufacturer=MANUFACTURER,
            manufacturer_model_name="NMGuard",
            software_versions=__version__,
            device_serial_number=device_serial_number,
            institution_name=institution_name,
            patient_id=patient_id,
            patient_name=patient_name,
            patient_birth_date=patient_birth_date,
            patient_sex=patient_sex,
            accession_number=accession_number,
            study_id=None,
            study_date=study_datetime.date(),
            study_time=study_datetime.time(),
            referring_physician_name=None,
            coding_schemes=coding_schemes,
            content_date=content_datetime.date(),
            content_time=content_datetime.time(),
            specific_character_set=specific_character_set,
        )
        offset = content_datetime.utcoffset()
        if offset is not None:
            minutes = int(offset.total_seconds() // 60)
            sign = "+" if minutes >= 0 else "-"
            self.TimezoneOffsetFromUTC = f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
        if station_name:
            self.StationName = station_name[:16]
        # Patient Study module (U in this IOD): weight in kg, size (height) in m.
        if patient_weight_kg is not None:
            self.PatientWeight = DSfloat(patient_weight_kg, auto_format=True)
        if patient_height_m is not None:
            self.PatientSize = DSfloat(patient_height_m, auto_format=True)
        # SR Document Series: Type 2 sequence.
        self.ReferencedPerformedProcedureStepSequence = []
        # SR Document General module.
        self.CompletionFlag = "COMPLETE"
        self.VerificationFlag = "UNVERIFIED"
        self.PerformedProcedureCodeSequence = []
        # SR Document Content module: the root content item's attributes live in the dataset.
        if "RelationshipType" in content:
            raise ValueError("the root content item has no relationship type")
        for element in content:
            self[element.tag] = element
        _check_iod_constraints(self)


def _check_iod_constraints(ds: Dataset) -> None:
    """PS3.3 A.35.14 content constraints of the RRDSR IOD; a violation is a bug in this module."""

    def walk(items: Iterable[Dataset], path: str) -> None:
        for i, item in enumerate(items, start=1):
            where = f"{path}.{i}"
            if item.ValueType not in ALLOWED_VALUE_TYPES:
                raise ValueError(f"content item {where}: value type {item.ValueType} not allowed in an RRDSR")
            if "ReferencedContentItemIdentifier" in item:
                raise ValueError(f"content item {where}: by-reference relationship not allowed in an RRDSR")
            walk(item.get("ContentSequence", []), where)

    if ds.ValueType != "CONTAINER":
        raise ValueError("RRDSR root content item must be a CONTAINER")
    walk(ds.get("ContentSequence", []), "1")


# --------------------------------------------------------------------------- build


def build_rrdsr(
    admin: RadiopharmaceuticalAdministration,
    *,
    institution_name: str,
    device_observer_uid: str,
    device_observer_name: str,
    series_number: int = 1,
    instance_number: int = 1,
    content_datetime: dt.datetime | None = None,
) -> Dataset:
    """An RRDSR (TID 10021 / 10022) for one administration, as a pydicom Dataset with file meta.

    Raises :class:`InputError` for arguments that cannot go into the report (an empty institution
    name, a bad device UID, a catalogue id whose nuclide disagrees with the administration's).
    """
    if not isinstance(admin, RadiopharmaceuticalAdministration):
        raise InputError("admin must be a RadiopharmaceuticalAdministration", field="admin")
    if not isinstance(institution_name, str) or not institution_name.strip() or len(institution_name) > 64:
        raise InputError("institution_name must be 1-64 characters", field="institution_name")
    if (
        not isinstance(device_observer_uid, str)
        or not re.fullmatch(r"[0-9]+(\.[0-9]+)*", device_observer_uid)
        or (len(device_observer_uid) > 64)
    ):
        raise InputError(f"device_observer_uid {device_observer_uid!r} is not a DICOM UID", field="device_observer_uid")
    if not isinstance(device_observer_name, str) or not device_observer_name.strip():
        raise InputError("device_observer_name must be non-empty text", field="device_observer_name")
    for name, value in (("series_number", series_number), ("instance_number", instance_number)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InputError(f"{name} must be a positive integer", field=name)
    if content_datetime is None:
        content_datetime = dt.datetime.now(admin.administration_start.tzinfo)
    elif content_datetime.tzinfo is None:
        raise InputError("content_datetime must carry a time zone", field="content_datetime")

    local_schemes = False

    # Radiopharmaceutical agent: the catalogue's DICOM code, or a private code with the product name.
    agent_row = code_for("radiopharmaceutical", admin.radiopharmaceutical_id) if admin.radiopharmaceutical_id else None
    if agent_row is not None:
        if normalize_nuclide_name(agent_row.nuclide or "") != admin.nuclide:
            raise InputError(
                f"radiopharmaceutical {admin.radiopharmaceutical_id!r} is a {agent_row.nuclide} product, "
                f"but the administration names {admin.nuclide}",
                field="nuclide",
            )
        agent = _code(agent_row)
    else:
        agent = Code(
            value=admin.radiopharmaceutical_id or "unknown-radiopharmaceutical",
            scheme_designator=LOCAL_SCHEME,
            meaning=admin.radiopharmaceutical_name,
        )
    local_schemes |= agent.scheme_designator == LOCAL_SCHEME
    nuclide_row = code_for("radionuclide", admin.nuclide)
    if nuclide_row is not None:
        nuclide_code = _code(nuclide_row)
    else:  # e.g. Ac-225, Tb-161: no code in CID 18 / 4020 as read
        nuclide_code = Code(value=admin.nuclide, scheme_designator=LOCAL_SCHEME, meaning=admin.nuclide)
        local_schemes = True
    half_life_s = get_nuclide(admin.nuclide).half_life_s

    agent_item = _with_children(
        CodeContentItem(name=_c("radiopharmaceutical_agent"), value=agent, relationship_type="CONTAINS"),
        [
            CodeContentItem(name=_c("radionuclide"), value=nuclide_code, relationship_type="HAS PROPERTIES"),
            _num("half_life", half_life_s, _ucum("s", "seconds"), "HAS PROPERTIES"),
            TextContentItem(
                name=_c("product_name"), value=admin.radiopharmaceutical_name, relationship_type="HAS PROPERTIES"
            ),
        ],
    )
    local_schemes = True  # the product-name extension uses the 99NMG scheme
    event: list[Dataset] = [agent_item]
    if admin.specific_activity_Bq_per_mmol is not None:
        event.append(_num("specific_activity", admin.specific_activity_Bq_per_mmol, _ucum("Bq/mmol"), "CONTAINS"))
    event.append(
        UIDRefContentItem(name=_c("event_uid"), value=admin.administration_event_uid, relationship_type="CONTAINS")
    )
    zone = content_datetime.tzinfo
    event.append(
        DateTimeContentItem(
            name=_c("start_datetime"), value=_in_zone(admin.administration_start, zone), relationship_type="CONTAINS"
        )
    )
    if admin.administration_end is not None:
        event.append(
            DateTimeContentItem(
                name=_c("stop_datetime"), value=_in_zone(admin.administration_end, zone), relationship_type="CONTAINS"
            )
        )
    event.append(_num("administered_activity", _mbq(admin.administered_activity_Bq), _ucum("MBq"), "CONTAINS"))
    if admin.volume_ml is not None:
        event.append(_num("volume", admin.volume_ml, _ucum("cm3"), "CONTAINS"))
    for key, activity, when in (
        ("pre_activity", admin.pre_activity_Bq, admin.pre_activity_time),
        ("post_activity", admin.residual_activity_Bq, admin.residual_activity_time),
    ):
        if activity is None or when is None:
            continue
        item = _num(key, _mbq(activity), _ucum("MBq"), "CONTAINS")
        item.ObservationDateTime = DT(_in_zone(when, zone))
        _with_children(
            item,
            [
                CodeContentItem(
                    name=_c("activity_measurement_device"),
                    value=_c("dose_calibrator"),
                    relationship_type="HAS OBS CONTEXT",
                )
            ],
        )
        event.append(item)
    if admin.administered_by is not None:
        event.append(
            _with_children(
                PnameContentItem(name=_c("person_name"), value=admin.administered_by, relationship_type="CONTAINS"),
                [
                    CodeContentItem(
                        name=_c("person_role_in_procedure"),
                        value=_c("irradiation_administering"),
                        relationship_type="HAS PROPERTIES",
                    )
                ],
            )
        )
    route_row = code_for("route", admin.route)
    if route_row is None:  # every catalogue route has a row; a missing one is a data bug
        raise ValueError(f"dicom_codes.csv has no route {admin.route!r}")
    site_children: list[Dataset] = []
    site_row = _site_row(admin.site) if admin.site else None
    if site_row is None and admin.route in ("iv", "intra_arterial"):
        # "Site of" is mandatory for intravenous routes (TID 10022 row 21 condition): the generic
        # CID 3746 value is always true; the free text, if any, follows as an NMGuard extension.
        site_row = code_for("site", "vein" if admin.route == "iv" else "artery")
    if site_row is not None:
        site_children.append(
            CodeContentItem(name=_c("site_of"), value=_code(site_row), relationship_type="HAS PROPERTIES")
        )
    if admin.site and _site_row(admin.site) is None:
        site_children.append(
            TextContentItem(name=_c("site_text"), value=admin.site, relationship_type="HAS PROPERTIES")
        )
        local_schemes = True
    event.append(
        _with_children(
            CodeContentItem(name=_c("route_of_administration"), value=_code(route_row), relationship_type="CONTAINS"),
            site_children,
        )
    )
    administration = _with_children(
        ContainerContentItem(name=_c("administration"), relationship_type="CONTAINS", template_id="10022"), event
    )

    procedure_row = code_for("procedure", admin.procedure) if admin.procedure else None
    if admin.procedure and procedure_row is None:
        known = ", ".join(r.key for r in all_codes("procedure"))
        raise InputError(f"procedure {admin.procedure!r} is not one of {known}", field="procedure")
    if procedure_row is None:
        procedure_row = code_for("procedure", "nm-procedure")
    assert procedure_row is not None
    local_schemes |= procedure_row.scheme == LOCAL_SCHEME
    intent_row = code_for("intent", admin.intent)
    assert intent_row is not None
    root_items: list[Dataset] = [
        _with_children(
            CodeContentItem(
                name=_c("associated_procedure"), value=_code(procedure_row), relationship_type="HAS CONCEPT MOD"
            ),
            [CodeContentItem(name=_c("has_intent"), value=_code(intent_row), relationship_type="HAS CONCEPT MOD")],
        ),
        administration,
    ]
    if admin.effective_dose_mSv is not None and admin.effective_dose_method is not None:
        root_items.append(
            _with_children(
                _num("effective_dose", admin.effective_dose_mSv, _ucum("mSv"), "CONTAINS"),
                [
                    TextContentItem(
                        name=_c("reference_authority"),
                        value=admin.effective_dose_method,
                        relationship_type="HAS PROPERTIES",
                    )
                ],
            )
        )
    if admin.comment:
        root_items.append(TextContentItem(name=_c("comment"), value=admin.comment, relationship_type="CONTAINS"))
    root = _with_children(ContainerContentItem(name=_c("dose_report"), template_id="10021"), root_items)

    schemes = None
    if local_schemes:
        schemes = [
            hd.coding_schemes.CodingSchemeIdentificationItem(
                designator=LOCAL_SCHEME, name="NMGuard local codes", responsible_organization="NMGuard project"
            )
        ]
    texts = [
        admin.patient_name,
        admin.administered_by or "",
        admin.radiopharmaceutical_name,
        admin.site or "",
        admin.comment or "",
        admin.effective_dose_method or "",
        institution_name,
        device_observer_name,
    ]
    charset = None if all(t.isascii() for t in texts) else "ISO_IR 192"  # UTF-8 only where needed
    return RadiopharmaceuticalRadiationDoseSR(
        root,
        specific_character_set=charset,
        patient_id=admin.patient_id,
        patient_name=admin.patient_name,
        patient_birth_date=admin.patient_birth_date,
        patient_sex=admin.patient_sex,
        study_instance_uid=admin.study_instance_uid or str(generate_uid()),
        accession_number=admin.accession_number,
        study_datetime=admin.administration_start,
        content_datetime=content_datetime,
        series_instance_uid=str(generate_uid()),
        series_number=series_number,
        sop_instance_uid=str(generate_uid()),
        instance_number=instance_number,
        institution_name=institution_name,
        device_serial_number=device_observer_uid,
        station_name=device_observer_name,
        coding_schemes=schemes,
        patient_weight_kg=admin.patient_weight_kg,
        patient_height_m=admin.patient_height_m,
    )


# --------------------------------------------------------------------------- parse

_ELEMENTS = {
    "Fluorine": "F",
    "Technetium": "Tc",
    "Iodine": "I",
    "Lutetium": "Lu",
    "Gallium": "Ga",
    "Indium": "In",
    "Thallium": "Tl",
    "Yttrium": "Y",
    "Radium": "Ra",
    "Samarium": "Sm",
    "Strontium": "Sr",
    "Rubidium": "Rb",
    "Nitrogen": "N",
    "Oxygen": "O",
    "Carbon": "C",
    "Copper": "Cu",
    "Zirconium": "Zr",
    "Chromium": "Cr",
    "Phosphorus": "P",
    "Cobalt": "Co",
    "Germanium": "Ge",
    "Rhenium": "Re",
    "Barium": "Ba",
    "Actinium": "Ac",
    "Terbium": "Tb",
    "Molybdenum": "Mo",
    "Caesium": "Cs",
    "Cesium": "Cs",
    "Tungsten": "W",
}


def _concept_of(item: Dataset) -> tuple[str, str]:
    seq = item.get("ConceptNameCodeSequence")
    if not seq:
        return ("", "")
    return (str(seq[0].get("CodingSchemeDesignator", "")), str(seq[0].get("CodeValue", "")))


def _is(item: Dataset, key: str) -> bool:
    return concept(key).matches(*_concept_of(item))


_CHILDREN = "_nmguard_child_concepts"


def _child_concepts(item: Dataset) -> list[tuple[tuple[str, str], Dataset]]:
    """The content items under ``item`` with their concept names, read once per item: a report's ~20 look-ups
    by concept would otherwise decode every child's code again each time (most of an import's time)."""
    cached = item.__dict__.get(_CHILDREN)
    if cached is None:
        cached = [(_concept_of(c), c) for c in item.get("ContentSequence", [])]
        item.__dict__[_CHILDREN] = cached  # beside pydicom's attributes, never a DICOM element
    return cached


def _children(item: Dataset, key: str) -> list[Dataset]:
    row = concept(key)
    return [c for code, c in _child_concepts(item) if row.matches(*code)]


def _first(item: Dataset, key: str) -> Dataset | None:
    found = _children(item, key)
    return found[0] if found else None


def _need(item: Dataset | None, key: str, where: str) -> Dataset:
    if item is None:
        row = concept(key)
        raise InputError(f"RRDSR has no {row.meaning!r} ({row.code}, {row.scheme}) in {where}", field=key)
    return item


def _code_value(item: Dataset) -> tuple[str, str, str]:
    seq = item.get("ConceptCodeSequence")
    if not seq:
        raise InputError(f"content item {_concept_of(item)} has no coded value", field="ConceptCodeSequence")
    c = seq[0]
    value = c.get("CodeValue") or c.get("LongCodeValue") or c.get("URNCodeValue") or ""
    return (str(c.get("CodingSchemeDesignator", "")), str(value), str(c.get("CodeMeaning", "")))


def _num_value(item: Dataset, key: str) -> tuple[float, str]:
    seq = item.get("MeasuredValueSequence")
    if not seq or "NumericValue" not in seq[0]:
        raise InputError(f"RRDSR {concept(key).meaning!r} has no numeric value", field=key)
    mv = seq[0]
    value = float(mv.NumericValue)
    if not math.isfinite(value):
        raise InputError(f"RRDSR {concept(key).meaning!r} is not a finite number", field=key)
    units = mv.get("MeasurementUnitsCodeSequence")
    unit = str(units[0].CodeValue) if units else ""
    return value, unit


def _activity_Bq(item: Dataset, key: str) -> float:
    value, unit = _num_value(item, key)
    if unit not in _UCUM_ACTIVITY_TO_MBQ:
        raise InputError(f"RRDSR {concept(key).meaning!r} has unit {unit!r}; expected MBq", field=key)
    return value * _UCUM_ACTIVITY_TO_MBQ[unit] * 1e6


def _datetime(text: str, key: str, tz: dt.tzinfo | None) -> dt.datetime:
    try:
        value = DT(str(text))
    except ValueError:
        raise InputError(f"RRDSR {key}: {text!r} is not a DICOM DateTime", field=key) from None
    if value.tzinfo is None:
        if tz is None:
            raise InputError(
                f"RRDSR {key} {text!r} has no time-zone offset and the file has no TimezoneOffsetFromUTC; "
                "give assume_timezone",
                field=key,
            )
        value = value.replace(tzinfo=tz)
    return dt.datetime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
        tzinfo=value.tzinfo,
    )


def _dataset_tz(ds: Dataset, assume: dt.tzinfo | None) -> dt.tzinfo | None:
    offset = str(ds.get("TimezoneOffsetFromUTC", "") or "")
    m = re.fullmatch(r"([+-])(\d{2})(\d{2})", offset)
    if m:
        minutes = int(m.group(2)) * 60 + int(m.group(3))
        return dt.timezone(dt.timedelta(minutes=minutes if m.group(1) == "+" else -minutes))
    return assume


def _nuclide(scheme: str, value: str, meaning: str) -> str:
    row = lookup("radionuclide", scheme, value)
    if row is not None:
        return row.key
    if scheme == LOCAL_SCHEME:
        return normalize_nuclide_name(value)
    m = re.fullmatch(r"\^?(\d{1,3}m?)\^?\s*([A-Za-z]+)", meaning.strip())
    if m and m.group(2).capitalize() in _ELEMENTS:
        return normalize_nuclide_name(f"{_ELEMENTS[m.group(2).capitalize()]}-{m.group(1)}")
    raise InputError(f"RRDSR radionuclide ({value}, {scheme}, {meaning!r}) is not known", field="nuclide")


def _optional_text(ds: Dataset, keyword: str) -> str | None:
    value = ds.get(keyword)
    if value is None:
        return None
    return str(value).strip() or None


def parse_rrdsr(ds: Dataset, *, assume_timezone: dt.tzinfo | None = None) -> RadiopharmaceuticalAdministration:
    """Import an RRDSR (any producer; SRT, SCT and DCM codes accepted) as an administration.

    Raises :class:`InputError` naming what is wrong or missing: not an RRDSR, no administration
    container, no agent, radionuclide, start DateTime, administered activity or route, patient
    attributes missing, DateTimes without a time zone (unless ``assume_timezone`` is given).
    """
    sop_class = str(ds.get("SOPClassUID", ""))
    if sop_class != RRDSR_SOP_CLASS_UID:
        name = pydicom.uid.UID(sop_class).name if sop_class else "no SOP Class UID"
        raise InputError(
            f"not a Radiopharmaceutical Radiation Dose SR (SOP class {sop_class or '-'}: {name})", field="SOPClassUID"
        )
    if ds.get("ValueType") != "CONTAINER" or not _is(ds, "dose_report"):
        raise InputError(
            "RRDSR root is not a 'Radiopharmaceutical Radiation Dose Report' (113500, DCM) container",
            field="ConceptNameCodeSequence",
        )
    tz = _dataset_tz(ds, assume_timezone)
    event = _need(_first(ds, "administration"), "administration", "the report")
    where = "the administration"

    agent_item = _need(_first(event, "radiopharmaceutical_agent"), "radiopharmaceutical_agent", where)
    a_scheme, a_value, a_meaning = _code_value(agent_item)
    agent_row = lookup("radiopharmaceutical", a_scheme, a_value)
    if agent_row is not None:
        radiopharmaceutical_id: str | None = agent_row.key
    elif (
        a_scheme == LOCAL_SCHEME
        and re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", a_value)
        and (a_value != "unknown-radiopharmaceutical")
    ):
        radiopharmaceutical_id = a_value
    else:
        radiopharmaceutical_id = None
    nuclide_item = _need(_first(agent_item, "radionuclide"), "radionuclide", "the radiopharmaceutical agent")
    nuclide = _nuclide(*_code_value(nuclide_item))
    product_item = _first(agent_item, "product_name")
    product_name = str(product_item.TextValue) if product_item is not None and "TextValue" in product_item else None

    _need(_first(event, "event_uid"), "event_uid", where)
    event_uid = str(_first(event, "event_uid").UID)  # type: ignore[union-attr]
    start_item = _need(_first(event, "start_datetime"), "start_datetime", where)
    start = _datetime(start_item.DateTime, "Radiopharmaceutical Start DateTime", tz)
    stop_item = _first(event, "stop_datetime")
    stop = _datetime(stop_item.DateTime, "Radiopharmaceutical Stop DateTime", tz) if stop_item else None
    activity_item = _need(_first(event, "administered_activity"), "administered_activity", where)
    activity = _activity_Bq(activity_item, "administered_activity")

    measured: dict[str, tuple[float | None, dt.datetime | None]] = {}
    for key in ("pre_activity", "post_activity"):
        item = _first(event, key)
        if item is None:
            measured[key] = (None, None)
            continue
        when_text = item.get("ObservationDateTime")
        when = _datetime(when_text, concept(key).meaning + " time", tz) if when_text else None
        measured[key] = (_activity_Bq(item, key), when) if when is not None else (None, None)

    volume_item = _first(event, "volume")
    volume = _num_value(volume_item, "volume")[0] if volume_item else None
    spec_item = _first(event, "specific_activity")
    specific = _num_value(spec_item, "specific_activity")[0] if spec_item else None

    person_item = _first(event, "person_name")
    administered_by = str(person_item.PersonName) if person_item is not None else None

    route_item = _need(_first(event, "route_of_administration"), "route_of_administration", where)
    r_scheme, r_value, r_meaning = _code_value(route_item)
    route_row = lookup("route", r_scheme, r_value)
    if route_row is None:
        raise InputError(
            f"RRDSR route of administration ({r_value}, {r_scheme}, {r_meaning!r}) is not one NMGuard records",
            field="route",
        )
    site: str | None = None
    site_text_item = _first(route_item, "site_text")
    site_item = _first(route_item, "site_of")
    if site_text_item is not None:
        site = str(site_text_item.TextValue)
    elif site_item is not None:
        s_scheme, s_value, s_meaning = _code_value(site_item)
        site_row = lookup("site", s_scheme, s_value)
        site = site_row.key if site_row is not None else (s_meaning or None)

    procedure: str | None = None
    intent = "diagnostic"
    proc_item = _first(ds, "associated_procedure")
    if proc_item is not None:
        proc_row = lookup("procedure", *_code_value(proc_item)[:2])
        procedure = proc_row.key if proc_row is not None and proc_row.key != "nm-procedure" else None
        intent_item = _first(proc_item, "has_intent")
        if intent_item is not None:
            intent_row = lookup("intent", *_code_value(intent_item)[:2])
            intent = intent_row.key if intent_row is not None else intent

    dose_item = _first(ds, "effective_dose")
    effective_dose = method = None
    if dose_item is not None:
        value, unit = _num_value(dose_item, "effective_dose")
        scale = {"mSv": 1.0, "Sv": 1e3, "uSv": 1e-3}.get(unit)
        if scale is None:
            raise InputError(f"RRDSR effective dose has unit {unit!r}; expected mSv", field="effective_dose_mSv")
        effective_dose = value * scale
        authority = _first(dose_item, "reference_authority")
        method = str(authority.TextValue) if authority is not None and "TextValue" in authority else "unstated"
    comment_item = _first(ds, "comment")
    comment = str(comment_item.TextValue) if comment_item is not None else None

    missing = [k for k in ("PatientID", "PatientName", "PatientBirthDate", "PatientSex") if not ds.get(k)]
    if missing:
        raise InputError(f"RRDSR patient attributes missing or empty: {', '.join(missing)}", field=missing[0])
    try:
        birth = dt.datetime.strptime(str(ds.PatientBirthDate), "%Y%m%d").date()
    except ValueError:
        raise InputError(
            f"RRDSR PatientBirthDate {ds.PatientBirthDate!r} is not a date", field="PatientBirthDate"
        ) from None
    weight = float(ds.PatientWeight) if ds.get("PatientWeight") not in (None, "") else None
    height = float(ds.PatientSize) if ds.get("PatientSize") not in (None, "") else None

    return RadiopharmaceuticalAdministration(
        patient_id=str(ds.PatientID),
        patient_name=str(ds.PatientName),
        patient_birth_date=birth,
        patient_sex=str(ds.PatientSex),
        radiopharmaceutical_name=product_name or a_meaning or a_value,
        radiopharmaceutical_id=radiopharmaceutical_id,
        nuclide=nuclide,
        administered_activity_Bq=activity,
        administration_start=start,
        administration_end=stop,
        route=route_row.key,
        administered_by=administered_by,
        patient_weight_kg=weight,
        patient_height_m=height,
        study_instance_uid=_optional_text(ds, "StudyInstanceUID"),
        accession_number=_optional_text(ds, "AccessionNumber"),
        pre_activity_Bq=measured["pre_activity"][0],
        pre_activity_time=measured["pre_activity"][1],
        residual_activity_Bq=measured["post_activity"][0],
        residual_activity_time=measured["post_activity"][1],
        site=site,
        volume_ml=volume,
        specific_activity_Bq_per_mmol=specific,
        effective_dose_mSv=effective_dose,
        effective_dose_method=method,
        procedure=procedure,
        intent=intent,
        comment=comment,
        administration_event_uid=event_uid,
    )


def read_rrdsr(path: str | Path, *, assume_timezone: dt.tzinfo | None = None) -> RadiopharmaceuticalAdministration:
    """Read a DICOM file and import it with :func:`parse_rrdsr`."""
    ds = read_dicom(path, field="path", what="dose report")
    return parse_rrdsr(ds, assume_timezone=assume_timezone)
