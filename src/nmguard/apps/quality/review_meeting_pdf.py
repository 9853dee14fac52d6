"""The minutes of a management-review meeting as a PDF: the minutes table (dates, attendees, inputs, decisions,
actions with owner, due date and status, the signature), then the frozen indicators, one page each, by the
management review's one PDF function. Unsigned minutes are stamped DRAFT on every page."""

from __future__ import annotations

from django.utils import timezone

from nmguard.apps.quality import review_meeting_services as svc
from nmguard.apps.quality.review_models import ManagementReviewMeeting as Meeting


def minutes_rows(meeting: Meeting) -> list[list[str]]:
    """(item, text) rows of the minutes, in the order they are printed."""
    rows = [
        ["Reference", meeting.reference],
        ["Held on", f"{meeting.held_on:%Y-%m-%d}"],
        ["Period reviewed", f"{meeting.period_start:%Y-%m-%d} to {meeting.period_end:%Y-%m-%d}"],
        ["Chair", str(meeting.chair)],
        ["Attendees", meeting.attendees],
        ["Inputs reviewed", meeting.inputs_reviewed or "–"],
        ["Decisions", meeting.decisions or "–"],
    ]
    if meeting.supersedes_id:
        rows.append(["Supersedes", f"MR-{meeting.supersedes_id}"])
    actions = list(svc.actions_for(meeting))
    for a in actions:
        rows.append(
            [f"Action CAPA {a.pk}", f"{a.title}. Owner {a.owner}; due {a.due_on:%Y-%m-%d}; {a.get_status_display()}"]
        )
    if not actions:
        rows.append(["Actions", "none raised"])
    snap = timezone.localtime(meeting.snapshot_at) if meeting.snapshot_at else None
    rows.append(["Indicators", f"as computed {snap:%Y-%m-%d %H:%M}" if snap else "–"])
    if meeting.signature_id:
        sig = meeting.signature
        rows.append(
            ["Signature", f"Signed by {sig.signer_name} ({sig.get_meaning_display()}), "
             f"{timezone.localtime(sig.signed_at):%Y-%m-%d %H:%M}"]
        )  # fmt: skip
    else:
        rows.append(["Signature", "DRAFT: not signed"])
    return rows


def meeting_pdf_bytes(meeting: Meeting) -> bytes:
    from nmguard.reporting.management_review_pdf import management_review_pdf

    return management_review_pdf(
        f"Management review {meeting.reference}: minutes",
        f"Held {meeting.held_on:%Y-%m-%d}; period {meeting.period_start:%Y-%m-%d} to {meeting.period_end:%Y-%m-%d}",
        svc.snapshot_series(meeting.indicator_snapshot),
        minutes=minutes_rows(meeting),
        mark="" if meeting.status == Meeting.Status.FINAL else "DRAFT",
    )
