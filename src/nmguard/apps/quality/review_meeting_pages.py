"""Pages of the management-review meetings: the list, record a meeting (the quality manager; everyone else reads),
the meeting with its frozen indicators, plots, actions and the chair's e-signature, and its minutes as a PDF.
The rules are :mod:`review_meeting_services`; a refusal shows by its field."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from nmguard.apps.core.permissions import requires
from nmguard.apps.core.signatures import SignatureError
from nmguard.apps.core.web import apply_error
from nmguard.apps.quality import review_meeting_services as svc
from nmguard.apps.quality.indicators_svg import indicator_svg
from nmguard.apps.quality.review_meeting_forms import MeetingActionForm, MeetingForm, SignForm
from nmguard.apps.quality.review_models import ManagementReviewMeeting as Meeting
from nmguard.apps.quality.review_views import VIEW
from nmguard.errors import InputError
from nmguard.web.input_bounds import object_or_404


def may_record(user) -> bool:
    return bool(set(user.groups.values_list("name", flat=True)) & {r.value for r in svc.RECORDERS})


def _refuse_unless_recorder(user) -> None:
    if not may_record(user):
        roles = ", ".join(r.label for r in svc.RECORDERS)
        raise PermissionDenied(f"Recording a management review needs the role {roles}.")


@requires(VIEW, "the management-review meetings")
def meeting_list(request: HttpRequest) -> HttpResponse:
    meetings = Meeting.objects.select_related("chair", "signature", "superseded_by")
    return render(
        request, "quality/review/meetings.html", {"meetings": meetings, "may_record": may_record(request.user)}
    )


@requires(VIEW, "recording a management review")
def new_meeting(request: HttpRequest) -> HttpResponse:
    """Record a meeting (a draft); ``?supersedes=<pk>`` starts the correction of a meeting, its fields filled in."""
    _refuse_unless_recorder(request.user)
    old = None
    if request.GET.get("supersedes", "").isdigit():
        old = object_or_404(Meeting, pk=int(request.GET["supersedes"]))
    initial = {}
    if old is not None:
        initial = {f: getattr(old, f) for f in ("held_on", "period_start", "period_end", "attendees")}
        initial |= {"chair": old.chair_id, "inputs_reviewed": old.inputs_reviewed, "decisions": old.decisions}
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = svc.record_meeting(form.cleaned_data, request.user, supersedes=old)
            return redirect("quality-review-meeting", pk=meeting.pk)
        except InputError as exc:
            apply_error(form, exc)
    status = 400 if request.method == "POST" else 200
    return render(request, "quality/review/meeting_new.html", {"form": form, "old": old}, status=status)


def _meeting(pk: int) -> Meeting:
    return object_or_404(Meeting.objects.select_related("chair", "signature", "supersedes"), pk=pk)


def _page(request: HttpRequest, meeting: Meeting, status: int = 200, **forms) -> HttpResponse:
    series = svc.snapshot_series(meeting.indicator_snapshot)
    context = {
        "meeting": meeting,
        "series": [(s, indicator_svg(s.title, s.labels, s.values, s.unit)) for s in series],
        "actions": svc.actions_for(meeting),
        "superseded_by": Meeting.objects.filter(supersedes=meeting).first(),
        "may_record": may_record(request.user),
        "may_sign": request.user.pk == meeting.chair_id,
        "action_form": forms.get("action") or MeetingActionForm(),
        "sign_form": forms.get("sign") or SignForm(),
    }
    return render(request, "quality/review/meeting.html", context, status=status)


@requires(VIEW, "a management-review meeting")
def meeting_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _meeting(pk))


@require_POST
@requires(VIEW, "raising a management-review action")
def meeting_action(request: HttpRequest, pk: int) -> HttpResponse:
    _refuse_unless_recorder(request.user)
    meeting = _meeting(pk)
    form = MeetingActionForm(request.POST)
    if form.is_valid():
        try:
            svc.raise_meeting_action(meeting, request.user, **form.cleaned_data)
            return redirect("quality-review-meeting", pk=meeting.pk)
        except InputError as exc:
            apply_error(form, exc)
    return _page(request, meeting, 400, action=form)


@require_POST
@requires(VIEW, "signing the minutes of a management review")
def meeting_sign(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(pk)
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            svc.sign_meeting(meeting, request.user, form.cleaned_data["password"])
            return redirect("quality-review-meeting", pk=meeting.pk)
        except (InputError, SignatureError) as exc:
            apply_error(form, exc)
    return _page(request, _meeting(pk), 400, sign=form)


@requires(VIEW, "the minutes of a management review")
def meeting_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from nmguard.apps.quality.review_meeting_pdf import meeting_pdf_bytes

    meeting = _meeting(pk)
    response = HttpResponse(meeting_pdf_bytes(meeting), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{meeting.reference}-minutes.pdf"'
    return response
