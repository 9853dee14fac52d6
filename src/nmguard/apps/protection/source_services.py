"""Sealed-source work: registering a source, recording a leak test (a failure withdraws the source), withdrawal
and disposal with a reason, the e-signed physical inventory, and the due lists the pages and the dashboard show.

Every rule comes from :mod:`nmguard.protection.sealed_sources` with the department's profile; each business action
is one transaction, attributed with :func:`~nmguard.apps.core.actor.acting_as`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.guards import check_not_future
from nmguard.apps.core.signatures import reauthenticate, record_signature
from nmguard.apps.protection.source_models import InventoryItem, LeakTest, SealedSource, SourceInventory
from nmguard.errors import InputError
from nmguard.input_bounds import check_date, check_instant
from nmguard.protection import sealed_sources as pure
from nmguard.reference.nuclides import get_nuclide, normalize_nuclide_name
from nmguard.reference.sealed_sources import SealedSourceRules, sealed_source_rules

WRITE_PERMISSION = "protection.add_leaktest"
ACTIVE = (SealedSource.Status.IN_USE, SealedSource.Status.STORED)


def rules() -> SealedSourceRules:
    """The department's profile's sealed-source rules."""
    from nmguard.apps.protection.staff_sums import department_profile

    return sealed_source_rules(department_profile())


def facts(source: SealedSource) -> pure.SourceFacts:
    return pure.SourceFacts(
        nuclide=source.nuclide,
        activity_Bq=source.activity_Bq,
        reference_at=source.reference_at,
        emission=source.emission,
        gaseous=source.gaseous,
        in_use=source.status == SealedSource.Status.IN_USE,
    )


def activity_now(source: SealedSource, at: dt.datetime | None = None) -> float:
    """The source's decayed activity at ``at`` (now by default), Bq."""
    return pure.activity_on(source.nuclide, source.activity_Bq, source.reference_at, at or timezone.now())


def last_test(source: SealedSource) -> LeakTest | None:
    return source.leak_tests.order_by("-wiped_at", "-pk").first()


def leak_state(
    source: SealedSource,
    today: dt.date | None = None,
    latest: LeakTest | None = None,
    profile_rules: SealedSourceRules | None = None,
) -> pure.Due:
    """Due / overdue / exempt / ok today; a withdrawn or disposed source is "not_in_use" (it may not be used)."""
    today = today or timezone.localdate()
    if source.status not in ACTIVE:
        return pure.Due("not_in_use", None, f"{source.get_status_display().lower()}: {source.status_reason}")
    latest = latest if latest is not None else last_test(source)
    last_day = timezone.localdate(latest.wiped_at) if latest else None
    at = timezone.make_aware(dt.datetime.combine(today, dt.time(12)))
    return pure.leak_test_due(facts(source), profile_rules or rules(), last_day, source.received_on, today, at)


@dataclass(frozen=True)
class RegisterRow:
    source: SealedSource
    activity_Bq: float
    leak: pure.Due
    latest: LeakTest | None


def register(today: dt.date | None = None, include_disposed: bool = False) -> list[RegisterRow]:
    """Every source with its decayed activity and leak-test state (disposed ones only when asked)."""
    today = today or timezone.localdate()
    sources = SealedSource.objects.select_related("custodian", "check_source")
    if not include_disposed:
        sources = sources.exclude(status=SealedSource.Status.DISPOSED)
    latest: dict[int, LeakTest] = {}
    for t in LeakTest.objects.filter(source__in=sources).order_by("wiped_at", "pk"):
        latest[t.source_id] = t
    in_force = rules()  # one profile look-up for the whole register
    return [
        RegisterRow(s, activity_now(s), leak_state(s, today, latest.get(s.pk), in_force), latest.get(s.pk))
        for s in sources
    ]


def leak_tests_due(today: dt.date | None = None) -> list[RegisterRow]:
    """The sources whose leak test is due or overdue on ``today`` (for the RPO's dashboard)."""
    return [r for r in register(today) if r.leak.state in ("due", "overdue")]


def last_inventory() -> SourceInventory | None:
    return SourceInventory.objects.filter(signature__isnull=False).order_by("-performed_on", "-pk").first()


def inventory_state(today: dt.date | None = None) -> pure.Due:
    """The physical inventory: due six months after the last signed one; the first is due on the day the first
    source was received."""
    today = today or timezone.localdate()
    last = last_inventory()
    first = SealedSource.objects.order_by("received_on").values_list("received_on", flat=True).first()
    return pure.inventory_due(last.performed_on if last else None, rules(), first or today, today)


def _check_date(day: dt.date, field: str) -> dt.date:
    check_date(day, field)
    if day > timezone.localdate():
        raise InputError(f"{field}: {day:%Y-%m-%d} lies in the future", field)
    return day


def register_source(user, *, check_source=None, **fields) -> SealedSource:
    """A new source in the register (the nuclide's spelling normalised, its activity positive)."""
    fields["nuclide"] = normalize_nuclide_name(fields["nuclide"])
    get_nuclide(fields["nuclide"])
    if not fields["activity_Bq"] > 0:
        raise InputError("activity must be a positive number of Bq", "activity_Bq")
    check_instant(fields["reference_at"], "reference_at")
    check_not_future(fields["reference_at"], "reference_at")
    _check_date(fields["received_on"], "received_on")
    if SealedSource.objects.filter(serial_number=fields["serial_number"]).exists():
        raise InputError(f"a source with serial number {fields['serial_number']!r} is registered", "serial_number")
    if check_source is not None and SealedSource.objects.filter(check_source=check_source).exists():
        raise InputError(f"{check_source} is already registered as a sealed source", "check_source")
    with transaction.atomic(), acting_as(user, reason="sealed source registered"):
        return SealedSource.objects.create(check_source=check_source, **fields)


def _set_status(source: SealedSource, status: str, reason: str, user) -> SealedSource:
    with acting_as(user, reason=f"sealed source {status}: {reason}"):
        source.status, source.status_reason, source.status_changed_at = status, reason, timezone.now()
        source.save()
    return source


def change_status(source: SealedSource, status: str, reason: str, user) -> SealedSource:
    """Withdraw, store, dispose or return to use, with the reason kept. A disposed source stays disposed; a
    return to use needs a passing leak test after the last change (35.67(b): tested before it is used again)."""
    reason = (reason or "").strip()
    if not reason:
        raise InputError("give the reason", "reason")
    if status not in SealedSource.Status.values:
        raise InputError(f"status must be one of {', '.join(SealedSource.Status.values)}", "status")
    with transaction.atomic():
        source = SealedSource.objects.select_for_update().get(pk=source.pk)
        if source.status == SealedSource.Status.DISPOSED:
            raise InputError("a disposed source cannot change status", "status")
        if status == source.status:
            raise InputError(f"the source is already {source.get_status_display().lower()}", "status")
        if status == SealedSource.Status.IN_USE and source.status_changed_at is not None:
            latest = last_test(source)
            if latest is None or not latest.passed or latest.created_at < source.status_changed_at:
                raise InputError(
                    "return to use needs a passing leak test recorded after the source was taken out of use",
                    "status",
                )
        return _set_status(source, status, reason, user)


def record_leak_test(
    source: SealedSource,
    *,
    wiped_at: dt.datetime,
    user,
    mda_Bq: float,
    removable_Bq: float | None = None,
    gross_cpm: float | None = None,
    background_cpm: float | None = None,
    efficiency: float | None = None,
    comment: str = "",
) -> LeakTest:
    """Store a wipe judged against the profile's limit; a failure withdraws the source at once (35.67(e))."""
    check_instant(wiped_at, "wiped_at")  # a supplier's test before receipt is allowed (35.67(b)(1))
    check_not_future(wiped_at, "wiped_at")
    counts = (gross_cpm, background_cpm, efficiency)
    if removable_Bq is None:
        if any(v is None for v in counts):
            raise InputError(
                "enter the removable activity in Bq, or gross and background counts and the efficiency", "removable_Bq"
            )
        removable_Bq = pure.activity_from_counts(gross_cpm, background_cpm, efficiency)  # type: ignore[arg-type]
    elif any(v is not None for v in counts):
        raise InputError("enter the activity in Bq or the counts, not both", "removable_Bq")
    source.refresh_from_db()  # the status as stored, not as the caller last saw it
    if source.status == SealedSource.Status.DISPOSED:
        raise InputError("the source is disposed", "source")
    judged = pure.judge_wipe(removable_Bq, mda_Bq, rules())
    reason = "leak test" + (" passed" if judged.passed else " FAILED")
    with transaction.atomic(), acting_as(user, reason=f"{reason}: {judged.reason}"):
        test = LeakTest.objects.create(
            source=source,
            wiped_at=wiped_at,
            wiped_by=user,
            removable_Bq=judged.removable_Bq,
            mda_Bq=judged.mda_Bq,
            gross_cpm=gross_cpm,
            background_cpm=background_cpm,
            efficiency=efficiency,
            limit_Bq=judged.limit_Bq,
            passed=judged.passed,
            reason=judged.reason,
            comment=comment,
        )
        if not judged.passed and source.status != SealedSource.Status.WITHDRAWN:
            locked = SealedSource.objects.select_for_update().get(pk=source.pk)
            _set_status(
                locked, SealedSource.Status.WITHDRAWN, f"failed leak test of {wiped_at:%Y-%m-%d}: {judged.reason}", user
            )
            source.refresh_from_db()
    return test


def record_inventory(
    seen: dict[int, tuple[bool, str, str]], *, performed_on: dt.date, user, password: str, comment: str = ""
) -> SourceInventory:
    """An inventory of every source not disposed: ``seen`` maps source id -> (present, location, note); a missing
    source must say so. Signed by the user ('verified') after re-authentication."""
    _check_date(performed_on, "performed_on")
    sources = list(SealedSource.objects.exclude(status=SealedSource.Status.DISPOSED))
    if not sources:
        raise InputError("the register holds no source to inventory", "sources")
    if missing := [s for s in sources if s.pk not in seen]:
        raise InputError(f"say for every source whether it was seen: {', '.join(map(str, missing))}", "sources")
    if unknown := set(seen) - {s.pk for s in sources}:
        raise InputError(f"unknown or disposed source id(s) {sorted(unknown)}", "sources")
    inventory = SourceInventory(performed_on=performed_on, performed_by=user, comment=comment)
    reauthenticate(user, password, inventory, "verified")  # a wrong password is audited and stops here
    absent = [s for s in sources if not seen[s.pk][0]]
    with transaction.atomic(), acting_as(user, reason=f"physical inventory of {len(sources)} sealed sources"):
        inventory.save()
        for s in sources:
            present, location, note = seen[s.pk]
            InventoryItem.objects.create(
                inventory=inventory, source=s, present=present, location=location or s.location, note=note
            )
        missing_text = "; missing: " + ", ".join(map(str, absent)) if absent else ""
        signature = record_signature(inventory, user, "verified", f"Physical inventory of sealed sources{missing_text}")
        inventory.signature = signature
        inventory.save()
    return inventory


def check_source_refusal(check_source, day: dt.date) -> str | None:
    """Why a QC check source may not be used on ``day`` (its sealed source withdrawn, disposed, stored, or its
    leak test overdue where the profile blocks use), or None. Registered with the equipment app."""
    source = SealedSource.objects.filter(check_source_id=check_source.pk).first()
    if source is None:
        return None
    if source.status != SealedSource.Status.IN_USE:
        why = f": {source.status_reason}" if source.status_reason else ""
        return f"check source {source.serial_number} is {source.get_status_display().lower()}{why}"
    state = leak_state(source, day)
    if state.state == "overdue" and rules().block_overdue.value:
        return f"check source {source.serial_number}: {state.reason}"
    return None


def active_sources() -> Iterable[SealedSource]:
    return SealedSource.objects.exclude(status=SealedSource.Status.DISPOSED).order_by("location", "nuclide")
