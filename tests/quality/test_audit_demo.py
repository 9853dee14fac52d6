"""The demo's audits: the sample checklist audited last year (self) and this year (external), both finalised,
scored as the pure rule gives for the demo's levels, findings raised as CAPAs (one overdue), a clinical audit
with its re-audit; at any hour (run under NMGUARD_TEST_CLOCK=00:30 and 23:50 too)."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD


def test_audit_demo(make_user):
    from django.utils import timezone

    from nmguard.apps.core.roles import Role
    from nmguard.apps.quality import audit_services as s
    from nmguard.apps.quality.audit_demo import LAST_YEAR, THIS_YEAR, load_audit_demo
    from nmguard.apps.quality.audit_models import Audit, ClinicalAudit
    from nmguard.apps.quality.capa_models import CorrectiveAction
    from nmguard.apps.quality.clinical_audit import audit_loop

    users = {role: make_user(role.value, f"demo-{role.value}") for role in Role}
    load_audit_demo(users, {role: PASSWORD for role in Role})
    last, this = Audit.objects.order_by("audited_on")
    assert (last.mode, this.mode) == ("self", "external") and {last.status, this.status} == {"final"}
    # pooled by hand: last year 44 over 16 applicable items x 4; this year 54 over 64
    assert sum(v for v in LAST_YEAR.values() if v is not None) == 44
    assert s.audit_score(last).overall_percent == pytest.approx(100 * 44 / 64)
    assert s.audit_score(this).overall_percent == pytest.approx(100 * 54 / 64)
    comparison = s.comparison(this)
    assert comparison.previous == last and comparison.per_item["5.2"] == "better"
    assert comparison.per_item["5.3"] == "same" and comparison.per_item["4.3"] == "n/a"
    below = {k for k, v in LAST_YEAR.items() if v is not None and v < 3}
    assert set(last.findings.values_list("item_id", flat=True)) == below
    assert set(this.findings.values_list("item_id", flat=True)) == {
        k for k, v in THIS_YEAR.items() if v is not None and v < 3
    }
    actions = CorrectiveAction.objects.filter(source="audit finding")
    assert actions.count() == len(below) + 2
    overdue = actions.filter(status="open", due_on__lt=timezone.localdate())
    assert overdue.count() == 1 and overdue.get().source_ref == last.reference
    first, again = audit_loop(ClinicalAudit.objects.order_by("period_start").first())
    assert again.re_audit_of == first and again.period_end == timezone.localdate()
