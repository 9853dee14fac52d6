"""Peer review of reported studies: draw a sample, score the second reading, feed it back, count per reader.

NMGuard keeps no report record, so a "reported study" is an administration (status administered) and its
reader the physician who prescribed it. Rules checked here for the pages and the API alike:
* only the quality manager draws a sample (``require_role``); periods of two samples do not overlap;
* only a physician scores a study, never one of their own (``require_role`` + reader check), once;
* a discrepancy (score 2a and above) needs a comment: that is the feedback the reader reads;
* others see readers as codes; the mapping is for the quality manager only (:func:`may_see_names`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.guards import require_role
from nmguard.apps.core.roles import Role
from nmguard.apps.quality.document_models import PeerReview, PeerReviewSample
from nmguard.apps.quality.peer_review_sampling import check_rate, draw, rate_text, reader_code
from nmguard.errors import InputError
from nmguard.input_bounds import check_text
from nmguard.reference.peer_review import peer_review_policy

MAX_DAYS = 400  # one draw covers at most about a year


def code_of(user_id: int) -> str:
    """The anonymous code of a reader (stable for this installation)."""
    return reader_code(settings.SECRET_KEY, user_id)


def may_see_names(user) -> bool:
    """Only the quality manager sees which reader is behind a code."""
    return user.groups.filter(name=Role.QUALITY_MANAGER.value).exists()


def _local_day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    first = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    return first, dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def reported_studies(start: dt.date, end: dt.date):
    """The administrations of the local dates ``start``..``end`` (the population a sample is drawn from)."""
    from nmguard.apps.patients.models import Administration

    low, high = _local_day_bounds(start, end)
    return Administration.objects.select_related("prescription").filter(
        administered_at__gte=low, administered_at__lt=high
    )


def draw_sample(
    start: dt.date,
    end: dt.date,
    user,
    *,
    seed: str | None = None,
    default_rate: float | None = None,
    rates: dict[int, float] | None = None,
) -> PeerReviewSample:
    """Draw and record a sample of the period's studies; one review row per drawn study, to be scored."""
    require_role(user, Role.QUALITY_MANAGER, what="drawing a peer-review sample")
    if not isinstance(start, dt.date) or not isinstance(end, dt.date) or end < start:
        raise InputError("period_end: on or after the period's start", "period_end")
    if (end - start).days > MAX_DAYS or end > timezone.localdate():
        raise InputError(f"period_end: not in the future, at most {MAX_DAYS} days after the start", "period_end")
    rate = check_rate(
        peer_review_policy().sampling_rate.value if default_rate is None else default_rate, "default_rate"
    )
    rates = {int(k): check_rate(v, "rates") for k, v in (rates or {}).items()}
    seed = check_text(seed or secrets.token_hex(8), "seed", max_length=64).strip() or secrets.token_hex(8)
    with transaction.atomic(), acting_as(user, reason=f"peer-review sample drawn {start}..{end}"):
        overlap = PeerReviewSample.objects.filter(period_start__lte=end, period_end__gte=start).first()
        if overlap:
            raise InputError(
                f"period_start: overlaps the sample of {overlap.period_start}..{overlap.period_end}", "period_start"
            )
        studies = {a.pk: a for a in reported_studies(start, end)}
        drawn = draw(((pk, a.prescription.prescribed_by_id) for pk, a in studies.items()), seed, rate, rates)
        sample = PeerReviewSample.objects.create(
            period_start=start,
            period_end=end,
            default_rate=rate,
            rates={str(k): v for k, v in rates.items()},
            seed=seed,
            population=len(studies),
            drawn_ids=drawn,
            drawn_by=user,
        )
        for pk in drawn:
            a = studies[pk]
            PeerReview.objects.create(
                sample=sample,
                administration=a,
                reader_id=a.prescription.prescribed_by_id,
                study_on=timezone.localdate(a.administered_at),
            )
    return sample


def redraw(sample: PeerReviewSample) -> list[int]:
    """The draw repeated from the recorded seed and rates over the period's studies as stored now."""
    studies = (
        (a.pk, a.prescription.prescribed_by_id) for a in reported_studies(sample.period_start, sample.period_end)
    )
    return draw(studies, sample.seed, sample.default_rate, {int(k): v for k, v in sample.rates.items()})


def record_review(review: PeerReview, user, score: str, comment: str = "") -> PeerReview:
    """A physician's second reading of ``review``'s study, scored on the scale (once)."""
    require_role(user, Role.PHYSICIAN, what="scoring a peer review")
    if review.reader_id == user.pk:
        raise InputError("score: a reader does not review their own study", "score")
    policy = peer_review_policy()
    if score not in policy.codes:
        raise InputError(f"score: one of {', '.join(policy.codes)}", "score")
    comment = check_text(comment or "", "comment").strip()
    if policy.score(score).discrepancy and not comment:
        raise InputError("comment: a discrepancy needs the finding, for the reader's feedback", "comment")
    with transaction.atomic(), acting_as(user, reason=f"peer review scored {score}"):
        stored = PeerReview.objects.select_for_update().get(pk=review.pk)
        if stored.score:
            raise InputError("score: this study is scored already", "score")
        stored.score, stored.comment, stored.reviewer, stored.reviewed_at = score, comment, user, timezone.now()
        stored.save()
    return stored


def feedback_for(user):
    """The scored reviews of ``user``'s own studies (their feedback), newest first."""
    return PeerReview.objects.filter(reader=user).exclude(score="").order_by("-reviewed_at")


def mark_feedback_read(user) -> int:
    """The reader opened their feedback: unread items marked read (attributed); returns how many."""
    unread = list(feedback_for(user).filter(feedback_read_at__isnull=True))
    now = timezone.now()
    with transaction.atomic(), acting_as(user, reason="peer-review feedback read"):
        for review in unread:
            review.feedback_read_at = now
            review.save(update_fields=["feedback_read_at", "updated_at"])
    return len(unread)


def unread_discrepancies(user) -> int:
    codes = [s.code for s in peer_review_policy().scores if s.discrepancy]
    return feedback_for(user).filter(feedback_read_at__isnull=True, score__in=codes).count()


@dataclass(frozen=True)
class ReaderQuarter:
    reader_id: int
    code: str
    quarter: str  # "2026Q3"
    reviewed: int
    discrepancies: int

    @property
    def rate(self) -> float:
        return self.discrepancies / self.reviewed if self.reviewed else 0.0

    @property
    def rate_text(self) -> str:
        return rate_text(self.rate)


def reader_statistics() -> list[ReaderQuarter]:
    """Scored reviews and discrepancies per reader and calendar quarter of the study (local date)."""
    discrepant = {s.code for s in peer_review_policy().scores if s.discrepancy}
    counts: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for reader_id, day, score in PeerReview.objects.exclude(score="").values_list("reader_id", "study_on", "score"):
        cell = counts[(reader_id, f"{day.year}Q{(day.month - 1) // 3 + 1}")]
        cell[0] += 1
        cell[1] += score in discrepant
    return [
        ReaderQuarter(rid, code_of(rid), quarter, n, d)
        for (rid, quarter), (n, d) in sorted(counts.items(), key=lambda kv: (code_of(kv[0][0]), kv[0][1]))
    ]
