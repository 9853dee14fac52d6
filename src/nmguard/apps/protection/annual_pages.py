"""The annual reports as PDF downloads: a worker's dose report and the department's radiation-protection
report (``?year=`` and, for a what-if, ``?profile=``; the department's profile and this year by default)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from nmguard.apps.core.permissions import requires
from nmguard.apps.protection import annual_data, staff_sums
from nmguard.apps.protection.forms import YearForm
from nmguard.apps.protection.models import Worker
from nmguard.reporting.protection_annual_report import annual_protection_report_pdf
from nmguard.reporting.staff_dose_report import worker_dose_report_pdf
from nmguard.web.input_bounds import object_or_404

VIEW = "protection.view_dosereading"


def _year_profile(request: HttpRequest) -> tuple[int, str] | HttpResponse:
    form = YearForm(request.GET or None)
    year, profile = timezone.localdate().year, None
    if form.is_bound:
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            return HttpResponse(f"{field}: {' '.join(errors)}", status=400, content_type="text/plain")
        year, profile = form.cleaned_data["year"] or year, form.cleaned_data["profile"] or None
    return year, staff_sums.check_profile(profile)


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@requires(VIEW)
def worker_report(request: HttpRequest, pk: int) -> HttpResponse:
    worker = object_or_404(Worker.objects.all(), pk=pk)
    chosen = _year_profile(request)
    if isinstance(chosen, HttpResponse):
        return chosen
    year, profile = chosen
    data = worker_dose_report_pdf(str(worker), year, profile, annual_data.worker_sections(worker, year, profile))
    return _pdf(data, f"dose-report-{worker.worker_id}-{year}.pdf")


@requires(VIEW)
def department_report(request: HttpRequest) -> HttpResponse:
    from nmguard.apps.core.models import Department

    chosen = _year_profile(request)
    if isinstance(chosen, HttpResponse):
        return chosen
    year, profile = chosen
    department = Department.objects.first()
    name = department.name if department else "Department"
    data = annual_protection_report_pdf(name, year, profile, annual_data.department_sections(year, profile))
    return _pdf(data, f"radiation-protection-report-{year}.pdf")
