"""Audit runs: answers scored like the pure rule, evidence linked from QC results and batches, comparison with
the previous audit, findings raise CAPAs with source "audit finding", finalise by e-signature locks it; roles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nmguard.apps.core.models import AuditEvent, Signature
from nmguard.errors import InputError
from tests.conftest import PASSWORD


@pytest.fixture
def qm(make_user):
    return make_user("quality_manager", "qm-audit")


@pytest.fixture
def tech(make_user):
    return make_user("technologist", "tech-audit")


def _audit(qm, days_ago=0, mode="self"):
    from nmguard.apps.quality import audit_services as s

    checklist = s.shipped_checklist(user=qm)
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return s.start_audit(checklist, mode=mode, audited_on=day, auditors="A. Auditor, B. Second", user=qm)


def _answer_all(audit, qm, levels):
    from nmguard.apps.quality import audit_services as s

    for item_id, level in levels.items():
        s.answer_item(audit, item_id, level, f"seen {item_id}", qm)


def _all_items(level):
    from nmguard.reference.audit_checklists import shipped_checklists

    return {i.id: level for _, i in shipped_checklists()["nmguard-sample"].items()}


def test_answers_are_scored_and_audited(qm):
    from nmguard.apps.quality import audit_services as s

    audit = _audit(qm)
    _answer_all(audit, qm, {"1.1": 4, "1.2": 2, "1.3": "na", "2.1": 1})
    score = s.audit_score(audit)
    assert score.sections[0].percent == pytest.approx(75.0)  # (4 + 2) / 8
    assert score.overall_percent == pytest.approx(100 * 7 / 12)  # (4 + 2 + 1) / 12
    s.answer_item(audit, "1.2", 3, "re-checked", qm)  # changed, not duplicated
    assert audit.answers.count() == 4 and s.audit_score(audit).sections[0].percent == pytest.approx(87.5)
    answer = audit.answers.get(item_id="1.2")
    assert AuditEvent.objects.filter(model_label="quality.AuditAnswer", object_id=str(answer.pk)).count() >= 2
    assert answer.history.count() == 2


def test_bad_input_names_the_field(qm, tech):
    from nmguard.apps.quality import audit_services as s

    audit = _audit(qm)
    cases = [
        (lambda: s.answer_item(audit, "9.9", 3, "", qm), "item_id"),
        (lambda: s.answer_item(audit, "1.1", 7, "", qm), "level"),
        (lambda: s.answer_item(audit, "1.1", 3, "", tech), "user"),
        (lambda: s.start_audit(audit.checklist, mode="x", audited_on=audit.audited_on, auditors="a", user=qm), "mode"),
        (lambda: s.start_audit(audit.checklist, mode="self", audited_on=audit.audited_on, auditors=" ", user=qm),
         "auditors"),
    ]  # fmt: skip
    for call, field in cases:
        with pytest.raises(InputError) as err:
            call()
        assert err.value.field == field


def test_evidence_from_qc_results_and_batches_by_label(qm, dept):
    from nmguard.apps.quality import audit_services as s

    audit = _audit(qm)
    answer = s.answer_item(audit, "3.2", 3, "", qm)
    assert {"equipment.QCResult", "radiopharmacy.Batch"} <= set(s.evidence_models())
    with pytest.raises(InputError) as err:
        s.attach_evidence(answer, "equipment.QCResult", "999999", qm)
    assert err.value.field == "object_pk"
    with pytest.raises(InputError) as err:
        s.attach_evidence(answer, "core.User", str(qm.pk), qm)
    assert err.value.field == "model_label"
    evidence = s.attach_evidence(answer, "quality.AuditChecklist" if False else "quality.CorrectiveAction",
                                 str(_capa(qm).pk), qm)  # fmt: skip
    assert evidence.label.startswith("CAPA ") and evidence.model_label == "quality.CorrectiveAction"


def _capa(qm):
    from nmguard.apps.quality.capa_services import raise_action

    return raise_action(title="t", source="incident", source_ref="IR-1", owner=qm,
                        due_on=timezone.localdate() + dt.timedelta(days=5), user=qm)  # fmt: skip


def test_comparison_with_the_previous_audit_of_the_checklist(qm):
    from nmguard.apps.quality import audit_services as s

    before = _audit(qm, days_ago=365)
    _answer_all(before, qm, {"1.1": 2, "1.2": 3, "1.3": 4, "1.4": None})
    now = _audit(qm, mode="external")
    _answer_all(now, qm, {"1.1": 3, "1.2": 3, "1.3": 1, "1.4": 2, "2.1": 4})
    found = s.comparison(now)
    assert found.previous == before
    assert found.per_item == {"1.1": "better", "1.2": "same", "1.3": "worse", "1.4": "n/a", "2.1": "new"}
    assert found.previous_score.overall_percent == pytest.approx(100 * 9 / 12)
    assert s.comparison(before).previous is None


def test_finding_raises_a_capa_with_the_audit_as_source(qm):
    from nmguard.apps.quality import audit_services as s
    from nmguard.apps.quality.capa_models import CorrectiveAction

    audit = _audit(qm)
    _answer_all(audit, qm, {"1.1": 1, "1.2": 4, "2.1": 3})
    assert s.pending_findings(audit) == [("1.1", 1)]
    due = timezone.localdate() + dt.timedelta(days=30)
    finding = s.raise_finding(audit, item_id="1.1", note="Organisation chart is from 2019", owner=qm, due_on=due,
                              user=qm)  # fmt: skip
    action = CorrectiveAction.objects.get(pk=finding.action_id)
    assert action.source == "audit finding" and action.source_ref == audit.reference == f"AUD-{audit.pk}"
    assert action.owner == qm and action.due_on == due and "1.1" in action.title
    assert s.pending_findings(audit) == []
    with pytest.raises(InputError) as err:
        s.raise_finding(audit, item_id="1.1", note="again", owner=qm, due_on=due, user=qm)
    assert err.value.field == "item_id"
    note = s.raise_finding(audit, item_id="", note="Fire exit blocked by a trolley", owner=qm, due_on=due, user=qm)
    assert CorrectiveAction.objects.get(pk=note.action_id).source_ref == audit.reference


def test_finalise_needs_every_answer_and_the_password_then_locks(qm):
    from nmguard.apps.quality import audit_services as s
    from nmguard.apps.quality.audit_models import Audit

    audit = _audit(qm)
    _answer_all(audit, qm, {"1.1": 4})
    with pytest.raises(InputError, match="not answered") as err:
        s.finalise(audit, qm, PASSWORD)
    assert err.value.field == "audit"
    _answer_all(audit, qm, _all_items(3))
    with pytest.raises(InputError) as err:
        s.finalise(audit, qm, "wrong")
    assert err.value.field == "password"
    assert Audit.objects.get(pk=audit.pk).status == "draft"
    done = s.finalise(audit, qm, PASSWORD)
    assert done.status == "final"
    signature = Signature.objects.get(pk=done.signature_id)
    assert signature.meaning == "approved" and signature.signer == qm and "75.0 %" in signature.statement
    for call in (lambda: s.answer_item(done, "1.1", 4, "", qm), lambda: s.finalise(done, qm, PASSWORD)):
        with pytest.raises(InputError, match="finalised and read-only"):
            call()
    answer = done.answers.get(item_id="1.1")
    with pytest.raises(InputError, match="read-only"):
        s.attach_evidence(answer, "quality.CorrectiveAction", str(_capa(qm).pk), qm)


def test_import_stores_a_version_and_refuses_a_changed_one(qm, tech):
    from nmguard.apps.quality import audit_services as s

    text = "section_id,section_title,item_id,text\n1,Management,1.1,Chart current\n"
    stored = s.import_checklist(text, "dept.csv", qm, checklist_id="dept", title="Department")
    assert stored.key == "dept" and stored.definition["sections"][0]["items"][0]["id"] == "1.1"
    assert s.import_checklist(text, "dept.csv", qm, checklist_id="dept", title="Department") == stored
    with pytest.raises(InputError, match="new version"):
        s.import_checklist(text.replace("Chart", "Org chart"), "dept.csv", qm, checklist_id="dept", title="Department")
    with pytest.raises(InputError) as err:
        s.import_checklist(text, "dept.xlsx", qm)
    assert err.value.field == "file"
    with pytest.raises(InputError) as err:
        s.import_checklist(text, "dept.csv", tech, checklist_id="d2", title="x")
    assert err.value.field == "user"
