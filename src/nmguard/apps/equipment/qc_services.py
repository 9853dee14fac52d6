"""The QC programme as business actions: the day's list, results, evaluation, approval, lock-out.

An action-level result takes the device out of clinical use at once. A passing result afterwards
only makes the device *eligible* for return: a physicist returns it with an e-signature
(:func:`return_to_service`). Whether a device may be used on a day follows its QC programme: every
periodic test's latest result must be a pass still in date (:func:`qc_refusal`); ``qc_valid_until``
stores the earliest such date for the queries that need it. Drift rules warn while a trend still
passes (:mod:`nmguard.qc.drift`). Every change is attributed and audited.

Why one module of about 530 lines: the QC programme's business actions share one set of invariants (lock-out, return
to service, approval); one module keeps each action's transaction next to the rules it enforces.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from nmguard.analysis import AnalysisResult
from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.competence import check_competence
from nmguard.apps.core.guards import check_not_future, require_role
from nmguard.apps.core.roles import Role
from nmguard.apps.core.signatures import reauthenticate, sign
from nmguard.apps.equipment.models import CheckSource, Equipment, QCExemption, QCResult, QCSchedule, QCTest
from nmguard.apps.equipment.source_refusals import check_source_refusal
from nmguard.errors import InputError
from nmguard.physics.display import format_sig
from nmguard.qc.drift import DriftCheck, TrendPoint, check_drift
from nmguard.reference.qc_tests import Band
from nmguard.rules.qc_schedule import EVENT_FREQUENCIES, due_state, valid_until

CONSTANCY_TEST = "am-constancy"


# ---------------------------------------------------------------- the day's list
@dataclass(frozen=True)
class DueItem:
    schedule: QCSchedule
    last_done: dt.date | None
    last_outcome: str | None
    due: dt.date | None
    due_today: bool
    overdue: bool
    days_overdue: int
    exempt: bool
    drift: DriftCheck | None = None

    @property
    def last_outcome_label(self) -> str | None:
        return QCResult.Outcome(self.last_outcome).label if self.last_outcome else None


def active_exemption(equipment: Equipment, day: dt.date) -> QCExemption | None:
    """The device's "not in use" mark for ``day`` that was not withdrawn, if any."""
    return QCExemption.objects.filter(equipment=equipment, day=day, withdrawn_at__isnull=True).first()


def due_items(day: dt.date, equipment: Equipment | None = None) -> list[DueItem]:
    """Every active schedule with its state on ``day`` (due, overdue, done, or exempt) and its drift."""
    schedules = QCSchedule.objects.filter(active=True, test__active=True).select_related("equipment", "test")
    if equipment is not None:
        schedules = schedules.filter(equipment=equipment)
    exempt = set(QCExemption.objects.filter(day=day, withdrawn_at__isnull=True).values_list("equipment_id", flat=True))
    items = []
    for schedule in schedules:
        recent = _recent_results(schedule)
        last = recent[-1] if recent else None
        last_day = timezone.localdate(last.performed_at) if last else None
        state = due_state(
            last_day,
            schedule.effective_frequency,
            day,
            schedule.test.window_days,
            first_due=timezone.localdate(schedule.created_at),
        )
        items.append(
            DueItem(
                schedule,
                last_day,
                last.outcome if last else None,
                state.due,
                state.due_today,
                state.overdue,
                state.days_overdue,
                schedule.equipment_id in exempt,
                drift_for(schedule, recent),
            )
        )
    return items


@dataclass(frozen=True)
class DeviceDay:
    """A device on the day's QC page: its tests, its "not in use" mark, and whether it awaits a return."""

    device: Equipment
    items: list[DueItem]
    exemption: QCExemption | None
    eligible_for_return: bool
    return_blockers: list[str]


def qc_day(day: dt.date) -> list[DeviceDay]:
    """The day's QC list grouped by device (devices in name order)."""
    by_device: dict[int, list[DueItem]] = {}
    devices: dict[int, Equipment] = {}
    for item in due_items(day):
        devices[item.schedule.equipment_id] = item.schedule.equipment
        by_device.setdefault(item.schedule.equipment_id, []).append(item)
    out = []
    for pk, device in sorted(devices.items(), key=lambda kv: kv[1].name):
        blockers = return_blockers(device) if device.locked_by_qc else []
        out.append(
            DeviceDay(
                device, by_device[pk], active_exemption(device, day), device.locked_by_qc and not blockers, blockers
            )
        )
    return out


@dataclass(frozen=True)
class RegisterRow:
    device: Equipment
    refusal: str | None
    qc_valid_until: dt.date | None
    results: int
    eligible_for_return: bool


def register_rows(day: dt.date, devices: Iterable[Equipment] | None = None) -> list[RegisterRow]:
    """The register's view of each device (of ``devices``: all by default), from the same QC programme the QC
    pages show."""
    return [
        RegisterRow(
            d,
            d.clinical_use_refusal(day),
            programme_valid_until(d),
            QCResult.objects.filter(schedule__equipment=d).count(),
            eligible_for_return(d),
        )
        for d in (Equipment.objects.all() if devices is None else devices)
    ]


def overdue_items(day: dt.date) -> list[DueItem]:
    return [i for i in due_items(day) if i.overdue and not i.exempt]


@transaction.atomic
def exempt_today(equipment: Equipment, day: dt.date, reason: str, user) -> QCExemption:
    """ "Not in use today": no QC due, and no clinical use either (the device is refused that day).

    The reason is the user's own words (it is audited); a past day cannot be marked afterwards.
    """
    reason = (reason or "").strip()
    if not reason:
        raise InputError("say why the device is not in use", "reason")
    if day < timezone.localdate():
        raise InputError(f"{day:%Y-%m-%d} has passed: a device is marked not in use on the day or before it", "day")
    if active_exemption(equipment, day):
        raise InputError(f"{equipment} is already marked not in use on {day:%Y-%m-%d}", "day")
    with acting_as(user, reason=f"not in use: {reason}"):
        return QCExemption.objects.create(equipment=equipment, day=day, reason=reason, marked_by=user)


@transaction.atomic
def withdraw_exemption(exemption: QCExemption, reason: str, user) -> QCExemption:
    """Undo "not in use": the device's QC is due again that day. The mark is kept, withdrawn, with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError("say why the device is in use after all", "withdrawal_reason")
    exemption = QCExemption.objects.select_for_update().get(pk=exemption.pk)
    if exemption.withdrawn_at is not None:
        raise InputError("this mark was withdrawn already", "withdrawal_reason")
    with acting_as(user, reason=f"in use after all: {reason}"):
        exemption.withdrawn_at = timezone.now()
        exemption.withdrawn_by = user
        exemption.withdrawal_reason = reason
        exemption.save()
    return exemption


# ---------------------------------------------------------------- results
def department_bands(test: QCTest):
    """The department's bands as an override of the catalogue's, or None to use the catalogue's."""
    from nmguard.qc.evaluation import BandOverride

    limits = {
        "tolerance_low": test.tolerance_low,
        "tolerance_high": test.tolerance_high,
        "action_low": test.action_low,
        "action_high": test.action_high,
    }
    if all(v is None for v in limits.values()):
        return None
    from nmguard.reference.qc_tests import get_qc_test

    return BandOverride.from_limits(
        test.bands_adjusted_reason or "department bands", unit=get_qc_test(test.catalogue_id).band_unit, **limits
    )


def bands_in_force(test: QCTest) -> tuple[Band | None, Band | None]:
    """(tolerance, action): the department's band where set, else the catalogue's."""
    from nmguard.reference.qc_tests import get_qc_test

    override = department_bands(test)
    spec = get_qc_test(test.catalogue_id)
    tolerance = override.tolerance if override and override.tolerance else spec.tolerance
    action = override.action if override and override.action else spec.action
    return tolerance, action


def bands_for(test: QCTest) -> dict[str, float | None]:
    """The bands in force as plain limits, for charts."""
    tolerance, action = bands_in_force(test)
    return {
        "tolerance_low": tolerance.low if tolerance else None,
        "tolerance_high": tolerance.high if tolerance else None,
        "action_low": action.low if action else None,
        "action_high": action.high if action else None,
    }


def describe_bands(test: QCTest) -> str:
    """The bands in force in words with units and sources, e.g. "action ≤ 5 % (source, unverified)"."""
    parts = []
    for role, band in zip(("tolerance", "action"), bands_in_force(test), strict=True):
        if band is None:
            continue
        cited = f"{band.source.id}, {band.status.value}" if band.source and band.status else "department"
        parts.append(f"{role} {band.describe()} ({cited})")
    return "; ".join(parts) or "no bands: the department must set them"


# ---------------------------------------------------------------- expected value before entry
@dataclass(frozen=True)
class ExpectedReading:
    """What the check source should read at ``at``, and the readings that bound each band."""

    source: CheckSource
    setting: str
    at: dt.datetime
    expected_Bq: float
    half_life_s: float
    elapsed_days: float
    tolerance_Bq: tuple[float | None, float | None] | None
    action_Bq: tuple[float | None, float | None] | None

    @property
    def half_life_text(self) -> str:
        """The half-life in years above two years, else in days (4 significant figures)."""
        years = self.half_life_s / (365.25 * 86400.0)
        return f"{format_sig(years, 4)} a" if years >= 2 else f"{format_sig(self.half_life_s / 86400.0, 4)} d"


def expected_reading(schedule: QCSchedule, at: dt.datetime | None = None) -> ExpectedReading | None:
    """For a constancy test: the check source's certified activity decayed to ``at`` (now by default).

    Shown before entry so that a technologist sees what the reading should be, and which readings
    would be outside tolerance or at action level.
    """
    from nmguard.physics.decay import decay_factor, elapsed_seconds
    from nmguard.reference import get_nuclide

    source = schedule.check_source
    if schedule.test.catalogue_id != CONSTANCY_TEST or source is None:
        return None
    at = at or timezone.now()
    half_life = get_nuclide(source.nuclide).half_life_s
    elapsed = elapsed_seconds(source.certified_at, at)
    expected = source.certified_activity_Bq * decay_factor(half_life, elapsed)

    def readings(band: Band | None) -> tuple[float | None, float | None] | None:  # percent band → Bq
        if band is None:
            return None
        return tuple(None if x is None else expected * (1 + x / 100.0) for x in (band.low, band.high))  # type: ignore[return-value]

    tolerance, action = bands_in_force(schedule.test)
    return ExpectedReading(
        source,
        schedule.nuclide_setting or source.nuclide,
        at,
        expected,
        half_life,
        elapsed / 86400.0,
        readings(tolerance),
        readings(action),
    )


# ---------------------------------------------------------------- drift
def _recent_results(schedule: QCSchedule) -> list[QCResult]:
    """The schedule's latest results, oldest first (enough for the drift rules and the last outcome)."""
    from nmguard.reference.qc_drift_rules import drift_rules

    rules = drift_rules()
    n = int(max(rules.window.value, rules.run_length.value)) + 1
    return list(reversed(schedule.results.order_by("-performed_at", "-pk")[:n]))


def drift_for(schedule: QCSchedule, results: list[QCResult] | None = None, extra: TrendPoint | None = None):
    """The drift rules applied to the schedule's trend (plus ``extra``, a result being recorded)."""
    results = _recent_results(schedule) if results is None else results
    points = [TrendPoint(r.performed_at, r.value, r.outcome) for r in results]
    if extra is not None:
        points.append(extra)
    if not points:
        return None
    tolerance, action = bands_in_force(schedule.test)
    from nmguard.reference.qc_tests import get_qc_test

    return check_drift(
        points, tolerance=tolerance, action=action, unit=get_qc_test(schedule.test.catalogue_id).band_unit
    )


def drifting_items(day: dt.date) -> list[DueItem]:
    return [i for i in due_items(day) if i.drift is not None and i.drift.drifting]


def evaluate_value(test: QCTest, value: float, reference_value: float | None = None) -> dict[str, Any]:
    """OK / tolerance / action for a single value (catalogue bands unless the department set its own)."""
    from nmguard.qc.evaluation import evaluate

    return evaluate(test.catalogue_id, value, reference_value, department_bands(test)).to_dict()


def record_result(
    schedule: QCSchedule,
    *,
    performed_at: dt.datetime,
    user,
    value: float,
    unit: str = "",
    evaluation: dict[str, Any] | None = None,
    analysis: AnalysisResult | None = None,
    comment: str = "",
) -> QCResult:
    """Store a result with its evaluation, and apply what the evaluation means for the device.

    ``evaluation`` comes from an analysis that evaluated several points itself (its worst outcome
    decides); without it the single ``value`` is evaluated here.
    """
    check_not_future(performed_at, "performed_at")
    if not schedule.active:
        raise InputError("this schedule is not active", "schedule")
    if schedule.check_source_id and (
        refusal := check_source_refusal(schedule.check_source, timezone.localdate(performed_at))
    ):
        raise InputError(f"{refusal}: use another check source", "check_source")
    evaluation = dict(evaluation or evaluate_value(schedule.test, value))
    outcome = evaluation["outcome"]
    drift = drift_for(schedule, extra=TrendPoint(performed_at, value, outcome))
    evaluation["drift"] = drift.to_dict() if drift else None
    with transaction.atomic(), acting_as(user, reason=f"QC {schedule.test.catalogue_id}: {outcome}"):
        result = QCResult.objects.create(
            schedule=schedule,
            performed_at=performed_at,
            performed_by=user,
            value=value,
            unit=unit,
            outcome=outcome,
            evaluation=evaluation,
            analysis=analysis.to_dict() if analysis else {},
            figure_svg=(analysis.figure_svg or "") if analysis else "",
            comment=comment,
        )
        _apply_to_device(result)
    return result


def _latest_results(equipment: Equipment) -> dict[int, QCResult]:
    """schedule id → its latest result, for the device's active schedules."""
    latest: dict[int, QCResult] = {}
    for r in (
        QCResult.objects.filter(schedule__equipment=equipment, schedule__active=True)
        .select_related("schedule__test")
        .order_by("performed_at", "pk")
    ):
        latest[r.schedule_id] = r
    return latest


def return_blockers(equipment: Equipment) -> list[str]:
    """Why a device locked by QC may not yet return to clinical use: its tests still at action level."""
    return [
        f"{r.schedule.test.name}: latest result at action level "
        f"({timezone.localtime(r.performed_at):%Y-%m-%d %H:%M %Z})"
        for r in _latest_results(equipment).values()
        if r.outcome == QCResult.Outcome.ACTION
    ]


def eligible_for_return(equipment: Equipment) -> bool:
    """Locked by an action-level result, and every test has passed again since: a physicist may return it."""
    return equipment.locked_by_qc and not return_blockers(equipment)


def _schedule_valid_until(schedule: QCSchedule, latest: QCResult | None) -> dt.date | None:
    """The last day the schedule's latest result keeps the device's QC in date (None: not in date at all)."""
    if latest is None or latest.outcome == QCResult.Outcome.ACTION:
        return None
    until = valid_until(timezone.localdate(latest.performed_at), schedule.effective_frequency)
    return None if until is None else until + dt.timedelta(days=schedule.test.window_days)


def _periodic_schedules(equipment: Equipment) -> list[QCSchedule]:
    return [
        s
        for s in equipment.qc_schedules.filter(active=True, test__active=True).select_related("test")
        if s.effective_frequency not in EVENT_FREQUENCIES
    ]


def programme_valid_until(equipment: Equipment) -> dt.date | None:
    """The earliest day up to which every periodic test keeps the device in date (None: some test is not)."""
    schedules = _periodic_schedules(equipment)
    if not schedules:
        return equipment.qc_valid_until
    latest = _latest_results(equipment)
    days = [_schedule_valid_until(s, latest.get(s.pk)) for s in schedules]
    return None if any(d is None for d in days) else min(days)  # type: ignore[type-var]


def qc_refusal(equipment: Equipment, day: dt.date) -> str | None:
    """Why the device's QC programme refuses clinical use on ``day`` (the same facts the QC page shows)."""
    schedules = _periodic_schedules(equipment)
    if not schedules:  # no programme on record: the stored date is all there is
        if equipment.qc_valid_until is None:
            return f"{equipment.name} has no QC programme or QC result on record"
        if equipment.qc_valid_until < day:
            return f"{equipment.name}: QC overdue since {equipment.qc_valid_until:%Y-%m-%d}"
        return None
    latest = _latest_results(equipment)
    reasons = []
    for s in schedules:
        last = latest.get(s.pk)
        until = _schedule_valid_until(s, last)
        if last is None:
            reasons.append(f"{s.test.name}: no result on record")
        elif until is None:
            reasons.append(f"{s.test.name}: latest result at action level")
        elif until < day:  # in the QC page's words: due today (not yet done) or overdue
            state = due_state(timezone.localdate(last.performed_at), s.effective_frequency, day, s.test.window_days)
            late = f"overdue {state.days_overdue} d" if state.overdue else "due today, not yet done"
            reasons.append(f"{s.test.name} ({s.effective_frequency}): {late}")
    return f"{equipment.name}: " + "; ".join(reasons) if reasons else None


def _apply_to_device(result: QCResult) -> None:
    """Action level → out of service; a pass after a lock-out → eligible (not returned); meter's QC date kept."""
    from nmguard.apps.core.actor import because

    device = Equipment.objects.select_for_update().get(pk=result.schedule.equipment_id)
    test = result.schedule.test
    action = result.outcome == QCResult.Outcome.ACTION
    reasons = []
    if action and device.status != Equipment.Status.OUT_OF_SERVICE:
        device.status, device.locked_by_qc = Equipment.Status.OUT_OF_SERVICE, True
        reasons.append(f"QC action level: {test.name} = {format_sig(result.value)} {result.unit}".strip())
    valid = programme_valid_until(device)
    # the stored date is kept for activity meters (the admin list shows it); pages compute it live
    if device.kind == Equipment.Kind.ACTIVITY_METER and valid != device.qc_valid_until:
        device.qc_valid_until = valid
        reasons.append(f"QC valid until {valid:%Y-%m-%d}" if valid else "QC not in date")
    if reasons:
        with because("; ".join(reasons)):
            device.save()


def return_to_service(equipment: Equipment, *, physicist, password: str, reason: str) -> Equipment:
    """A physicist returns a device locked by QC to clinical use, by e-signature, once every test passed again."""
    require_role(physicist, Role.PHYSICIST, what="returning a device to clinical use")
    reason = (reason or "").strip()
    if not reason:
        raise InputError("say what was done and checked before the return", "reason")
    equipment = Equipment.objects.get(pk=equipment.pk)  # the stored state decides, not the caller's copy
    if not equipment.locked_by_qc:
        raise InputError(f"{equipment} is not locked by an action-level QC result", "equipment")
    blockers = return_blockers(equipment)
    if blockers:
        raise InputError("not eligible yet: " + "; ".join(blockers), "equipment")
    reauthenticate(physicist, password, equipment, "released")
    with transaction.atomic(), acting_as(physicist, reason=f"returned to clinical use: {reason}"):
        device = Equipment.objects.select_for_update().get(pk=equipment.pk)
        device.status, device.locked_by_qc = Equipment.Status.CLINICAL, False
        device.save()
        sign(device, physicist, password, "released", f"Returned to clinical use after QC passed again: {reason}")
    return device


def is_physicist(user) -> bool:
    """Whether ``user`` may sign QC approvals and returns to service (the pages show those forms only then)."""
    return user.is_authenticated and user.groups.filter(name=Role.PHYSICIST.value).exists()


def approve_result(result: QCResult, *, physicist, password: str, comment: str = "") -> QCResult:
    """Review and approval by a physicist, as an e-signature over the stored result."""
    require_role(physicist, Role.PHYSICIST, what="approving QC results")
    check_competence(physicist, "qc_approval", timezone.localdate(), field="physicist")
    if result.approved_by_id:
        raise InputError("this result was approved already", "result")
    reauthenticate(physicist, password, result, "approved")
    with transaction.atomic(), acting_as(physicist, reason=f"QC result approved {comment}".strip()):
        signature = sign(result, physicist, password, "approved", comment or "QC result reviewed and approved")
        result.approved_by = physicist
        result.approval = signature
        result.save()
    return result


def schedule_test(
    equipment: Equipment, catalogue_id: str, user, *, check_source=None, nuclide_setting: str = "", frequency: str = ""
) -> QCSchedule:
    """Put a catalogue test on a device's programme (the department's copy of the test is made once)."""
    from nmguard.reference.qc_tests import get_qc_test

    spec = get_qc_test(catalogue_id)
    if equipment.kind not in spec.kinds:
        raise InputError(f"{spec.name} does not apply to a {equipment.get_kind_display().lower()}", "test")
    calendar_frequencies = [f.value for f in spec.frequencies if f.value not in ("acceptance", "after_repair")]
    with transaction.atomic(), acting_as(user, reason=f"QC programme: {spec.name} on {equipment}"):
        test, _ = QCTest.objects.get_or_create(
            catalogue_id=spec.id,
            defaults={"name": spec.name, "frequency": (calendar_frequencies or [spec.frequencies[0].value])[0]},
        )
        return QCSchedule.objects.create(
            equipment=equipment,
            test=test,
            check_source=check_source,
            nuclide_setting=nuclide_setting,
            frequency=frequency,
        )
