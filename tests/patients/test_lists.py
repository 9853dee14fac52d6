"""Find anything on the administration path: the patient, prescription and medical-event lists and the
patient picker. Expected rows are chosen by construction (which record lies inside which day in
Vienna, which check is the current one), not read back from the pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.conftest import PASSWORD

from nmguard.apps.core.actor import acting_as
from nmguard.apps.patients.models import Patient, Prescription, SafetyCheck

VIENNA = ZoneInfo("Europe/Vienna")
PATIENTS = "/administrations/patients/"
PRESCRIPTIONS = "/administrations/prescriptions/"
EVENTS = "/administrations/medical-events/"
PICK = "/administrations/patients/pick/"


def _rx(dept, patient, at: dt.datetime, protocol="mdp_protocol", status="prescribed") -> Prescription:
    with acting_as(dept["physician"], reason="test"):
        return Prescription.objects.create(
            patient=patient,
            protocol=dept[protocol],
            scheduled_for=at,
            protocol_activity_Bq=600e6,
            activity_rule="test",
            prescribed_activity_Bq=600e6,
            prescribed_by=dept["physician"],
            status=status,
        )


def _check(dept, p: Prescription, kind: str, outcome: str, overridden: bool = False) -> SafetyCheck:
    with acting_as(dept["technologist"], reason="test"):
        return SafetyCheck.objects.create(
            prescription=p,
            kind=kind,
            outcome=outcome,
            answered_by=dept["technologist"],
            overridden_by=dept["physician"] if overridden else None,
        )


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(body)))


def _rows(response, testid: str) -> int:
    html = response.content.decode()
    table = html.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    return len(re.findall(r"<tr><td>", table))  # a data row; the empty row starts <tr><td colspan


@pytest.fixture
def tech(client, dept):
    client.force_login(dept["technologist"])
    return client


# ---------------------------------------------------------------- patients
def test_patient_search_by_id_name_and_birth_date(tech, dept):
    assert _rows(tech.get(PATIENTS), "patient-list") == 3
    for q, mrn in [("p-2", "P-2"), ("ann adult", "P-1"), ("1960-02-02", "P-2"), ("01.05.1990", "P-1")]:
        page = tech.get(PATIENTS, {"q": q}).content.decode()
        assert mrn in page and _rows(tech.get(PATIENTS, {"q": q}), "patient-list") == 1, q
    assert "No patient matches" in tech.get(PATIENTS, {"q": "nobody"}).content.decode()


def test_patient_csv_quotes_a_formula_and_counts_prescriptions(tech, dept):
    with acting_as(dept["administrator"], reason="test"):
        Patient.objects.create(
            mrn="X-9", family_name="=HYPERLINK(1)", given_name="Eve", birth_date=dt.date(1980, 1, 1), sex="F"
        )
    _rx(dept, dept["man"], dt.datetime(2025, 6, 1, 9, 0, tzinfo=VIENNA))
    _rx(dept, dept["man"], dt.datetime(2025, 6, 2, 9, 0, tzinfo=VIENNA))
    rows = _csv(tech.get(PATIENTS, {"format": "csv"}))
    assert rows[0] == [
        "Patient ID",
        "Family name",
        "Given name",
        "Birth date",
        "Sex",
        "Prescriptions",
        "Last scheduled",
    ]
    by_id = {r[0]: r for r in rows[1:]}
    assert set(by_id) == {"P-1", "P-2", "P-3", "X-9"}
    assert by_id["X-9"][1] == "'=HYPERLINK(1)"
    assert by_id["P-2"][5] == "2" and by_id["P-2"][6] == "2025-06-02T09:00+02:00"
    assert by_id["P-1"][5] == "0" and by_id["P-1"][6] == ""


# ---------------------------------------------------------------- prescriptions
def test_prescriptions_of_any_day_bounded_by_vienna_days(tech, dept):
    late = _rx(dept, dept["adult"], dt.datetime(2026, 3, 31, 23, 30, tzinfo=VIENNA))  # 21:30 UTC
    early = _rx(dept, dept["man"], dt.datetime(2026, 4, 1, 0, 30, tzinfo=VIENNA))  # 22:30 UTC on 31 March
    _rx(dept, dept["man"], dt.datetime(2025, 1, 1, 8, 0, tzinfo=VIENNA))
    march = tech.get(PRESCRIPTIONS, {"from": "2026-03-31", "to": "2026-03-31", "format": "csv"})
    assert [r[1] for r in _csv(march)[1:]] == [late.patient.mrn]
    april = _csv(tech.get(PRESCRIPTIONS, {"from": "2026-04-01", "format": "csv"}))
    assert [r[1] for r in april[1:]] == [early.patient.mrn]
    assert _rows(tech.get(PRESCRIPTIONS), "prescription-list") == 3


def test_prescription_status_product_and_search(tech, dept):
    _rx(dept, dept["adult"], dt.datetime(2026, 1, 5, 9, 0, tzinfo=VIENNA), protocol="fdg_protocol")
    _rx(dept, dept["man"], dt.datetime(2026, 1, 5, 10, 0, tzinfo=VIENNA), status="administered")
    _rx(dept, dept["child"], dt.datetime(2026, 1, 5, 11, 0, tzinfo=VIENNA), status="cancelled")

    def mrns(**query) -> list[str]:
        return sorted(r[1] for r in _csv(tech.get(PRESCRIPTIONS, {**query, "format": "csv"}))[1:])

    assert mrns(status="administered") == ["P-2"]
    assert mrns(product=str(dept["fdg"].pk)) == ["P-1"]
    assert mrns(product="tc99m-mdp") == ["P-2", "P-3"]  # by its catalogue code
    assert mrns(q="bone man") == ["P-2"]  # protocol name and patient name together
    assert mrns(q="1990-05-01") == ["P-1"]
    assert mrns(q="fdg") == ["P-1"]  # the product's name


def test_needs_checks_and_override_follow_the_current_checks(tech, dept):
    day = dt.datetime(2026, 2, 2, 9, 0, tzinfo=VIENNA)
    waiting = _rx(dept, dept["adult"], day, status="measured")  # measured, no checks yet
    failed = _rx(dept, dept["man"], day, status="measured")
    _check(dept, failed, "activity", "fail")
    rechecked = _rx(dept, dept["child"], day, status="measured")  # the failure is superseded by a pass
    _check(dept, rechecked, "identity", "fail")
    _check(dept, rechecked, "identity", "pass")
    overridden = _rx(dept, dept["child"], day + dt.timedelta(hours=1), status="checked")
    _check(dept, overridden, "activity", "fail", overridden=True)
    _rx(dept, dept["man"], day + dt.timedelta(hours=2))  # prescribed: the dose is not measured yet

    def pks(needs: str) -> set[int]:
        response = tech.get(PRESCRIPTIONS, {"needs": needs})
        return {p.pk for p in response.context["rows"]}

    assert pks("checks") == {waiting.pk, rechecked.pk}
    assert pks("override") == {failed.pk}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "31/12/2026"}, "to"),
        ({"from": "2026-05-02", "to": "2026-05-01"}, "to"),
        ({"status": "lost"}, "status"),
        ({"product": "no-such-code"}, "product"),
        ({"product": "99999"}, "product"),
        ({"needs": "coffee"}, "needs"),
    ],
)
def test_a_bad_filter_is_an_error_by_its_field_not_a_500(tech, dept, query, field):
    _rx(dept, dept["adult"], dt.datetime(2026, 5, 1, 9, 0, tzinfo=VIENNA))
    response = tech.get(PRESCRIPTIONS, query)
    assert response.status_code == 200
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert list(response.context["form"].errors) == [field]
    assert _rows(response, "prescription-list") == 0


def test_bad_date_on_medical_events_and_csv_with_a_bad_filter(tech, dept):
    assert 'data-testid="error-from"' in tech.get(EVENTS, {"from": "2026-02-30"}).content.decode()
    response = tech.get(PRESCRIPTIONS, {"from": "x", "format": "csv"})  # no CSV of an unfiltered list
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")


def test_pages_keep_the_filter_and_the_csv_has_every_row(tech, dept):
    start = dt.datetime(2026, 6, 1, 7, 0, tzinfo=VIENNA)
    for i in range(60):
        _rx(dept, dept["man"], start + dt.timedelta(minutes=5 * i), status="measured")
    _rx(dept, dept["adult"], start, status="cancelled")
    first = tech.get(PRESCRIPTIONS, {"status": "measured"})
    assert _rows(first, "prescription-list") == 50 and "61 found" not in first.content.decode()
    assert "60 found" in first.content.decode()
    assert "?status=measured&amp;page=2" in first.content.decode()
    second = tech.get(PRESCRIPTIONS, {"status": "measured", "page": "2"})
    assert _rows(second, "prescription-list") == 10
    assert "?status=measured&amp;format=csv" in second.content.decode()  # the CSV link drops the page
    rows = _csv(tech.get(PRESCRIPTIONS, {"status": "measured", "format": "csv"}))
    assert len(rows) == 61 and {r[7] for r in rows[1:]} == {"Dose measured"}
    # newest first: the first data row is the last one scheduled (07:00 + 59 × 5 min = 11:55)
    assert rows[1][0] == "2026-06-01T11:55+02:00"


def test_medical_events_filter_by_status_and_day(tech, dept):
    from tests.patients.test_administration_path import _therapy_event

    event = _therapy_event(dept)
    assert _rows(tech.get(EVENTS, {"status": "open"}), "medical-events") == 1
    assert _rows(tech.get(EVENTS, {"status": "closed"}), "medical-events") == 0
    assert _rows(tech.get(EVENTS, {"to": "2000-01-01"}), "medical-events") == 0
    rows = _csv(tech.get(EVENTS, {"status": "open", "format": "csv"}))
    assert rows[0][:3] == ["Detected", "Patient ID", "Patient"]
    assert rows[1][1] == "P-2" and rows[1][7] == "Open"
    assert rows[1][6] == "; ".join(c["description"] for c in event.criteria) and rows[1][6]


# ---------------------------------------------------------------- permissions
@pytest.mark.parametrize("url", [PATIENTS, PRESCRIPTIONS, EVENTS, PICK])
def test_lists_need_the_view_permission(client, dept, url):
    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    with acting_as(dept["administrator"], reason="test"):
        nobody = get_user_model().objects.create_user("no-role", password=PASSWORD)
    client.force_login(nobody)
    assert client.get(url).status_code == 403
    assert client.get(url, {"format": "csv"}).status_code == 403


# ---------------------------------------------------------------- no N+1
def _queries(client, url: str, query: dict) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, query).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_rows(tech, dept):
    from tests.patients.test_administration_path import _therapy_event

    _therapy_event(dept)
    day = dt.datetime(2026, 7, 1, 7, 0, tzinfo=VIENNA)
    rx = [_rx(dept, dept["man"], day + dt.timedelta(minutes=i)) for i in range(4)]  # and the event: 5 rows
    with acting_as(dept["technologist"], reason="test"):
        from nmguard.apps.patients.models import Administration

        Administration.objects.create(
            prescription=rx[0],
            administered_at=day,
            route="iv",
            administered_activity_Bq=5e8,
            administered_by=dept["technologist"],
        )
    with acting_as(dept["administrator"], reason="test"):
        for mrn in ("F-1", "F-2"):  # five patients, five rows on each page
            Patient.objects.create(mrn=mrn, family_name="Few", given_name=mrn, birth_date=dt.date(1970, 1, 1), sex="U")
    assert _rows(tech.get(PATIENTS), "patient-list") == 5
    counts = {url: _queries(tech, url, {}) for url in (PATIENTS, PRESCRIPTIONS)}
    for i in range(5, 50):
        _rx(dept, dept["adult"], day + dt.timedelta(minutes=i))
    with acting_as(dept["administrator"], reason="test"):
        for i in range(50):
            Patient.objects.create(
                mrn=f"N-{i}", family_name="Many", given_name=f"N{i}", birth_date=dt.date(1970, 1, 1), sex="U"
            )
    assert _rows(tech.get(PRESCRIPTIONS), "prescription-list") == 50
    assert {url: _queries(tech, url, {}) for url in (PATIENTS, PRESCRIPTIONS)} == counts


# ---------------------------------------------------------------- patient picker
def test_picker_endpoint_returns_at_most_twenty_matches(tech, dept):
    with acting_as(dept["administrator"], reason="test"):
        for i in range(25):
            Patient.objects.create(
                mrn=f"H-{i:02d}", family_name="Huber", given_name=f"G{i}", birth_date=dt.date(1950, 1, 1), sex="U"
            )
    html = tech.get(PICK, {"q": "huber"}).content.decode()
    assert html.count('type="radio"') == 20 and "More than 20" in html
    html = tech.get(PICK, {"q": "adult 1990-05-01"}).content.decode()
    assert html.count('type="radio"') == 1 and f'name="patient" value="{dept["adult"].pk}"' in html
    assert 'type="radio"' not in tech.get(PICK, {"q": ""}).content.decode()  # never every patient
    chosen = tech.get(PICK, {"q": "huber", "patient": dept["man"].pk}).content.decode()
    assert f'name="patient" value="{dept["man"].pk}" checked' in chosen  # the chosen patient stays while searching


def _form(dept, patient) -> dict:
    at = dt.datetime.now(tz=VIENNA).replace(second=0, microsecond=0) + dt.timedelta(hours=1)
    return {
        "patient": patient,
        "protocol": dept["mdp_protocol"].pk,
        "scheduled_for": at.strftime("%Y-%m-%dT%H:%M"),
        "weight_kg": "80",
    }


def test_prescription_form_searches_instead_of_listing_every_patient(client, dept):
    client.force_login(dept["physician"])
    html = client.get("/administrations/prescriptions/new/").content.decode()
    assert 'type="radio"' not in html and '<select name="patient"' not in html
    html = client.get("/administrations/prescriptions/new/", {"q": "max"}).content.decode()
    assert (
        f'name="patient" value="{dept["man"].pk}"' in html and f'name="patient" value="{dept["adult"].pk}"' not in html
    )
    html = client.get("/administrations/prescriptions/new/", {"patient": dept["adult"].pk}).content.decode()
    assert f'name="patient" value="{dept["adult"].pk}" checked' in html
    assert 'id="patient-search"' in html and 'form="patient-search"' in html  # search without JavaScript


@pytest.mark.parametrize(
    ("value", "message"), [("99999", "No such patient"), ("x", "No such patient"), ("", "Choose the patient")]
)
def test_prescription_form_refuses_an_unknown_patient(client, dept, value, message):
    client.force_login(dept["physician"])
    response = client.post("/administrations/prescriptions/new/", _form(dept, value))
    assert response.status_code == 200 and message in response.content.decode()
    assert list(response.context["form"].errors) == ["patient"]
    assert not Prescription.objects.exists()


def test_prescription_form_accepts_the_picked_patient(client, dept):
    client.force_login(dept["physician"])
    response = client.post("/administrations/prescriptions/new/", _form(dept, dept["man"].pk))
    assert response.status_code == 302
    assert Prescription.objects.get().patient == dept["man"]


NASTY = ["", "\x00", "x" * 5000, "9999-12-31", "0001-01-01", "9223372036854775808", "-1", "nan", "' OR 1=1 --"]


@pytest.mark.parametrize("url", [PATIENTS, PRESCRIPTIONS, EVENTS, PICK, "/administrations/prescriptions/new/"])
def test_no_query_value_makes_a_server_error(client, dept, url):
    client.force_login(dept["physician"])
    for name in ("q", "from", "to", "status", "product", "needs", "page", "format", "patient"):
        for value in NASTY:
            response = client.get(url, {name: value})
            assert response.status_code == 200, (name, value, response.status_code)


def _events(dept, n: int, start: dt.datetime) -> None:
    from nmguard.apps.patients.models import Administration, MedicalEvent

    for i in range(n):
        at = start + dt.timedelta(minutes=i)
        rx = _rx(dept, dept["man"], at, status="administered")
        with acting_as(dept["physician"], reason="test"):
            given = Administration.objects.create(
                prescription=rx,
                administered_at=at,
                route="oral",
                administered_activity_Bq=7.4e9,
                administered_by=dept["physician"],
            )
            MedicalEvent.objects.create(
                administration=given,
                profile="nrc",
                criteria=[{"description": "test", "citation": "test"}],
                reporting_steps=[{"id": "notify-nrc", "action": "Notify", "due": at.isoformat(), "citation": "test"}],
                detected_at=at,
            )


def test_medical_events_query_count_does_not_grow_with_the_rows(client, dept):
    client.force_login(dept["physician"])
    start = dt.datetime(2026, 8, 1, 8, 0, tzinfo=VIENNA)
    _events(dept, 5, start)
    assert _rows(client.get(EVENTS), "medical-events") == 5
    few = _queries(client, EVENTS, {})
    _events(dept, 45, start + dt.timedelta(hours=1))
    assert _rows(client.get(EVENTS), "medical-events") == 50
    assert _queries(client, EVENTS, {}) == few


def test_each_events_step_form_has_its_own_element_ids_and_a_refusal_stays_by_its_event(client, dept):
    """One reporting-step form per event: ids must not repeat (a label's ``for`` names one element), and a
    refused signature shows its error on the form of the event that was signed, not on every form."""
    import re
    from collections import Counter

    from nmguard.apps.patients.models import MedicalEvent

    client.force_login(dept["physician"])
    _events(dept, 3, dt.datetime(2026, 8, 1, 8, 0, tzinfo=VIENNA))
    html = client.get(EVENTS).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [i for i, n in ids.items() if n > 1] == []
    events = list(MedicalEvent.objects.order_by("pk"))
    assert all(f'id="id_event{e.pk}_password"' in html for e in events)
    refused = client.post(f"/administrations/medical-events/{events[1].pk}/advance/", {"note": "", "password": "wrong"})
    page = refused.content.decode()
    assert refused.status_code == 200
    errors = [m.start() for m in re.finditer(r'class="error" data-field="\w+"', page)]
    forms = {e.pk: page.index(f'id="id_event{e.pk}_password"') for e in events}
    assert errors, "the refusal is shown"
    # the signed event's form spans from the form before it (newest first) to the form after it
    order = sorted(forms.values())
    mine = order.index(forms[events[1].pk])
    start, end = order[mine - 1] if mine else 0, order[mine + 1] if mine + 1 < len(order) else len(page)
    assert all(start < at < end for at in errors), "the refusal shows on the signed event's form only"


def test_signing_a_reporting_step_on_the_page_advances_that_event_only(client, dept):
    from nmguard.apps.patients.models import MedicalEvent

    client.force_login(dept["physician"])
    _events(dept, 2, dt.datetime(2026, 8, 1, 8, 0, tzinfo=VIENNA))
    first, second = MedicalEvent.objects.order_by("pk")
    form = {"note": "NRC told", "password": PASSWORD}
    done = client.post(f"/administrations/medical-events/{second.pk}/advance/", form)
    assert done.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("open", "reported")
