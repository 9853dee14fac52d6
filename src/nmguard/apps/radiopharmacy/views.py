"""The radiopharmacist's day in pages. Thin: parse, call a service, show."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from nmguard.apps.core.permissions import requires
from nmguard.apps.core.web import apply_error
from nmguard.apps.radiopharmacy import services
from nmguard.apps.radiopharmacy.forms import (
    BatchForm,
    BatchTestForm,
    DeliveryForm,
    DischargeForm,
    DispenseForm,
    DisposalForm,
    ElutionForm,
    ReleaseForm,
    WasteForm,
    container_ids,
)
from nmguard.apps.radiopharmacy.models import Batch, Dispensing, Generator, WasteContainer
from nmguard.errors import InputError

VIEW = "radiopharmacy.view_batch"


def _act(request, form, action, success, page):
    """Validate ``form``, run ``action(data)``, redirect to ``success`` (a URL, or a function of what the
    action returned) or show ``page`` with the error next to its field."""
    if form.is_valid():
        try:
            done = action(form.cleaned_data)
            return redirect(success(done) if callable(success) else success)
        except InputError as exc:
            apply_error(form, exc)
    return page(form)


@requires(VIEW, "viewing the hot lab")
def day(request: HttpRequest, batch_form=None, delivery_form=None) -> HttpResponse:
    from nmguard.apps.patients.models import Prescription
    from nmguard.apps.radiopharmacy.inventory import holdings

    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    queue = (
        Prescription.objects.filter(
            scheduled_for__gte=start,
            scheduled_for__lt=start + dt.timedelta(days=1),
            status=Prescription.Status.PRESCRIBED,
        )
        .select_related("patient", "protocol__radiopharmaceutical")
        .order_by("scheduled_for")
    )
    batches = Batch.objects.select_related("recipe__radiopharmaceutical").filter(prepared_at__gte=start)
    return render(
        request,
        "radiopharmacy/day.html",
        {
            "generators": Generator.objects.filter(status=Generator.Status.IN_USE),
            "batches": batches,
            "queue": queue,
            "now": timezone.now(),
            "batch_form": batch_form or BatchForm(),
            "waste": WasteContainer.objects.filter(disposed_at__isnull=True),
            "holdings": holdings(),
            "delivery_form": delivery_form or DeliveryForm(),
            "can": services.permitted(request.user),
        },
    )


@requires("radiopharmacy.add_delivery", "receiving a delivery")
def delivery_new(request: HttpRequest) -> HttpResponse:
    from nmguard.apps.radiopharmacy.inventory import receive_delivery

    def action(d):
        return receive_delivery(
            nuclide=d["nuclide"],
            product=d["product"],
            activity_Bq=d["activity"],
            calibrated_at=d["calibrated_at"],
            received_at=d["received_at"],
            receipt_ok=d["receipt_ok"],
            user=request.user,
            supplier=d["supplier"],
            package_surface_uSv_h=d["package_surface_uSv_h"],
            package_1m_uSv_h=d["package_1m_uSv_h"],
            wipe_Bq_per_cm2=d["wipe_Bq_per_cm2"],
            receipt_note=d["receipt_note"],
        )

    return _act(request, DeliveryForm(request.POST), action, "hotlab", lambda f: day(request, delivery_form=f))


@requires("radiopharmacy.add_batch", "preparing a batch")
def batch_new(request: HttpRequest) -> HttpResponse:
    def action(d):
        return services.prepare_batch(
            d["recipe"],
            number=d["number"],
            prepared_at=d["prepared_at"],
            activity_Bq=d["activity"],
            volume_mL=d["volume_mL"],
            components=d["components"],
            user=request.user,
            elution=d["elution"],
            stock=d["stock"],
            equipment={"hot_cell": d["hot_cell"]} if d["hot_cell"] else {},
            environment={"checks": d["environment"]} if d["environment"] else {},
        )

    return _act(
        request,
        BatchForm(request.POST),
        action,
        lambda batch: f"/hotlab/batches/{batch.pk}/",
        lambda f: day(request, batch_form=f),
    )


@requires(VIEW, "viewing the hot lab")
def generator_detail(request: HttpRequest, pk: int, form=None) -> HttpResponse:
    generator = get_object_or_404(Generator, pk=pk)
    return render(
        request,
        "radiopharmacy/generator.html",
        {
            "g": generator,
            "elutions": generator.elutions.select_related("performed_by"),
            "form": form or ElutionForm(),
            "can": services.permitted(request.user),
        },
    )


@requires("radiopharmacy.add_elution", "eluting a generator")
def generator_elute(request: HttpRequest, pk: int) -> HttpResponse:
    generator = get_object_or_404(Generator, pk=pk)

    def action(d):
        services.elute(
            generator,
            eluted_at=d["eluted_at"],
            eluted_Bq=d["eluted"],
            volume_mL=d["volume_mL"],
            user=request.user,
            breakthrough_parent_Bq=d["breakthrough_parent"],
            aluminium_ok=d["aluminium_ok"],
            yield_reason=d["yield_reason"],
        )

    return _act(
        request,
        ElutionForm(request.POST),
        action,
        f"/hotlab/generators/{pk}/",
        lambda f: generator_detail(request, pk, form=f),
    )


@requires(VIEW, "viewing the hot lab")
def batch_detail(request: HttpRequest, pk: int, **forms) -> HttpResponse:
    batch = get_object_or_404(Batch.objects.select_related("recipe__radiopharmaceutical"), pk=pk)
    decision = None
    try:
        decision = services.release_decision(batch)
    except InputError as exc:
        forms.setdefault("decision_error", exc.message)
    dispense_initial = _dispense_initial(request.GET.get("prescription"))
    defined = services.release_tests(batch)
    return render(
        request,
        "radiopharmacy/batch.html",
        {
            "b": batch,
            # every stored result, also one under a name the specification does not define
            "tests": [(t, defined.get(t.test)) for t in batch.tests.select_related("performed_by")],
            "decision": decision,
            "now": timezone.now(),
            "dispensings": batch.dispensings.select_related("prescription__patient"),
            "test_form": forms.get("test_form") or BatchTestForm(tests=defined),
            "can": services.permitted(request.user),
            "release_form": forms.get("release_form") or ReleaseForm(),
            "dispense_form": forms.get("dispense_form") or DispenseForm(initial=dispense_initial),
            "decision_error": forms.get("decision_error"),
        },
    )


def _dispense_initial(prescription_id: str | None) -> dict:
    """Pre-fill the dispensing form from the prescription in the queue (activity, time).

    The activity meter is not preselected: which meter measured the syringe is the user's answer (a
    preselected meter recorded an in-date meter for a reading made on another)."""
    from nmguard.apps.patients.models import Prescription
    from nmguard.physics.units import format_activity

    prescription = Prescription.objects.filter(pk=prescription_id).first() if prescription_id else None
    if prescription is None:
        return {}
    return {
        "prescription": prescription.pk,
        "wanted": format_activity(prescription.prescribed_activity_Bq),
        "wanted_at": timezone.localtime(prescription.scheduled_for),
    }


@requires("radiopharmacy.add_batchtest", "recording a QC result")
def batch_test(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(Batch, pk=pk)

    def action(d):
        strips = {k: d[k] for k in services.STRIP_FIELDS}
        services.record_test(
            batch,
            test=d["test"],
            user=request.user,
            value=d["value"],
            text=d["text"],
            waived_reason=d["waived_reason"],
            strips=strips,
        )

    return _act(
        request,
        BatchTestForm(request.POST, tests=services.release_tests(batch)),
        action,
        f"/hotlab/batches/{pk}/",
        lambda f: batch_detail(request, pk, test_form=f),
    )


@requires("radiopharmacy.change_batch", "releasing a batch")
def batch_release(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(Batch, pk=pk)

    def action(d):
        services.release(batch, qualified_person=request.user, password=d["password"], statement=d["statement"])

    return _act(
        request,
        ReleaseForm(request.POST),
        action,
        f"/hotlab/batches/{pk}/",
        lambda f: batch_detail(request, pk, release_form=f),
    )


@requires("radiopharmacy.add_dispensing", "dispensing")
def batch_dispense(request: HttpRequest, pk: int) -> HttpResponse:
    from nmguard.apps.patients.models import Prescription

    batch = get_object_or_404(Batch, pk=pk)

    def action(d):
        prescription = Prescription.objects.filter(pk=d["prescription"]).first() if d["prescription"] else None
        return services.dispense(
            batch,
            prescription=prescription,
            wanted_Bq=d["wanted"],
            wanted_at=d["wanted_at"],
            meter=d["activity_meter"],
            measured_Bq=d["measured"],
            measured_at=d["measured_at"],
            user=request.user,
        )

    return _act(
        request,
        DispenseForm(request.POST),
        action,
        f"/hotlab/batches/{pk}/",
        lambda f: batch_detail(request, pk, dispense_form=f),
    )


@requires(VIEW, "viewing the hot lab")
def label_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from nmguard.apps.radiopharmacy.labels import dispensing_label_pdf

    dispensing = get_object_or_404(Dispensing, pk=pk)
    response = HttpResponse(dispensing_label_pdf(dispensing), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="label-{dispensing.pk}.pdf"'
    return response


@requires(VIEW, "viewing the hot lab")
def waste(request: HttpRequest, form=None, disposal_form=None, disposal_pk=None, discharge_form=None) -> HttpResponse:
    containers = list(WasteContainer.objects.all())
    for c in containers:  # one form per container: its own element ids; the refused one keeps its errors
        c.disposal_form = disposal_form if c.pk == disposal_pk else DisposalForm(auto_id=container_ids(c.pk))
    return render(
        request,
        "radiopharmacy/waste.html",
        {
            "containers": containers,
            "form": form or WasteForm(),
            "now": timezone.now(),
            "disposal_pk": disposal_pk,
            "discharge_form": discharge_form or DischargeForm(),
            "discharge_totals": services.discharge_totals(),
            "can": services.permitted(request.user),
        },
    )


@requires("radiopharmacy.add_wastecontainer", "sealing a waste container")
def waste_seal(request: HttpRequest) -> HttpResponse:
    def action(d):
        services.seal_waste(
            label=d["label"],
            nuclide=d["nuclide"],
            activity_Bq=d["activity"],
            limit_Bq=d["limit"],
            sealed_at=d["sealed_at"],
            user=request.user,
        )

    return _act(request, WasteForm(request.POST), action, "hotlab-waste", lambda f: waste(request, form=f))


@requires("radiopharmacy.change_wastecontainer", "disposing of waste")
def waste_dispose(request: HttpRequest, pk: int) -> HttpResponse:
    container = get_object_or_404(WasteContainer, pk=pk)

    def action(d):
        services.dispose_waste(
            container,
            disposed_at=d["disposed_at"],
            background=d["background"],
            surface=d["surface"],
            unit=d["unit"],
            instrument=d["instrument"],
            surveyor=d["surveyor"],
            user=request.user,
            counting_time_s=d["counting_time_s"],
        )

    return _act(
        request,
        DisposalForm(request.POST, auto_id=container_ids(pk)),
        action,
        "hotlab-waste",
        lambda f: waste(request, disposal_form=f, disposal_pk=pk),
    )


@requires("radiopharmacy.add_discharge", "recording a release to sewer or air")
def discharge_new(request: HttpRequest) -> HttpResponse:
    def action(d):
        return services.record_discharge(
            at=d["at"],
            pathway=d["pathway"],
            nuclide=d["nuclide"],
            activity_Bq=d["activity"],
            user=request.user,
            note=d["note"],
        )

    return _act(
        request, DischargeForm(request.POST), action, "hotlab-waste", lambda f: waste(request, discharge_form=f)
    )
