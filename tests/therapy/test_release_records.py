"""Release decisions in the records layer: the stored result is the pure/CLI result, refusals name their field,
signing rules, supersession, the list of cycles awaiting a decision and the physicians' attention items."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from nmguard.apps.core.models import AuditEvent
from nmguard.apps.core.signatures import signature_still_valid
from nmguard.apps.therapy import release_services as svc
from nmguard.apps.therapy.release_models import ReleaseDecision
from nmguard.errors import InputError
from nmguard.protection.release import assess_release
from tests.conftest import PASSWORD
from tests.therapy.release_fixtures import GBQ, make_iodine_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def iodine_cycle(dept):
    return make_iodine_cycle(dept)


B5 = svc.Assessment(method="patient-specific", basis="uptake-model", condition="thyroid-cancer")


def _eq_b5_by_hand_mSv(activity_mCi: float) -> float:
    """RG 8.39 Eq. B-5, thyroid cancer (Table B-1: F1 0.95, T1 0.32 d, F2 0.05, T2 7.3 d), Γ 2.2, Tp 8.04 d."""
    left = math.exp(-math.log(2) * 0.33 / 8.04)
    bracket = 0.75 * 8.04 * 0.8 * (1 - left) + left * 0.25 * (0.95 * 0.32 + 0.05 * 7.3)
    return 34.6 * 2.2 * activity_mCi / 100**2 * bracket * 10


def test_the_stored_record_is_the_pure_result_and_the_hand_calculation(dept, iodine_cycle):
    decision = svc.assess(iodine_cycle, B5, dept["physician"])
    pure = assess_release(
        "I-131", 5.55 * GBQ, "patient-specific", condition="thyroid-cancer", profile="nrc",
        radiopharmaceutical="i131-iodide",
    ).as_dict()  # fmt: skip
    decision.refresh_from_db()
    assert decision.result == json.loads(json.dumps(pure))
    # 5.55 GBq = 150 mCi; by hand 3.401 mSv (docs/patient-release.md worked example: 3.40 mSv)
    assert decision.dose_to_others_mSv == pytest.approx(_eq_b5_by_hand_mSv(150.0), rel=1e-3)
    assert decision.dose_to_others_mSv == pytest.approx(3.40, abs=0.005)
    assert decision.releasable and decision.instructions_required and decision.activity_from_administration
    assert decision.profile == "nrc" and decision.nuclide == "I-131"
    assert {r["contact"] for r in decision.result["restrictions"]} == {
        "sleeping-apart",
        "young-children",
        "pregnant-contacts",
        "work",
        "travel",
    }


def test_the_stored_record_agrees_with_the_cli_for_a_measured_dose_rate(dept, iodine_cycle):
    from nmguard.cli import app

    measured = timezone.now() - dt.timedelta(hours=1)
    a = svc.Assessment(
        method="patient-specific",
        basis="dose-rate",
        dose_rate_1m_uSv_h=50.0,
        dose_rate_instrument="Survey meter SM-1",
        dose_rate_measured_at=measured,
    )
    decision = svc.assess(iodine_cycle, a, dept["physicist"])
    out = CliRunner().invoke(
        app,
        ["release", "--nuclide", "I-131", "--activity", "5.55 GBq", "--method", "patient-specific",
         "--dose-rate-1m", "50 uSv/h", "--profile", "nrc", "--radiopharmaceutical", "i131-iodide", "--json"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    cli = json.loads(out.output)
    for key in ("releasable", "instructions_required", "basis"):
        assert decision.result[key] == cli[key], key
    assert decision.result["dose_to_others_mSv"] == pytest.approx(cli["dose_to_others_mSv"], rel=1e-9)
    assert [r["days"] for r in decision.result["restrictions"]] == [r["days"] for r in cli["restrictions"]]
    # Eq. U-1 with the rate: 34.6 × 0.050 mSv/h × 8.04 d × 0.25 = 3.477 mSv
    assert decision.dose_to_others_mSv == pytest.approx(34.6 * 0.050 * 8.04 * 0.25, rel=1e-3)
    assert decision.result["record_required"] is True  # 10 CFR 35.2075(a): measured dose rate
    assert decision.dose_rate_measured_at == measured and decision.dose_rate_instrument == "Survey meter SM-1"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"basis": "dose-rate"}, "dose_rate_1m"),  # the basis needs the measured rate
        ({"basis": "dose-rate", "dose_rate_1m_uSv_h": 20.0, "dose_rate_instrument": "SM-1"}, "dose_rate_measured_at"),
        ({"basis": "dose-rate", "dose_rate_1m_uSv_h": 20.0, "dose_rate_measured_at": "now"}, "dose_rate_instrument"),
        ({"basis": "dose-rate", "dose_rate_1m_uSv_h": 20.0, "dose_rate_instrument": "SM-1",
          "dose_rate_measured_at": "before"}, "dose_rate_measured_at"),
        ({"basis": "dose-rate", "dose_rate_1m_uSv_h": 20.0, "dose_rate_instrument": "SM-1",
          "dose_rate_measured_at": "future"}, "dose_rate_measured_at"),
        ({"dose_rate_1m_uSv_h": 20.0}, "dose_rate_1m"),  # a rate the activity basis would not use
        ({"basis": "uptake-model"}, "condition"),  # the uptake model without a condition
        ({"method": "table", "basis": "uptake-model", "condition": "thyroid-cancer"}, "method"),
        ({"method": "table", "occupancy": 0.125}, "occupancy"),  # the table carries its own assumptions
        ({"retained_activity": True}, "activity"),  # retained without the retained activity
        ({"effective_half_life_d": 9.0}, "effective_half_life_d"),  # longer than I-131's 8.04 d
    ],
)  # fmt: skip
def test_refusals_name_their_field_and_store_nothing(dept, iodine_cycle, change, field):
    times = {
        "now": timezone.now(),
        "before": iodine_cycle.administration.administered_at - dt.timedelta(minutes=5),
        "future": timezone.now() + dt.timedelta(hours=2),
    }
    if "dose_rate_measured_at" in change:
        change = {**change, "dose_rate_measured_at": times[change["dose_rate_measured_at"]]}
    a = svc.Assessment(**{"method": "patient-specific", **change})
    with pytest.raises(InputError) as exc:
        svc.assess(iodine_cycle, a, dept["physician"])
    assert exc.value.field == field, exc.value.message
    assert not ReleaseDecision.objects.exists()


def test_without_an_administration_the_activity_is_typed(dept):
    cycle = make_iodine_cycle(dept, administered=False)
    with pytest.raises(InputError) as exc:
        svc.assess(cycle, svc.Assessment(method="table"), dept["physician"])
    assert exc.value.field == "activity"
    decision = svc.assess(cycle, svc.Assessment(method="table", activity_Bq=1.0 * GBQ), dept["physician"])
    assert decision.releasable and not decision.activity_from_administration  # 1.0 GBq <= 1.2 GBq (Table U.1)
    with pytest.raises(InputError) as exc:  # Lu-177 has no cited release row: refused, not guessed
        svc.assess(
            cycle,
            svc.Assessment(method="table", nuclide="Lu-177", activity_Bq=7.4 * GBQ, reason="typed the wrong product"),
            dept["physician"],
        )
    assert exc.value.field == "nuclide"


def test_only_physicians_and_physicists_assess(dept, iodine_cycle):
    with pytest.raises(InputError):
        svc.assess(iodine_cycle, B5, dept["technologist"])


def test_signing_rules(dept):
    # 1.3 GBq by the table: above Table U.1's 1.2 GBq, not releasable, cannot be signed as a release
    cycle = make_iodine_cycle(dept, activity_Bq=1.3 * GBQ)
    refused = svc.assess(cycle, svc.Assessment(method="table"), dept["physician"])
    assert not refused.releasable
    with pytest.raises(InputError, match="not releasable"):
        svc.sign_release(refused, physician=dept["physician"], password=PASSWORD)
    assert refused.released_at is None
    ok = svc.assess(
        cycle, svc.Assessment(method="patient-specific", basis="uptake-model", condition="thyroid-cancer",
                              reason="re-assessed with the thyroid-cancer uptake model"), dept["physician"],
    )  # fmt: skip
    assert ok.releasable
    with pytest.raises(InputError, match="needs the role"):  # a physicist assesses but does not sign
        svc.sign_release(ok, physician=dept["physicist"], password=PASSWORD)
    with pytest.raises(InputError, match="password"):
        svc.sign_release(ok, physician=dept["physician"], password="wrong-password")
    assert AuditEvent.objects.filter(action="sign_failed", actor=dept["physician"]).exists()
    ok.refresh_from_db()
    assert ok.released_at is None and ok.signature_id is None
    svc.sign_release(ok, physician=dept["physician"], password=PASSWORD)
    ok.refresh_from_db()
    assert ok.is_released and ok.signature.meaning == "released" and signature_still_valid(ok.signature, ok)
    assert ok.retain_until == timezone.localdate(ok.released_at).replace(
        year=timezone.localdate(ok.released_at).year + 3
    )
    with pytest.raises(InputError, match="already signed"):
        svc.sign_release(ok, physician=dept["physician"], password=PASSWORD)


def test_a_reassessment_supersedes_and_keeps_the_old_one(dept, iodine_cycle):
    first = svc.assess(iodine_cycle, B5, dept["physician"])
    with pytest.raises(InputError) as exc:  # a re-assessment says why
        svc.assess(iodine_cycle, B5, dept["physician"])
    assert exc.value.field == "reason"
    a = svc.Assessment(
        method="patient-specific", basis="dose-rate", dose_rate_1m_uSv_h=30.0, dose_rate_instrument="SM-1",
        dose_rate_measured_at=timezone.now(), reason="dose rate measured on the morning of the release",
    )  # fmt: skip
    second = svc.assess(iodine_cycle, a, dept["physician"])
    first.refresh_from_db()
    assert first.superseded_by == second and second.is_current
    assert first.dose_to_others_mSv == pytest.approx(3.40, abs=0.005)  # the old result is kept as it was
    assert svc.current_decision(iodine_cycle) == second
    assert ReleaseDecision.objects.count() == 2
    with pytest.raises(InputError, match="superseded"):
        svc.sign_release(first, physician=dept["physician"], password=PASSWORD)


def test_awaiting_release_and_the_physicians_attention(dept, iodine_cycle):
    make_iodine_cycle(dept, administered=False)  # planned, not administered: not awaited
    assert list(svc.awaiting_release()) == [iodine_cycle]
    items = svc.release_attention(dept["physician"])
    assert len(items) == 1 and items[0].url.endswith(f"/cycles/{iodine_cycle.pk}/release/")
    assert svc.release_attention(dept["physicist"]) == []
    decision = svc.assess(iodine_cycle, B5, dept["physician"])
    assert list(svc.awaiting_release()) == [iodine_cycle]  # assessed, not yet signed
    svc.sign_release(decision, physician=dept["physician"], password=PASSWORD)
    assert list(svc.awaiting_release()) == [] and svc.release_attention(dept["physician"]) == []


def test_assessment_and_release_are_audited_and_attributed(dept, iodine_cycle):
    decision = svc.assess(iodine_cycle, B5, dept["physicist"])
    events = AuditEvent.objects.filter(model_label="therapy.ReleaseDecision", object_id=str(decision.pk))
    created = events.get(action="create")
    assert created.actor == dept["physicist"]
    assert created.after["releasable"] == "True"  # the snapshot keeps values as text
    svc.sign_release(decision, physician=dept["physician"], password=PASSWORD)
    assert events.filter(action="sign", actor=dept["physician"]).exists()
    assert events.filter(action="update", actor=dept["physician"], reason="patient released").exists()
