"""Peer review tried as a tired new user (issue 16, new-user review): each test failed before its fix. A study
scored twice (back button) or one's own study was refused as if the physician lacked a role (a 403 naming the
quality manager); the page named the study by a raw administration id; the overview printed a 2.5 % draw as
"2 %" while the sample page said "2.50 %"."""

from __future__ import annotations

import pytest

from tests.quality import test_peer_review_services as services_tests

readers = services_tests.setup  # two physicians with 30 studies each on one day, and a quality manager

pytestmark = pytest.mark.django_db
URL = "/quality/peer-review/"


def _draw(client, readers, percent: str = "100"):
    from nmguard.apps.quality.document_models import PeerReview

    client.force_login(readers["qm"])
    day = readers["day"].isoformat()
    body = {"period_start": day, "period_end": day, "default_rate_percent": percent, "seed": "new-user"}
    assert client.post(URL, body).status_code == 302
    return PeerReview.objects.filter(reader=readers["reader"]).order_by("pk").first()


def test_a_second_score_or_ones_own_study_is_refused_saying_why(client, readers, make_user):
    review = _draw(client, readers)
    url = f"{URL}reviews/{review.pk}/"
    client.force_login(readers["reader"])  # the study's own reader
    own = client.post(url, {"score": "1"})
    assert own.status_code == 400 and "This is your study" in own.content.decode()
    assert 'data-testid="step-refused"' in own.content.decode()
    client.force_login(readers["other"])
    assert client.post(url, {"score": "2a", "comment": "Missed a rib lesion"}).status_code == 302
    again = client.post(url, {"score": "1"})  # the back button re-sends the form
    html = again.content.decode()
    assert again.status_code == 400 and "scored already (2a" in html and "Quality manager" not in html
    review.refresh_from_db()
    assert review.score == "2a" and review.comment == "Missed a rib lesion"
    client.force_login(make_user("technologist", "tech-pr"))  # not a physician: a 403 naming the physician role
    refused = client.post(f"{URL}reviews/{review.pk + 1}/", {"score": "1"})
    assert refused.status_code == 403 and "Physician" in refused.content.decode()
    assert "A physician other than the study" in client.get(f"{URL}reviews/{review.pk + 1}/").content.decode()


def test_the_study_is_named_by_protocol_and_local_time_not_a_raw_id(client, readers):
    from django.utils import timezone

    review = _draw(client, readers)
    html = client.get(f"{URL}reviews/{review.pk}/").content.decode()
    at = timezone.localtime(review.administration.administered_at).strftime("%Y-%m-%d %H:%M")
    assert f"administered {at}" in html and str(review.administration.prescription.protocol) in html
    assert f"administration {review.administration_id}<" not in html


def test_a_rate_reads_the_same_on_the_overview_and_the_sample(client, readers):
    from nmguard.apps.quality.peer_review_sampling import rate_text

    assert [rate_text(x) for x in (0.025, 0.05, 1 / 3, 0.00125, 1.0)] == [
        "2.5 %",
        "5 %",
        "33.33 %",
        "0.13 %",
        "100 %",
    ]
    from nmguard.apps.quality.document_models import PeerReviewSample

    _draw(client, readers, percent="2.5")
    sample = PeerReviewSample.objects.get()
    assert '<td data-testid="sample-rate">2.5 %' in client.get(URL).content.decode()  # "2 %" before
    assert "default 2.5 %" in client.get(f"{URL}samples/{sample.pk}/").content.decode()
