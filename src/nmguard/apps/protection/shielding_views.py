"""The shielding pages under /protection/shielding/: the rooms, a room with its points and results, adding and
changing rooms and points (RPO, physicist), and the printable report."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from nmguard.apps.core.permissions import requires
from nmguard.apps.core.web import apply_error
from nmguard.apps.protection import room_services
from nmguard.apps.protection.room_models import PointOfInterest, ShieldingRoom
from nmguard.apps.protection.room_services import WRITE_PERMISSION
from nmguard.apps.protection.shielding_forms import PointForm, ProfileForm, RoomForm
from nmguard.apps.protection.shielding_results import point_result
from nmguard.apps.protection.staff_sums import check_profile
from nmguard.errors import InputError
from nmguard.reference.manifest import data_version
from nmguard.web.input_bounds import object_or_404

VIEW = "protection.view_shieldingroom"


def _profile(request: HttpRequest) -> tuple[ProfileForm, str]:
    """The what-if profile of the filter, else the department's."""
    form = ProfileForm(request.GET or None)
    chosen = form.cleaned_data["profile"] if form.is_bound and form.is_valid() else None
    return form, check_profile(chosen or None)


def room_rows(room: ShieldingRoom, profile: str) -> list:
    """Each point of ``room`` with its result (computed now) under ``profile``."""
    points = room.points.select_related("room", "other_room").order_by("barrier", "location")
    return [point_result(p, profile) for p in points]


@requires(VIEW)
def rooms(request: HttpRequest) -> HttpResponse:
    """Every room with its workload and how many of its points need a barrier or fail with the one entered."""
    form, profile = _profile(request)
    listed = []
    for room in ShieldingRoom.objects.prefetch_related("points__other_room"):
        results = room_rows(room, profile)
        listed.append(
            {
                "room": room,
                "points": len(results),
                "needing": sum(r.result.shielding_needed for r in results),
                "failing": sum(r.passes is False for r in results),
            }
        )
    context = {"form": form, "profile": profile, "rooms": listed, "may_write": request.user.has_perm(WRITE_PERMISSION)}
    return render(request, "protection/shielding/rooms.html", context)


@requires(VIEW)
def room_page(request: HttpRequest, pk: int) -> HttpResponse:
    room = object_or_404(ShieldingRoom.objects.all(), pk=pk)
    form, profile = _profile(request)
    context = {
        "room": room,
        "form": form,
        "profile": profile,
        "results": room_rows(room, profile),
        "data_version": data_version(),
        "may_write": request.user.has_perm(WRITE_PERMISSION),
    }
    return render(request, "protection/shielding/room.html", context)


def _room_form(request: HttpRequest, room: ShieldingRoom | None) -> HttpResponse:
    initial = RoomForm.initial_for(room) if room else {"nuclide": "F-18", "voiding": True}
    form = RoomForm(request.POST or None, initial=initial)
    if room is None:
        del form.fields["reason"]  # asked only when a stored room changes
    if request.method == "POST" and form.is_valid():
        try:
            reason = form.cleaned_data.get("reason", "")
            saved = room_services.save_room(room, form.data_for_service(), request.user, reason)
            return redirect("protection-shielding-room", pk=saved.pk)
        except InputError as exc:
            apply_error(form, exc)
    status = 400 if request.method == "POST" else 200
    return render(request, "protection/shielding/room_form.html", {"room": room, "form": form}, status=status)


@requires(WRITE_PERMISSION, "adding a shielding room")
def room_add(request: HttpRequest) -> HttpResponse:
    return _room_form(request, None)


@requires("protection.change_shieldingroom", "changing a shielding room")
def room_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _room_form(request, object_or_404(ShieldingRoom.objects.all(), pk=pk))


def _point_form(request: HttpRequest, room: ShieldingRoom, point: PointOfInterest | None) -> HttpResponse:
    initial = PointForm.initial_for(point) if point else {"occupancy_choice": "full", "area": "uncontrolled"}
    form = PointForm(request.POST or None, initial=initial, room=room)
    if point is None:
        del form.fields["reason"]  # asked only when a stored point changes
    if request.method == "POST" and form.is_valid():
        try:
            data, reason = form.data_for_service(), form.cleaned_data.get("reason", "")
            room_services.save_point(room, point, data, request.user, reason)
            return redirect("protection-shielding-room", pk=room.pk)
        except InputError as exc:
            apply_error(form, exc)
    status = 400 if request.method == "POST" else 200
    context = {"room": room, "point": point, "form": form}
    return render(request, "protection/shielding/point_form.html", context, status=status)


@requires("protection.add_pointofinterest", "adding a point of interest")
def point_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _point_form(request, object_or_404(ShieldingRoom.objects.all(), pk=pk), None)


@requires("protection.change_pointofinterest", "changing a point of interest")
def point_edit(request: HttpRequest, pk: int) -> HttpResponse:
    point = object_or_404(PointOfInterest.objects.select_related("room"), pk=pk)
    return _point_form(request, point.room, point)


@requires(VIEW)
def room_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The room's design as a PDF: workload, each point's result and the steps with their citations."""
    from nmguard.reporting.shielding_report import shielding_report_pdf

    room = object_or_404(ShieldingRoom.objects.all(), pk=pk)
    _, profile = _profile(request)
    pdf = shielding_report_pdf(room, room_rows(room, profile), profile, data_version())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="shielding-room-{room.pk}.pdf"'
    return response
