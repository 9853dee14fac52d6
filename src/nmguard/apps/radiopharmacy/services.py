"""The radiopharmacist's day as business actions: receive, elute, prepare, test, release, dispense,
store waste. Each action is one transaction and attributed; a refused dispensing is audited too.

The decisions live in the pure layer (:mod:`nmguard.hotlab`); this module stores and enforces them.

Why one module of about 600 lines: the hot-lab day's business actions share the batch's state rules (release before
dispensing, expiry, activity balance); one module keeps them consistent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.audit import record_event
from nmguard.apps.core.competence import check_competence
from nmguard.apps.core.guards import check_not_future, require_role
from nmguard.apps.core.roles import Role
from nmguard.apps.core.signatures import reauthenticate, sign
from nmguard.apps.radiopharmacy.models import Batch, BatchTest, Dispensing, Elution, Generator, Recipe, WasteContainer
from nmguard.errors import InputError
from nmguard.physics.display import format_sig
from nmguard.physics.units import format_activity
from nmguard.reference import get_nuclide


class DispensingRefused(InputError):
    """The dose may not be drawn from this batch; the refusal is in the audit trail."""


# Who may do each hot-lab action: the Django permission that opens the view or endpoint, and the roles the
# service accepts. A page shows a form only to a user who has both (:func:`may`), so nobody fills in a
# form that is then refused.
ACTIONS: dict[str, tuple[str, tuple[Role, ...]]] = {
    "receive_generator": ("radiopharmacy.add_generator", (Role.RADIOPHARMACIST,)),
    "elute": ("radiopharmacy.add_elution", (Role.RADIOPHARMACIST,)),
    "prepare": ("radiopharmacy.add_batch", (Role.RADIOPHARMACIST,)),
    "test": ("radiopharmacy.add_batchtest", (Role.RADIOPHARMACIST,)),
    "release": ("radiopharmacy.change_batch", (Role.RADIOPHARMACIST,)),
    "dispense": ("radiopharmacy.add_dispensing", (Role.RADIOPHARMACIST, Role.TECHNOLOGIST)),
    "delivery": ("radiopharmacy.add_delivery", (Role.RADIOPHARMACIST,)),
    "seal_waste": ("radiopharmacy.add_wastecontainer", (Role.RADIOPHARMACIST,)),
    "dispose_waste": ("radiopharmacy.change_wastecontainer", (Role.RADIOPHARMACIST,)),
    "discharge": ("radiopharmacy.add_discharge", (Role.RADIOPHARMACIST,)),
}


def may(user, action: str) -> bool:
    """Whether ``user`` may submit ``action`` (permission and role), e.g. to decide if a form is shown."""
    perm, roles = ACTIONS[action]
    if not (user.is_authenticated and user.has_perm(perm)):
        return False
    return user.groups.filter(name__in=[r.value for r in roles]).exists()


def permitted(user) -> dict[str, bool]:
    """:func:`may` for every action (the pages' ``can``)."""
    return {action: may(user, action) for action in ACTIONS}


def _require(user, action: str, what: str) -> None:
    require_role(user, *ACTIONS[action][1], what=what)


def _profile_id() -> str:
    from nmguard.apps.patients.services import jurisdiction_profile_id

    return jurisdiction_profile_id()


def _positive(value: float, field: str) -> float:
    if value is None or not value > 0:
        raise InputError(f"{field} must be positive", field)
    return value


# ---------------------------------------------------------------- generators
def check_calibration(calibrated_at: dt.datetime, received_at: dt.datetime, kind: str) -> dt.datetime:
    """A calibration time within the calendar's bounds and not further after receipt than the hot lab's
    plausibility data allows for ``kind`` ("generator" or "delivery")."""
    from nmguard.input_bounds import check_instant
    from nmguard.reference.hotlab_plausibility import hotlab_plausibility

    limits = hotlab_plausibility()
    days = limits.generator_calibration_ahead_days if kind == "generator" else limits.delivery_calibration_ahead_days
    return check_instant(calibrated_at, "calibrated_at", now=received_at, ahead=dt.timedelta(days=days.value))


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

    _require(user, "receive_generator", "receiving a generator")
    parent_name = get_nuclide(parent).name
    _positive(calibrated_activity_Bq, "calibrated_activity")
    check_not_future(received_at, "received_at")
    check_calibration(calibrated_at, received_at, "generator")
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
    yield_reason: str = "",
) -> Elution:
    """Record an elution with its yield against the Bateman-available activity and its breakthrough.

    A yield above the plausible maximum (reference data) is refused until a reason is recorded."""
    from nmguard.hotlab._common import check_reason
    from nmguard.hotlab.generators import breakthrough, elution_yield, yield_needs_reason

    _require(user, "elute", "eluting")
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
    if (why := yield_needs_reason(yield_result["yield_percent"])) is not None:
        yield_reason = check_reason(yield_reason, "yield_reason", why)
    else:
        yield_reason = (yield_reason or "").strip()
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
            yield_reason=yield_reason,
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
    stock=None,
    equipment: dict | None = None,
    environment: dict | None = None,
) -> Batch:
    """Record a preparation; refuse expired components, an unusable eluate, activity or volume outside the
    recipe, and more activity than the decay-corrected eluate (or stock vial) it was drawn from holds."""
    _require(user, "prepare", "preparing a batch")
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
        until = elution.usable_until
        if until == "now" or (isinstance(until, dt.datetime) and until < prepared_at):
            shown = "its elution" if until == "now" else f"{timezone.localtime(until):%Y-%m-%d %H:%M %Z}"
            raise InputError(f"the eluate exceeds the breakthrough limit from {shown}", "elution")
    _check_source(recipe, elution, stock, activity_Bq, prepared_at)
    mbq = activity_Bq / 1e6
    if recipe.min_activity_MBq is not None and mbq < recipe.min_activity_MBq:
        raise InputError(
            f"{format_activity(activity_Bq)} is below the recipe's {format_activity(recipe.min_activity_MBq * 1e6)}",
            "activity",
        )
    if recipe.max_activity_MBq is not None and mbq > recipe.max_activity_MBq:
        raise InputError(
            f"{format_activity(activity_Bq)} is above the recipe's {format_activity(recipe.max_activity_MBq * 1e6)}",
            "activity",
        )
    if recipe.max_volume_mL is not None and volume_mL > recipe.max_volume_mL:
        raise InputError(
            f"{format_sig(volume_mL)} mL is above the recipe's {format_sig(recipe.max_volume_mL)} mL", "volume_mL"
        )
    if Batch.objects.filter(number=number).exists():
        raise InputError(f"batch number {number} exists already", "number")
    with transaction.atomic(), acting_as(user, reason="batch prepared"):
        return Batch.objects.create(
            number=number,
            recipe=recipe,
            elution=elution,
            stock=stock,
            prepared_at=prepared_at,
            prepared_by=user,
            activity_Bq=activity_Bq,
            volume_mL=volume_mL,
            components=[{"name": c.name, "lot": c.lot, "expiry": c.expiry.isoformat()} for c in components],
            equipment=equipment or {},
            environment=environment or {},
            expires_at=prepared_at + dt.timedelta(hours=recipe.shelf_life_h),
        )


def _check_source(recipe: Recipe, elution: Elution | None, stock, activity_Bq: float, prepared_at: dt.datetime) -> None:
    """The eluate or stock vial holds the recipe's nuclide, existed at the preparation time, and holds enough
    activity (decay-corrected, with the earlier preparations drawn from it): activity is conserved."""
    from nmguard.hotlab.balance import Draw, check_activity_balance

    if elution is not None and stock is not None:
        raise InputError("a preparation is made from an eluate or from a stock vial, not both", "stock")
    nuclide = recipe.radiopharmaceutical.nuclide
    if elution is not None:
        source, field, name = elution, "elution", "eluate"
        source_nuclide, source_Bq, source_at = elution.generator.daughter, elution.eluted_activity_Bq, elution.eluted_at
    elif stock is not None:
        source, field, name = stock, "stock", "stock vial"
        source_nuclide, source_Bq, source_at = stock.nuclide, stock.activity_Bq, stock.calibrated_at
        if stock.received_at > prepared_at:
            raise InputError("the stock vial was received after the preparation time", "prepared_at")
    else:
        return
    if source_nuclide != nuclide:
        raise InputError(f"the {name} is {source_nuclide}; {recipe.radiopharmaceutical} needs {nuclide}", field)
    earlier = [Draw(b.activity_Bq, b.prepared_at) for b in source.batches.all()]
    check_activity_balance(
        nuclide, source_Bq, source_at, earlier, Draw(activity_Bq, prepared_at), source_name=name, field="activity"
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
    """Record one QC result; an RCP may be given as the four 99mTc two-strip counts instead of a value.

    Only a test of the recipe's release specification is accepted, with a result inside the test's physical
    range (a pass/fail test with pass or fail); the page and the API both come here."""
    from nmguard.hotlab.release import check_result

    _require(user, "test", "recording QC")
    if batch.status != Batch.Status.PREPARED:
        raise InputError(f"batch {batch.number} is {batch.get_status_display().lower()}", "batch")
    specs = release_tests(batch)
    test = (test or "").strip()
    if test not in specs:
        offered = ", ".join(specs) or "none"
        raise InputError(
            f"{test or 'no test'} is not a release test of {batch.recipe}; choose one of: {offered}", "test"
        )
    if strips and any(v is not None for v in strips.values()):
        if test != "rcp":
            raise InputError("strip counts give an RCP: choose the rcp test", "test")
        if any(strips.get(k) is None for k in STRIP_FIELDS):
            raise InputError("give all four strip counts", "strip1_front")
        if value is not None:
            raise InputError("give the RCP either as a value or as strip counts, not both", "value")
        value, detail = rcp_from_two_strips(strips)
    check_result(specs[test], value, text or "", waived_reason or "")
    performed_at = performed_at or timezone.now()
    check_not_future(performed_at, "performed_at")
    if performed_at < batch.prepared_at:
        raise InputError("the test time lies before the batch was prepared", "performed_at")
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


def release_tests(batch: Batch) -> dict:
    """The release tests defined for the batch's product (test name → specification), in the data's order.

    The specification is the first shipped for the product (:func:`release_specification`); a product
    without a catalogue id or a shipped specification has none, and its batches cannot take results."""
    from nmguard.reference.release_specs import release_specification

    catalogue_id = batch.recipe.radiopharmaceutical.catalogue_id
    if not catalogue_id:
        return {}
    try:
        return release_specification(catalogue_id)
    except InputError:
        return {}


def release_decision(batch: Batch):
    """The pure release rules applied to the batch's latest result per defined test.

    A stored result under a name that is not a test of the specification (recorded before names were
    checked) is left out of the decision, so it cannot block the batch for ever; the page lists it."""
    from nmguard.hotlab.release import evaluate_release

    defined = release_tests(batch)
    latest: dict[str, BatchTest] = {}
    for t in batch.tests.order_by("performed_at", "pk"):
        if t.test in defined:
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
    _require(qualified_person, "release", "releasing a batch")
    check_competence(qualified_person, "qp_release", timezone.localdate(), field="qualified_person")
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
        return f"batch {batch.number} expired at {timezone.localtime(batch.expires_at):%Y-%m-%d %H:%M %Z}"
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

    _require(user, "dispense", "dispensing")
    _positive(wanted_Bq, "wanted_activity")
    _positive(measured_Bq, "measured_activity")
    # Time order: the volume is decayed forwards from the preparation to the injection time, and the syringe
    # reading comes before the injection (a reading after it would decay the dose backwards).
    if measured_at < batch.prepared_at:
        raise InputError("the syringe reading lies before the batch was prepared", "measured_at")
    if wanted_at < measured_at:
        raise InputError("the injection time lies before the syringe reading", "wanted_at")
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

    _require(user, "seal_waste", "sealing a waste container")
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

    _require(user, "dispose_waste", "disposing of waste")
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
            f"surface reading {format_sig(surface)} {unit} is distinguishable from background {format_sig(background)} "
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

    _require(user, "discharge", "recording a release")
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
