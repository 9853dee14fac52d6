"""Peer review (issue 16 item 6) with the database: a sample of administrations drawn per reader at its rate,
recorded and reproducible; only the quality manager draws; a physician other than the reader scores; a
discrepancy needs its finding and reaches the reader; statistics per reader and quarter; readers anonymised
on the pages (codes) except to the quality manager."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nmguard.apps.core.actor import acting_as


def _studies(dept, reader, n: int, day: dt.date) -> list:
    """``n`` administrations prescribed by ``reader`` at local noon of ``day``."""
    from nmguard.apps.patients.models import Administration, Prescription

    at = dt.datetime.combine(day, dt.time(12, 0), tzinfo=timezone.get_current_timezone())
    out = []
    with acting_as(reader, reason="test"):
        for i in range(n):
            rx = Prescription.objects.create(
                patient=dept["man"],
                protocol=dept["mdp_protocol"],
                scheduled_for=at,
                protocol_activity_Bq=600e6,
                activity_rule="test",
                prescribed_activity_Bq=600e6,
                prescribed_by=reader,
                status="administered",
            )
            out.append(
                Administration.objects.create(
                    prescription=rx,
                    administered_at=at + dt.timedelta(minutes=i),
                    route="iv",
                    administered_activity_Bq=6e8,
                    administered_by=dept["technologist"],
                )
            )
    return out


@pytest.fixture
def setup(dept, make_user):
    day = timezone.localdate() - dt.timedelta(days=10)
    other = make_user("physician", "second-reader")
    qm = make_user("quality_manager", "qm")
    a = _studies(dept, dept["physician"], 30, day)
    b = _studies(dept, other, 30, day)
    return {"day": day, "reader": dept["physician"], "other": other, "qm": qm, "a": a, "b": b, "dept": dept}


def test_draw_per_reader_rate_recorded_and_reproducible(setup):
    from nmguard.apps.quality import peer_review_services as s
    from nmguard.apps.quality.peer_review_sampling import draw
    from nmguard.errors import InputError

    day, qm = setup["day"], setup["qm"]
    with pytest.raises(InputError):
        s.draw_sample(day, day, setup["reader"])  # not the quality manager
    sample = s.draw_sample(day, day, qm, seed="fixed", default_rate=0.0, rates={setup["other"].pk: 1.0})
    assert sample.population == 60
    assert sample.drawn_ids == sorted(x.pk for x in setup["b"])  # rate 1 for one reader, 0 for the other
    assert {r.reader_id for r in sample.reviews.all()} == {setup["other"].pk}
    assert s.redraw(sample) == sample.drawn_ids
    # an independent recomputation from the recorded seed: the same ids
    pairs = [(x.pk, x.prescription.prescribed_by_id) for x in setup["a"] + setup["b"]]
    assert draw(pairs, "fixed", 0.0, {setup["other"].pk: 1.0}) == sample.drawn_ids
    with pytest.raises(InputError) as overlap:
        s.draw_sample(day - dt.timedelta(days=1), day, qm)
    assert overlap.value.field == "period_start"
    with pytest.raises(InputError) as future:
        s.draw_sample(day, timezone.localdate() + dt.timedelta(days=1), qm)
    assert future.value.field == "period_end"


def test_score_feedback_and_statistics(setup):
    from nmguard.apps.quality import peer_review_services as s
    from nmguard.errors import InputError

    reader, other, qm = setup["reader"], setup["other"], setup["qm"]
    sample = s.draw_sample(setup["day"], setup["day"], qm, seed="x", default_rate=0.0, rates={reader.pk: 1.0})
    reviews = list(sample.reviews.order_by("pk"))
    assert len(reviews) == 30
    with pytest.raises(InputError):
        s.record_review(reviews[0], reader, "1")  # not one's own study
    with pytest.raises(InputError):
        s.record_review(reviews[0], qm, "1")  # a physician scores
    with pytest.raises(InputError) as bad:
        s.record_review(reviews[0], other, "4")
    assert bad.value.field == "score"
    with pytest.raises(InputError) as no_comment:
        s.record_review(reviews[0], other, "2b")
    assert no_comment.value.field == "comment"
    s.record_review(reviews[0], other, "2b", "missed a rib lesion")
    s.record_review(reviews[1], other, "3a", "uptake called physiological")
    for r in reviews[2:10]:
        s.record_review(r, other, "1")
    with pytest.raises(InputError):
        s.record_review(reviews[2], other, "1")  # once
    assert s.unread_discrepancies(reader) == 2 and s.feedback_for(reader).count() == 10
    assert s.mark_feedback_read(reader) == 10 and s.unread_discrepancies(reader) == 0
    day = setup["day"]
    [row] = s.reader_statistics()
    assert (row.reader_id, row.reviewed, row.discrepancies) == (reader.pk, 10, 2)
    assert row.quarter == f"{day.year}Q{(day.month - 1) // 3 + 1}" and row.rate == pytest.approx(0.2)


def test_pages_show_codes_and_names_only_to_the_quality_manager(client, setup):
    from nmguard.apps.quality import peer_review_services as s

    reader, other, qm = setup["reader"], setup["other"], setup["qm"]
    sample = s.draw_sample(setup["day"], setup["day"], qm, seed="y", default_rate=0.0, rates={reader.pk: 1.0})
    review = sample.reviews.first()
    s.record_review(review, other, "2a", "small miss")
    code = s.code_of(reader.pk)
    client.force_login(other)
    for url in ("/quality/peer-review/", f"/quality/peer-review/samples/{sample.pk}/"):
        html = client.get(url).content.decode()
        assert code in html and reader.username not in html, url
    assert "<svg" in client.get("/quality/peer-review/").content.decode()
    client.force_login(qm)
    html = client.get("/quality/peer-review/").content.decode()
    assert 'data-testid="reader-mapping"' in html and reader.username in html
    client.force_login(reader)
    mine = client.get("/quality/peer-review/mine/").content.decode()
    assert code in mine and "small miss" in mine and other.username not in mine  # the reviewer stays anonymous
    # a physician scores by the page; a form error sits by its field
    second = sample.reviews.exclude(pk=review.pk).first()
    client.force_login(other)
    response = client.post(f"/quality/peer-review/reviews/{second.pk}/", {"score": "3b", "comment": ""})
    assert response.status_code == 400 and 'data-field="comment"' in response.content.decode()
    client.force_login(reader)  # the reader may not score their own study: the step refused, saying why
    own = client.post(f"/quality/peer-review/reviews/{second.pk}/", {"score": "1"})
    assert own.status_code == 400 and "This is your study" in own.content.decode()


def test_draw_form_errors_by_field(client, setup):
    client.force_login(setup["qm"])
    day = setup["day"].isoformat()
    response = client.post(
        "/quality/peer-review/", {"period_start": day, "period_end": "2000-01-01", "default_rate_percent": "5"}
    )
    assert response.status_code == 400 and 'data-field="period_end"' in response.content.decode()
    response = client.post(
        "/quality/peer-review/", {"period_start": day, "period_end": day, "default_rate_percent": "150"}
    )
    assert response.status_code == 400 and 'data-field="default_rate_percent"' in response.content.decode()
    client.force_login(setup["reader"])
    assert client.post("/quality/peer-review/", {"period_start": day}).status_code == 403
