"""The demo's staff doses: imported through the real service, one worker at the investigation level."""

from __future__ import annotations

import pytest


def test_staff_dose_demo(make_user):
    from django.utils import timezone

    from nmguard.apps.core.roles import Role
    from nmguard.apps.protection.demo import DEMO_WORKERS, SPILL_MSV, _months, load_staff_dose_demo
    from nmguard.apps.protection.models import DoseImport, DoseReading, PregnancyDeclaration, Worker
    from nmguard.apps.protection.staff_sums import evaluate_year

    users = {role: make_user(role.value, f"demo-{role.value}") for role in Role}
    load_staff_dose_demo(users)
    assert Worker.objects.count() == len(DEMO_WORKERS) and DoseImport.objects.get().imported_by == users[Role.RPO]
    assert DoseReading.objects.filter(superseded_by__isnull=False).get().supersede_reason.startswith("the service")
    assert PregnancyDeclaration.objects.get().worker.worker_id == "D-103"
    months = _months(timezone.localdate())
    year = months[-1][1].year
    rows = {r.worker.worker_id: r.row for r in evaluate_year(year, "iaea")}
    nurse_months = sum(1 for _, end in months[:-1] if end.year == year)
    assert rows["D-104"]["effective_mSv_year"] == pytest.approx(SPILL_MSV + 0.3 * nurse_months, abs=1e-9)
    assert rows["D-104"]["status"] == "investigation"  # >= 6 mSv (30 % of 20), within every limit
    assert {w for w, r in rows.items() if r["status"] != "ok"} == {"D-104"}
