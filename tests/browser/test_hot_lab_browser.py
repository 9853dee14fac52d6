"""The radiopharmacist's day in Chromium: elute, prepare, test, release (e-signature), dispense."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_radiopharmacists_day(live_server, page, dept, make_user):
    from nmguard.apps.core.actor import acting_as
    from nmguard.apps.patients import services as administration
    from nmguard.apps.radiopharmacy import services
    from nmguard.apps.radiopharmacy.models import Batch, Recipe

    rph = make_user("radiopharmacist", "rph-b")
    now = timezone.now().replace(second=0, microsecond=0)
    with acting_as(rph, reason="fixture"):
        Recipe.objects.create(name="MDP kit", radiopharmaceutical=dept["mdp"], shelf_life_h=8, max_volume_mL=10)
    generator = services.receive_generator(
        name="Gen B",
        parent="Mo-99",
        calibrated_activity_Bq=20e9,
        calibrated_at=now - dt.timedelta(days=1),
        received_at=now - dt.timedelta(days=1),
        user=rph,
    )
    prescription = administration.prescribe(
        patient=dept["man"],
        protocol=dept["mdp_protocol"],
        scheduled_for=now,
        weight_kg=80,
        prescriber=dept["physician"],
    )

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "rph-b")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.click("nav >> text=Hot lab")
    page.click(f"text={generator}")
    form = page.locator("[data-testid=elution-form]")
    form.locator("#id_eluted_at").fill(_local(now - dt.timedelta(minutes=40)))
    form.locator("#id_eluted").fill("9 GBq")
    form.locator("#id_volume_mL").fill("-5")  # bad input first
    form.locator("button").click()
    assert page.locator("p.error[data-field=volume_mL]").count() == 1
    form = page.locator("[data-testid=elution-form]")
    form.locator("#id_eluted_at").fill(_local(now - dt.timedelta(minutes=40)))
    form.locator("#id_eluted").fill("9 GBq")
    form.locator("#id_volume_mL").fill("5")
    form.locator("#id_breakthrough_parent").fill("0.4 MBq")
    form.locator("input[name=aluminium_ok][value=pass]").check()
    form.locator("button").click()
    assert "yes" in page.locator("[data-testid=elutions]").inner_text()

    page.click("text=Back to the hot lab")
    form = page.locator("[data-testid=batch-form]")
    form.locator("#id_recipe").select_option(label="MDP kit")
    form.locator("#id_number").fill("MDP-B1")
    form.locator("#id_prepared_at").fill(_local(now - dt.timedelta(minutes=30)))
    form.locator("#id_activity").fill("8 GBq")
    form.locator("#id_volume_mL").fill("5")
    form.locator("#id_components").fill(f"MDP kit; K-77; {timezone.localdate() + dt.timedelta(days=60)}")
    form.locator("button").click()
    assert page.locator("[data-testid=batch-status]").inner_text() == "Prepared, awaiting QC"
    assert "Not releasable" in page.locator("[data-testid=releasable]").inner_text()

    tests = page.locator("[data-testid=test-form]")
    tests.locator("#id_test").select_option("rcp")
    tests.locator("#id_value").fill("96.8")
    tests.locator("button").click()
    assert "releasable" in page.locator("[data-testid=releasable]").inner_text()
    release = page.locator("[data-testid=release-form]")
    release.locator("#id_password").fill(PASSWORD)
    release.locator("button").click()
    assert page.locator("[data-testid=batch-status]").inner_text() == "Released"

    batch = Batch.objects.get(number="MDP-B1")
    page.goto(f"{live_server.url}/hotlab/batches/{batch.pk}/?prescription={prescription.pk}")
    dispense = page.locator("[data-testid=dispense-form]")
    dispense.locator("#id_wanted").fill("600 MBq")
    dispense.locator("#id_wanted_at").fill(_local(now + dt.timedelta(minutes=30)))
    dispense.locator("#id_activity_meter").select_option(label="Meter 1")
    dispense.locator("#id_measured").fill("640 MBq")
    dispense.locator("#id_measured_at").fill(_local(now))
    dispense.locator("button").click()
    assert "640 MBq" in page.locator("[data-testid=dispensings]").inner_text()
    prescription.refresh_from_db()
    assert prescription.status == "measured"
