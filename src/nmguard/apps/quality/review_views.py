"""Pages of the quality system's overview (issue 16 items 7 and 8): the quality dashboard (/quality/), the
accreditation readiness page and the management review with its PDF.

Read-only pages: every role reads them (``quality.view_correctiveaction``, a view permission all roles hold);
nothing here changes a record, so nothing here is audited beyond the sign-in.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from nmguard.apps.core.permissions import requires
from nmguard.apps.quality import indicators as ind
from nmguard.apps.quality.indicators_svg import indicator_svg
from nmguard.apps.quality.readiness import link, readiness
from nmguard.errors import InputError

VIEW = "quality.view_correctiveaction"

# (label, URL names tried in order): the dashboard links only to the pages that exist
PARTS = (
    ("Incidents and near misses", ("quality-incidents",)),
    ("Corrective and preventive actions", ("quality-actions",)),
    ("Audits", ("quality-audits",)),
    ("Training and competence", ("quality-training",)),
    ("Controlled documents", ("quality-documents",)),
    ("Peer review of reports", ("quality-peer-review",)),
    ("Accreditation readiness", ("quality-readiness",)),
    ("Management review", ("quality-review",)),
)


def months_param(text: str | None) -> int:
    """The number of months asked for (``?months=``): 1 to 24, default 12."""
    if text in (None, ""):
        return ind.DEFAULT_MONTHS
    try:
        months = int(text)
    except ValueError:
        raise InputError(
            f"months: a whole number from 1 to {ind.MAX_MONTHS} expected, got {text[:20]!r}", "months"
        ) from None
    if not 1 <= months <= ind.MAX_MONTHS:
        raise InputError(f"months: from 1 to {ind.MAX_MONTHS}, got {months}", "months")
    return months


def part_links() -> list[tuple[str, str | None]]:
    out = []
    for label, names in PARTS:
        url = next((u for u in (link(n) for n in names) if u), None)
        out.append((label, url))
    return out


@requires(VIEW, "the quality dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    from nmguard.apps.quality.capa_models import CorrectiveAction
    from nmguard.apps.quality.capa_services import overdue
    from nmguard.apps.quality.incident_models import Incident

    today = timezone.localdate()
    state = readiness(today)
    # Each count is the row count of the list it links to (same filter), so a click shows exactly those rows:
    # overdue is capa_services.overdue (open past due), as the actions list's ?overdue=1.
    actions, incidents = CorrectiveAction.objects, Incident.objects
    counts = {
        "capa_open": actions.filter(status=CorrectiveAction.Status.OPEN).count(),
        "capa_done": actions.filter(status=CorrectiveAction.Status.DONE).count(),
        "capa_overdue": overdue(today).count(),
        "incidents_reported": incidents.filter(status=Incident.Status.REPORTED).count(),
        "incidents_investigating": incidents.filter(status=Incident.Status.INVESTIGATING).count(),
        "gaps": state["gap_count"],
    }
    return render(
        request, "quality/dashboard.html", {"parts": part_links(), "counts": counts, "today": today, "ready": state}
    )


@requires(VIEW, "the accreditation readiness page")
def readiness_page(request: HttpRequest) -> HttpResponse:
    return render(request, "quality/review/readiness.html", readiness())


def _months_or_error(request: HttpRequest) -> tuple[int, str]:
    try:
        return months_param(request.GET.get("months")), ""
    except InputError as e:
        return ind.DEFAULT_MONTHS, str(e)


@requires(VIEW, "the management review")
def review_page(request: HttpRequest) -> HttpResponse:
    months, error = _months_or_error(request)
    rows = [(s, indicator_svg(s.title, s.labels, s.values, s.unit)) for s in ind.indicators(months=months)]
    context = {"series": rows, "months": months, "error": error, "max_months": ind.MAX_MONTHS}
    return render(request, "quality/review/review.html", context, status=400 if error else 200)


@requires(VIEW, "the management review PDF")
def review_pdf(request: HttpRequest) -> HttpResponse:
    from nmguard.reporting.management_review_pdf import management_review_pdf

    months, error = _months_or_error(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain")
    today = timezone.localdate()
    data = management_review_pdf(
        "Management review", f"Quality indicators, {months} months to {today:%Y-%m-%d}", ind.indicators(today, months)
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="management-review-{today:%Y-%m-%d}.pdf"'
    return response
