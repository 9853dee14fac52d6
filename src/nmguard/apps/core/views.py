"""Pages of the shell: dashboard and audit trail. Sign-in uses Django's views."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from nmguard.apps.core import audit
from nmguard.apps.core.dashboard import area_summaries, attention_items
from nmguard.apps.core.models import AuditEvent
from nmguard.apps.core.permissions import requires


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/dashboard.html",
        {"areas": area_summaries(request.user), "attention": attention_items(request.user)},
    )


@requires("core.view_auditevent", "reading the audit trail")
def audit_trail(request: HttpRequest) -> HttpResponse:
    page = Paginator(AuditEvent.objects.order_by("-seq").select_related("actor"), 50).get_page(request.GET.get("page"))
    report = audit.verify_all(checkpoint=True).as_dict() if request.GET.get("verify") == "1" else None
    return render(request, "core/audit.html", {"page": page, "report": report})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The styled refusal: why (the roles that may), who the user is, and the way back."""
    reason = str(exception) if exception and str(exception) else "This page is not open to your roles."
    referer = request.META.get("HTTP_REFERER", "")
    same_site = referer.startswith(f"{request.scheme}://{request.get_host()}/")
    return render(request, "403.html", {"reason": reason, "referer": referer if same_site else ""}, status=403)
