"""The demo's documents and peer review (load_documents_demo, called by load_demo): a dozen documents, revised
versions superseded, one draft waiting, one review overdue, the technologist's acknowledgements partly missing;
a peer-review sample of the last quarter scored with a few discrepancies. Run at 00:30 and 23:50 too."""

from __future__ import annotations

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_documents_demo():
    from nmguard.apps.core.demo import load_demo
    from nmguard.apps.core.models import User
    from nmguard.apps.quality import document_demo, document_services
    from nmguard.apps.quality.document_models import ControlledDocument, DocumentVersion, PeerReview, PeerReviewSample
    from nmguard.apps.quality.peer_review_services import reader_statistics, redraw

    assert load_demo() is True
    assert ControlledDocument.objects.count() == len(document_demo.DOCUMENTS) == 12
    assert DocumentVersion.objects.filter(status="current").count() == 12
    assert DocumentVersion.objects.filter(status="superseded").count() == len(document_demo.REVISED)
    assert DocumentVersion.objects.get(status="draft").document.number == document_demo.DRAFT_WAITING
    due = document_services.reviews_due(timezone.localdate())
    assert [(r.version.document.number, r.state) for r in due] == [(document_demo.OVERDUE, "overdue")]
    tech = User.objects.get(username="technologist")
    missing = {v.document.number for v in document_services.to_acknowledge(tech)}
    applies = {n for n, _, _, _, roles in document_demo.DOCUMENTS if "technologist" in roles}
    assert missing == applies - set(document_demo.ACKNOWLEDGED_BY_TECHNOLOGIST) and missing
    sample = PeerReviewSample.objects.get()
    assert sample.drawn_ids and redraw(sample) == sample.drawn_ids
    scored = PeerReview.objects.exclude(score="")
    assert scored.count() == min(len(sample.drawn_ids), len(document_demo.SCORES))
    assert sum(s.discrepancies for s in reader_statistics()) == sum(
        1 for code, _ in document_demo.SCORES[: scored.count()] if code != "1"
    )
    assert document_services.current_for_task("hotlab-batch").document.number == "SOP-HL-001"
