"""Pages of the shell: dashboard, audit trail, users and their role changes, the password change.
Sign-in uses Django's views."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from nmguard.apps.core import role_changes
from nmguard.apps.core.dashboard import area_summaries, attention_items, work_counts
from nmguard.apps.core.forms import RoleChangeDecisionForm, RoleChangeRequestForm
from nmguard.apps.core.models import RoleChange
from nmguard.apps.core.permissions import requires
from nmguard.apps.core.roles import ROLE_LABELS, Role
from nmguard.apps.core.web import apply_error
from nmguard.errors import InputError


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/dashboard.html",
        {
            "areas": area_summaries(request.user),
            "attention": attention_items(request.user),
            "work": work_counts(request.user),
        },
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The styled refusal: why (the roles that may), who the user is, and the way back."""
    reason = str(exception) if exception and str(exception) else "This page is not open to your roles."
    referer = request.META.get("HTTP_REFERER", "")
    same_site = referer.startswith(f"{request.scheme}://{request.get_host()}/")
    return render(request, "403.html", {"reason": reason, "referer": referer if same_site else ""}, status=403)


class PasswordChangeView(auth_views.PasswordChangeView):
    """The user changes their own password: this clears ``must_change_password`` (set when someone else
    set it), and only then may the user sign."""

    template_name = "core/password_change.html"
    success_url = reverse_lazy("dashboard")

    def form_valid(self, form):
        form.user.must_change_password = False
        return super().form_valid(form)


def _role_labels(user) -> list[str]:
    return [ROLE_LABELS[Role(n)] for n in user.role_names() if n in Role._value2member_map_]


@requires("core.view_user", "seeing users and their roles")
def users(request: HttpRequest) -> HttpResponse:
    people = get_user_model().objects.order_by("username").prefetch_related("groups")
    return render(request, "core/users.html", {"people": [(p, _role_labels(p)) for p in people]})


@requires("core.view_user", "seeing users and their roles")
def user_detail(request: HttpRequest, pk: int, form: RoleChangeRequestForm | None = None) -> HttpResponse:
    person = get_object_or_404(get_user_model(), pk=pk)
    return render(
        request,
        "core/user.html",
        {
            "person": person,
            "roles": _role_labels(person),
            "changes": RoleChange.objects.filter(user=person).select_related("requested_by", "decided_by"),
            "form": form or RoleChangeRequestForm(),
            "may_request": request.user.has_perm("core.change_user") and request.user.pk != person.pk,
        },
    )


@require_POST
@requires("core.change_user", "requesting a role change")
def request_role_change(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(get_user_model(), pk=pk)
    form = RoleChangeRequestForm(request.POST)
    if form.is_valid():
        try:
            role_changes.request_change(person, **form.cleaned_data, requested_by=request.user)
            return redirect("role-changes")
        except InputError as exc:
            apply_error(form, exc)
    return user_detail(request, pk, form=form)


@requires("core.view_user", "seeing role change requests")
def role_change_list(request: HttpRequest, forms: dict | None = None) -> HttpResponse:
    forms = forms or {}
    pending = RoleChange.objects.filter(status=RoleChange.Status.PENDING).select_related("user", "requested_by")
    decided = RoleChange.objects.exclude(status=RoleChange.Status.PENDING).select_related(
        "user", "requested_by", "decided_by", "signature"
    )[:50]
    rows = [(c, forms.get(c.pk) or RoleChangeDecisionForm(auto_id=f"id_%s_{c.pk}")) for c in pending]
    return render(
        request,
        "core/role_changes.html",
        {"rows": rows, "decided": decided, "may_decide": request.user.has_perm("core.change_user")},
    )


@require_POST
@requires("core.change_user", "deciding a role change")
def decide_role_change(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(RoleChange, pk=pk)
    form = RoleChangeDecisionForm(request.POST, auto_id=f"id_%s_{pk}")
    if form.is_valid():
        try:
            role_changes.decide(
                change,
                request.user,
                form.cleaned_data["password"],
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
            return redirect("role-changes")
        except InputError as exc:
            apply_error(form, exc)
    return role_change_list(request, forms={change.pk: form})
