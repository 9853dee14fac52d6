"""Pages of the sealed sources: the register with the leak tests due, a source's page (activity today, leak-test
history, record a test, change its status), registering a source, and the signed physical inventory.

The RPO and the physicist write (``protection`` area); every other role reads.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from nmguard.apps.core.permissions import requires
from nmguard.apps.core.web import apply_error
from nmguard.apps.protection import source_services as services
from nmguard.apps.protection.source_forms import InventoryForm, LeakTestForm, SourceForm, StatusForm
from nmguard.apps.protection.source_models import SealedSource, SourceInventory
from nmguard.errors import InputError
from nmguard.web.input_bounds import object_or_404

VIEW = "protection.view_sealedsource"
REGISTER = "protection.add_sealedsource"
CHANGE = "protection.change_sealedsource"
TEST = services.WRITE_PERMISSION
INVENTORY = "protection.add_sourceinventory"


@requires(VIEW)
def register_page(request: HttpRequest) -> HttpResponse:
    """Every source not disposed, with its activity today and its leak-test state; the inventory's state."""
    show_all = request.GET.get("all") == "1"
    rows = services.register(include_disposed=show_all)
    context = {
        "rows": rows,
        "show_all": show_all,
        "rules": services.rules(),
        "inventory": services.inventory_state(),
        "last_inventory": services.last_inventory(),
        "may_register": request.user.has_perm(REGISTER),
        "may_inventory": request.user.has_perm(INVENTORY),
    }
    return render(request, "protection/sources/register.html", context)


@requires(REGISTER, "registering a sealed source")
def new_source(request: HttpRequest) -> HttpResponse:
    form = SourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.service_fields()
            source = services.register_source(request.user, **data)
            return redirect("protection-source", pk=source.pk)
        except InputError as exc:
            apply_error(form, exc)
    status = 400 if request.method == "POST" else 200
    return render(request, "protection/sources/new.html", {"form": form}, status=status)


@requires(VIEW)
def source_page(request: HttpRequest, pk: int, bound: dict | None = None) -> HttpResponse:
    """A source: activity today, the leak-test state and history, the QC link, and (for writers) the forms."""
    source = object_or_404(SealedSource.objects.select_related("custodian", "check_source"), pk=pk)
    bound = bound or {}
    context = {
        "source": source,
        "activity_now": services.activity_now(source),
        "now": timezone.now(),
        "leak": services.leak_state(source),
        "tests": source.leak_tests.select_related("wiped_by"),
        "items": source.inventory_items.select_related("inventory").order_by("-inventory__performed_on")[:6],
        "rules": services.rules(),
        "may_test": request.user.has_perm(TEST) and source.status != SealedSource.Status.DISPOSED,
        "may_change": request.user.has_perm(CHANGE) and source.status != SealedSource.Status.DISPOSED,
        "test_form": bound.get("test") or LeakTestForm(),
        "status_form": bound.get("status") or StatusForm(),
    }
    return render(request, "protection/sources/source.html", context, status=400 if bound else 200)


@requires(TEST, "recording a leak test")
def record_test(request: HttpRequest, pk: int) -> HttpResponse:
    source = object_or_404(SealedSource.objects.all(), pk=pk)
    if request.method != "POST":
        return redirect("protection-source", pk=source.pk)
    form = LeakTestForm(request.POST)
    if form.is_valid():
        try:
            services.record_leak_test(source, user=request.user, **form.cleaned_data)
            return redirect("protection-source", pk=source.pk)
        except InputError as exc:
            apply_error(form, exc)
    return source_page(request, pk, {"test": form})


@requires(CHANGE, "changing a sealed source's status")
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    source = object_or_404(SealedSource.objects.all(), pk=pk)
    if request.method != "POST":
        return redirect("protection-source", pk=source.pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.change_status(source, form.cleaned_data["status"], form.cleaned_data["reason"], request.user)
            return redirect("protection-source", pk=source.pk)
        except InputError as exc:
            apply_error(form, exc)
    return source_page(request, pk, {"status": form})


@requires(VIEW)
def inventory_page(request: HttpRequest) -> HttpResponse:
    """The inventories on record and, for writers, the form of a new one (every source seen or missing)."""
    may = request.user.has_perm(INVENTORY)
    sources = services.active_sources()
    form = InventoryForm(sources, request.POST or None) if may else None
    if request.method == "POST":
        if not may:
            return redirect("protection-source-inventory")
        if form.is_valid():
            try:
                services.record_inventory(
                    form.seen(),
                    performed_on=form.cleaned_data["performed_on"],
                    user=request.user,
                    password=form.cleaned_data["password"],
                    comment=form.cleaned_data["comment"],
                )
                return redirect("protection-source-inventory")
            except InputError as exc:
                apply_error(form, exc)
    inventories = SourceInventory.objects.select_related("performed_by", "signature").prefetch_related("items__source")[
        :12
    ]
    context = {
        "form": form,
        "inventories": inventories,
        "state": services.inventory_state(),
        "rules": services.rules(),
    }
    return render(
        request, "protection/sources/inventory.html", context, status=400 if request.method == "POST" else 200
    )
