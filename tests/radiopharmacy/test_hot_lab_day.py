"""The radiopharmacist's day in the records layer: generator, elution, batch, QC, release, dispensing, waste."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.models import AuditEvent, Signature
from nmguard.apps.core.signatures import SignatureError
from nmguard.apps.radiopharmacy import services
from nmguard.apps.radiopharmacy.models import Batch, Dispensing, Recipe
from nmguard.errors import InputError
from nmguard.reference import get_nuclide
from tests.conftest import PASSWORD
from tests.department import now_minute

pytestmark = pytest.mark.django_db

TC = get_nuclide("Tc-99m").half_life_s


@pytest.fixture
def lab(dept, make_user):
    rph = make_user("radiopharmacist", "rph-x")
    with acting_as(rph, reason="fixture"):
        recipe = Recipe.objects.create(
            name="MDP kit",
            radiopharmaceutical=dept["mdp"],
            kit="MDP 5 mg",
            min_activity_MBq=500,
            max_activity_MBq=20000,
            max_volume_mL=10,
            shelf_life_h=8,
            max_dose_volume_mL=10,
        )
    return {**dept, "rph": rph, "recipe": recipe}


def _batch(lab, at, number="B1", activity=10e9):
    return services.prepare_batch(
        lab["recipe"],
        number=number,
        prepared_at=at,
        activity_Bq=activity,
        volume_mL=5.0,
        components=[services.Component("MDP kit", "K123", timezone.localdate() + dt.timedelta(days=30))],
        user=lab["rph"],
    )


def test_generator_elution_yield_and_breakthrough(lab):
    now = now_minute()
    g = services.receive_generator(
        name="Gen 1",
        parent="99Mo",
        calibrated_activity_Bq=20e9,
        calibrated_at=now - dt.timedelta(days=2),
        received_at=now - dt.timedelta(days=2),
        user=lab["rph"],
    )
    assert (g.parent, g.daughter) == ("Mo-99", "Tc-99m")
    e = services.elute(
        g,
        eluted_at=now - dt.timedelta(hours=1),
        eluted_Bq=10e9,
        volume_mL=5,
        breakthrough_parent_Bq=1e6,
        aluminium_ok=True,
        user=lab["rph"],
    )
    # 1 MBq Mo-99 in 10 GBq Tc-99m = 0.1 kBq/MBq < 0.15 (10 CFR 35.204(a))
    assert e.breakthrough["ratio_kBq_per_MBq"] == pytest.approx(0.1, rel=1e-9)
    # available Tc-99m after 47 h of ingrowth from calibration (no elution before), Bateman by hand
    import math

    mo = get_nuclide("Mo-99")
    lp, ld, t = math.log(2) / mo.half_life_s, math.log(2) / TC, 47 * 3600
    available = mo.branch_fraction_to("Tc-99m") * 20e9 * ld / (ld - lp) * (math.exp(-lp * t) - math.exp(-ld * t))
    assert e.available_Bq == pytest.approx(available, rel=1e-9)
    assert e.yield_percent == pytest.approx(100 * 10e9 / available, rel=1e-9) and e.usable
    bad = services.elute(g, eluted_at=now, eluted_Bq=1e9, volume_mL=5, breakthrough_parent_Bq=1e6, user=lab["rph"])
    assert not bad.usable  # 1 kBq/MBq
    with pytest.raises(InputError, match="failed its tests"):
        services.prepare_batch(
            lab["recipe"],
            number="B9",
            prepared_at=now,
            activity_Bq=1e9,
            volume_mL=5,
            components=[services.Component("kit", "L1", timezone.localdate())],
            user=lab["rph"],
            elution=bad,
        )


def test_release_needs_passing_tests_and_a_qualified_persons_signature(lab):
    batch = _batch(lab, now_minute())
    with pytest.raises(InputError, match="rcp missing"):
        services.release(batch, qualified_person=lab["rph"], password=PASSWORD)
    services.record_test(batch, test="rcp", value=87.0, user=lab["rph"])  # < 90 % (USP): fails
    with pytest.raises(InputError, match="not releasable"):
        services.release(batch, qualified_person=lab["rph"], password=PASSWORD)
    services.record_test(batch, test="rcp", value=96.5, user=lab["rph"])
    services.record_test(batch, test="endotoxins", value=2.0, user=lab["rph"])
    with pytest.raises(InputError, match="role"):
        services.release(batch, qualified_person=lab["technologist"], password=PASSWORD)
    with pytest.raises(SignatureError):
        services.release(batch, qualified_person=lab["rph"], password="wrong")
    services.release(batch, qualified_person=lab["rph"], password=PASSWORD)
    batch.refresh_from_db()
    assert batch.status == Batch.Status.RELEASED and batch.release_signature.meaning == "released"
    assert Signature.objects.filter(model_label="radiopharmacy.Batch").count() == 1


def test_dispensing_refused_before_release_and_after_expiry_and_audited(lab):
    from nmguard.apps.patients import services as administration

    now = now_minute()
    batch = _batch(lab, now - dt.timedelta(hours=2))
    p = administration.prescribe(
        patient=lab["man"], protocol=lab["mdp_protocol"], scheduled_for=now, weight_kg=80, prescriber=lab["physician"]
    )
    kwargs = dict(
        prescription=p,
        wanted_Bq=600e6,
        wanted_at=now + dt.timedelta(minutes=30),
        meter=lab["meter"],
        measured_Bq=640e6,
        measured_at=now,
        user=lab["rph"],
    )
    with pytest.raises(services.DispensingRefused, match="not released"):
        services.dispense(batch, **kwargs)
    assert AuditEvent.objects.filter(action="refused", object_id=str(batch.pk)).count() == 1
    services.record_test(batch, test="rcp", value=97.0, user=lab["rph"])
    services.record_test(batch, test="endotoxins", value=1.0, user=lab["rph"])
    services.release(batch, qualified_person=lab["rph"], password=PASSWORD)
    d = services.dispense(batch, **kwargs)
    # volume = want / C(at): 600 MBq / (10 GBq · 2^(−2.5 h / T½) / 5 mL)
    conc = 10e9 * 2 ** (-2.5 * 3600 / TC) / 5.0
    assert d.volume_mL == pytest.approx(600e6 / conc, rel=1e-9)
    p.refresh_from_db()
    assert p.status == "measured" and p.measurements.get().measured_activity_Bq == 640e6  # feeds the administration
    late = dict(kwargs, wanted_at=now + dt.timedelta(hours=7), measured_at=now)
    with pytest.raises(services.DispensingRefused, match="expired"):
        services.dispense(batch, **late)
    assert Dispensing.objects.count() == 1
    assert AuditEvent.objects.filter(action="refused").count() == 2


def test_waste_release_date_and_disposal_survey(lab):
    now = now_minute()
    c = services.seal_waste(
        label="W-1",
        nuclide="I-131",
        activity_Bq=1e9,
        limit_Bq=1e6,
        sealed_at=now - dt.timedelta(days=100),
        user=lab["rph"],
    )
    t_half = get_nuclide("I-131").half_life_s
    expected = c.sealed_at + dt.timedelta(seconds=t_half * 9.965784284662087)  # log2(1000)
    assert abs((c.release_at - expected).total_seconds()) < 1
    with pytest.raises(InputError, match="distinguishable"):
        services.dispose_waste(
            c,
            disposed_at=now,
            background=0.10,
            surface=0.30,
            unit="uSv/h",
            instrument="RadEye",
            surveyor="R. Ph.",
            user=lab["rph"],
        )
    services.dispose_waste(
        c,
        disposed_at=now,
        background=0.10,
        surface=0.10,
        unit="uSv/h",
        instrument="RadEye",
        surveyor="R. Ph.",
        user=lab["rph"],
    )
    c.refresh_from_db()
    assert c.disposed_at == now and c.survey["instrument"] == "RadEye"
    cs = services.seal_waste(
        label="W-2", nuclide="Cs-137", activity_Bq=1e6, limit_Bq=1e3, sealed_at=now, user=lab["rph"]
    )
    assert cs.release_at is None and cs.rule["eligible_for_decay_in_storage"] is False


def test_delivery_and_possession_limit_alert(lab, client):
    from nmguard.apps.radiopharmacy.inventory import holdings, receive_delivery
    from nmguard.apps.radiopharmacy.models import PossessionLimit

    now = now_minute()
    with acting_as(lab["rph"], reason="licence"):
        PossessionLimit.objects.create(nuclide="I-131", limit_Bq=10e9, licence="Licence 123, condition 4")
    delivery, exceeded = receive_delivery(
        nuclide="131I",
        product="131I capsule",
        activity_Bq=7.4e9,
        calibrated_at=now,
        received_at=now,
        receipt_ok=True,
        user=lab["rph"],
    )
    assert delivery.nuclide == "I-131" and not exceeded
    _, exceeded = receive_delivery(
        nuclide="I-131",
        product="131I solution",
        activity_Bq=5.55e9,
        calibrated_at=now + dt.timedelta(days=1),
        received_at=now,
        receipt_ok=True,
        user=lab["rph"],
    )
    # 7.4 GBq + 5.55 GBq decayed back one day (2^(1 d / T½) more) > 10 GBq
    t_half = get_nuclide("I-131").half_life_s
    expected = 7.4e9 + 5.55e9 * 2 ** (86400 / t_half)
    (h,) = [h for h in holdings(now) if h.nuclide == "I-131"]
    assert (
        h.on_hand_Bq == pytest.approx(expected, rel=1e-9) and h.exceeded and [e.nuclide for e in exceeded] == ["I-131"]
    )
    client.force_login(lab["rph"])
    assert "Possession limit exceeded: I-131" in client.get("/").content.decode()
    with pytest.raises(InputError, match="what was wrong"):
        receive_delivery(
            nuclide="F-18",
            product="FDG",
            activity_Bq=1e9,
            calibrated_at=now,
            received_at=now,
            receipt_ok=False,
            user=lab["rph"],
        )


def test_rcp_from_strip_counts_through_the_page(lab, client):
    """Two-strip ITLC: free pertechnetate 2 %, hydrolysed-reduced 1 % → RCP 97 %."""
    batch = _batch(lab, now_minute())
    client.force_login(lab["rph"])
    r = client.post(
        f"/hotlab/batches/{batch.pk}/tests/",
        {"test": "rcp", "strip1_front": "200", "strip1_origin": "9800", "strip2_front": "9900", "strip2_origin": "100"},
    )
    assert r.status_code == 302
    test = batch.tests.get()
    assert test.value == pytest.approx(100 * (1 - 0.02 - 0.01), abs=1e-9)
    assert test.detail["uncertainty_percent"] > 0
    r = client.post(f"/hotlab/batches/{batch.pk}/tests/", {"test": "rcp", "strip1_front": "200"})
    assert r.status_code == 200 and b"give all four strip counts" in r.content


def test_discharge_totals(lab, client):
    now = now_minute()
    for activity in (2e6, 3e6):
        services.record_discharge(at=now, pathway="sewer", nuclide="I-131", activity_Bq=activity, user=lab["rph"])
    (row,) = services.discharge_totals()
    assert (row["pathway"], row["nuclide"], row["total_Bq"]) == ("sewer", "I-131", 5e6)
    with pytest.raises(InputError):
        services.record_discharge(at=now, pathway="river", nuclide="I-131", activity_Bq=1, user=lab["rph"])
    client.force_login(lab["rph"])
    assert b"Sewer and air releases" in client.get("/hotlab/waste/").content
