"""The QC programme as business actions: the day's list, results, evaluation, approval, lock-out.

An action-level result takes the device out of clinical use at once; the device returns to
clinical use when every test whose latest result was at action level has a passing result again.
Activity meters keep ``qc_valid_until`` from their constancy test, which the administration path
reads before it accepts a dose measurement. Every change is attributed and audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from nmguard.analysis import AnalysisResult
from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.guards import check_not_future, require_role
from nmguard.apps.core.roles import Role
from nmguard.apps.core.signatures import reauthenticate, sign
from nmguard.apps.equipment.models import Equipment, QCExemption, QCResult, QCSchedule, QCTest
from nmguard.errors import InputError
from nmguard.rules.qc_schedule import due_state, valid_until

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


def due_items(day: dt.date, equipment: Equipment | None = None) -> list[DueItem]:
    """Every active schedule with its state on ``day`` (due, overdue, done, or exempt)."""
    schedules = QCSchedule.objects.filter(active=True, test__active=True).select_related("equipment", "test")
    if equipment is not None:
        schedules = schedules.filter(equipment=equipment)
    exempt = set(QCExemption.objects.filter(day=day).values_list("equipment_id", flat=True))
    items = []
    for schedule in schedules:
        last = schedule.results.order_by("-performed_at").first()
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
            )
        )
    return items


def overdue_items(day: dt.date) -> list[DueItem]:
    return [i for i in due_items(day) if i.overdue and not i.exempt]


@transaction.atomic
def exempt_today(equipment: Equipment, day: dt.date, reason: str, user) -> QCExemption:
    """ "Not in use today": no QC due, and no clinical use either (the meter is refused)."""
    if not reason.strip():
        raise InputError("say why the device is not in use", "reason")
    if QCExemption.objects.filter(equipment=equipment, day=day).exists():
        raise InputError(f"{equipment} is already marked not in use on {day}", "day")
    with acting_as(user, reason=f"not in use: {reason.strip()}"):
        return QCExemption.objects.create(equipment=equipment, day=day, reason=reason.strip())


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


def bands_for(test: QCTest) -> dict[str, float | None]:
    """The bands in force (department's where set, else the catalogue's), for charts and pages."""
    from nmguard.reference.qc_tests import get_qc_test

    override = department_bands(test)
    spec = get_qc_test(test.catalogue_id)
    tolerance = override.tolerance if override and override.tolerance else spec.tolerance
    action = override.action if override and override.action else spec.action
    return {
        "tolerance_low": tolerance.low if tolerance else None,
        "tolerance_high": tolerance.high if tolerance else None,
        "action_low": action.low if action else None,
        "action_high": action.high if action else None,
    }


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
    evaluation = evaluation or evaluate_value(schedule.test, value)
    outcome = evaluation["outcome"]
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


def _latest_outcomes(equipment: Equipment) -> dict[int, str]:
    latest: dict[int, str] = {}
    for r in QCResult.objects.filter(schedule__equipment=equipment).order_by("performed_at", "pk"):
        latest[r.schedule_id] = r.outcome
    return latest


def _apply_to_device(result: QCResult) -> None:
    """Action level → out of service; last action cleared → back to clinical use; constancy → valid-until."""
    from nmguard.apps.core.actor import because

    device = Equipment.objects.select_for_update().get(pk=result.schedule.equipment_id)
    test = result.schedule.test
    action = result.outcome == QCResult.Outcome.ACTION
    reasons = []
    if action and device.status != Equipment.Status.OUT_OF_SERVICE:
        device.status, device.locked_by_qc = Equipment.Status.OUT_OF_SERVICE, True
        reasons.append(f"QC action level: {test.name} = {result.value:g} {result.unit}".strip())
    elif not action and device.locked_by_qc and QCResult.Outcome.ACTION not in _latest_outcomes(device).values():
        device.status, device.locked_by_qc = Equipment.Status.CLINICAL, False
        reasons.append(f"QC passed again ({test.name}): back in clinical use")
    if test.catalogue_id == CONSTANCY_TEST and not action:
        device.qc_valid_until = valid_until(
            timezone.localdate(result.performed_at), result.schedule.effective_frequency
        )
        reasons.append(f"constancy passed: QC valid until {device.qc_valid_until}")
    if reasons:
        with because("; ".join(reasons)):
            device.save()


def approve_result(result: QCResult, *, physicist, password: str, comment: str = "") -> QCResult:
    """Review and approval by a physicist, as an e-signature over the stored result."""
    require_role(physicist, Role.PHYSICIST, what="approving QC results")
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
