"""Clinical records against their audited state: a direct SQL edit of a birth date, an administered activity,
a batch or a QC value is found by comparing the row with the `after` of its last audit event (issue 12 item 2),
and the demo department's records (every kind, saved in the department's zone) show no false difference."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from nmguard.apps.core import audit
from nmguard.apps.core.demo import load_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("NMGUARD_AUDIT_KEY", raising=False)
    settings.DATA_DIR = tmp_path
    audit._KEYS.clear()
    assert load_demo() is True
    yield
    audit._KEYS.clear()


def _sql(statement: str, params: list) -> None:
    """What the database's owner does: no model, no signal, no audit event."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_no_record_of_the_demo_differs_from_its_audited_state(demo):
    checked, problems = audit.verify_records()
    assert problems == [] and checked > 50
    result = audit.verify_all()
    assert result.ok, result.as_dict()["problems"]
    assert result.records_checked == checked


EDITS = [  # (model, field, a value the demo never holds)
    ("patients.Patient", "birth_date", dt.date(1901, 1, 1)),
    ("patients.Administration", "administered_activity_Bq", 9.999e9),
    ("radiopharmacy.Batch", "status", "tampered"),
    ("equipment.QCResult", "value", -123.0),
]


def test_a_birth_date_an_administration_a_batch_and_a_qc_value_edited_in_sql_are_found(demo):
    from django.apps import apps

    edited = []
    for label, attname, value in EDITS:
        model = apps.get_model(label)
        column = next(f.column for f in model._meta.concrete_fields if f.attname == attname)
        record = model.objects.order_by("-pk").first()
        _sql(
            f"UPDATE {model._meta.db_table} SET {connection.ops.quote_name(column)} = %s WHERE id = %s",
            [value, record.pk],
        )
        assert [d.field for d in audit.record_differences(record)] == [attname], label
        edited.append(f"{label} {record.pk}: {attname}")
    checked, problems = audit.verify_records()
    assert sorted(p.split(" is ")[0] for p in problems) == sorted(edited)
    result = audit.verify_all()
    assert not result.ok and sum(p.startswith("changed outside NMGuard") for p in result.problems) == len(EDITS)
    assert "1901-01-01" in " ".join(result.problems)


def test_the_pages_of_edited_records_say_so_and_no_longer_show_the_signature(demo, client):
    """The released batch shows its signature until its row is edited in SQL; then the page warns and names the
    signature that no longer matches (was: "released by …" as before). A QC result's page warns likewise."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from nmguard.apps.core.demo import DEMO_USERS
    from nmguard.apps.equipment.models import QCResult
    from nmguard.apps.radiopharmacy.models import Batch

    client.force_login(get_user_model().objects.get(username=DEMO_USERS[0][0]))
    batch = Batch.objects.filter(release_signature__isnull=False).order_by("pk").first()
    result = QCResult.objects.order_by("pk").first()
    batch_url, result_url = reverse("hotlab-batch", args=[batch.pk]), reverse("qc-result", args=[result.pk])
    for url in (batch_url, result_url):
        html = client.get(url).content.decode()
        assert 'data-testid="integrity-warning"' not in html and 'data-testid="signature-broken"' not in html, url
    assert 'data-testid="released-by"' in client.get(batch_url).content.decode()
    _sql(
        f"UPDATE {Batch._meta.db_table} SET {connection.ops.quote_name('volume_mL')} = %s WHERE id = %s",
        [99.0, batch.pk],
    )
    _sql(f"UPDATE {QCResult._meta.db_table} SET value = %s WHERE id = %s", [-1.0, result.pk])
    html = client.get(batch_url).content.decode()
    assert 'data-testid="integrity-warning"' in html and 'data-testid="signature-broken"' in html
    assert 'data-testid="released-by"' not in html and "volume_mL is 99.0" in html.replace("&#x27;", "'")
    assert 'data-testid="integrity-warning"' in client.get(result_url).content.decode()
