"""The batch record to print and file: preparation, release tests, the release signature, every dispensing.

A page of its own (not the working batch page) so that the printed record holds no forms and every
value that a reviewer checks: the release decision re-evaluated against the product's specification
with its source, the stored results with who recorded them, and whether the release signature still
matches the record.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from nmguard.apps.core.permissions import requires
from nmguard.apps.radiopharmacy import services
from nmguard.apps.radiopharmacy.models import Batch
from nmguard.errors import InputError
from nmguard.web.input_bounds import object_or_404


@requires("radiopharmacy.view_batch", "printing a batch record")
def batch_record(request: HttpRequest, pk: int) -> HttpResponse:
    batch = object_or_404(
        Batch.objects.select_related(
            "recipe__radiopharmaceutical", "prepared_by", "elution", "stock", "release_signature"
        ),
        pk=pk,
    )
    decision, decision_error = None, None
    try:
        decision = services.release_decision(batch)
    except InputError as exc:
        decision_error = exc.message
    defined = services.release_tests(batch)
    return render(
        request,
        "radiopharmacy/print/batch_record.html",
        {
            "b": batch,
            "decision": decision,
            "decision_error": decision_error,
            "tests": [(t, defined.get(t.test)) for t in batch.tests.select_related("performed_by")],
            "dispensings": batch.dispensings.select_related(
                "prescription__patient", "dispensed_by", "activity_meter"
            ).order_by("measured_at"),
            "printed_at": timezone.now(),
        },
    )
