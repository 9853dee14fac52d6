"""The radiopharmacist's day as business actions: receive, elute, prepare, test, release, dispense,
store waste. Each action is one transaction and attributed; a refused dispensing is audited too.

The decisions live in the pure layer (:mod:`nmguard.hotlab`); this module stores and enforces them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.audit import record_event
from nmguard.apps.core.guards import check_not_future, require_role
from nmguard.apps.core.roles import Role
from nmguard.apps.core.signatures import reauthenticate, sign
from nmguard.apps.radiopharmacy.models import Batch, BatchTest, Dispensing, Elution, Generator, Recipe, WasteContainer
from nmguard.errors import InputError
from nmguard.reference import get_nuclide


class DispensingRefused(InputError):
    """The dose may not be drawn from this batch; the refusal is in the audit trail."""


def _profile_id() -> str:
    from nmguard.apps.patients.services import jurisdiction_profile_id

    return jurisdiction_profile_id()


def _positive(value: float, field: str) -> float:
    if value is None or not value > 0:
        raise InputError(f"{field} must be positive", field)
    return value


# ---------------------------------------------------------------- generators
def receive_generator(
    *,
    name: str,
    parent: str,
    calibrated_activity_Bq: float,
    calibrated_at: dt.datetime,
    received_at: dt.datetime,
    user,
    manufacturer: str = "",
    lot: str = "",
) -> Generator:
    from nmguard.reference.breakthrough import generator_daughter

    require_role(user, Role.RADIOPHARMACIST, what="receiving a generator")
    parent_name = get_nuclide(parent).name
    _positive(calibrated_activity_Bq, "calibrated_activity")
    check_not_future(received_at, "received_at")
    with transaction.atomic(), acting_as(user, reason="generator received"):
        generator = Generator(
            name=name,
            parent=parent_name,
            daughter=generator_daughter(parent_name),
            calibrated_activity_Bq=calibrated_activity_Bq,
            calibrated_at=calibrated_at,
            received_at=received_at,
            manufacturer=manufacturer,
            lot=lot,
        )
        generator.full_clean()
        generator.save()
    return generator


def elute(
    generator: Generator,
    *,
    eluted_at: dt.datetime,
    eluted_Bq: float,
    volume_mL: float,
    user,
    breakthrough_parent_Bq: float | None = None,
    aluminium_ok: bool | None = None,
) -> Elution:
    """Record an elution with its yield against the Bateman-available activity and its breakthrough."""
    from nmguard.hotlab.generators import breakthrough, elution_yield

    require_role(user, Role.RADIOPHARMACIST, what="eluting")
    check_not_future(eluted_at, "eluted_at")
    _positive(eluted_Bq, "eluted_activity")
    _positive(volume_mL, "volume_mL")
    previous = generator.elutions.filter(eluted_at__lt=eluted_at).order_by("-eluted_at").first()
    yield_result = elution_yield(
        generator_activity_Bq=generator.calibrated_activity_Bq,
        calibrated_at=generator.calibrated_at,
        last_elution=previous.eluted_at if previous else None,
        eluted_Bq=eluted_Bq,
        at=eluted_at,
        parent=generator.parent,
    ).flat()
    bt = {}
    usable = aluminium_ok is not False
    if breakthrough_parent_Bq is not None:
        result = breakthrough(generator.parent, breakthrough_parent_Bq, eluted_Bq, eluted_at, _profile_id())
        bt = {**result.flat(), "warnings": list(result.warnings)}
        usable = usable and bool(bt.get("within_limit"))
    with transaction.atomic(), acting_as(user, reason="elution"):
        return Elution.objects.create(
            generator=generator,
            eluted_at=eluted_at,
            eluted_activity_Bq=eluted_Bq,
            volume_mL=volume_mL,
            available_Bq=yield_result["available_Bq"],
            yield_percent=yield_result["yield_percent"],
            breakthrough_parent_Bq=breakthrough_parent_Bq,
            breakthrough=bt,
            aluminium_ok=aluminium_ok,
            usable=usable,
            performed_by=user,
        )


# ---------------------------------------------------------------- preparations
@dataclass(frozen=True)
class Component:
    name: str
    lot: str
    expiry: dt.date


def prepare_batch(
    recipe: Recipe,
    *,
    number: str,
    prepared_at: dt.datetime,
    activity_Bq: float,
    volume_mL: float,
    components: list[Component],
    user,
    elution: Elution | None = None,
    equipment: dict | None = None,
    environment: dict | None = None,
) -> Batch:
    """Record a preparation; refuse expired components, an unusable eluate, activity or volume outside the recipe."""
    require_role(user, Role.RADIOPHARMACIST, what="preparing a batch")
    check_not_future(prepared_at, "prepared_at")
    _positive(activity_Bq, "activity")
    _positive(volume_mL, "volume_mL")
    day = timezone.localdate(prepared_at)
    for c in components:
        if not c.lot.strip():
            raise InputError(f"{c.name}: give the lot number", "components")
        if c.expiry < day:
            raise InputError(f"{c.name} lot {c.lot} expired on {c.expiry:%Y-%m-%d}", "components")
    if elution is not None:
        if not elution.usable:
            raise InputError("this eluate failed its tests and may not be used", "elution")
        until = elution.breakthrough.get("usable_until")
        if until and until not in ("never", "now") and dt.datetime.fromisoformat(until) < prepared_at:
            raise InputError(f"the eluate exceeds the breakthrough limit from {until}", "elution")
    mbq = activity_Bq / 1e6
    if recipe.min_activity_MBq is not None and mbq < recipe.min_activity_MBq:
        raise InputError(f"{mbq:.4g} MBq is below the recipe's {recipe.min_activity_MBq:g} MBq", "activity")
    if recipe.max_activity_MBq is not None and mbq > recipe.max_activity_MBq:
        raise InputError(f"{mbq:.4g} MBq is above the recipe's {recipe.max_activity_MBq:g} MBq", "activity")
    if recipe.max_volume_mL is not None and volume_mL > recipe.max_volume_mL:
        raise InputError(f"{volume_mL:g} mL is above the recipe's {recipe.max_volume_mL:g} mL", "volume_mL")
    if Batch.objects.filter(number=number).exists():
        raise InputError(f"batch number {number} exists already", "number")
    with transaction.atomic(), acting_as(user, reason="batch prepared"):
        return Batch.objects.create(
            number=number,
            recipe=recipe,
            elution=elution,
            prepared_at=prepared_at,
            prepared_by=user,
            activity_Bq=activity_Bq,
            volume_mL=volume_mL,
            components=[{"name": c.name, "lot": c.lot, "expiry": c.expiry.isoformat()} for c in components],
            equipment=equipment or {},
            environment=environment or {},
            expires_at=prepared_at + dt.timedelta(hours=recipe.shelf_life_h),
        )


STRIP_FIELDS = ("strip1_front", "strip1_origin", "strip2_front", "strip2_origin")


def record_test(
    batch: Batch,
    *,
    test: str,
    user,
    value: float | None = None,
    text: str = "",
    detail: dict | None = None,
    waived_reason: str = "",
    performed_at: dt.datetime | None = None,
    strips: dict[str, float | None] | None = None,
) -> BatchTest:
    """Record one QC result; an RCP may be given as the four 99mTc two-strip counts instead of a value."""
    require_role(user, Role.RADIOPHARMACIST, what="recording QC")
    if strips and any(v is not None for v in strips.values()):
        if any(strips.get(k) is None for k in STRIP_FIELDS):
            raise InputError("give all four strip counts", "strip1_front")
        value, detail = rcp_from_two_strips(strips)
    if batch.status != Batch.Status.PREPARED:
        raise InputError(f"batch {batch.number} is {batch.get_status_display().lower()}", "batch")
    performed_at = performed_at or timezone.now()
    check_not_future(performed_at, "performed_at")
    with transaction.atomic(), acting_as(user, reason=f"QC {test}"):
        return BatchTest.objects.create(
            batch=batch,
            test=test,
            value=value,
            text=text,
            detail=detail or {},
            waived_reason=waived_reason.strip(),
            performed_by=user,
            performed_at=performed_at,
        )


def release_decision(batch: Batch):
    """The pure release rules applied to the batch's latest result per test."""
    from nmguard.hotlab.release import evaluate_release

    latest: dict[str, BatchTest] = {}
    for t in batch.tests.order_by("performed_at", "pk"):
        latest[t.test] = t
    results = {
        k: (t.value if t.value is not None else (t.text or None)) for k, t in latest.items() if not t.waived_reason
    }
    waivers = {k: t.waived_reason for k, t in latest.items() if t.waived_reason}
    return evaluate_release(
        batch.recipe.radiopharmaceutical.catalogue_id,
        results,
        waivers,
        max_dose_volume_mL=batch.recipe.max_dose_volume_mL,
    )


def release(batch: Batch, *, qualified_person, password: str, statement: str = "") -> Batch:
    """Release by a qualified person (e-signature); refused when a test failed or is missing."""
    require_role(qualified_person, Role.RADIOPHARMACIST, what="releasing a batch")
    if batch.status != Batch.Status.PREPARED:
        raise InputError(f"batch {batch.number} is {batch.get_status_display().lower()}", "batch")
    decision = release_decision(batch)
    if not decision.releasable:
        raise InputError("not releasable: " + "; ".join(decision.blocking_reasons), "tests")
    reauthenticate(qualified_person, password, batch, "released")
    with transaction.atomic(), acting_as(qualified_person, reason="batch released"):
        batch.status = Batch.Status.RELEASED
        batch.release_decision = decision.to_dict()
        batch.save()
        batch.release_signature = sign(
            batch, qualified_person, password, "released", statement or f"Batch {batch.number} released for use"
        )
        batch.save()
    return batch


# ---------------------------------------------------------------- dispensing
def dispense_refusal(batch: Batch, at: dt.datetime) -> str | None:
    """Why no dose may be drawn from ``batch`` at ``at``, or None."""
    if batch.status != Batch.Status.RELEASED:
        return f"batch {batch.number} is not released ({batch.get_status_display().lower()})"
    if at >= batch.expires_at:
        return f"batch {batch.number} expired at {timezone.localtime(batch.expires_at):%Y-%m-%d %H:%M}"
    decision = release_decision(batch)
    if not decision.releasable:
        return f"batch {batch.number} has a failed or missing test: " + "; ".join(decision.blocking_reasons)
    return None


def dispense(
    batch: Batch,
    *,
    prescription,
    wanted_Bq: float,
    wanted_at: dt.datetime,
    meter,
    measured_Bq: float,
    measured_at: dt.datetime,
    user,
) -> Dispensing:
    """Draw a patient dose; refused (and audited) before release, after expiry or with a failed test."""
    from nmguard.apps.patients import services as administration
    from nmguard.hotlab.dosing import draw_volume

    require_role(user, Role.RADIOPHARMACIST, Role.TECHNOLOGIST, what="dispensing")
    _positive(wanted_Bq, "wanted_activity")
    _positive(measured_Bq, "measured_activity")
    refusal = dispense_refusal(batch, max(measured_at, wanted_at))
    if refusal is None and prescription is not None:
        product = prescription.protocol.radiopharmaceutical
        if product.pk != batch.recipe.radiopharmaceutical_id:
            refusal = f"batch {batch.number} is {batch.recipe.radiopharmaceutical}, the prescription is {product}"
    if refusal is None and (meter_refusal := meter.clinical_use_refusal(timezone.localdate(measured_at))):
        refusal = meter_refusal
    if refusal is not None:
        record_event("refused", instance=batch, actor=user, reason=f"dispensing refused: {refusal}")
        raise DispensingRefused(refusal, "batch")
    nuclide = batch.recipe.radiopharmaceutical.nuclide
    volume = draw_volume(nuclide, batch.activity_Bq, batch.volume_mL, batch.prepared_at, wanted_Bq, wanted_at)
    with transaction.atomic(), acting_as(user, reason="dose dispensed"):
        dispensing = Dispensing.objects.create(
            batch=batch,
            prescription=prescription,
            wanted_activity_Bq=wanted_Bq,
            wanted_at=wanted_at,
            volume_mL=volume.values["volume_mL"].value,
            measured_activity_Bq=measured_Bq,
            measured_at=measured_at,
            activity_meter=meter,
            dispensed_by=user,
        )
        if prescription is not None:
            administration.record_measurement(
                prescription, meter=meter, activity_Bq=measured_Bq, measured_at=measured_at, user=user
            )
    return dispensing


# ---------------------------------------------------------------- waste
def seal_waste(
    *, label: str, nuclide: str, activity_Bq: float, limit_Bq: float, sealed_at: dt.datetime, user
) -> WasteContainer:
    from nmguard.hotlab.waste import release_date

    check_not_future(sealed_at, "sealed_at")
    _positive(activity_Bq, "activity")
    _positive(limit_Bq, "limit")
    result = release_date(get_nuclide(nuclide).name, activity_Bq, sealed_at, limit_Bq, profile=_profile_id())
    flat = result.to_dict()
    release_at = flat.get("release_at") if result.eligible_for_decay_in_storage else None
    with transaction.atomic(), acting_as(user, reason="waste container sealed"):
        return WasteContainer.objects.create(
            label=label,
            nuclide=get_nuclide(nuclide).name,
            sealed_at=sealed_at,
            activity_Bq=activity_Bq,
            limit_Bq=limit_Bq,
            release_at=dt.datetime.fromisoformat(release_at) if release_at else None,
            rule={k: v for k, v in flat.items() if k != "release_at"},
        )


def dispose_waste(
    container: WasteContainer,
    *,
    disposed_at: dt.datetime,
    background: float,
    surface: float,
    unit: str,
    instrument: str,
    surveyor: str,
    user,
    counting_time_s: float | None = None,
) -> WasteContainer:
    """Disposal after the release date with the survey the regulation asks for (35.2092 record)."""
    from nmguard.hotlab.waste import disposal_survey_ok

    check_not_future(disposed_at, "disposed_at")
    if container.disposed_at:
        raise InputError("this container was disposed of already", "container")
    if container.release_at is None or disposed_at < container.release_at:
        raise InputError("the container is not yet past its release date", "disposed_at")
    if not instrument.strip() or not surveyor.strip():
        raise InputError("name the survey instrument and the surveyor", "instrument")
    per_second = {"cps": 1.0, "cpm": 1 / 60.0}
    if unit in per_second:
        if not counting_time_s:
            raise InputError("a count-rate survey needs the counting time", "counting_time_s")
        verdict = disposal_survey_ok(
            background * per_second[unit],
            surface * per_second[unit],
            instrument_kind="count_rate",
            background_time_s=counting_time_s,
            reading_time_s=counting_time_s,
            instrument=instrument,
            surveyor=surveyor,
            disposal_date=timezone.localdate(disposed_at),
            profile=_profile_id(),
        )
    else:
        verdict = disposal_survey_ok(
            background,
            surface,
            instrument_kind="dose_rate",
            instrument=instrument,
            surveyor=surveyor,
            disposal_date=timezone.localdate(disposed_at),
            profile=_profile_id(),
        )
    if not verdict.ok:
        raise InputError(
            f"surface reading {surface:g} {unit} is distinguishable from background {background:g} "
            f"{unit} ({verdict.criterion}): keep it stored",
            "surface",
        )
    with transaction.atomic(), acting_as(user, reason="waste disposed"):
        container.disposed_at = disposed_at
        container.survey = {
            "background": background,
            "surface": surface,
            "unit": unit,
            "instrument": instrument,
            "surveyor": surveyor,
            "counting_time_s": counting_time_s,
            "check": verdict.to_dict(),
        }
        container.save()
    return container


def record_discharge(*, at: dt.datetime, pathway: str, nuclide: str, activity_Bq: float, user, note: str = ""):
    from nmguard.apps.radiopharmacy.models import Discharge

    check_not_future(at, "at")
    if pathway not in ("sewer", "air"):
        raise InputError("pathway must be sewer or air", "pathway")
    if activity_Bq is None or activity_Bq < 0:
        raise InputError("activity cannot be negative", "activity")
    with transaction.atomic(), acting_as(user, reason=f"{pathway} release"):
        return Discharge.objects.create(
            at=at,
            pathway=pathway,
            nuclide=get_nuclide(nuclide).name,
            activity_Bq=activity_Bq,
            note=note,
            recorded_by=user,
        )


def discharge_totals() -> list[dict]:
    """Per calendar year, pathway and nuclide (no limits shipped: 10 CFR 20 App. B not read)."""
    from nmguard.apps.radiopharmacy.models import Discharge
    from nmguard.hotlab.waste import Discharge as PureDischarge
    from nmguard.hotlab.waste import release_totals

    items = [PureDischarge(d.nuclide, d.activity_Bq, d.at, d.pathway) for d in Discharge.objects.all()]
    return release_totals(items)["totals"] if items else []


def rcp_from_two_strips(counts: dict) -> tuple[float, dict]:
    """RCP % and its counting uncertainty from the 99mTc two-strip ITLC counts."""
    from nmguard.hotlab.purity import rcp_two_strip_tc99m

    result = rcp_two_strip_tc99m(
        counts["strip1_front"], counts["strip1_origin"], counts["strip2_front"], counts["strip2_origin"]
    )
    return result.rcp_percent, result.to_dict()
