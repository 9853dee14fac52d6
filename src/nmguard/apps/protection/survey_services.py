"""Workplace monitoring services: what may be recorded, the judgement from the pure layer with the profile's
levels, the decontamination follow-up, and the schedule.

Pages, the API and the demo all write through here (one transaction per action, attributed with
``acting_as``). Refusals are :class:`~nmguard.errors.InputError` naming the field: an instrument out of
calibration or out of service on the survey date, a failed constancy check not repeated with a pass, a counter
without an efficiency for the nuclide, the wrong kind of instrument for the location, impossible values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.protection.survey_models import (
    ConstancyCheck,
    FollowUp,
    Instrument,
    Survey,
    SurveyLocation,
    WipeTest,
)
from nmguard.errors import InputError
from nmguard.input_bounds import check_date, check_instant, check_quantity, check_text
from nmguard.protection import surveys as pure
from nmguard.reference.nuclides import normalize_nuclide_name
from nmguard.reference.workplace_monitoring import MonitoringLevels, get_monitoring_levels

WRITE_PERMISSION = "protection.add_survey"
VIEW_PERMISSION = "protection.view_survey"
INSTRUMENT_FOR = {
    SurveyLocation.SurveyKind.DOSE_RATE: Instrument.Kind.DOSE_RATE_METER,
    SurveyLocation.SurveyKind.CONTAMINATION: Instrument.Kind.CONTAMINATION_MONITOR,
    SurveyLocation.SurveyKind.WIPE: Instrument.Kind.WIPE_COUNTER,
}


def check_may_write(user) -> None:
    if user is None or not user.is_active or not user.has_perm(WRITE_PERMISSION):
        name = getattr(user, "username", "nobody")
        raise InputError(
            f"{name} may not write monitoring records (roles: radiation protection officer, medical physicist)", "user"
        )


def levels() -> MonitoringLevels:
    """The department's profile's levels."""
    from nmguard.apps.protection.staff_sums import department_profile

    return get_monitoring_levels(department_profile())


def action_level(location: SurveyLocation, nuclide: str = "") -> tuple[float, str]:
    """The location's action level (µSv/h or Bq/cm²) and where it comes from: the override with its reason,
    else the profile's level for the area kind (and the nuclide for contamination)."""
    if location.action_level_override is not None:
        return location.action_level_override, f"department override: {location.override_reason}"[:300]
    lv = levels()
    if location.survey_kind == SurveyLocation.SurveyKind.DOSE_RATE:
        value = lv.dose_rate_level(location.area_kind)
    else:
        value, _ = lv.contamination_level(nuclide or location.nuclide, location.area_kind)
    return value.value, f"{lv.profile.upper()}: {value.source.id} ({value.status.value})"[:300]


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def calibration_periods(instrument: Instrument) -> dict[dt.date, dt.date]:
    """Every calibration of the instrument (its date -> its due date, the latest recorded due date winning),
    from the row's history: a paper record entered after a recalibration is judged by the calibration of its
    day, and a corrected due date replaces the one it corrects."""
    periods: dict[dt.date, dt.date] = {}
    for start, due in instrument.history.order_by("history_date", "history_id").values_list(
        "calibrated_on", "calibration_due"
    ):
        periods[start] = due
    periods[instrument.calibrated_on] = instrument.calibration_due
    return periods


def check_instrument(instrument: Instrument, location: SurveyLocation, on: dt.date, field: str) -> None:
    """Refuse an instrument of the wrong kind, out of service, with no calibration in force on ``on``, or whose latest
    constancy check on or before ``on`` failed (a passing repeat clears it)."""
    wanted = INSTRUMENT_FOR[location.survey_kind]
    if instrument.kind != wanted:
        raise InputError(f"{field}: a {Instrument.Kind(wanted).label.lower()} is needed at {location}", field)
    if instrument.status != Instrument.Status.IN_SERVICE:
        raise InputError(f"{field}: {instrument} is out of service", field)
    if not any(start <= on <= due for start, due in calibration_periods(instrument).items()):
        raise InputError(
            f"{field}: {instrument} is not in calibration on {on} (calibrated {instrument.calibrated_on},"
            f" due {instrument.calibration_due})",
            field,
        )
    last = instrument.constancy_checks.filter(checked_on__lte=on).order_by("-checked_on", "-pk").first()
    if last is not None and not last.passed:
        raise InputError(
            f"{field}: {instrument}'s constancy check of {last.checked_on} failed and was not repeated with a pass",
            field,
        )


def _performed_at(value: dt.datetime) -> dt.datetime:
    now = timezone.now()
    check_instant(value, "performed_at")
    if value > now + dt.timedelta(minutes=5):  # a few minutes of clock skew between a meter and the server
        raise InputError("performed_at: lies in the future", "performed_at")
    return value


@transaction.atomic
def create_instrument(
    user, *, name: str, kind: str, serial: str, calibrated_on: dt.date, calibration_due: dt.date,
    reads_background: bool = False, check_reference: float | None = None, check_unit: str = "",
    efficiencies: dict[str, float] | None = None,
) -> Instrument:  # fmt: skip
    check_may_write(user)
    if kind not in Instrument.Kind.values:
        raise InputError(f"kind: one of {', '.join(Instrument.Kind.values)}", "kind")
    check_text(name, "name", max_length=120, required=True)
    check_text(serial, "serial", max_length=80, required=True)
    check_date(calibrated_on, "calibrated_on", latest=timezone.localdate())
    check_date(calibration_due, "calibration_due")
    if calibration_due <= calibrated_on:
        raise InputError("calibration_due: must be after the calibration date", "calibration_due")
    if Instrument.objects.filter(serial=serial.strip()).exists():
        raise InputError(f"serial: an instrument with serial {serial.strip()!r} exists", "serial")
    if check_reference is not None:
        check_quantity(check_reference, "check_reference", "count")
    clean = {}
    for nuclide, eff in (efficiencies or {}).items():
        eff = check_quantity(eff, "efficiencies", "factor")
        if eff > 1:
            raise InputError(f"efficiencies: {nuclide} {eff:g} counts per decay is more than 1", "efficiencies")
        clean[normalize_nuclide_name(nuclide)] = eff
    with acting_as(user, reason="instrument registered"):
        return Instrument.objects.create(
            name=name.strip(), kind=kind, serial=serial.strip(), calibrated_on=calibrated_on,
            calibration_due=calibration_due, reads_background=reads_background, check_reference=check_reference,
            check_unit=check_unit.strip(), efficiencies=clean,
        )  # fmt: skip


@transaction.atomic
def update_instrument(
    user, instrument: Instrument, *, status: str, reason: str, calibrated_on: dt.date | None = None,
    calibration_due: dt.date | None = None,
) -> Instrument:  # fmt: skip
    """A new calibration (both dates) and/or a change of status, with the reason kept in the history."""
    check_may_write(user)
    if status not in Instrument.Status.values:
        raise InputError(f"status: one of {', '.join(Instrument.Status.values)}", "status")
    check_text(reason, "reason", required=True)
    if (calibrated_on is None) != (calibration_due is None):
        raise InputError("calibration_due: a new calibration needs both its date and its due date", "calibration_due")
    if calibrated_on is not None and calibration_due is not None:
        check_date(calibrated_on, "calibrated_on", latest=timezone.localdate(), earliest=instrument.calibrated_on)
        check_date(calibration_due, "calibration_due")
        if calibration_due <= calibrated_on:
            raise InputError("calibration_due: must be after the calibration date", "calibration_due")
        instrument.calibrated_on, instrument.calibration_due = calibrated_on, calibration_due
    with acting_as(user, reason=reason.strip()):
        instrument.status = status
        instrument.save()
    return instrument


@transaction.atomic
def record_constancy(user, instrument: Instrument, checked_on: dt.date, reading: float) -> ConstancyCheck:
    """A check-source reading against the instrument's reference, judged with the tolerance for its kind."""
    check_may_write(user)
    check_date(checked_on, "checked_on", latest=timezone.localdate())
    if instrument.check_reference is None:
        raise InputError(f"reading: {instrument} has no check-source reference value", "reading")
    tolerance = levels().constancy_tolerance[instrument.kind].value
    passed = pure.constancy_passes(reading, instrument.check_reference, tolerance)
    with acting_as(user, reason="constancy check"):
        return ConstancyCheck.objects.create(
            instrument=instrument, checked_on=checked_on, reading=reading, reference=instrument.check_reference,
            tolerance=tolerance, passed=passed, checked_by=user,
        )  # fmt: skip


@transaction.atomic
def create_location(
    user, *, name: str, area_kind: str, survey_kind: str, frequency: str, nuclide: str = "",
    first_due: dt.date | None = None, action_level_override: float | None = None, override_reason: str = "",
) -> SurveyLocation:  # fmt: skip
    check_may_write(user)
    check_text(name, "name", max_length=120, required=True)
    for field, value, choices in (
        ("area_kind", area_kind, SurveyLocation.AreaKind.values),
        ("survey_kind", survey_kind, SurveyLocation.SurveyKind.values),
        ("frequency", frequency, SurveyLocation.Frequency.values),
    ):
        if value not in choices:
            raise InputError(f"{field}: one of {', '.join(choices)}", field)
    if SurveyLocation.objects.filter(name=name.strip()).exists():
        raise InputError(f"name: a location named {name.strip()!r} exists", "name")
    nuclide = normalize_nuclide_name(nuclide) if nuclide else ""
    if survey_kind == SurveyLocation.SurveyKind.WIPE and not nuclide:
        raise InputError("nuclide: a wipe-test location needs the nuclide handled there", "nuclide")
    if action_level_override is not None:
        kind = "dose_rate" if survey_kind == SurveyLocation.SurveyKind.DOSE_RATE else "surface"
        check_quantity(action_level_override, "action_level_override", kind)
        if not override_reason.strip():
            raise InputError("override_reason: say why the department's level differs", "override_reason")
    with acting_as(user, reason="survey location added"):
        return SurveyLocation.objects.create(
            name=name.strip(), area_kind=area_kind, survey_kind=survey_kind, frequency=frequency, nuclide=nuclide,
            first_due=first_due or timezone.localdate(), action_level_override=action_level_override,
            override_reason=override_reason.strip(),
        )  # fmt: skip


def _follow_up(location: SurveyLocation, result: Survey | WipeTest, above: bool, when: dt.datetime) -> None:
    """An above-level result opens a follow-up (unless one is open); a later result links as the re-survey of
    the open one and closes it when below the level and after the recorded action."""
    open_one = FollowUp.objects.filter(location=location, closed_at__isnull=True).first()
    if open_one is not None:
        if isinstance(result, Survey):
            open_one.resurvey = result
        else:
            open_one.rewipe = result
        if not above and open_one.action_at is not None and when >= open_one.action_at:
            open_one.closed_at = when
        open_one.save()
    elif above:
        FollowUp.objects.create(
            location=location, **({"survey": result} if isinstance(result, Survey) else {"wipe": result})
        )


@transaction.atomic
def record_survey(
    user, location: SurveyLocation, instrument: Instrument, performed_at: dt.datetime,
    readings: Sequence[float], background: float | None = None, note: str = "",
) -> Survey:  # fmt: skip
    """A dose-rate or direct contamination survey: the highest reading, net of background where the meter
    reads one, against the location's level."""
    check_may_write(user)
    if location.survey_kind == SurveyLocation.SurveyKind.WIPE:
        raise InputError("location: a wipe-test location takes wipe tests", "location")
    _performed_at(performed_at)
    check_instrument(instrument, location, _local_day(performed_at), "instrument")
    if not readings:
        raise InputError("readings: at least one reading", "readings")
    kind = "dose_rate" if location.survey_kind == SurveyLocation.SurveyKind.DOSE_RATE else "surface"
    values = [check_quantity(r, "readings", kind, allow_zero=True) for r in readings]
    if background is None and instrument.reads_background:
        raise InputError(f"background: {instrument} reads the background; enter it", "background")
    if background is not None:
        background = check_quantity(background, "background", kind, allow_zero=True)
    level, source = action_level(location)
    judged = pure.survey_reading(max(values), background, level, kind)
    with acting_as(user, reason="survey recorded"):
        survey = Survey.objects.create(
            location=location, instrument=instrument, performed_at=performed_at, performed_by=user, readings=values,
            background=background, net_max=judged.net, unit="uSv/h" if kind == "dose_rate" else "Bq/cm2",
            action_level=level, level_source=source, above_action_level=judged.above_action_level,
            note=check_text(note, "note"),
        )  # fmt: skip
        _follow_up(location, survey, judged.above_action_level, performed_at)
    return survey


@transaction.atomic
def record_wipe(
    user, location: SurveyLocation, counter: Instrument, performed_at: dt.datetime, *, nuclide: str = "",
    gross_counts: float, gross_time_s: float, background_counts: float, background_time_s: float,
    area_cm2: float, removal_fraction: float | None = None, note: str = "",
) -> WipeTest:  # fmt: skip
    """A wipe counted in ``counter``: converted with the counter's efficiency for the nuclide and the
    department's removal fraction (the profile's default when not given)."""
    check_may_write(user)
    if location.survey_kind != SurveyLocation.SurveyKind.WIPE:
        raise InputError("location: not a wipe-test location", "location")
    _performed_at(performed_at)
    check_instrument(counter, location, _local_day(performed_at), "counter")
    nuclide = normalize_nuclide_name(nuclide or location.nuclide)
    efficiency = (counter.efficiencies or {}).get(nuclide)
    if efficiency is None:
        raise InputError(f"nuclide: {counter} has no efficiency for {nuclide}", "nuclide")
    lv = levels()
    fraction = lv.removal_fraction.value if removal_fraction is None else removal_fraction
    level, source = action_level(location, nuclide)
    r = pure.wipe_activity(
        gross_counts=gross_counts, gross_time_s=gross_time_s, background_counts=background_counts,
        background_time_s=background_time_s, efficiency=efficiency, area_cm2=area_cm2, removal_fraction=fraction,
        action_level_Bq_cm2=level, currie_constant=lv.currie_constant.value, currie_k_sqrt2=lv.currie_k_sqrt2.value,
    )  # fmt: skip
    with acting_as(user, reason="wipe test recorded"):
        wipe = WipeTest.objects.create(
            location=location, counter=counter, nuclide=nuclide, performed_at=performed_at, performed_by=user,
            gross_counts=gross_counts, gross_time_s=gross_time_s, background_counts=background_counts,
            background_time_s=background_time_s, area_cm2=area_cm2, efficiency=efficiency, removal_fraction=fraction,
            activity_Bq_cm2=r.activity_Bq_cm2, mda_Bq_cm2=r.mda_Bq_cm2, below_mda=r.below_mda, action_level=level,
            level_source=source, above_action_level=r.above_action_level, note=check_text(note, "note"),
        )  # fmt: skip
        _follow_up(location, wipe, r.above_action_level, performed_at)
    return wipe


@transaction.atomic
def record_action(user, follow_up: FollowUp, action_taken: str, action_at: dt.datetime | None = None) -> FollowUp:
    """The decontamination done; the next result below the level at the location closes the follow-up."""
    check_may_write(user)
    if not follow_up.is_open:
        raise InputError("action_taken: the follow-up is closed", "action_taken")
    check_text(action_taken, "action_taken", required=True)
    when = _performed_at(action_at or timezone.now())
    with acting_as(user, reason="decontamination recorded"):
        follow_up.action_taken, follow_up.action_at = action_taken.strip(), when
        follow_up.save()
    return follow_up


@dataclass(frozen=True)
class ScheduleRow:
    location: SurveyLocation
    state: pure.ScheduleState


def schedule(today: dt.date | None = None) -> list[ScheduleRow]:
    """Every active location's due date and state on ``today`` (the department's local date), overdue first."""
    today = today or timezone.localdate()
    grace = {k: int(v.value) for k, v in levels().grace_days.items()}
    last: dict[int, dt.datetime] = {}
    for model in (Survey, WipeTest):
        for pk, when in (
            model.objects.order_by().values("location").annotate(m=Max("performed_at")).values_list("location", "m")
        ):
            last[pk] = max(when, last.get(pk, when))
    rows = []
    for loc in SurveyLocation.objects.filter(active=True):
        done = _local_day(last[loc.pk]) if loc.pk in last else None
        rows.append(
            ScheduleRow(loc, pure.schedule_state(done, loc.frequency, today, grace[loc.frequency], loc.first_due))
        )
    order = {"overdue": 0, "due": 1, "ok": 2}
    return sorted(rows, key=lambda r: (order[r.state.state], r.state.due, r.location.name))


def due_surveys(today: dt.date | None = None) -> list[ScheduleRow]:
    """The locations due or overdue on ``today`` (for the RPO's dashboard), overdue first."""
    return [r for r in schedule(today) if r.state.state != "ok"]
