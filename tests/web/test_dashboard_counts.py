"""The dashboard's counts of what needs doing: per role, equal to independent counts of the seeded department,
each a link to the list page with the shared contract's filter, cheap (queries do not grow with the rows)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, resolve, reverse
from django.utils import timezone
from tests.web import dashboard_department
from tests.web.dashboard_department import EXPECTED

pytestmark = pytest.mark.django_db
busy_dept = dashboard_department.busy_dept  # the fixture, used here

# count key -> (URL name of its list, the query it must carry), as the shared list contract spells them
LINKS = {
    "qc-due-today": ("qc-today", {"due": "today"}),
    "qc-overdue": ("qc-today", {"due": "overdue"}),
    "devices-out-of-service": ("equipment", {"status": "out_of_service"}),
    "batches-awaiting-release": ("batch-list", {"status": "prepared"}),
    "prescriptions-checks": ("prescription-list", {"needs": "checks"}),
    "prescriptions-override": ("prescription-list", {"needs": "override"}),
    "medical-events-open": ("medical-events", {"status": "open"}),
    "dosimetry-succeeded": ("dosimetry-jobs", {"status": "succeeded"}),
    "dosimetry-failed": ("dosimetry-jobs", {"status": "failed"}),
    "reference-unverified": ("reference-unverified", {}),
}

ROLES = ("technologist", "radiopharmacist", "physicist", "physician", "rpo", "quality_manager", "administrator")
FIRST = {  # each role's own work comes first
    "technologist": "qc-due-today",
    "radiopharmacist": "batches-awaiting-release",
    "physicist": "qc-overdue",
    "physician": "prescriptions-override",
    "rpo": "devices-out-of-service",
    "quality_manager": "medical-events-open",
}


@pytest.fixture(autouse=True)
def _department_noon():
    noon = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(12, 0)))
    with time_machine.travel(noon, tick=True):
        yield


def independent_counts() -> dict[str, int]:
    """The same questions asked another way: the day's QC list itself, and plain filters written out here."""
    from nmguard.apps.equipment import qc_services
    from nmguard.apps.equipment.models import Equipment
    from nmguard.apps.patients.models import MedicalEvent, Prescription, SafetyCheck
    from nmguard.apps.radiopharmacy.models import Batch
    from nmguard.apps.therapy.models import DosimetryJob
    from nmguard.reference.decision_path import decision_values

    items = qc_services.due_items(timezone.localdate())
    prescriptions = list(Prescription.objects.all())
    held = {c.prescription_id for c in SafetyCheck.objects.all() if c.blocks}
    yesterday = timezone.make_aware(dt.datetime.combine(timezone.localdate() - dt.timedelta(days=1), dt.time()))
    week = timezone.make_aware(dt.datetime.combine(timezone.localdate() - dt.timedelta(days=7), dt.time()))
    jobs = list(DosimetryJob.objects.all())
    return {
        "qc-due-today": sum(i.due_today and not i.exempt for i in items),
        "qc-overdue": len(qc_services.overdue_items(timezone.localdate())),
        "devices-out-of-service": sum(d.status == "out_of_service" for d in Equipment.objects.all()),
        "batches-awaiting-release": sum(b.status == "prepared" for b in Batch.objects.all()),
        "prescriptions-checks": sum(p.status == "measured" and p.pk not in held for p in prescriptions),
        "prescriptions-override": sum(
            p.status in ("prescribed", "measured", "checked") and p.pk in held for p in prescriptions
        ),
        "medical-events-open": sum(e.status == "open" for e in MedicalEvent.objects.all()),
        "dosimetry-succeeded": sum(j.status == "succeeded" and j.created_at >= yesterday for j in jobs),
        "dosimetry-failed": sum(j.status == "failed" and j.created_at >= week for j in jobs),
        "reference-unverified": sum(v.status.value != "verified" for v in decision_values()),
    }


def _dashboard(client, user):
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    mine, others = response.context["work"]
    return response, mine, others


@pytest.mark.parametrize("role", ROLES)
def test_counts_per_role_equal_independent_counts(client, busy_dept, role):
    response, mine, others = _dashboard(client, busy_dept[role])
    shown = {c.key: c for c in [*mine, *others]}
    assert set(shown) == set(LINKS), "every role views every area: every count is shown"
    truth = independent_counts()
    for key, expected in EXPECTED.items():
        assert shown[key].count == expected == truth[key], key
    assert shown["reference-unverified"].count == truth["reference-unverified"] > 0
    if role in FIRST:
        assert mine and mine[0].key == FIRST[role]
        assert not {c.key for c in mine} & {c.key for c in others}
    else:
        assert mine == []
    html = response.content.decode()
    for c in shown.values():
        if c.url:
            assert f'href="{c.url.replace("&", "&amp;")}"' in html


def test_medical_events_show_the_earliest_open_deadline(client, busy_dept):
    _, mine, _ = _dashboard(client, busy_dept["physician"])
    events = next(c for c in mine if c.key == "medical-events-open")
    assert events.due == busy_dept["first_event_due"]  # the reported event's earlier deadline is not counted


@pytest.mark.parametrize("key", sorted(LINKS))
def test_each_count_links_to_its_list_with_the_filter(client, busy_dept, key):
    name, query = LINKS[key]
    try:
        reverse(name)
    except NoReverseMatch:
        pytest.skip(f"list page {name!r} is not routed yet (shared list contract, issue 13 item 8)")
    _, mine, others = _dashboard(client, busy_dept["administrator"])
    count = next(c for c in [*mine, *others] if c.key == key)
    parts = urlsplit(count.url)
    assert resolve(parts.path).url_name == name
    carried = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query.items() <= carried.items()
    if key.startswith("dosimetry-"):
        days = 1 if key == "dosimetry-succeeded" else 7
        assert carried["from"] == (timezone.localdate() - dt.timedelta(days=days)).isoformat()
    response = client.get(count.url)
    assert response.status_code == 200
    html = response.content.decode()
    if name == "qc-today":  # the day's QC list, filtered: one row per test in that state
        assert len(re.findall(r'<tr class="(?:fail|due)">', html)) == count.count
    elif name == "reference-unverified":
        assert html.count('data-testid="unverified-row"') == count.count
    else:  # a list page of the shared machinery says how many rows match
        assert f'data-testid="list-count">{count.count} found' in html


def test_counts_take_the_same_queries_for_more_rows(busy_dept):
    """One aggregate query per count: ten more schedules, batches, prescriptions and jobs add no query."""
    from nmguard.apps.core.dashboard import work_counts
    from nmguard.apps.equipment import qc_services
    from nmguard.apps.equipment.models import Equipment

    user = busy_dept["physicist"]
    work_counts(user)  # the user's permissions and groups are cached on the first call
    with CaptureQueriesContext(connection) as before:
        work_counts(user)
    from nmguard.apps.core.actor import acting_as

    with acting_as(user, reason="more rows"):
        for i in range(10):
            device = Equipment.objects.create(name=f"Meter {i + 10}", kind="activity_meter")
            qc_services.schedule_test(device, "am-constancy", user)
    with CaptureQueriesContext(connection) as after:
        mine, others = work_counts(user)
    assert len(after) == len(before)
    assert next(c for c in mine if c.key == "qc-due-today").count == EXPECTED["qc-due-today"] + 10


def test_reference_page_lists_every_unverified_value_with_its_source(client, busy_dept):
    from nmguard.reference.decision_path import unverified_decision_values

    client.force_login(busy_dept["technologist"])
    response = client.get(reverse("reference-unverified"))
    assert response.status_code == 200
    html = response.content.decode()
    values = unverified_decision_values()
    assert html.count('data-testid="unverified-row"') == len(values)
    assert "intended-nema-nu1-uniformity" in html  # the daily flood's action band, cited by its source id
    assert f"<strong>{len(values)}</strong>" in html


def test_area_counts_are_exact_up_to_the_cap_then_about_the_highest_id(busy_dept, monkeypatch):
    """A table beyond the cap is not counted row by row: the count stops at cap + 1 rows and the highest id
    (three figures) is shown as "about"; below the cap the count is exact."""
    from nmguard.apps.core import dashboard
    from nmguard.apps.patients.models import Prescription

    exact = Prescription.objects.count()
    assert exact > 3
    assert dashboard.record_count(Prescription) == f"{exact:,}"
    monkeypatch.setattr(dashboard, "EXACT_COUNT_UP_TO", exact - 1)
    top = Prescription.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert dashboard.record_count(Prescription) == f"about {dashboard._three_figures(top):,}"
    with CaptureQueriesContext(connection) as queries:
        dashboard.record_count(Prescription)
    assert len(queries) == 2 and "LIMIT" in queries[0]["sql"].upper()


@pytest.mark.parametrize(
    ("n", "shown"), [(0, 0), (999, 999), (1_234, 1_230), (1_235_678, 1_240_000), (1_134_567, 1_130_000)]
)
def test_three_figures(n, shown):
    from nmguard.apps.core.dashboard import _three_figures

    assert _three_figures(n) == shown
