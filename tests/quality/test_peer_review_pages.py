"""The peer-review draw form's per-reader rates: every active physician has an optional rate field (blank: the
default rate); one reader at 100 % with the default at 0 % draws exactly that reader's studies and the sample
page shows the rates used (names to the quality manager only); an out-of-range or non-numeric rate is refused
by that reader's field, keeps what was typed and stores nothing."""

from __future__ import annotations

import pytest

from tests.quality import test_peer_review_services as services_tests

readers = services_tests.setup  # the peer-review fixture: two physicians with 30 studies each on one day

pytestmark = pytest.mark.django_db
URL = "/quality/peer-review/"


def _body(readers, **extra) -> dict:
    day = readers["day"].isoformat()
    return {"period_start": day, "period_end": day, "default_rate_percent": "0", "seed": "page-seed", **extra}


def test_one_reader_at_100_percent_draws_exactly_their_studies(client, readers, make_user):
    from nmguard.apps.quality import peer_review_services as s
    from nmguard.apps.quality.document_models import PeerReviewSample

    reader, other = readers["reader"], readers["other"]
    client.force_login(readers["qm"])
    form = client.get(URL).content.decode()
    assert f'name="rate_{reader.pk}"' in form and f'name="rate_{other.pk}"' in form
    response = client.post(URL, _body(readers, **{f"rate_{other.pk}": "100", f"rate_{reader.pk}": ""}))
    sample = PeerReviewSample.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{URL}samples/{sample.pk}/"
    assert sample.drawn_ids == sorted(a.pk for a in readers["b"])  # all 30 of the other reader's, none of the first
    assert {r.reader_id for r in sample.reviews.all()} == {other.pk}
    assert sample.rates == {str(other.pk): 1.0} and sample.default_rate == 0.0
    code = s.code_of(other.pk)
    type(other).objects.filter(pk=other.pk).update(display_name="Dr Olga Other")
    name = "Dr Olga Other"  # the reader's display name (the username showed before)
    page = client.get(response["Location"]).content.decode()
    assert f"{code} ({name}): 100 %" in page and "default 0 %" in page
    client.force_login(reader)  # not the quality manager: the rate by reader code, no name
    page = client.get(response["Location"]).content.decode()
    assert f"{code}: 100 %" in page and name not in page


@pytest.mark.parametrize("typed", ["150", "abc", "-1"])
def test_a_bad_rate_is_refused_by_its_field_and_nothing_is_stored(client, readers, typed):
    from nmguard.apps.quality.document_models import PeerReview, PeerReviewSample

    other = readers["other"]
    client.force_login(readers["qm"])
    response = client.post(URL, _body(readers, **{f"rate_{other.pk}": typed}))
    html = response.content.decode()
    assert response.status_code == 400
    assert f'data-field="rate_{other.pk}"' in html and f'data-field="rate_{readers["reader"].pk}"' not in html
    assert f'value="{typed}"' in html  # what was typed is kept
    assert not PeerReviewSample.objects.exists() and not PeerReview.objects.exists()


def test_only_the_quality_manager_sees_the_rate_fields(client, readers):
    client.force_login(readers["reader"])
    html = client.get(URL).content.decode()
    assert "rate_" not in html and 'data-testid="draw-form"' not in html
