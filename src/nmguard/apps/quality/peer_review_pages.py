"""Pages of peer review: the overview (samples, statistics per reader code, the plot; the draw form for the
quality manager), a sample's studies, one study's second reading, and the reader's own feedback.

Readers are shown as codes; only the quality manager sees names (:func:`peer_review_services.may_see_names`).
The rules are :mod:`nmguard.apps.quality.peer_review_services`."""

from __future__ import annotations

from collections import defaultdict

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe

from nmguard.apps.core.permissions import refusal, requires
from nmguard.apps.core.roles import Role
from nmguard.apps.core.web import apply_error
from nmguard.apps.quality import peer_review_services as services
from nmguard.apps.quality.document_models import PeerReview, PeerReviewSample
from nmguard.apps.quality.peer_review_plot import discrepancy_svg
from nmguard.errors import InputError
from nmguard.reference.peer_review import peer_review_policy
from nmguard.web.input_bounds import BoundedFormMixin, object_or_404

VIEW = "quality.view_peerreview"


class DrawForm(BoundedFormMixin, forms.Form):
    period_start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="From (local date)")
    period_end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="To (local date)")
    default_rate_percent = forms.FloatField(min_value=0, max_value=100, label="Rate per reader (%)")
    seed = forms.CharField(required=False, max_length=64, label="Seed (empty: a random one, recorded)")

    def __init__(self, *args, readers: list[tuple[int, str]] = (), **kwargs):
        """``readers``: (user id, label) of the physicians offered an own rate, one optional field each."""
        super().__init__(*args, **kwargs)
        for user_id, label in readers:
            self.fields[f"rate_{user_id}"] = forms.FloatField(
                required=False, min_value=0, max_value=100, label=f"Rate for {label} (%, blank: the default)"
            )

    def reader_rates(self) -> dict[int, float]:
        """The typed per-reader rates as fractions by user id (blank fields left out)."""
        return {
            int(name.removeprefix("rate_")): value / 100
            for name, value in self.cleaned_data.items()
            if name.startswith("rate_") and value is not None
        }


class ScoreForm(BoundedFormMixin, forms.Form):
    score = forms.ChoiceField(choices=())
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Finding (feedback)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["score"].choices = [(s.code, f"{s.code}: {s.wording}") for s in peer_review_policy().scores]


def _reader_label(user, names: bool) -> str:
    code = services.code_of(user.pk)
    return f"{code} ({user})" if names else code  # the display name, as everywhere else


def _physicians() -> list[tuple[int, str]]:
    """Every active physician (the readers a draw may give an own rate: the period is not known before the
    form is sent), as (user id, code and name); the draw form is the quality manager's, who sees names."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True, groups__name=Role.PHYSICIAN.value).order_by("username")
    return [(u.pk, _reader_label(u, True)) for u in users.distinct()]


@requires(VIEW)
def overview(request: HttpRequest) -> HttpResponse:
    names = services.may_see_names(request.user)
    is_qm = request.user.groups.filter(name=Role.QUALITY_MANAGER.value).exists()
    rate = peer_review_policy().sampling_rate
    readers = _physicians() if is_qm else []
    form = DrawForm(request.POST or None, initial={"default_rate_percent": rate.value * 100}, readers=readers)
    status = 200
    if request.method == "POST":
        if not is_qm:
            raise refusal("quality.add_peerreviewsample", "drawing a peer-review sample (quality manager)")
        if form.is_valid():
            data = form.cleaned_data
            try:
                sample = services.draw_sample(
                    data["period_start"],
                    data["period_end"],
                    request.user,
                    seed=data["seed"],
                    default_rate=data["default_rate_percent"] / 100,
                    rates=form.reader_rates(),
                )
                return redirect("quality-peer-review-sample", pk=sample.pk)
            except InputError as exc:
                apply_error(form, exc)
        status = 400
    stats = services.reader_statistics()
    quarters = sorted({s.quarter for s in stats})
    series: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for s in stats:
        series[s.code][s.quarter] = (s.reviewed, s.discrepancies)
    mapping = {}
    if names:
        from django.contrib.auth import get_user_model

        for user in get_user_model().objects.filter(pk__in={s.reader_id for s in stats}):
            mapping[services.code_of(user.pk)] = user.get_full_name() or user.username
    context = {
        "samples": [(x, services.rate_text(x.default_rate)) for x in PeerReviewSample.objects.all()[:100]],
        "stats": stats,
        "mapping": sorted(mapping.items()),
        "plot": mark_safe(discrepancy_svg(quarters, series)) if stats else "",  # noqa: S308 (escaped in the plot)
        "form": form,
        "is_qm": is_qm,
        "rate": rate,
        "rate_percent": services.rate_text(rate.value),
        "scores": peer_review_policy().scores,
    }
    return render(request, "quality/peer_review/overview.html", context, status=status)


@requires(VIEW)
def sample_page(request: HttpRequest, pk: int) -> HttpResponse:
    sample = object_or_404(PeerReviewSample, pk=pk)
    names = services.may_see_names(request.user)
    rows = [
        {"review": r, "reader": _reader_label(r.reader, names)}
        for r in sample.reviews.select_related("reader").order_by("study_on", "pk")
    ]
    context = {"sample": sample, "rows": rows, "rates": _rates_used(sample, names),
               "default_percent": services.rate_text(sample.default_rate)}  # fmt: skip
    return render(request, "quality/peer_review/sample.html", context)


def _rates_used(sample: PeerReviewSample, names: bool) -> list[tuple[str, str]]:
    """The per-reader rates the sample was drawn with, as (reader label, %), by code unless ``names``."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.in_bulk([int(k) for k in sample.rates])
    out = []
    for key, value in sample.rates.items():
        user = users.get(int(key))
        label = _reader_label(user, names) if user else services.code_of(int(key))
        out.append((label, services.rate_text(value)))
    return sorted(out)


def _why_not_scoring(review: PeerReview, user) -> str:
    """Why ``user`` may not score ``review`` now ("" when they may): read already, their own study, or not a
    physician. The page says it; a POST anyway (back button, a second tab) is refused with the same words."""
    if review.score:
        when = review.reviewed_at and timezone.localtime(review.reviewed_at).strftime("%Y-%m-%d %H:%M")
        return f"This study was scored already ({review.score}, {when}); a study is read a second time once."
    if review.reader_id == user.pk:
        return "This is your study: another physician reads it."
    if not user.groups.filter(name=Role.PHYSICIAN.value).exists():
        return "A physician other than the study's reader scores it."
    return ""


def _study_text(review: PeerReview) -> str:
    """The drawn study as a person finds it: the protocol and the local time of the administration."""
    a = review.administration
    at = timezone.localtime(a.administered_at).strftime("%Y-%m-%d %H:%M")
    return f"{a.prescription.protocol}, administered {at}"


@requires(VIEW)
def review_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One drawn study: its second reading (a physician other than its reader scores it)."""
    review = object_or_404(
        PeerReview.objects.select_related("reader", "reviewer", "sample", "administration__prescription__protocol"),
        pk=pk,
    )
    why_not = _why_not_scoring(review, request.user)
    form = ScoreForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if why_not and not review.score and review.reader_id != request.user.pk:
            raise PermissionDenied(f"Scoring a peer review needs the role {Role.PHYSICIAN.label}. {why_not}")
        status = 400
        if why_not:
            form.add_error(None, why_not)  # read already or one's own: said by the form, nothing stored
        elif form.is_valid():
            try:
                services.record_review(review, request.user, form.cleaned_data["score"], form.cleaned_data["comment"])
                return redirect("quality-peer-review-review", pk=review.pk)
            except InputError as exc:
                apply_error(form, exc)
    context = {
        "review": review,
        "reader": _reader_label(review.reader, services.may_see_names(request.user)),
        "study": _study_text(review),
        "form": form,
        "may_score": not why_not,
        "why_not": why_not,
        "refused": status == 400 and bool(why_not),
    }
    return render(request, "quality/peer_review/review.html", context, status=status)


@requires(VIEW)
def my_feedback(request: HttpRequest) -> HttpResponse:
    """The reader's own feedback (their own code shown to them); opening it marks it read."""
    reviews = list(services.feedback_for(request.user))
    if request.method == "POST" and request.POST.get("action") == "read":
        services.mark_feedback_read(request.user)
        return redirect("quality-peer-review-mine")
    policy = peer_review_policy()
    rows = [{"review": r, "score": policy.score(r.score)} for r in reviews]
    context = {
        "rows": rows,
        "code": services.code_of(request.user.pk),
        "unread": services.unread_discrepancies(request.user),
    }
    return render(request, "quality/peer_review/mine.html", context)
