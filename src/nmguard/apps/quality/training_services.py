"""Training records: the required trainings from data (interval overridable with a reason), recording a
completed training, and each person's standing on a local day. Pages, API, CLI and demo call these only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.quality.training_models import Training, TrainingRecord
from nmguard.errors import InputError
from nmguard.input_bounds import check_date, check_text, id_in_range
from nmguard.reference.training_requirements import add_months, training_requirements

WRITE_PERMISSION = "quality.add_trainingrecord"
MAX_INTERVAL_MONTHS = 120  # ten years: longer is a typing error, not a refresher interval


def check_may_write(user) -> None:
    """Recording trainings and overriding intervals is the quality manager's (and the administrator's)."""
    if not user.has_perm(WRITE_PERMISSION):
        raise InputError("recording trainings needs the role Quality manager / auditor", "user")


def sync_trainings(user) -> list[Training]:
    """Create the data file's trainings; refresh each one's data interval (an unoverridden one follows it)."""
    rows = []
    with acting_as(user, reason="training requirements synchronised from reference data"):
        for req in training_requirements().trainings.values():
            row, created = Training.objects.get_or_create(
                key=req.key,
                defaults={
                    "name": req.name,
                    "renewal_months": req.renewal_months,
                    "data_renewal_months": req.renewal_months,
                    "source_id": req.legal_basis.id,
                },
            )
            if not created and row.data_renewal_months != req.renewal_months:
                row.data_renewal_months = req.renewal_months
                if not row.override_reason:
                    row.renewal_months = req.renewal_months
                row.save()
            rows.append(row)
    return rows


def override_interval(training: Training, months: int, reason: str, user) -> Training:
    """The department's own interval, with its reason (back to the data's when ``months`` equals it)."""
    check_may_write(user)
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_INTERVAL_MONTHS:
        raise InputError(f"renewal_months: a whole number of months, 1 to {MAX_INTERVAL_MONTHS}", "renewal_months")
    reason = check_text(reason or "", "reason", max_length=2000).strip()
    if months != training.data_renewal_months and not reason:
        raise InputError("reason: say why the interval differs from the reference data's", "reason")
    with acting_as(user, reason=f"training interval {training.key}: {months} months"):
        training.renewal_months = months
        training.override_reason = reason if months != training.data_renewal_months else ""
        training.save()
    return training


def record_training(person, training: Training, completed_on: dt.date, evidence: str, user) -> TrainingRecord:
    """Store a completed training; it expires ``renewal_months`` after ``completed_on`` (a local date)."""
    check_may_write(user)
    if not isinstance(completed_on, dt.date) or isinstance(completed_on, dt.datetime):
        raise InputError("completed_on: a date expected", "completed_on")
    if completed_on > timezone.localdate():
        raise InputError(f"completed_on: {completed_on} lies in the future", "completed_on")
    evidence = check_text(evidence or "", "evidence", max_length=300, required=True).strip()
    if TrainingRecord.objects.filter(person=person, training=training, completed_on=completed_on).exists():
        raise InputError(
            f"completed_on: {training.name} on {completed_on} is recorded for {person} already", "completed_on"
        )
    with transaction.atomic(), acting_as(user, reason=f"training recorded: {training.key} for {person}"):
        return TrainingRecord.objects.create(
            person=person,
            training=training,
            completed_on=completed_on,
            expires_on=add_months(completed_on, training.renewal_months),
            evidence=evidence,
            recorded_by=user,
        )


@dataclass(frozen=True)
class Standing:
    """A person's standing in one training (or competence) on a day: the latest record and its state."""

    name: str
    expires_on: dt.date | None  # None: never recorded
    state: str  # "valid", "expiring" (within the alert days), "lapsed", "missing"

    @property
    def text(self) -> str:
        if self.expires_on is None:
            return "never recorded"
        return f"lapsed on {self.expires_on}" if self.state == "lapsed" else f"valid until {self.valid_until}"

    @property
    def valid_until(self) -> dt.date | None:
        return None if self.expires_on is None else self.expires_on - dt.timedelta(days=1)


def state_on(expires_on: dt.date | None, day: dt.date) -> str:
    """Valid while ``day`` is before ``expires_on``; "expiring" within the data's alert days."""
    if expires_on is None:
        return "missing"
    if day >= expires_on:
        return "lapsed"
    alert = training_requirements().alert_days
    return "expiring" if (expires_on - day).days <= alert else "valid"


def training_standing(person, training: Training, day: dt.date) -> Standing:
    """The record valid on ``day`` with the latest expiry (a renewal supersedes), else the last one before."""
    records = TrainingRecord.objects.filter(person=person, training=training, completed_on__lte=day)
    latest = records.order_by("-expires_on").values_list("expires_on", flat=True).first()
    return Standing(training.name, latest, state_on(latest, day))


def required_trainings(person) -> list[Training]:
    """The trainings the data requires of ``person``'s roles."""
    roles = set(person.groups.values_list("name", flat=True))
    keys = [k for k, req in training_requirements().trainings.items() if roles & set(req.roles)]
    return list(Training.objects.filter(key__in=keys).order_by("name"))


def matrix(day: dt.date) -> tuple[list[Training], list[tuple[object, list[Standing | None]]]]:
    """People (active, with a role that needs training) × trainings; None where the role needs no such training."""
    trainings = list(Training.objects.order_by("name"))
    rows = []
    for person in get_user_model().objects.filter(is_active=True).order_by("username"):
        needed = {t.pk for t in required_trainings(person)}
        if needed:
            rows.append((person, [training_standing(person, t, day) if t.pk in needed else None for t in trainings]))
    return trainings, rows


def parse_local_date(text: str | None, field: str) -> dt.date:
    """A local calendar date typed as YYYY-MM-DD (API and CLI)."""
    try:
        return check_date(dt.date.fromisoformat(str(text or "")), field)
    except ValueError:
        raise InputError(f"{field}: a date YYYY-MM-DD expected, got {str(text)[:40]!r}", field) from None


def person_by_id(pk: int, field: str = "person_id"):
    """An active user by id, or an error naming ``field``."""
    person = get_user_model().objects.filter(pk=pk, is_active=True).first() if id_in_range(pk) else None
    if person is None:
        raise InputError(f"{field}: no active user {pk}", field)
    return person


def training_by_key(key: str, field: str = "training") -> Training:
    training = Training.objects.filter(key=key).first()
    if training is None:
        keys = ", ".join(Training.objects.order_by("key").values_list("key", flat=True))
        raise InputError(f"{field}: one of {keys or 'none (load the requirements first)'}", field)
    return training
