"""What a radiopharmaceutical dose report carries: one administration to one patient.

:class:`RadiopharmaceuticalAdministration` is validated on construction (highdicom style): an
invalid administration cannot exist. Activities are in Bq, times are timezone-aware datetimes,
the nuclide is canonical (``"Tc-99m"``), the route is a catalogue route. Pure Python, no Django.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

from pydicom.uid import generate_uid
from pydicom.valuerep import PersonName

from nmguard.errors import InputError
from nmguard.reference import normalize_nuclide_name

ROUTES = ("iv", "oral", "inhalation", "intra_arterial", "intradermal", "subcutaneous")
SEXES = ("M", "F", "O")
INTENTS = ("diagnostic", "therapeutic")

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_UID = re.compile(r"^(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))*$")
#: DICOM PN: at most 5 components per group, 64 characters per group (PS3.5 6.2).
_PN_GROUP_MAX = 64


def _new_uid() -> str:
    return str(generate_uid())


def _aware(value: object, name: str, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, dt.datetime):
        raise InputError(f"{name} must be a date and time", field=name)
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(f"{name} must carry a time zone (got a naive datetime {value.isoformat()})", field=name)


def _positive(value: object, name: str, *, optional: bool = False, allow_zero: bool = False) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{name} must be a finite number", field=name)
    if value < 0 or (value == 0 and not allow_zero):
        raise InputError(f"{name} must be {'>= 0' if allow_zero else '> 0'} (got {value})", field=name)


def _text(value: object, name: str, *, optional: bool = False, max_len: int = 64) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{name} must be non-empty text", field=name)
    if len(value) > max_len:
        raise InputError(f"{name} is longer than {max_len} characters", field=name)
    if "\\" in value:
        raise InputError(f"{name} must not contain a backslash", field=name)


def _person_name(value: object, name: str) -> None:
    _text(value, name, max_len=5 * _PN_GROUP_MAX)
    assert isinstance(value, str)
    groups = value.split("=")
    if len(groups) > 3 or any(len(g) > _PN_GROUP_MAX for g in groups):
        raise InputError(f"{name} is not a DICOM person name (at most 3 groups of 64 characters)", field=name)
    if any(len(g.split("^")) > 5 for g in groups):
        raise InputError(f"{name} has more than 5 '^'-separated components", field=name)
    PersonName(value)  # parses or raises


@dataclass(frozen=True)
class RadiopharmaceuticalAdministration:
    """One administration of a radiopharmaceutical, as a dose report (RRDSR, FHIR) carries it.

    ``radiopharmaceutical_id`` is the catalogue id (``f18-fdg``); it is None only for an
    administration imported from a report whose agent code NMGuard does not know.
    ``patient_name`` is a DICOM person name (``Family^Given``). ``procedure`` is a key of the
    ``procedure`` rows of ``reference/data/dicom_codes.csv`` (None: unspecified).
    """

    patient_id: str
    patient_name: str
    patient_birth_date: dt.date
    patient_sex: str
    radiopharmaceutical_name: str
    radiopharmaceutical_id: str | None
    nuclide: str
    administered_activity_Bq: float
    administration_start: dt.datetime
    route: str
    administered_by: str | None = None
    administration_end: dt.datetime | None = None
    patient_weight_kg: float | None = None
    patient_height_m: float | None = None
    study_instance_uid: str | None = None
    accession_number: str | None = None
    pre_activity_Bq: float | None = None
    pre_activity_time: dt.datetime | None = None
    residual_activity_Bq: float | None = None
    residual_activity_time: dt.datetime | None = None
    site: str | None = None
    volume_ml: float | None = None
    specific_activity_Bq_per_mmol: float | None = None
    effective_dose_mSv: float | None = None
    effective_dose_method: str | None = None
    procedure: str | None = None
    intent: str = "diagnostic"
    comment: str | None = None
    administration_event_uid: str = field(default_factory=_new_uid)

    def __post_init__(self) -> None:
        _text(self.patient_id, "patient_id")
        _person_name(self.patient_name, "patient_name")
        if isinstance(self.patient_birth_date, dt.datetime) or not isinstance(self.patient_birth_date, dt.date):
            raise InputError("patient_birth_date must be a date", field="patient_birth_date")
        if self.patient_birth_date > self.administration_start_date_or_today():
            raise InputError("patient_birth_date is after the administration", field="patient_birth_date")
        if self.patient_sex not in SEXES:
            raise InputError(f"patient_sex must be one of {', '.join(SEXES)}", field="patient_sex")
        _text(self.radiopharmaceutical_name, "radiopharmaceutical_name")
        if self.radiopharmaceutical_id is not None and (
            not isinstance(self.radiopharmaceutical_id, str) or not _ID.match(self.radiopharmaceutical_id)
        ):
            raise InputError(
                f"radiopharmaceutical_id {self.radiopharmaceutical_id!r} is not a catalogue id like 'f18-fdg'",
                field="radiopharmaceutical_id",
            )
        object.__setattr__(self, "nuclide", normalize_nuclide_name(self.nuclide))
        _positive(self.administered_activity_Bq, "administered_activity_Bq")
        _aware(self.administration_start, "administration_start")
        _aware(self.administration_end, "administration_end", optional=True)
        if self.administration_end is not None and self.administration_end < self.administration_start:
            raise InputError("administration_end is before administration_start", field="administration_end")
        if self.route not in ROUTES:
            raise InputError(f"route {self.route!r} is not one of {', '.join(ROUTES)}", field="route")
        if self.administered_by is not None:
            _person_name(self.administered_by, "administered_by")
        _positive(self.patient_weight_kg, "patient_weight_kg", optional=True)
        if self.patient_weight_kg is not None and self.patient_weight_kg > 500:
            raise InputError(f"patient_weight_kg {self.patient_weight_kg} is implausible", field="patient_weight_kg")
        _positive(self.patient_height_m, "patient_height_m", optional=True)
        if self.patient_height_m is not None and self.patient_height_m > 3:
            raise InputError(
                f"patient_height_m {self.patient_height_m} is implausible (metres expected)", field="patient_height_m"
            )
        for name in ("study_instance_uid", "administration_event_uid"):
            value = getattr(self, name)
            if value is None and name == "study_instance_uid":
                continue
            if not isinstance(value, str) or len(value) > 64 or not _UID.match(value):
                raise InputError(f"{name} {value!r} is not a DICOM UID", field=name)
        _text(self.accession_number, "accession_number", optional=True, max_len=16)
        for act, when in (("pre_activity_Bq", "pre_activity_time"), ("residual_activity_Bq", "residual_activity_time")):
            a, t = getattr(self, act), getattr(self, when)
            _positive(a, act, optional=True, allow_zero=act.startswith("residual"))
            _aware(t, when, optional=True)
            if (a is None) != (t is None):
                raise InputError(f"{act} and {when} go together: give both or neither", field=when)
        _text(self.site, "site", optional=True)
        _positive(self.volume_ml, "volume_ml", optional=True)
        _positive(self.specific_activity_Bq_per_mmol, "specific_activity_Bq_per_mmol", optional=True)
        _positive(self.effective_dose_mSv, "effective_dose_mSv", optional=True, allow_zero=True)
        _text(self.effective_dose_method, "effective_dose_method", optional=True)
        if (self.effective_dose_mSv is None) != (self.effective_dose_method is None):
            raise InputError(
                "effective_dose_mSv needs its method/reference (e.g. 'ICRP 128, adult') and vice versa",
                field="effective_dose_method",
            )
        if self.procedure is not None and (not isinstance(self.procedure, str) or not _ID.match(self.procedure)):
            raise InputError(f"procedure {self.procedure!r} is not a procedure key", field="procedure")
        if self.intent not in INTENTS:
            raise InputError(f"intent must be one of {', '.join(INTENTS)}", field="intent")
        _text(self.comment, "comment", optional=True, max_len=1024)

    def administration_start_date_or_today(self) -> dt.date:
        start = self.administration_start
        return start.date() if isinstance(start, dt.datetime) else dt.date.today()

    @property
    def administered_activity_MBq(self) -> float:
        return self.administered_activity_Bq / 1e6
