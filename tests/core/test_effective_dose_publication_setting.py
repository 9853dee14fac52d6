"""The department chooses which publication its effective doses follow (issue 11 item 4).

The setting is a field of the department (changed by an administrator in the department form, audited
with before/after and row history); the administration records the dose with the publication actually
used and the pages print it beside the dose. Numbers: 99mTc-MDP ICRP 80 adult 0.0057 mSv/MBq (verified,
J Nucl Med table); 18F-FDG ICRP 80 5 y 0.050 and ICRP 128 5 y 0.056 mSv/MBq (REFERENCE_DATA 2.1).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from tests.department import now_minute

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.models import AuditEvent, Department
from nmguard.apps.patients import services
from nmguard.dosimetry.effective_dose import PUBLICATIONS
from nmguard.reference import get_nuclide

pytestmark = pytest.mark.django_db
TC99M = get_nuclide("Tc-99m").half_life_s


def test_default_choices_and_refusal_by_the_field():
    department = Department(name="New NM")
    assert department.effective_dose_publication == "ICRP 128"
    field = Department._meta.get_field("effective_dose_publication")
    assert [value for value, _ in field.choices] == list(PUBLICATIONS)
    assert "ICRP 128" in field.help_text and "MDP" in field.help_text  # the default stated and justified
    department.effective_dose_publication = "ICRP 60"
    with pytest.raises(ValidationError) as exc:
        department.full_clean()
    assert "effective_dose_publication" in exc.value.message_dict
    assert Department.effective_dose_publication_in_force() == "ICRP 128"  # before a department exists


def test_a_change_is_attributed_and_kept_in_the_history(dept):
    department = Department.objects.get()
    with acting_as(dept["administrator"], reason="national rules quote ICRP 80"):
        department.effective_dose_publication = "ICRP 80"
        department.save()
    event = AuditEvent.objects.filter(model_label="core.Department", action="update").last()
    assert event.before["effective_dose_publication"] == "ICRP 128"
    assert event.after["effective_dose_publication"] == "ICRP 80"
    assert event.actor == dept["administrator"] and event.reason == "national rules quote ICRP 80"
    assert [h.effective_dose_publication for h in department.history.order_by("history_date")] == [
        "ICRP 128",
        "ICRP 80",
    ]
    assert Department.effective_dose_publication_in_force() == "ICRP 80"


def test_department_form_shows_the_setting_and_refuses_a_bad_value_by_the_field(client, dept):
    department = Department.objects.get()
    client.force_login(dept["administrator"])
    url = f"/admin/core/department/{department.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and b"effective_dose_publication" in page.content
    form = {
        "name": department.name,
        "institution": department.institution,
        "time_zone": department.time_zone,
        "jurisdiction": department.jurisdiction,
        "effective_dose_publication": "ICRP 60",
    }
    bad = client.post(url, form)
    assert bad.status_code == 200  # the form again, with the error next to the field
    assert "effective_dose_publication" in bad.context["adminform"].form.errors
    department.refresh_from_db()
    assert department.effective_dose_publication == "ICRP 128"
    ok = client.post(url, {**form, "effective_dose_publication": "ICRP 80"})
    assert ok.status_code == 302
    department.refresh_from_db()
    assert department.effective_dose_publication == "ICRP 80"
    event = AuditEvent.objects.filter(model_label="core.Department", action="update").last()
    assert event.actor == dept["administrator"] and event.after["effective_dose_publication"] == "ICRP 80"


def _administer_mdp(dept):
    at = now_minute()
    p = services.prescribe(
        patient=dept["man"],
        protocol=dept["mdp_protocol"],
        scheduled_for=at,
        weight_kg=80.0,
        prescriber=dept["physician"],
    )
    services.record_measurement(
        p,
        meter=dept["meter"],
        activity_Bq=p.prescribed_activity_Bq * 2 ** (600 / TC99M),
        measured_at=at - dt.timedelta(minutes=10),
        user=dept["technologist"],
    )
    answers = services.CheckAnswers(
        patient_id=dept["man"].mrn,
        birth_date=dept["man"].birth_date,
        pregnancy="not_pregnant",
        breastfeeding=False,
        breastfeeding_advice_given=False,
        previous_reaction=False,
        reaction_note="",
        radiopharmaceutical_id=dept["mdp"].pk,
        planned_at=at,
    )
    services.record_checks(p, answers, dept["technologist"])
    a = services.administer(
        p,
        services.AdministrationInput(administered_at=at, route="iv", site="left arm", extravasation=False),
        dept["technologist"],
    )
    return p, a


def test_mdp_dose_follows_the_setting_and_the_page_names_the_publication(client, dept):
    p, a = _administer_mdp(dept)  # default department: ICRP 128 -> MDP falls back to ICRP 80
    net_MBq = a.administered_activity_Bq / 1e6
    assert net_MBq == pytest.approx(600.0, rel=1e-9)
    assert a.effective_dose_mSv == pytest.approx(net_MBq * 0.0057, rel=1e-12)  # 3.42 mSv
    assert a.dose_basis["edition"] == "ICRP 80" and a.dose_basis["publication"] == "ICRP 128"
    assert any("unverified" in w for w in a.dose_basis["warnings"])
    client.force_login(dept["physician"])
    page = client.get(reverse("prescription-detail", args=[p.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "3.42 mSv" in text and "ICRP 80 (the department follows ICRP 128)" in text
    history = client.get(f"/api/v1/patients/{dept['man'].pk}/doses").json()
    assert "ICRP 80, the department follows ICRP 128" in history["administrations"][0]["basis"]


def test_calculator_api_uses_the_departments_publication_unless_asked(client, dept):
    client.force_login(dept["technologist"])
    body = {"radiopharmaceutical": "FDG", "activity": "100 MBq", "age": "5"}
    url = "/api/v1/calculators/effective-dose"
    out = client.post(url, body, content_type="application/json").json()
    assert out["edition"] == "ICRP 128" and out["coefficient_mSv_per_MBq"] == 0.056
    department = Department.objects.get()
    with acting_as(dept["administrator"], reason="test"):
        department.effective_dose_publication = "ICRP 80"
        department.save()
    out = client.post(url, body, content_type="application/json").json()
    assert out["edition"] == "ICRP 80" and out["effective_dose_mSv"] == pytest.approx(5.0)  # 100 x 0.050
    asked = client.post(url, {**body, "publication": "ICRP 128"}, content_type="application/json").json()
    assert asked["edition"] == "ICRP 128"
    bad = client.post(url, {**body, "publication": "ICRP 60"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "publication"]
