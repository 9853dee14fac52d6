"""DRL page: the activities read per protocol are exactly the period's adults', the statistics are the pure
audit's (:func:`nmguard.rules.drl.drl_audit`, inclusive method), the histogram bins are checked by hand, the
18-year split is the rule's (365.2425-day years), and the page's size and query count do not grow with the
rows."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.patients.drl import ADULT_DAYS, DRL_BINS, adults_and_children, drl_overview, histogram, period_rows
from nmguard.apps.patients.models import Administration, Patient, Prescription
from nmguard.rules.drl import drl_audit

DRL = "/administrations/drl/"


def _give(dept, patient, activities_MBq, protocol="fdg_protocol", weight=None, days_ago=3) -> None:
    at = timezone.now() - dt.timedelta(days=days_ago)
    with acting_as(dept["technologist"], reason="test"):
        for i, a in enumerate(activities_MBq):
            rx = Prescription.objects.create(
                patient=patient,
                protocol=dept[protocol],
                scheduled_for=at + dt.timedelta(minutes=i),
                weight_kg=weight,
                protocol_activity_Bq=a * 1e6,
                activity_rule="test",
                prescribed_activity_Bq=a * 1e6,
                prescribed_by=dept["physician"],
                status="administered",
            )
            Administration.objects.create(
                prescription=rx,
                administered_at=at + dt.timedelta(minutes=i),
                route="iv",
                administered_activity_Bq=a * 1e6,
                administered_by=dept["technologist"],
            )


def _row(name: str):
    return next(r for r in drl_overview(365) if r.protocol.name == name)


@pytest.mark.parametrize("n", [1, 2, 7, 40, 123])
def test_the_page_gives_the_pure_audit_of_the_periods_activities(dept, n):
    rng = random.Random(n)
    values = [round(rng.uniform(250, 450), 3) for _ in range(n)]
    values[0] = values[-1]  # a tie
    _give(dept, dept["man"], values)
    _give(dept, dept["man"], [650.0, 600.0, 610.0], protocol="mdp_protocol")  # another protocol, same query
    _give(dept, dept["man"], [999.0], days_ago=400)  # outside the period
    pid, mdp = dept["fdg_protocol"].pk, dept["mdp_protocol"].pk
    since = timezone.now() - dt.timedelta(days=365)
    found, children = adults_and_children(period_rows([pid, mdp], since), since)
    assert children == {}
    assert list(found[pid]) == pytest.approx(sorted(v * 1e6 for v in values), rel=1e-12)
    assert list(found[mdp]) == [600e6, 610e6, 650e6]
    ref = drl_audit(values, drl_MBq=400).overall
    row = _row("FDG PET")
    assert row.n == n and row.median_MBq == pytest.approx(ref.median_MBq, rel=1e-12)
    assert row.ratio == pytest.approx(ref.ratio_to_drl, rel=1e-12) and row.above == bool(ref.above_drl)
    assert ("fewer than 10" in row.message) == (n < 10)


def test_a_period_without_administrations_says_so_for_every_protocol(client, dept):
    assert all(r.n == 0 and r.message == "no adult administrations in the period" for r in drl_overview(365))
    client.force_login(dept["technologist"])
    assert client.get(DRL).status_code == 200


def test_histogram_bins_worked_by_hand():
    """100..200 MBq in 4 bins of 25 MBq: [100, 125), [125, 150), [150, 175), [175, 200] (the largest in the last)."""
    h = histogram(np.array([100, 110, 125, 149.9, 150, 199, 200]) * 1e6, bins=4)
    assert (h.n, h.low_Bq, h.width_Bq, h.counts) == (7, 100e6, 25e6, (2, 2, 1, 2))
    assert h.edges_MBq == [100.0, 125.0, 150.0, 175.0, 200.0]
    assert histogram(np.array([5e8, 5e8]), bins=4).counts == (2,)


def test_all_equal_activities_make_one_bin(dept):
    _give(dept, dept["man"], [500.0] * 5)
    row = _row("FDG PET")
    assert (row.n, row.median_MBq, row.ratio, row.above) == (5, 500.0, 1.25, True)


@pytest.mark.parametrize("chunk", [5000, 1])
def test_eighteenth_birthday_splits_adults_from_children(dept, monkeypatch, chunk):
    """Born so that the patient is 6575 days old (adult by the rule: 6575 / 365.2425 = 18.0017 y) or 6574
    days (17.9989 y, a child) on the day of administration in the department's zone. Chunk 1: the rows not
    surely adult are read one id at a time, with the same result."""
    from nmguard.apps.patients import drl

    monkeypatch.setattr(drl, "_CHUNK", chunk)
    day = timezone.localdate(timezone.now() - dt.timedelta(days=3))
    with acting_as(dept["technologist"], reason="test"):
        just_adult = Patient.objects.create(
            mrn="A18", family_name="A", given_name="B", birth_date=day - dt.timedelta(days=ADULT_DAYS), sex="F"
        )
        just_child = Patient.objects.create(
            mrn="C17", family_name="C", given_name="D", birth_date=day - dt.timedelta(days=ADULT_DAYS - 1), sex="F"
        )
    _give(dept, just_adult, [300.0])
    _give(dept, just_child, [200.0, 220.0], weight=60.0)
    row = _row("FDG PET")
    assert (row.n, row.median_MBq) == (1, 300.0)
    assert [(b.n, b.median_MBq) for b in row.child_bands] == [(2, 210.0)]


def test_page_size_and_queries_do_not_grow_with_the_administrations(client, dept):
    client.force_login(dept["technologist"])
    rng = random.Random(1)
    _give(dept, dept["man"], [rng.uniform(250, 450) for _ in range(20)])
    with CaptureQueriesContext(connection) as few_q:
        few = client.get(DRL)
    _give(dept, dept["man"], [rng.uniform(250, 450) for _ in range(300)], days_ago=4)
    with CaptureQueriesContext(connection) as many_q:
        many = client.get(DRL)
    assert few.status_code == many.status_code == 200
    assert "n = 320" in many.content.decode()
    # at most one bar per bin, whatever the number of administrations (a point each made 13 MB at 1M)
    html = many.content.decode()
    assert html.count('fill="#0b6e75"') <= DRL_BINS
    assert len(many.content) - len(few.content) < DRL_BINS * 150
    assert len(many_q) == len(few_q)  # the same queries for all protocols, however many rows
