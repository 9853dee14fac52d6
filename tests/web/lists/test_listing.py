"""The shared list machinery: filter form, date bounds in the department's zone, pages, safe CSV.

Expected values are worked out by hand (Vienna is UTC+1 in winter, UTC+2 from the last Sunday of
March, 2026-03-29), never read back from the code."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db.models import Q

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.listing import (
    Column,
    ListFilter,
    csv_cell,
    csv_response,
    date_range_q,
    day_start,
    paginate,
    search_date,
)
from nmguard.apps.patients.models import Patient, Prescription

UTC = dt.UTC


class PatientFilter(ListFilter):
    search_fields = ("mrn", "family_name", "given_name")
    search_date_fields = ("birth_date",)
    date_field = "birth_date"


class PrescriptionFilter(ListFilter):
    search_fields = ("patient__mrn",)
    date_field = "scheduled_for"
    status_choices = Prescription.Status.choices


def test_day_start_is_midnight_in_vienna_winter_and_summer():
    assert day_start(dt.date(2026, 1, 15)) == dt.datetime(2026, 1, 14, 23, 0, tzinfo=UTC)
    assert day_start(dt.date(2026, 3, 31)) == dt.datetime(2026, 3, 30, 22, 0, tzinfo=UTC)


def test_instant_range_includes_both_whole_days():
    q = date_range_q(Prescription, "scheduled_for", dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert q == Q(scheduled_for__gte=dt.datetime(2026, 2, 28, 23, 0, tzinfo=UTC)) & Q(
        scheduled_for__lt=dt.datetime(2026, 3, 31, 22, 0, tzinfo=UTC)
    )


def test_date_range_on_a_date_field_compares_dates():
    q = date_range_q(Patient, "birth_date", dt.date(1990, 1, 1), dt.date(1990, 12, 31))
    assert q == Q(birth_date__gte=dt.date(1990, 1, 1)) & Q(birth_date__lte=dt.date(1990, 12, 31))


def test_search_date_reads_iso_and_vienna_style():
    assert search_date("1990-05-01") == dt.date(1990, 5, 1)
    assert search_date("01.05.1990") == dt.date(1990, 5, 1)
    assert search_date("Adult") is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "0001-01-01"}, "from"),  # its start in UTC would be in year 0
        ({"to": "9999-12-31"}, "to"),  # the next day does not exist
        ({"q": "x" * 201}, "q"),
        ({"q": "a\x00b"}, "q"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "to"),
        ({"status": "lost"}, "status"),
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"format": "xlsx"}, "format"),
    ],
)
def test_bad_values_are_errors_on_their_field(query, field):
    form = PrescriptionFilter(query)
    assert not form.is_valid()
    assert list(form.errors) == [field]


def test_field_order_and_status_only_where_the_page_has_one():
    assert list(PrescriptionFilter({}).fields) == ["q", "from", "to", "status", "page", "format"]
    assert "status" not in PatientFilter({}).fields
    form = PrescriptionFilter({})
    assert form.is_valid() and form.page_number == 1 and not form.wants_csv


@pytest.fixture
def patients(db, admin_user):
    with acting_as(admin_user, reason="test"):
        return [
            Patient.objects.create(
                mrn="A-1", family_name="Huber", given_name="Anna", birth_date=dt.date(1990, 5, 1), sex="F"
            ),
            Patient.objects.create(
                mrn="A-2", family_name="Huber", given_name="Max", birth_date=dt.date(1960, 2, 2), sex="M"
            ),
            Patient.objects.create(
                mrn="B-7", family_name="Gruber", given_name="Anna", birth_date=dt.date(1975, 7, 7), sex="F"
            ),
        ]


def _mrns(form: ListFilter) -> list[str]:
    assert form.is_valid(), form.errors
    return sorted(form.filter(Patient.objects.all()).values_list("mrn", flat=True))


def test_every_word_must_match_some_field(patients):
    assert _mrns(PatientFilter({"q": "huber"})) == ["A-1", "A-2"]
    assert _mrns(PatientFilter({"q": "anna huber"})) == ["A-1"]
    assert _mrns(PatientFilter({"q": "b-7"})) == ["B-7"]
    assert _mrns(PatientFilter({"q": "02.02.1960"})) == ["A-2"]
    assert _mrns(PatientFilter({"q": "anna 1975-07-07"})) == ["B-7"]
    assert _mrns(PatientFilter({"q": "nobody"})) == []


def test_date_bounds_on_patients(patients):
    assert _mrns(PatientFilter({"from": "1970-01-01"})) == ["A-1", "B-7"]
    assert _mrns(PatientFilter({"from": "1960-02-02", "to": "1960-02-02"})) == ["A-2"]


def test_paginate_fifty_per_page_and_past_the_end_is_the_last():
    rows = list(range(120))
    first = paginate(rows, 1)
    assert list(first.object_list) == list(range(50)) and first.paginator.num_pages == 3
    assert list(paginate(rows, 3).object_list) == list(range(100, 120))
    assert paginate(rows, 99).number == 3
    assert list(paginate(rows, 2, per_page=10).object_list) == list(range(10, 20))


@pytest.mark.parametrize("text", ["=1+1", "+41 1 234", "-2", "@SUM(A1)", "\tx", "\r=x"])
def test_formula_like_text_is_quoted(text):
    assert csv_cell(text) == "'" + text


def test_plain_values_pass_and_instants_are_local():
    assert csv_cell("Huber") == "Huber"
    assert csv_cell(-3.5) == -3.5
    assert csv_cell(None) == ""
    assert csv_cell(True) == "yes"
    assert csv_cell(dt.date(2026, 3, 1)) == "2026-03-01"
    assert csv_cell(dt.datetime(2026, 7, 1, 8, 0, tzinfo=UTC)) == "2026-07-01T10:00+02:00"


def test_csv_response_streams_every_row_with_the_header(patients):
    columns = [
        Column("MRN", "mrn"),
        Column("Name", lambda p: f"{p.family_name}, {p.given_name}"),
        Column("Sex", "get_sex_display"),
    ]
    response = csv_response(Patient.objects.order_by("mrn"), columns, "patients.csv")
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="patients.csv"'
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows == [
        ["MRN", "Name", "Sex"],
        ["A-1", "Huber, Anna", "Female"],
        ["A-2", "Huber, Max", "Male"],
        ["B-7", "Gruber, Anna", "Female"],
    ]


def test_column_path_through_a_missing_relation_is_empty():
    class Row:
        parent = None

    assert Column("x", "parent.name").read(Row()) is None


def test_a_count_beyond_the_cap_stops_there_and_pages_end_at_it(patients, monkeypatch):
    from nmguard.apps.core import listing

    monkeypatch.setattr(listing, "COUNT_UP_TO", 2)
    page = paginate(Patient.objects.order_by("mrn"), 99, per_page=1)
    assert page.paginator.capped and page.paginator.count == 2 and page.paginator.num_pages == 2
    assert page.number == 2 and [p.mrn for p in page.object_list] == ["A-2"]
    monkeypatch.setattr(listing, "COUNT_UP_TO", 3)
    assert not paginate(Patient.objects.all(), 1).paginator.capped  # exactly at the cap: an exact count


def test_the_page_says_more_than_and_the_csv_keeps_every_row(client, admin_user, patients, monkeypatch):
    from nmguard.apps.core import listing

    monkeypatch.setattr(listing, "COUNT_UP_TO", 2)
    client.force_login(admin_user)
    html = client.get("/administrations/patients/").content.decode()
    assert 'data-testid="list-count">more than 2 found' in html and 'data-testid="list-capped"' in html
    body = b"".join(client.get("/administrations/patients/", {"format": "csv"}).streaming_content).decode()
    assert sum(1 for line in body.splitlines()[1:] if line) == 3
