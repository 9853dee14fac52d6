"""Find anything in the hot lab: the batch, generator and elution lists (issue 13 item 8).

Filters, dates read in the department's zone (Europe/Vienna), bad values shown by the field (never a 500),
pagination, the CSV of every matching row, the view permission, and a query count that does not grow with
the number of rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from nmguard.apps.core.actor import acting_as
from nmguard.apps.radiopharmacy.models import Batch, Elution, Generator, Recipe

pytestmark = pytest.mark.django_db

VIENNA = zoneinfo.ZoneInfo("Europe/Vienna")


def at(day: str, time: str = "10:00") -> dt.datetime:
    """A department-local instant (the zone the list's from/to dates are read in)."""
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=VIENNA)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def lab(dept, make_user):
    rph = make_user("radiopharmacist", "rph-lists")
    with acting_as(rph, reason="fixture"):
        mdp = Recipe.objects.create(name="MDP kit", radiopharmaceutical=dept["mdp"], shelf_life_h=8)
        fdg = Recipe.objects.create(name="FDG dispense", radiopharmaceutical=dept["fdg"], shelf_life_h=10)
        gen = Generator.objects.create(
            name="Ultra-TechneKow 12",
            parent="Mo-99",
            daughter="Tc-99m",
            manufacturer="Curium",
            lot="UTK-12",
            calibrated_activity_Bq=20e9,
            calibrated_at=at("2026-03-09", "12:00"),
            received_at=at("2026-03-08", "08:00"),
        )
        old = Generator.objects.create(
            name="Old generator",
            parent="Ge-68",
            daughter="Ga-68",
            calibrated_activity_Bq=1.85e9,
            calibrated_at=at("2025-01-01"),
            received_at=at("2025-01-02"),
            status=Generator.Status.RETIRED,
        )
    return {**dept, "rph": rph, "mdp_recipe": mdp, "fdg_recipe": fdg, "gen": gen, "old": old}


def make_batch(lab, number: str, prepared_at: dt.datetime, recipe="mdp_recipe", status=Batch.Status.PREPARED):
    with acting_as(lab["rph"], reason="fixture"):
        return Batch.objects.create(
            number=number,
            recipe=lab[recipe],
            prepared_at=prepared_at,
            prepared_by=lab["rph"],
            activity_Bq=5e9,
            volume_mL=5.0,
            components=[],
            expires_at=prepared_at + dt.timedelta(hours=8),
            status=status,
        )


def make_elution(lab, eluted_at: dt.datetime, generator="gen", usable=True):
    with acting_as(lab["rph"], reason="fixture"):
        return Elution.objects.create(
            generator=lab[generator],
            eluted_at=eluted_at,
            eluted_activity_Bq=15e9,
            volume_mL=5.0,
            available_Bq=16e9,
            yield_percent=93.75,
            usable=usable,
            performed_by=lab["rph"],
        )


def numbers(response) -> list[str]:
    return [row.number for row in response.context["rows"]]


# ------------------------------------------------------------------ batches


def test_batches_filter_by_status_product_text_and_vienna_dates(lab):
    make_batch(lab, "B-001", at("2026-03-10", "08:00"))
    make_batch(lab, "B-002", at("2026-03-10", "23:30"), status=Batch.Status.RELEASED)  # 22:30 UTC
    make_batch(lab, "F-003", at("2026-03-11", "00:30"), recipe="fdg_recipe")  # 23:30 UTC on the 10th
    make_batch(lab, "B-004", at("2026-03-12"), status=Batch.Status.REJECTED)
    client = client_for(lab["technologist"])

    page = client.get("/hotlab/batches/", {"status": "prepared"})
    assert page.status_code == 200 and numbers(page) == ["F-003", "B-001"]
    # the department's day: 23:30 Vienna on the 10th is the 10th, 00:30 on the 11th is the 11th
    assert numbers(client.get("/hotlab/batches/", {"from": "2026-03-10", "to": "2026-03-10"})) == ["B-002", "B-001"]
    assert numbers(client.get("/hotlab/batches/", {"from": "2026-03-11"})) == ["B-004", "F-003"]
    assert numbers(client.get("/hotlab/batches/", {"product": lab["fdg"].pk})) == ["F-003"]
    assert numbers(client.get("/hotlab/batches/", {"product": "tc99m-mdp"})) == ["B-004", "B-002", "B-001"]
    assert numbers(client.get("/hotlab/batches/", {"q": "fdg"})) == ["F-003"]
    assert numbers(client.get("/hotlab/batches/", {"q": "b-00", "status": "released"})) == ["B-002"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-03-12", "to": "2026-03-10"}, "to"),
        ({"status": "awaiting"}, "status"),
        ({"product": "no-such-product"}, "product"),
    ],
)
def test_batches_bad_filter_is_shown_by_its_field(lab, params, field):
    make_batch(lab, "B-001", at("2026-03-10"))
    page = client_for(lab["technologist"]).get("/hotlab/batches/", params)
    assert page.status_code == 200
    assert field in page.context["form"].errors
    assert numbers(page) == []  # nothing is listed under a filter that could not be read
    assert 'class="error"' in page.content.decode()


def test_batches_paginate_and_the_csv_holds_every_matching_row(lab):
    for i in range(55):
        make_batch(lab, f"B-{i:03d}", at("2026-03-10", "06:00") + dt.timedelta(minutes=i))
    make_batch(lab, "X-999", at("2026-03-10"), status=Batch.Status.RELEASED)
    client = client_for(lab["technologist"])
    first = client.get("/hotlab/batches/", {"status": "prepared"})
    assert len(numbers(first)) == 50 and numbers(first)[0] == "B-054"
    second = client.get("/hotlab/batches/", {"status": "prepared", "page": "2"})
    assert numbers(second) == [f"B-{i:03d}" for i in range(4, -1, -1)]
    past_the_end = client.get("/hotlab/batches/", {"status": "prepared", "page": "9"})
    assert numbers(past_the_end) == numbers(second)  # the last page
    assert "status=prepared" in second.content.decode()  # the page links keep the filter

    exported = client.get("/hotlab/batches/", {"status": "prepared", "format": "csv"})
    assert exported["Content-Type"].startswith("text/csv")
    rows = csv_rows(exported)
    assert rows[0][:3] == ["Batch", "Product", "Recipe"]
    assert len(rows) == 1 + 55 and {r[0] for r in rows[1:]} == {f"B-{i:03d}" for i in range(55)}
    first_row = dict(zip(rows[0], rows[1], strict=True))
    assert first_row["Product"] == "99mTc-MDP" and first_row["Status"] == "Prepared, awaiting QC"
    assert float(first_row["Activity (MBq)"]) == 5000.0
    assert first_row["Prepared"] == "2026-03-10T06:54+01:00"  # Vienna, winter time


def test_batch_csv_cells_cannot_start_a_formula(lab):
    make_batch(lab, "=HYPERLINK(1)", at("2026-03-10"))
    rows = csv_rows(client_for(lab["technologist"]).get("/hotlab/batches/", {"format": "csv"}))
    assert rows[1][0] == "'=HYPERLINK(1)"


# ------------------------------------------------------------------ generators and elutions


def test_generators_filter_by_status_and_text_with_elution_counts(lab):
    make_elution(lab, at("2026-03-10", "07:00"))
    make_elution(lab, at("2026-03-11", "07:00"))
    client = client_for(lab["physician"])
    page = client.get("/hotlab/generators/", {"status": "in_use"})
    assert [g.name for g in page.context["rows"]] == ["Ultra-TechneKow 12"]
    shown = page.content.decode()
    assert "Curium" in shown and f"/hotlab/elutions/?device={lab['gen'].pk}" in shown
    assert page.context["rows"][0].elution_count == 2
    assert [g.name for g in client.get("/hotlab/generators/", {"q": "ge-68"}).context["rows"]] == ["Old generator"]
    rows = csv_rows(client.get("/hotlab/generators/", {"format": "csv"}))
    assert [r[0] for r in rows[1:]] == ["Ultra-TechneKow 12", "Old generator"]
    assert dict(zip(rows[0], rows[1], strict=True))["Elutions"] == "2"


def test_elutions_filter_by_generator_dates_and_usability(lab):
    make_elution(lab, at("2026-03-10", "07:00"))
    make_elution(lab, at("2026-03-11", "07:00"), usable=False)
    make_elution(lab, at("2026-03-11", "08:00"), generator="old")
    client = client_for(lab["technologist"])

    def generators(params) -> list[tuple[str, str]]:
        page = client.get("/hotlab/elutions/", params)
        assert page.status_code == 200, page.content
        return [(e.generator.name, f"{e.eluted_at.astimezone(VIENNA):%m-%d %H}") for e in page.context["rows"]]

    utk = "Ultra-TechneKow 12"
    assert generators({"device": lab["gen"].pk}) == [(utk, "03-11 07"), (utk, "03-10 07")]
    assert generators({"q": "old"}) == [("Old generator", "03-11 08")]
    assert generators({"from": "2026-03-11", "status": "usable"}) == [("Old generator", "03-11 08")]
    assert generators({"status": "not_usable"}) == [("Ultra-TechneKow 12", "03-11 07")]
    generator_page = client.get(f"/hotlab/generators/{lab['gen'].pk}/").content.decode()
    assert f"/hotlab/elutions/?device={lab['gen'].pk}" in generator_page  # the generator's page links its list
    bad = client.get("/hotlab/elutions/", {"device": "abc"})
    assert bad.status_code == 200 and "device" in bad.context["form"].errors
    rows = csv_rows(client.get("/hotlab/elutions/", {"device": lab["gen"].pk, "format": "csv"}))
    assert len(rows) == 3 and rows[1][0] == "Ultra-TechneKow 12" and rows[1][1] == "2026-03-11T07:00+01:00"


# ------------------------------------------------------------------ permissions and query counts


@pytest.mark.parametrize("path", ["/hotlab/batches/", "/hotlab/generators/", "/hotlab/elutions/"])
def test_lists_need_the_hot_lab_view_permission(lab, make_user, path):
    assert Client().get(path).status_code == 302  # to the sign-in page
    from django.contrib.auth import get_user_model

    with acting_as(lab["administrator"], reason="fixture"):
        nobody = get_user_model().objects.create_user("no-role")  # signed in, in no role group
    refused = client_for(nobody).get(path)
    assert refused.status_code == 403
    assert client_for(nobody).get(path, {"format": "csv"}).status_code == 403


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("fmt", ["", "?format=csv"])
def test_query_count_does_not_grow_with_the_rows(lab, fmt):
    client = client_for(lab["technologist"])
    for i in range(5):
        make_batch(lab, f"B-{i:03d}", at("2026-03-10") + dt.timedelta(minutes=i))
        make_elution(lab, at("2026-03-10") + dt.timedelta(minutes=i))
    paths = ("/hotlab/batches/", "/hotlab/generators/", "/hotlab/elutions/")
    few = {path: _queries(client, path + fmt) for path in paths}
    for i in range(5, 50):
        make_batch(lab, f"B-{i:03d}", at("2026-03-10") + dt.timedelta(minutes=i), recipe="fdg_recipe")
        make_elution(lab, at("2026-03-10") + dt.timedelta(minutes=i), generator="old")
    with acting_as(lab["rph"], reason="fixture"):
        for i in range(45):
            Generator.objects.create(
                name=f"Gen {i}",
                parent="Mo-99",
                daughter="Tc-99m",
                calibrated_activity_Bq=1e10,
                calibrated_at=at("2026-03-01"),
                received_at=at("2026-03-01"),
            )
    many = {path: _queries(client, path + fmt) for path in few}
    assert many == few
