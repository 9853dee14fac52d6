"""REST endpoints of document control and peer review (the same services as the pages): documents and their
versions, a draft, approval by e-signature, acknowledgement; peer-review samples, scoring, the reader's own
feedback, statistics per reader code. Bad input: 422 naming the field (web.api's handler); roles as the pages."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Status

from nmguard.apps.core.web import require_perm
from nmguard.apps.quality import document_services as docs
from nmguard.apps.quality import peer_review_services as peer
from nmguard.apps.quality.document_models import ControlledDocument, DocumentVersion, PeerReview, PeerReviewSample
from nmguard.errors import InputError
from nmguard.web.input_bounds import BoundedSchema, object_or_404

router = Router(tags=["quality: documents and peer review"])
VIEW_DOCS = "quality.view_controlleddocument"
VIEW_PEER = "quality.view_peerreview"


def _version(v: DocumentVersion) -> dict:
    return {
        "id": v.pk,
        "document": v.document.number,
        "number": v.number,
        "status": v.status,
        "text": v.text,
        "file_name": v.file_name,
        "file_sha256": v.file_sha256,
        "approved_at": v.approved_at.isoformat() if v.approved_at else None,
        "approved_by": v.approved_by.username if v.approved_by else None,
        "review_due_on": v.review_due_on.isoformat() if v.review_due_on else None,
    }


def _document(d: ControlledDocument) -> dict:
    return {
        "id": d.pk,
        "number": d.number,
        "title": d.title,
        "kind": d.kind,
        "task": d.task,
        "applies_to": d.applies_to,
        "versions": [_version(v) for v in d.versions.select_related("approved_by", "document").order_by("number")],
    }


def _date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise InputError(f"{field}: a date YYYY-MM-DD expected, got {str(text)[:40]!r}", field) from None


class DocumentIn(BoundedSchema):
    number: str
    title: str
    kind: str = "sop"
    task: str = ""
    applies_to: list[str] = []
    review_interval_months: int | None = None


class VersionIn(BoundedSchema):
    text: str
    change_summary: str = ""


class PasswordIn(BoundedSchema):
    password: str


class SampleIn(BoundedSchema):
    period_start: str
    period_end: str
    default_rate: float | None = None
    rates: dict[str, float] = {}  # reader username -> rate, where not the default
    seed: str = ""


class ScoreIn(BoundedSchema):
    score: str
    comment: str = ""


@router.get("/documents", response=list[dict])
def documents(request: HttpRequest):
    require_perm(request, VIEW_DOCS)
    return [_document(d) for d in ControlledDocument.objects.order_by("number")[:2000]]


@router.post("/documents", response={201: dict})
def create_document(request: HttpRequest, payload: DocumentIn):
    require_perm(request, docs.WRITE_PERMISSION)
    return Status(201, _document(docs.create_document(payload.dict(), request.user)))


@router.post("/documents/{pk}/versions", response={201: dict})
def add_version(request: HttpRequest, pk: int, payload: VersionIn):
    """A new draft (text; files are uploaded on the page)."""
    require_perm(request, docs.WRITE_PERMISSION)
    document = object_or_404(ControlledDocument, pk=pk)
    version = docs.add_version(document, request.user, text=payload.text, change_summary=payload.change_summary)
    return Status(201, _version(version))


@router.post("/document-versions/{pk}/approve", response=dict)
def approve(request: HttpRequest, pk: int, payload: PasswordIn):
    """Approve a draft by the quality manager's e-signature (others: 422 on ``user``)."""
    version = object_or_404(DocumentVersion, pk=pk)
    return _version(docs.approve_version(version, request.user, payload.password))


@router.post("/document-versions/{pk}/acknowledge", response={201: dict})
def acknowledge(request: HttpRequest, pk: int):
    require_perm(request, docs.ACK_PERMISSION)
    ack = docs.acknowledge(object_or_404(DocumentVersion, pk=pk), request.user)
    return Status(201, {"id": ack.pk, "version": ack.version_id, "acknowledged_at": ack.acknowledged_at.isoformat()})


@router.get("/documents/to-acknowledge", response=list[dict])
def to_acknowledge(request: HttpRequest):
    """The current versions the signed-in user has to acknowledge."""
    return [_version(v) for v in docs.to_acknowledge(request.user)]


@router.post("/peer-review/samples", response={201: dict})
def draw_sample(request: HttpRequest, payload: SampleIn):
    require_perm(request, VIEW_PEER)
    from django.contrib.auth import get_user_model

    readers = dict(get_user_model().objects.filter(username__in=payload.rates).values_list("username", "pk"))
    unknown = sorted(set(payload.rates) - set(readers))
    if unknown:
        raise InputError(f"rates: no such reader: {', '.join(unknown[:5])}", "rates")
    sample = peer.draw_sample(
        _date(payload.period_start, "period_start"),
        _date(payload.period_end, "period_end"),
        request.user,
        seed=payload.seed or None,
        default_rate=payload.default_rate,
        rates={readers[name]: rate for name, rate in payload.rates.items()},
    )
    return Status(201, _sample(sample, request.user))


def _sample(sample: PeerReviewSample, user) -> dict:
    names = peer.may_see_names(user)
    return {
        "id": sample.pk,
        "period_start": sample.period_start.isoformat(),
        "period_end": sample.period_end.isoformat(),
        "default_rate": sample.default_rate,
        "seed": sample.seed,
        "population": sample.population,
        "drawn_ids": sample.drawn_ids,
        "reviews": [
            {
                "id": r.pk,
                "reader": peer.code_of(r.reader_id),
                **({"reader_username": r.reader.username} if names else {}),
                "study_on": r.study_on.isoformat(),
                "score": r.score,
            }
            for r in sample.reviews.select_related("reader").order_by("pk")
        ],
    }


@router.get("/peer-review/samples/{pk}", response=dict)
def sample(request: HttpRequest, pk: int):
    require_perm(request, VIEW_PEER)
    return _sample(object_or_404(PeerReviewSample, pk=pk), request.user)


@router.post("/peer-review/reviews/{pk}/score", response=dict)
def score(request: HttpRequest, pk: int, payload: ScoreIn):
    require_perm(request, VIEW_PEER)
    review = peer.record_review(object_or_404(PeerReview, pk=pk), request.user, payload.score, payload.comment)
    return {"id": review.pk, "score": review.score, "reader": peer.code_of(review.reader_id)}


@router.get("/peer-review/statistics", response=list[dict])
def statistics(request: HttpRequest):
    """Per reader code and quarter: reviewed, discrepancies (scores 2a and above)."""
    require_perm(request, VIEW_PEER)
    return [
        {"reader": s.code, "quarter": s.quarter, "reviewed": s.reviewed, "discrepancies": s.discrepancies}
        for s in peer.reader_statistics()
    ]


@router.get("/peer-review/mine", response=list[dict])
def mine(request: HttpRequest):
    """The signed-in reader's feedback (the reviewer is not named)."""
    return [
        {"id": r.pk, "study_on": r.study_on.isoformat(), "score": r.score, "comment": r.comment}
        for r in peer.feedback_for(request.user)
    ]
