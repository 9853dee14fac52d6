"""Every main page, as the role that works from it, passes axe-core with no serious or critical
violation, has unique element ids, and a navigation that fits a laptop and a tablet.

The demo department (``load_demo``) gives every page a record to show: a QC schedule and result, a
batch, a generator, a patient, a prescription, a therapy course, a dosimetry job. A new page is one
line in ``PAGES``.
"""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from typing import NamedTuple

import pytest
from django.apps import apps
from django.urls import reverse

pytestmark = [pytest.mark.browser]

# Impacts that fail the test (axe-core's scale: minor < moderate < serious < critical).
FAILING_IMPACTS = {"serious", "critical"}


class Page(NamedTuple):
    """One main page: who opens it, its URL name, and the model whose first record it shows (or None)."""

    label: str
    role: str | None  # a demo user name; None: signed out
    url_name: str
    record: str | None = None  # "app_label.Model": the page of its first record (pk in the URL)


PAGES = [
    Page("login", None, "login"),
    Page("dashboard (technologist)", "technologist", "dashboard"),
    Page("dashboard (radiopharmacist)", "radiopharmacist", "dashboard"),
    Page("dashboard (physicist)", "physicist", "dashboard"),
    Page("dashboard (physician)", "physician", "dashboard"),
    Page("dashboard (administrator)", "administrator", "dashboard"),
    Page("dashboard (RPO)", "rpo", "dashboard"),
    Page("dashboard (quality manager)", "quality-manager", "dashboard"),
    Page("dashboard (read-only)", "read-only", "dashboard"),
    Page("equipment register", "physicist", "equipment"),
    Page("QC today", "technologist", "qc-today"),
    Page("QC schedule", "physicist", "qc-schedule", "equipment.QCSchedule"),
    Page("QC result", "physicist", "qc-result", "equipment.QCResult"),
    Page("hot-lab day", "radiopharmacist", "hotlab"),
    Page("batch", "radiopharmacist", "hotlab-batch", "radiopharmacy.Batch"),
    Page("generator", "radiopharmacist", "hotlab-generator", "radiopharmacy.Generator"),
    Page("waste", "radiopharmacist", "hotlab-waste"),
    Page("worklist", "technologist", "worklist"),
    Page("patient", "technologist", "patient-detail", "patients.Patient"),
    Page("prescription", "physician", "prescription-detail", "patients.Prescription"),
    Page("medical events", "physician", "medical-events"),
    Page("DRL", "physicist", "drl"),
    Page("therapy courses", "physician", "therapy-courses"),
    Page("therapy course", "physicist", "therapy-course", "therapy.TherapyCourse"),
    Page("dosimetry jobs", "physicist", "dosimetry-jobs"),
    Page("dosimetry job", "physicist", "dosimetry-job", "therapy.DosimetryJob"),
    Page("audit trail", "administrator", "audit"),
    Page("users", "administrator", "users"),
    Page("user", "administrator", "user", "core.User"),
    Page("device", "physicist", "equipment-device", "equipment.Equipment"),
    Page("QC results", "physicist", "qc-result-list"),
    Page("patients", "technologist", "patient-list"),
    Page("prescriptions", "physician", "prescription-list"),
    Page("batches", "radiopharmacist", "batch-list"),
    Page("generators", "radiopharmacist", "generator-list"),
    Page("elutions", "radiopharmacist", "elution-list"),
    Page("patient dose report", "technologist", "patient-dose-report", "patients.Patient"),
    Page("batch record", "radiopharmacist", "hotlab-batch-record", "radiopharmacy.Batch"),
    Page("unverified reference values", "physicist", "reference-unverified"),
    Page("RPO dashboard", "rpo", "protection-rpo"),
    Page("staff doses", "rpo", "protection"),
    Page("worker", "rpo", "protection-worker", "protection.Worker"),
    Page("investigations", "rpo", "protection-investigations"),
    Page("investigation", "rpo", "protection-investigation", "protection.Investigation"),
    Page("protection events", "rpo", "protection-events"),
    Page("protection event", "rpo", "protection-event", "protection.ProtectionEvent"),
    Page("survey schedule", "rpo", "protection-monitoring"),
    Page("survey location", "rpo", "protection-monitoring-location", "protection.SurveyLocation"),
    Page("instruments", "rpo", "protection-monitoring-instruments"),
    Page("sealed sources", "rpo", "protection-sources"),
    Page("sealed source", "rpo", "protection-source", "protection.SealedSource"),
    Page("shielding rooms", "physicist", "protection-shielding"),
    Page("shielding room", "physicist", "protection-shielding-room", "protection.ShieldingRoom"),
    Page("releases waiting", "physician", "therapy-release-awaiting"),
    Page("quality dashboard", "quality-manager", "quality"),
    Page("incidents", "quality-manager", "quality-incidents"),
    Page("incident", "quality-manager", "quality-incident", "quality.Incident"),
    Page("actions", "quality-manager", "quality-actions"),
    Page("action", "quality-manager", "quality-action", "quality.CorrectiveAction"),
    Page("audits", "quality-manager", "quality-audits"),
    Page("audit", "quality-manager", "quality-audit", "quality.Audit"),
    Page("clinical audits", "quality-manager", "quality-clinical-audits"),
    Page("training", "technologist", "quality-training"),
    Page("training matrix", "quality-manager", "quality-training-matrix"),
    Page("documents", "quality-manager", "quality-documents"),
    Page("peer review", "quality-manager", "quality-peer-review"),
    Page("readiness", "quality-manager", "quality-readiness"),
    Page("management review", "quality-manager", "quality-review"),
    Page("management review meetings", "quality-manager", "quality-review-meetings"),
    Page("management review meeting", "quality-manager", "quality-review-meeting", "quality.ManagementReviewMeeting"),
    Page("new management review meeting", "quality-manager", "quality-review-meeting-new"),
]


def page_url(entry: Page) -> str:
    """The path of ``entry``: its first record's page when it names a model."""
    if entry.record is None:
        return reverse(entry.url_name)
    first = apps.get_model(entry.record).objects.order_by("pk").first()
    assert first is not None, f"the demo has no {entry.record} for the {entry.label} page"
    return reverse(entry.url_name, args=[first.pk])


class _Ids(HTMLParser):
    """Collects every ``id`` attribute of a document."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.extend(value for name, value in attrs if name == "id" and value is not None)


def duplicate_ids(html: str) -> dict[str, int]:
    """Ids that occur more than once in ``html``, with their counts (a label's ``for`` and the
    skip link's target must name exactly one element)."""
    parser = _Ids()
    parser.feed(html)
    return {name: n for name, n in Counter(parser.ids).items() if n > 1}


def serious_violations(results: dict) -> list[str]:
    """One line per failing node of axe's ``violations``: rule id, impact, target selector."""
    lines = []
    for rule in results["violations"]:
        if rule.get("impact") not in FAILING_IMPACTS:
            continue
        for node in rule["nodes"]:
            lines.append(f"{rule['id']} [{node.get('impact') or rule['impact']}] {node['target']}: {rule['help']}")
    return lines


def test_duplicate_ids_are_found():
    """The id check itself: a repeated id is reported with its count, unique ones are not."""
    html = '<p id="a"></p><input id="b"><label for="b">B</label><div id="a"><span id="a"></span></div>'
    assert duplicate_ids(html) == {"a": 3}


def test_only_serious_and_critical_fail():
    results = {
        "violations": [
            {"id": "color-contrast", "impact": "serious", "help": "contrast", "nodes": [{"target": ["a.x"]}]},
            {"id": "region", "impact": "moderate", "help": "landmarks", "nodes": [{"target": ["p"]}]},
        ]
    }
    assert serious_violations(results) == ["color-contrast [serious] ['a.x']: contrast"]


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    """The demo department loaded once for the module (about 45 s) behind one live server; flushed at
    the end as a transactional test would be. Yields the server's URL and each page's path."""
    from django.core.management import call_command
    from pytest_django.live_server_helper import LiveServer

    from nmguard.apps.core.demo import load_demo

    with django_db_blocker.unblock():
        assert load_demo(), "the database held a department already: the demo users and records are missing"
        paths = {entry.label: page_url(entry) for entry in PAGES}
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield server.url, paths
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)


def _sign_in_demo(page, server_url: str, role: str) -> None:
    """Sign the demo user of ``role`` in; on failure the page's own words say why (lock-out, error)."""
    from nmguard.apps.core.demo import DEMO_USERS

    password = next(p for user, p, _ in DEMO_USERS if user == role)
    page.goto(f"{server_url}/login/")
    page.fill("#id_username", role)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if page.locator("h1:has-text('Dashboard')").count() == 0:
        raise AssertionError(f"{role} could not sign in: {page.url}\n{page.inner_text('body')[:600]}")


@pytest.mark.parametrize("entry", PAGES, ids=[p.label for p in PAGES])
def test_page_is_accessible(demo_site, page, entry: Page):
    url, paths = demo_site
    if entry.role is not None:
        _sign_in_demo(page, url, entry.role)
    response = page.goto(url + paths[entry.label])
    assert response is not None and response.status == 200, f"{entry.label}: HTTP {response and response.status}"
    problems = [f"id {name!r} {n} times" for name, n in duplicate_ids(page.content()).items()]
    problems += serious_violations(run_axe(page))
    assert problems == [], f"{entry.label} ({paths[entry.label]}):\n" + "\n".join(problems)


def run_axe(page) -> dict:
    """axe-core's results for the page as it is now (the bundled axe.min.js, evaluated through the
    DevTools protocol, which the pages' Content-Security-Policy does not govern)."""
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page).response


def test_axe_reports_what_it_should(page):
    """The check can fail: an image without text and an unlabelled input are critical for axe-core."""
    page.set_content('<!doctype html><html lang="en"><title>t</title><main><img src="x.png"><input></main></html>')
    found = serious_violations(run_axe(page))
    assert any(line.startswith("image-alt [critical]") for line in found), found
    assert any(line.startswith("label [critical]") for line in found), found


def _rows(boxes: list[dict]) -> int:
    """Lines of text that ``boxes`` (bounding boxes of inline items) occupy: tops more than 4 px apart."""
    tops = sorted(box["y"] for box in boxes)
    return 1 + sum(1 for a, b in zip(tops, tops[1:], strict=False) if b - a > 4) if tops else 0


def test_header_is_two_rows_at_1366_and_every_link_usable_at_768(demo_site, page):
    """The administrator sees the most links: at 1366 × 768 the header (brand and who; the navigation)
    is two lines, never three; at 768 × 1024 every link is on screen and not covered (clickable)."""
    url, _ = demo_site
    _sign_in_demo(page, url, "administrator")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(url + "/")
    links = page.locator("header nav.mainnav a")
    assert links.count() >= 9
    items = page.locator("header .topbar-head > *, header nav.mainnav a")
    boxes = [items.nth(i).bounding_box() for i in range(items.count())]
    assert _rows(boxes) == 2, boxes
    assert _rows([links.nth(i).bounding_box() for i in range(links.count())]) == 1

    page.set_viewport_size({"width": 768, "height": 1024})
    page.goto(url + "/")
    for i in range(links.count()):
        link = links.nth(i)
        box = link.bounding_box()
        assert link.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= 768, (link.inner_text(), box)
        hit = page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y)?.closest('a')?.textContent",
            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
        )
        assert hit == link.inner_text(), f"{link.inner_text()!r} is covered by {hit!r}"
    link = links.filter(has_text="Audit trail")
    link.click()
    page.wait_for_url("**/audit/")


def test_skip_link_is_first_and_moves_focus_to_main(demo_site, page):
    url, _ = demo_site
    _sign_in_demo(page, url, "technologist")
    page.goto(url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    assert page.locator("a.skip-link").is_visible()  # shown while focused
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    assert page.evaluate("document.activeElement.id") == "main"
