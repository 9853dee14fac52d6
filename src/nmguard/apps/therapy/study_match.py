"""Does a dosimetry study belong to a therapy cycle, and which organ does each VOI stand for (no Django here).

A study is recorded for a cycle only when its DICOM patient (ID, name, birth date) is the course's patient
and every emission series was acquired in the cycle's window; anything else is a *mismatch* that a person
resolves with a reason and an e-signature. VOI doses become organ doses through a mapping the user
confirms; several VOIs of one organ (left and right kidney) give the mass-weighted mean dose, which is the
organ's mean absorbed dose (energy over mass).
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from nmguard.errors import InputError


@dataclass(frozen=True)
class PersonIdentity:
    """Who a record is about: ID (MRN), family and given name, birth date (None where unknown)."""

    patient_id: str
    family_name: str
    given_name: str
    birth_date: dt.date | None

    @property
    def display_name(self) -> str:
        return f"{self.family_name.upper()}, {self.given_name}".strip(", ")


@dataclass(frozen=True)
class StudyHeader:
    """What the DICOM files of a study say about their patient and when the emission series were acquired."""

    patients: tuple[PersonIdentity, ...]  # every distinct patient in the files (one, for a sound study)
    acquisition_dates: tuple[dt.date, ...]  # of the NM/PT series


@dataclass(frozen=True)
class Window:
    first: dt.date
    last: dt.date
    basis: str  # what the window was counted from, in words

    def __contains__(self, day: dt.date) -> bool:
        return self.first <= day <= self.last


@dataclass(frozen=True)
class Mismatch:
    field: str  # patient_id, name, birth_date, patients, acquisition_date
    label: str
    study: str
    course: str


def dicom_person_name(value: str) -> tuple[str, str]:
    """``Family^Given^Middle^Prefix^Suffix`` → (family, given); the alphabetic group only."""
    alphabetic = str(value).split("=")[0]
    parts = alphabetic.split("^")
    return parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")


def _fold(text: str) -> str:
    """Compare names without case, accents or extra spaces (Müller = MUELLER is *not* assumed)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def cycle_window(
    administered_on: dt.date | None, planned_on: dt.date, *, days_after: int, planned_tolerance: int
) -> Window:
    """From the administration day to ``days_after`` later; without an administration, around the plan."""
    if administered_on is not None:
        return Window(
            administered_on,
            administered_on + dt.timedelta(days=days_after),
            f"administration on {administered_on:%Y-%m-%d} + {days_after} d",
        )
    return Window(
        planned_on - dt.timedelta(days=planned_tolerance),
        planned_on + dt.timedelta(days=planned_tolerance + days_after),
        f"planned date {planned_on:%Y-%m-%d} ± {planned_tolerance} d, + {days_after} d "
        "(no administration linked to the cycle)",
    )


def compare(study: StudyHeader, patient: PersonIdentity, window: Window) -> list[Mismatch]:
    """Every way the study is not this patient's, in this cycle's window (empty: it matches)."""
    out: list[Mismatch] = []
    if not study.patients:
        return [Mismatch("patients", "Patient", "no patient in the DICOM files", patient.display_name)]
    if len(study.patients) > 1:
        ids = ", ".join(sorted({p.patient_id or "(none)" for p in study.patients}))
        out.append(Mismatch("patients", "Patients in the study", f"{len(study.patients)}: {ids}", patient.patient_id))
    for who in study.patients:
        if _fold(who.patient_id) != _fold(patient.patient_id):
            out.append(Mismatch("patient_id", "Patient ID", who.patient_id or "(none)", patient.patient_id))
        if (_fold(who.family_name), _fold(who.given_name)) != (_fold(patient.family_name), _fold(patient.given_name)):
            out.append(Mismatch("name", "Name", who.display_name or "(none)", patient.display_name))
        if who.birth_date != patient.birth_date:
            out.append(
                Mismatch(
                    "birth_date",
                    "Birth date",
                    f"{who.birth_date:%Y-%m-%d}" if who.birth_date else "(none)",
                    f"{patient.birth_date:%Y-%m-%d}" if patient.birth_date else "(none)",
                )
            )
    if not study.acquisition_dates:
        out.append(Mismatch("acquisition_date", "Acquired", "no acquisition date", window.basis))
    outside = sorted({d for d in study.acquisition_dates if d not in window})
    if outside:
        out.append(
            Mismatch(
                "acquisition_date",
                "Acquired",
                ", ".join(f"{d:%Y-%m-%d}" for d in outside),
                f"{window.first:%Y-%m-%d} to {window.last:%Y-%m-%d} ({window.basis})",
            )
        )
    return out


@dataclass(frozen=True)
class VoiDose:
    name: str
    mean_Gy: float
    mass_g: float | None


def organ_doses(vois: Sequence[VoiDose], mapping: Mapping[str, str]) -> dict[str, float]:
    """Organ → absorbed dose: each VOI's mean under its mapped organ; several VOIs → mass-weighted mean.

    A VOI mapped to "" is not recorded. A VOI name missing from the mapping is an error (nothing is
    recorded under a name the user did not confirm).
    """
    groups: dict[str, list[VoiDose]] = {}
    names = {v.name for v in vois}
    unknown = set(mapping) - names
    if unknown:
        raise InputError(f"no VOI named {', '.join(sorted(unknown))} in this run", "mapping")
    for v in vois:
        if v.name not in mapping:
            raise InputError(f"{v.name}: say which organ this VOI is, or leave it out", "mapping")
        organ = " ".join(mapping[v.name].split())
        if organ:
            groups.setdefault(organ, []).append(v)
    if not groups:
        raise InputError("map at least one VOI to an organ", "mapping")
    out: dict[str, float] = {}
    for organ, members in groups.items():
        if len(members) == 1:
            out[organ] = float(members[0].mean_Gy)
            continue
        masses = [m.mass_g for m in members]
        if any(m is None or not math.isfinite(m) or m <= 0 for m in masses):
            raise InputError(f"{organ}: a VOI without a mass cannot be combined with others", "mapping")
        total = sum(masses)  # type: ignore[arg-type]
        out[organ] = sum(m.mean_Gy * m.mass_g for m in members) / total  # type: ignore[operator]
    return out


def unmapped_constraints(constrained: Iterable[str], organs: Iterable[str]) -> list[str]:
    """Organs the protocol constrains that no VOI was mapped to (the course would under-count them)."""
    have = {_fold(o) for o in organs}
    return [c for c in constrained if _fold(c) not in have]
