"""CAPA services: who may raise, the lifecycle open → done → effective → closed by e-signature, ineffective
reopens, cancel/supersede keep the row, every change audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nmguard.errors import InputError
from tests.conftest import PASSWORD


def _raise(user, owner, **over):
    from nmguard.apps.quality.capa_services import raise_action

    values = dict(
        title="Second check of activity before injection",
        source="incident",
        source_ref="IR-2026-001",
        owner=owner,
        due_on=timezone.localdate() + dt.timedelta(days=14),
        user=user,
    )
    return raise_action(**{**values, **over})


def test_raise_checks_fields_and_role(qm, tech):
    with pytest.raises(InputError) as err:
        _raise(tech, tech)
    assert err.value.field == "user"
    with pytest.raises(InputError) as err:
        _raise(qm, tech, title=" ")
    assert err.value.field == "title"
    with pytest.raises(InputError) as err:
        _raise(qm, tech, due_on=timezone.localdate() - dt.timedelta(days=1))
    assert err.value.field == "due_on"
    with pytest.raises(InputError) as err:
        _raise(qm, None)
    assert err.value.field == "owner"
    with pytest.raises(InputError) as err:
        _raise(qm, tech, kind="punitive")
    assert err.value.field == "kind"
    action = _raise(qm, tech)
    assert action.status == "open" and action.owner == tech and action.source_ref == "IR-2026-001"


def test_lifecycle_to_signed_closure(qm, tech):
    from nmguard.apps.core.models import AuditEvent
    from nmguard.apps.quality import capa_services as capa

    action = _raise(qm, tech)
    with pytest.raises(InputError):  # not done yet: cannot be closed
        capa.close_action(action, qm, PASSWORD)
    with pytest.raises(InputError) as err:  # not done yet: no effectiveness
        capa.record_effectiveness(action, qm, "re-audit", True)
    assert err.value.field == "effective"
    action = capa.mark_done(action, tech, "checklist in place")
    assert action.status == "done" and action.done_on == timezone.localdate()
    with pytest.raises(InputError) as err:  # the technologist owner cannot judge effectiveness
        capa.record_effectiveness(action, tech, "re-audit", True)
    assert err.value.field == "user"
    action = capa.record_effectiveness(action, qm, "Re-audit of 20 injections: no miss", False)
    assert action.status == "open" and action.effective is False and action.done_on is None
    action = capa.mark_done(action, tech)
    action = capa.record_effectiveness(action, qm, "Re-audit of 40 injections: no miss", True)
    with pytest.raises(InputError) as err:
        capa.close_action(action, qm, "wrong")
    assert err.value.field == "password"
    action = capa.close_action(action, qm, PASSWORD)
    assert action.status == "closed" and action.closure.meaning == "closed" and action.closure.signer == qm
    reasons = list(AuditEvent.objects.values_list("reason", flat=True))
    assert any("closed" in r for r in reasons) and any("not effective" in r for r in reasons)


def test_cancel_and_supersede_keep_rows(qm, tech):
    from nmguard.apps.quality import capa_services as capa
    from nmguard.apps.quality.capa_models import CorrectiveAction

    action = _raise(qm, tech)
    with pytest.raises(InputError) as err:
        capa.cancel_action(action, qm, "")
    assert err.value.field == "reason"
    new = capa.supersede_action(
        action, qm, title="Barcode check", owner=tech, due_on=timezone.localdate() + dt.timedelta(days=30)
    )
    action.refresh_from_db()
    assert action.status == "cancelled" and action.cancel_reason == f"superseded by CAPA {new.pk}"
    assert CorrectiveAction.objects.count() == 2 and new.source_ref == action.source_ref
    with pytest.raises(InputError):
        capa.cancel_action(action, qm, "again")
