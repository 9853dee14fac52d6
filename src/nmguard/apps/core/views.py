"""Pages of the shell: dashboard and audit trail. Sign-in uses Django's views."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from nmguard.apps.core import audit
from nmguard.apps.core.dashboard import area_summaries, attention_items
from nmguard.apps.core.models import AuditEvent


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/dashboard.html",
        {"areas": area_summaries(request.user), "attention": attention_items(request.user)},
    )


@login_required
@permission_required("core.view_auditevent", raise_exception=True)
def audit_trail(request: HttpRequest) -> HttpResponse:
    page = Paginator(AuditEvent.objects.order_by("-seq").select_related("actor"), 50).get_page(request.GET.get("page"))
    report = audit.verify() if request.GET.get("verify") == "1" else None
    return render(request, "core/audit.html", {"page": page, "report": report})
