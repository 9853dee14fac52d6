"""Pages of corrective and preventive actions: the list (status, owner, overdue), raise, the record with its
steps (done, effectiveness, close by e-signature, cancel). The rules are :mod:`nmguard.apps.quality.capa_services`;
who may do what is checked there, so a refused step shows by its field."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from nmguard.apps.core.listing import list_page
from nmguard.apps.core.permissions import requires
from nmguard.apps.core.signatures import SignatureError
from nmguard.apps.core.web import apply_error
from nmguard.apps.quality import capa_services as capa
from nmguard.apps.quality.capa_forms import (
    ACTION_COLUMNS,
    ActionFilter,
    CancelForm,
    DoneForm,
    EffectivenessForm,
    RaiseForm,
)
from nmguard.apps.quality.capa_models import CorrectiveAction
from nmguard.apps.quality.incident_forms import CloseForm
from nmguard.errors import InputError
from nmguard.web.input_bounds import object_or_404

VIEW = "quality.view_correctiveaction"


@requires(VIEW)
def action_list(request: HttpRequest) -> HttpResponse:
    """Every action, soonest due first, filtered by the shared list form (text, due dates, status, owner, overdue)."""
    context = {"today": timezone.localdate(), "may_raise": _is_raiser(request.user)}
    actions = CorrectiveAction.objects.select_related("owner")
    return list_page(
        request,
        ActionFilter,
        actions,
        template="quality/actions/list.html",
        columns=ACTION_COLUMNS,
        filename="actions.csv",
        context=context,
    )


def _is_raiser(user) -> bool:
    return bool(set(user.groups.values_list("name", flat=True)) & {r.value for r in capa.RAISERS})


@requires(VIEW)
def new_action(request: HttpRequest) -> HttpResponse:
    """Raise an action (the roles in ``capa.RAISERS``); anyone else is told so before filling in the form."""
    if not _is_raiser(request.user):
        roles = ", ".join(r.label for r in capa.RAISERS)
        raise PermissionDenied(f"Raising a corrective or preventive action needs the role {roles}.")
    form = RaiseForm(request.POST or None, initial={"source": "other"})
    if request.method == "POST" and form.is_valid():
        try:
            action = capa.raise_action(**form.cleaned_data, user=request.user)
            return redirect("quality-action", pk=action.pk)
        except InputError as exc:
            apply_error(form, exc)
    status = 400 if request.method == "POST" else 200
    return render(request, "quality/actions/new.html", {"form": form}, status=status)


def _may(user, action: CorrectiveAction) -> dict[str, bool]:
    """Which steps this user may take (the service checks again): only those are offered, so a read-only reader
    or a technologist who does not own the action is not shown forms that would only be refused."""
    roles = set(user.groups.values_list("name", flat=True))
    raiser = _is_raiser(user)
    closer = bool(roles & {r.value for r in capa.CLOSERS})
    return {"done": raiser or user.pk == action.owner_id, "effect": raiser, "close": closer, "cancel": closer}


def _page(request: HttpRequest, action: CorrectiveAction, status: int = 200, **forms) -> HttpResponse:
    context = {
        "may": _may(request.user, action),
        "action": action,
        "overdue": action.status == "open" and action.due_on < timezone.localdate(),
        "done_form": forms.get("done") or DoneForm(),
        "effect_form": forms.get("effect") or EffectivenessForm(),
        "close_form": forms.get("close") or CloseForm(),
        "cancel_form": forms.get("cancel") or CancelForm(),
        "notifications": action.notifications.select_related("recipient"),
    }
    return render(request, "quality/actions/detail.html", context, status=status)


def _action(pk: int) -> CorrectiveAction:
    return object_or_404(CorrectiveAction.objects.select_related("owner", "closure"), pk=pk)


@requires(VIEW)
def action_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _action(pk))


def _step(request: HttpRequest, pk: int, key: str, form_class, apply) -> HttpResponse:
    """One POST step: the form parsed, the service applied; a refusal re-renders the page with the error."""
    action = _action(pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            apply(action, form.cleaned_data)
            return redirect("quality-action", pk=action.pk)
        except (InputError, SignatureError) as exc:
            apply_error(form, exc)
    return _page(request, action, 400, **{key: form})


@require_POST
@requires(VIEW)
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "done", DoneForm, lambda a, d: capa.mark_done(a, request.user, d["note"]))


@require_POST
@requires(VIEW)
def action_effectiveness(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "effect",
        EffectivenessForm,
        lambda a, d: capa.record_effectiveness(a, request.user, d["effectiveness_check"], d["effective"]),
    )


@require_POST
@requires(VIEW)
def action_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "close", CloseForm, lambda a, d: capa.close_action(a, request.user, d["password"]))


@require_POST
@requires(VIEW)
def action_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, "cancel", CancelForm, lambda a, d: capa.cancel_action(a, request.user, d["reason"]))
