"""Training requirements (``data/training_requirements.toml``): trainings with renewal intervals, the guarded
tasks with the trainings they need and who signs their competence, each number sourced.

Why data: intervals and legal bases differ by country and department; the quality app reads them here and lets a
department override an interval with a reason.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from nmguard.reference._files import ReferenceDataError, read_toml
from nmguard.reference._sourced import sourced_entry
from nmguard.reference.citations import Citation, SourcedValue, get_citation

TRAINING_FILE = "training_requirements.toml"
ROLES = ("technologist", "radiopharmacist", "physicist", "physician", "rpo", "quality_manager", "administrator")


@dataclass(frozen=True)
class TrainingRequirement:
    key: str
    name: str
    legal_basis: Citation
    roles: tuple[str, ...]
    renewal: SourcedValue  # months

    @property
    def renewal_months(self) -> int:
        return int(self.renewal.value)


@dataclass(frozen=True)
class GuardedTask:
    key: str
    label: str
    competence: str
    trainings: tuple[str, ...]
    signers: tuple[str, ...]
    validity: SourcedValue  # months

    @property
    def validity_months(self) -> int:
        return int(self.validity.value)


@dataclass(frozen=True)
class TrainingRequirements:
    alert_before_expiry: SourcedValue  # days
    trainings: dict[str, TrainingRequirement]
    tasks: dict[str, GuardedTask]

    @property
    def alert_days(self) -> int:
        return int(self.alert_before_expiry.value)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months; a day past the target month's end becomes its last day (Jan 31 + 1 = Feb 28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _months(entry: Any, where: str, unit: str) -> SourcedValue:
    if not isinstance(entry, dict):
        raise ReferenceDataError(f"{where}: an inline table {{value, unit, source, status, note}} expected")
    value = sourced_entry(entry, where)
    if value.unit != unit or value.value <= 0 or value.value != int(value.value):
        raise ReferenceDataError(f"{where}: a positive whole number of {unit} expected")
    return value


def parse_training_requirements(data: dict[str, Any]) -> TrainingRequirements:
    """Check and read the file's tables; an unknown role or training in a task is a data bug."""
    trainings: dict[str, TrainingRequirement] = {}
    for key, t in data.get("trainings", {}).items():
        where = f"{TRAINING_FILE} trainings.{key}"
        roles = tuple(t.get("roles", ()))
        if unknown := set(roles) - set(ROLES):
            raise ReferenceDataError(f"{where}: unknown roles {sorted(unknown)}")
        trainings[key] = TrainingRequirement(
            key,
            str(t["name"]),
            get_citation(str(t["legal_basis"]), where),
            roles,
            _months(t["renewal"], where, "month"),
        )
    tasks: dict[str, GuardedTask] = {}
    for key, t in data.get("tasks", {}).items():
        where = f"{TRAINING_FILE} tasks.{key}"
        needed, signers = tuple(t["trainings"]), tuple(t["signers"])
        if unknown := set(needed) - set(trainings):
            raise ReferenceDataError(f"{where}: unknown trainings {sorted(unknown)}")
        if unknown := set(signers) - set(ROLES):
            raise ReferenceDataError(f"{where}: unknown signer roles {sorted(unknown)}")
        tasks[key] = GuardedTask(
            key, str(t["label"]), str(t["competence"]), needed, signers, _months(t["validity"], where, "month")
        )
    alert = sourced_entry(data["alert_before_expiry"], f"{TRAINING_FILE} alert_before_expiry")
    if alert.unit != "d" or alert.value < 0:
        raise ReferenceDataError(f"{TRAINING_FILE} alert_before_expiry: days >= 0 expected")
    return TrainingRequirements(alert, trainings, tasks)


@cache
def training_requirements() -> TrainingRequirements:
    return parse_training_requirements(read_toml(TRAINING_FILE))
