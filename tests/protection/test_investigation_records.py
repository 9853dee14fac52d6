"""Investigations of staff-dose alerts (issue 15 items 2 and 7): the alert's state none -> open -> closed, a
closed investigation-level one not answering a later limit alert, closing by e-signature, nothing deleted,
who may write."""

from __future__ import annotations

import pytest

from nmguard.errors import InputError
from tests.conftest import PASSWORD
from tests.protection.test_staff_import import monthly_file
from tests.protection.test_staff_pages import _department, _import

YEAR = 2026


@pytest.fixture
def rpo(make_user):
    return make_user("rpo", "rpo1")


def _w(wid: str):
    from nmguard.apps.protection.models import Worker

    return Worker.objects.get(worker_id=wid)


def _alerts(wid: str):
    from nmguard.apps.protection.investigation_records import worker_alerts

    return worker_alerts(_w(wid), YEAR)


def test_alert_states_none_open_closed(rpo):
    """W1 12 x 0.6 = 7.2 mSv: IAEA investigation level 6 mSv (department level, 30 % of 20) reached."""
    from nmguard.apps.core.models import AuditEvent
    from nmguard.apps.core.records import RecordDeletionError
    from nmguard.apps.core.signatures import signature_still_valid
    from nmguard.apps.protection import investigation_records as ir
    from nmguard.apps.protection.event_models import Investigation

    _department("iaea-gsr3", rpo)
    _import(monthly_file({"W1": 0.6, "W2": 0.1}, YEAR), rpo)
    (alert,) = _alerts("W1")
    assert (alert.quantity, alert.level, alert.state) == ("effective", "investigation", "none")
    assert alert.dose_mSv == pytest.approx(7.2, abs=1e-9)
    assert _alerts("W2") == []
    with pytest.raises(InputError) as no_alert:
        ir.open_investigation(_w("W2"), YEAR, "effective", rpo)
    assert getattr(no_alert.value, "field", None) == "quantity"

    inv = ir.open_investigation(_w("W1"), YEAR, "effective", rpo)
    assert (inv.level, inv.profile, inv.dose_at_opening_mSv) == ("investigation", "iaea", pytest.approx(7.2))
    assert _alerts("W1")[0].state == "open"
    with pytest.raises(InputError) as twice:
        ir.open_investigation(_w("W1"), YEAR, "effective", rpo)
    assert "already open" in str(twice.value)

    ir.update_investigation(inv, {"findings": "badge left in the hot lab"}, rpo)
    with pytest.raises(InputError) as missing:
        ir.close_investigation(inv, {"findings": "badge left in the hot lab"}, rpo, PASSWORD)
    assert getattr(missing.value, "field", None) == "cause"
    values = {"findings": "badge left in the hot lab", "cause": "badge storage", "actions": "badge board moved"}
    with pytest.raises(InputError) as wrong:
        ir.close_investigation(inv, values, rpo, "wrong password")
    assert getattr(wrong.value, "field", None) == "password"
    assert Investigation.objects.get(pk=inv.pk).status == "open"
    closed = ir.close_investigation(Investigation.objects.get(pk=inv.pk), values, rpo, PASSWORD)
    assert closed.status == "closed" and closed.closed_by == rpo and closed.closure.meaning == "closed"
    assert signature_still_valid(closed.closure, Investigation.objects.get(pk=inv.pk))
    alert = _alerts("W1")[0]
    assert alert.state == "closed" and alert.investigation.closed_by == rpo
    with pytest.raises(InputError):
        ir.update_investigation(closed, {"findings": "changed"}, rpo)
    with pytest.raises(RecordDeletionError):
        Investigation.objects.get(pk=inv.pk).delete()
    assert AuditEvent.objects.filter(model_label="protection.Investigation", object_id=str(inv.pk)).count() >= 3


def test_a_closed_investigation_level_case_does_not_answer_a_limit_alert(rpo):
    """W1 12 x 1.75 = 21 mSv: IAEA -> investigation level (20 mSv/y is a five-year average there); Euratom
    (20 mSv in a single year) -> limit exceeded, which the closed investigation-level case does not answer."""
    from nmguard.apps.protection import investigation_records as ir

    _department("iaea-gsr3", rpo)
    _import(monthly_file({"W1": 1.75}, YEAR), rpo)
    inv = ir.open_investigation(_w("W1"), YEAR, "effective", rpo)
    ir.close_investigation(inv, {"findings": "f", "cause": "c", "actions": "a"}, rpo, PASSWORD)
    assert _alerts("W1")[0].state == "closed"
    _department("euratom-2013-59", rpo)
    (alert,) = _alerts("W1")
    assert (alert.level, alert.state) == ("limit_exceeded", "none")
    limit_case = ir.open_investigation(_w("W1"), YEAR, "effective", rpo)
    assert limit_case.level == "limit_exceeded" and _alerts("W1")[0].state == "open"


def test_only_writers_open_investigations(rpo, make_user):
    from nmguard.apps.protection import investigation_records as ir

    _department("iaea-gsr3", rpo)
    _import(monthly_file({"W1": 0.6}, YEAR), rpo)
    tech = make_user("technologist", "tech1")
    with pytest.raises(InputError) as refused:
        ir.open_investigation(_w("W1"), YEAR, "effective", tech)
    assert getattr(refused.value, "field", None) == "user"
    assert ir.open_investigation(_w("W1"), YEAR, "effective", make_user("physicist", "phys1")).pk
