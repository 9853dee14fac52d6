"""Issue 10 items 2 and 3 on the administration path, through the services (the forms and the API call
the same functions). Numbers are checked against 2^(−t/T½) with the shipped half-life and against the
limits read from the reference data, never against output captured once."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.conftest import PASSWORD
from tests.department import now_minute
from tests.patients.test_administration_path import answers, measure_for, prescribe_fdg

from nmguard.apps.core.models import Signature
from nmguard.apps.patients import services
from nmguard.apps.patients.models import Administration, Patient, Prescription, SafetyCheck
from nmguard.errors import InputError
from nmguard.reference import get_nuclide
from nmguard.reference.administration_plausibility import administration_plausibility

pytestmark = pytest.mark.django_db

TC99M = get_nuclide("Tc-99m").half_life_s
LIMITS = administration_plausibility()


def _field(info) -> str:
    return info.value.field


# ---------------------------------------------------------------- item 3: time order
def _mdp_measured(dept, measured_at, activity_Bq=612e6):
    p = services.prescribe(
        patient=dept["man"],
        protocol=dept["mdp_protocol"],
        scheduled_for=now_minute(),
        weight_kg=80,
        prescriber=dept["physician"],
    )
    services.record_measurement(
        p, meter=dept["meter"], activity_Bq=activity_Bq, measured_at=measured_at, user=dept["technologist"]
    )
    return p


def test_injection_planned_before_the_measurement_is_refused(dept):
    """612 MBq measured at 11:00, injection "at 09:00": would decay backwards to 755.6 MBq."""
    measured = now_minute() - dt.timedelta(minutes=30)
    p = _mdp_measured(dept, measured)
    assert 612e6 * 2 ** (2 * 3600 / TC99M) > 612e6 * 1.25  # what decaying "backwards" 2 h would have recorded
    with pytest.raises(InputError, match="before the dose measurement") as info:
        services.record_checks(
            p, answers(dept["man"], dept["mdp"], measured - dt.timedelta(hours=2)), dept["technologist"]
        )
    assert _field(info) == "planned_at"
    assert not SafetyCheck.objects.filter(prescription=p).exists()


def test_administration_before_the_measurement_is_refused_and_nothing_stored(dept):
    measured = now_minute() - dt.timedelta(minutes=30)
    p = _mdp_measured(dept, measured)
    services.record_checks(
        p, answers(dept["man"], dept["mdp"], measured + dt.timedelta(minutes=10)), dept["technologist"]
    )
    p.refresh_from_db()
    assert p.status == "checked"
    with pytest.raises(InputError, match="before the dose measurement") as info:
        services.administer(
            p,
            services.AdministrationInput(
                administered_at=measured - dt.timedelta(hours=2), route="iv", extravasation=False
            ),
            dept["technologist"],
        )
    assert _field(info) == "administered_at"
    assert not Administration.objects.exists()


def test_injection_later_than_checked_recomputes_the_activity(dept):
    """Checked at +0 %, injected 2 h later: 2^(−2 h/T½) = −21 % for Tc-99m, outside ±20 % (NRC)."""
    at = now_minute()
    p = services.prescribe(
        patient=dept["man"], protocol=dept["mdp_protocol"], scheduled_for=at, weight_kg=80, prescriber=dept["physician"]
    )
    measure_for(dept, p, at, half_life=TC99M)
    services.record_checks(p, answers(dept["man"], dept["mdp"], at), dept["technologist"])
    late = at + dt.timedelta(hours=2)
    deviation = 100 * (2 ** (-2 * 3600 / TC99M) - 1)
    assert deviation < -20
    with time_machine_at(late), pytest.raises(services.AdministrationBlocked, match="record the checks again") as info:
        services.administer(
            p, services.AdministrationInput(administered_at=late, route="iv", extravasation=False), dept["technologist"]
        )
    assert _field(info) == "administered_at" and f"{deviation:+.1f} %" in info.value.message
    assert not Administration.objects.exists()


def time_machine_at(instant: dt.datetime):
    import time_machine

    return time_machine.travel(instant, tick=True)


def test_measurement_on_another_day_blocks_until_a_physician_overrides(dept):
    """A 2020 reading for today's injection fails the day check; a physician may e-sign an override."""
    at = now_minute()
    p = prescribe_fdg(dept, at)
    old = at.replace(year=2020)
    services.record_measurement(p, meter=dept["meter"], activity_Bq=2e11, measured_at=old, user=dept["technologist"])
    stored = services.record_checks(p, answers(dept["man"], dept["fdg"], at), dept["technologist"])
    day = next(c for c in stored if c.kind == "measurement_day")
    assert day.blocks and "2020" in day.message
    p.refresh_from_db()
    assert p.status == "measured"
    with pytest.raises(services.AdministrationBlocked):
        services.administer(
            p, services.AdministrationInput(administered_at=at, route="iv", extravasation=False), dept["technologist"]
        )
    with pytest.raises(InputError, match="role"):
        services.override_check(
            day, physician=dept["technologist"], password=PASSWORD, reason="measured yesterday, long-lived"
        )


def test_measurement_the_evening_before_can_be_overridden(dept):
    at = now_minute()
    p = services.prescribe(
        patient=dept["man"],
        protocol=dept["iodine_protocol"],
        scheduled_for=at,
        weight_kg=80,
        prescriber=dept["physician"],
    )
    i131 = get_nuclide("I-131").half_life_s
    yesterday = at - dt.timedelta(hours=16)
    reading = p.prescribed_activity_Bq * 2 ** (16 * 3600 / i131)
    services.record_measurement(
        p, meter=dept["meter"], activity_Bq=reading, measured_at=yesterday, user=dept["technologist"]
    )
    stored = {
        c.kind: c for c in services.record_checks(p, answers(dept["man"], dept["iodine"], at), dept["technologist"])
    }
    assert [k for k, c in stored.items() if c.blocks] == ["measurement_day"]
    services.override_check(
        stored["measurement_day"],
        physician=dept["physician"],
        password=PASSWORD,
        reason="capsule measured last evening, I-131 decays 6 % overnight",
    )
    a = services.administer(
        p, services.AdministrationInput(administered_at=at, route="oral", extravasation=False), dept["technologist"]
    )
    assert a.administered_activity_Bq == pytest.approx(p.prescribed_activity_Bq, rel=1e-9)


def test_planned_injection_time_later_today_is_accepted(dept):
    """The planned injection time is a plan: 3 h from now is not "in the future" in the refused sense."""
    at = now_minute()
    p = prescribe_fdg(dept, at + dt.timedelta(hours=3))
    services.record_measurement(
        p,
        meter=dept["meter"],
        activity_Bq=p.prescribed_activity_Bq * 2 ** (3 * 3600 / get_nuclide("F-18").half_life_s),
        measured_at=at,
        user=dept["technologist"],
    )
    stored = services.record_checks(
        p, answers(dept["man"], dept["fdg"], at + dt.timedelta(hours=3)), dept["technologist"]
    )
    assert not any(c.blocks for c in stored)
    activity = next(c for c in stored if c.kind == "activity")
    assert activity.detail["deviation_percent"] == pytest.approx(0.0, abs=1e-9)


# ---------------------------------------------------------------- item 3: prescriptions
def test_prescription_in_the_past_is_refused(dept):
    margin = LIMITS.scheduled_past_margin_minutes.value
    with pytest.raises(InputError, match="in the past") as info:
        prescribe_fdg(dept, now_minute() - dt.timedelta(minutes=margin + 5))
    assert _field(info) == "scheduled_for"
    prescribe_fdg(dept, now_minute() - dt.timedelta(minutes=margin - 5))  # the patient already in the room
    assert Prescription.objects.count() == 1


def test_exact_duplicate_prescription_is_refused(dept):
    at = now_minute() + dt.timedelta(hours=1)
    first = prescribe_fdg(dept, at)
    with pytest.raises(InputError, match=f"prescription {first.pk}") as info:
        prescribe_fdg(dept, at)
    assert _field(info) == "scheduled_for" and Prescription.objects.count() == 1


def _mdp(dept, activity_MBq, reason="", password="", hours=1):
    return services.prescribe(
        patient=dept["man"],
        protocol=dept["mdp_protocol"],
        scheduled_for=now_minute() + dt.timedelta(hours=hours),
        weight_kg=80,
        prescriber=dept["physician"],
        activity_MBq=activity_MBq,
        override_reason=reason,
        signature_password=password,
    )


def test_activity_far_above_the_protocol_needs_a_signed_reason_of_substance(dept):
    """5 GBq MDP (protocol 600 MBq) with the reason "x" went through."""
    factor = LIMITS.far_above_protocol_factor.value
    assert factor * 600 < 5000
    with pytest.raises(InputError, match="reason of substance") as info:
        _mdp(dept, 5000, reason="x")
    assert _field(info) == "override_reason"
    with pytest.raises(InputError, match="sign the override") as info:
        _mdp(dept, 5000, reason="bone metastases survey with a research protocol")
    assert _field(info) == "signature_password"
    with pytest.raises(InputError, match="password"):
        _mdp(dept, 5000, reason="bone metastases survey with a research protocol", password="wrong")
    assert not Prescription.objects.exists()
    p = _mdp(dept, 5000, reason="bone metastases survey with a research protocol", password=PASSWORD)
    sig = Signature.objects.get(pk=p.override_signature_id)
    assert sig.signer == dept["physician"] and sig.meaning == "approved" and "5000 MBq" in sig.statement
    # just above the protocol but below the factor: a reason, no signature
    modest = _mdp(dept, 600 * (factor - 0.1), reason="large patient, long acquisition not possible", hours=2)
    assert modest.override_signature_id is None


@pytest.mark.parametrize("reason", ["", "x", "ok", "asdf", "xxxxxxxxxxxxxxxxxxxx", "per physician"])
def test_reasons_without_substance_are_refused(dept, reason):
    with pytest.raises(InputError) as info:
        _mdp(dept, 700, reason=reason)
    assert _field(info) == "override_reason"


# ---------------------------------------------------------------- item 3: patients
def _register(dept, **changes):
    data = dict(mrn="NM-7", family_name="Muster", given_name="Eva", birth_date=dt.date(1970, 1, 1), sex="F")
    return services.register_patient(**{**data, **changes}, user=dept["technologist"])


def test_mrn_differing_only_in_case_is_refused(dept):
    _register(dept, mrn="ab-100")
    with pytest.raises(InputError, match="exists already") as info:
        _register(dept, mrn=" AB-100 ", family_name="Other", birth_date=dt.date(1980, 1, 1))
    assert _field(info) == "mrn" and Patient.objects.filter(mrn__iexact="ab-100").count() == 1


def test_same_name_and_birth_date_needs_explicit_confirmation(dept):
    first = _register(dept)
    with pytest.raises(InputError, match=first.mrn) as info:
        _register(dept, mrn="NM-8", family_name="MUSTER", given_name="eva")
    assert _field(info) == "confirm_distinct"
    second = _register(dept, mrn="NM-8", confirm_distinct=True)
    assert second.pk != first.pk


def test_birth_date_before_the_earliest_year_is_refused(dept):
    earliest = int(LIMITS.earliest_birth_year.value)
    with pytest.raises(InputError, match=str(earliest)) as info:
        _register(dept, birth_date=dt.date(earliest - 1, 12, 31))
    assert _field(info) == "birth_date"
    _register(dept, birth_date=dt.date(earliest, 1, 1))


# ---------------------------------------------------------------- item 2: no default answers
def _woman_measured(dept):
    at = now_minute()
    p = services.prescribe(
        patient=dept["adult"],
        protocol=dept["fdg_protocol"],
        scheduled_for=at,
        weight_kg=60,
        prescriber=dept["physician"],
    )
    measure_for(dept, p, at)
    return p, at


@pytest.mark.parametrize(
    ("missing", "field"),
    [
        ({"pregnancy": None}, "pregnancy"),
        ({"breastfeeding": None}, "breastfeeding"),
        ({"previous_reaction": None}, "previous_reaction"),
        ({"radiopharmaceutical_id": None}, "radiopharmaceutical"),
    ],
)
def test_unanswered_safety_question_is_refused(dept, missing, field):
    p, at = _woman_measured(dept)
    with pytest.raises(InputError) as info:
        services.record_checks(p, answers(dept["adult"], dept["fdg"], at, **missing), dept["technologist"])
    assert _field(info) == field
    assert not SafetyCheck.objects.filter(prescription=p).exists()


def test_pregnancy_asked_across_the_profile_age_range(dept):
    """Asked for every patient whose sex is not recorded as male inside the profile's range (NRC profile)."""
    from nmguard.reference.jurisdictions import get_profile

    profile = get_profile("nrc")
    lo, hi = profile.pregnancy_ask_age_min.value, profile.pregnancy_ask_age_max.value
    at = now_minute()
    today = at.date()
    for age, sex, asked in [(lo + 0.5, "F", True), (hi - 0.5, "U", True), (hi + 1, "F", False), (30, "M", False)]:
        patient = Patient(birth_date=today - dt.timedelta(days=round(age * 365.2425)), sex=sex)
        assert services.pregnancy_question(Prescription(patient=patient), today).ask is asked, (age, sex)


# ---------------------------------------------------------------- the API runs the same checks
def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_api_refuses_what_the_forms_refuse(client, dept):
    client.force_login(dept["technologist"])
    body = {"mrn": "p-2", "family_name": "X", "given_name": "Y", "birth_date": "1970-01-01", "sex": "F"}
    r = _post(client, "/api/v1/patients", body)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "mrn"
    r = _post(client, "/api/v1/patients", {**body, "mrn": "Q-1", "birth_date": "1899-01-01"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "birth_date"
    same = {**body, "mrn": "Q-1", "family_name": "MAN", "given_name": "max", "birth_date": "1960-02-02", "sex": "M"}
    r = _post(client, "/api/v1/patients", same)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "confirm_distinct"
    assert _post(client, "/api/v1/patients", {**same, "confirm_distinct": True}).status_code == 201
    client.force_login(dept["physician"])
    rx = {
        "patient_id": dept["man"].pk,
        "protocol_id": dept["mdp_protocol"].pk,
        "scheduled_for": (now_minute() + dt.timedelta(hours=1)).isoformat(),
        "weight_kg": 80,
        "activity": "5 GBq",
        "override_reason": "x",
    }
    r = _post(client, "/api/v1/prescriptions", rx)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "override_reason"
    rx["override_reason"] = "whole-body survey under research protocol 17"
    r = _post(client, "/api/v1/prescriptions", rx)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "signature_password"
    r = _post(client, "/api/v1/prescriptions", {**rx, "signature_password": PASSWORD})
    assert r.status_code == 201 and r.json()["override_signed_by"]
    r = _post(client, "/api/v1/prescriptions", {**rx, "signature_password": PASSWORD})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "scheduled_for"  # exact duplicate


# ---------------------------------------------------------------- item 8: roles in pages
def test_write_views_refuse_roles_the_services_refuse(client, dept, make_user):
    client.force_login(dept["technologist"])
    assert client.get("/administrations/prescriptions/new/").status_code == 403
    assert b"New prescription" not in client.get("/administrations/").content
    client.force_login(dept["administrator"])
    page = client.get("/administrations/").content
    assert b"New prescription" not in page and b"New patient" not in page
    assert client.get("/administrations/patients/new/").status_code == 403
    rpo = make_user("rpo", "rpo-c")
    client.force_login(rpo)
    assert client.get("/administrations/medical-events/").status_code == 200


def test_medical_event_steps_name_the_responsible_role(dept):
    from tests.patients.test_administration_path import _therapy_event

    from nmguard.apps.core.roles import Role

    _therapy_event(dept)
    (row,) = services.medical_event_rows()
    responsible = {s.action: s.responsible for s in row.steps}
    assert responsible and set(responsible.values()) <= {Role.RPO.label, Role.PHYSICIAN.label}
    notify = [a for a in responsible if a.startswith("Notify the referring physician")]
    assert notify and responsible[notify[0]] == Role.PHYSICIAN.label
    assert all(s.due is None or s.due.tzinfo is not None for s in row.steps)


def test_rrdsr_import_matches_patient_id_regardless_of_case(dept):
    from nmguard.apps.core.actor import acting_as
    from nmguard.apps.patients.exchange import import_rrdsr, rrdsr_bytes

    at = now_minute()
    p = prescribe_fdg(dept, at)
    measure_for(dept, p, at)
    services.record_checks(p, answers(dept["man"], dept["fdg"], at), dept["technologist"])
    a = services.administer(
        p, services.AdministrationInput(administered_at=at, route="iv", extravasation=False), dept["technologist"]
    )
    data = rrdsr_bytes(a)  # carries "P-2"
    with acting_as(dept["administrator"], reason="test: the other system writes IDs in lower case"):
        Patient.objects.filter(pk=dept["man"].pk).update(mrn="p-2")
    assert import_rrdsr(data, dept["physicist"]).patient_id == dept["man"].pk


def test_no_safety_answer_is_preselected_on_the_pages(client, dept):
    """The rendered checks and administration forms carry no checked radio/box and no selected answer."""
    import re

    from tests.patients.test_administration_path import answers as full_answers

    at = now_minute()
    p, _ = _woman_measured(dept)
    client.force_login(dept["technologist"])
    html = client.get(f"/administrations/prescriptions/{p.pk}/").content.decode()
    form = html[html.index('data-testid="checks-form"') : html.index("Record checks")]
    assert "checked" not in form
    assert not re.search(
        r"<option[^>]*selected[^>]*>(?!—)", form.split('name="radiopharmaceutical"')[1].split("</select>")[0]
    )
    services.record_checks(
        p, full_answers(dept["adult"], dept["fdg"], at, pregnancy="not_pregnant"), dept["technologist"]
    )
    html = client.get(f"/administrations/prescriptions/{p.pk}/").content.decode()
    form = html[html.index('data-testid="administer-form"') : html.index("Record administration")]
    assert "checked" not in form
    route = form.split('name="route"')[1].split("</select>")[0]
    assert not re.search(r'<option value="[^"]+"[^>]*selected', route)
