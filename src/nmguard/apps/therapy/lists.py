"""Find anything in therapy: the therapy courses and the dosimetry runs, filtered, paged, as CSV.

"Which runs failed last week", "the courses of patient P-7": the filter, paging and CSV are the shared
list machinery's (:mod:`nmguard.apps.core.listing`); this module names the fields, queries and columns.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from nmguard.apps.core.listing import Column, ListFilter, list_page
from nmguard.apps.core.permissions import requires
from nmguard.apps.therapy import services
from nmguard.apps.therapy.forms import DosimetryJobForm
from nmguard.apps.therapy.models import DosimetryJob, TherapyCourse

PATIENT_SEARCH = ("patient__mrn", "patient__family_name", "patient__given_name")


class CourseFilter(ListFilter):
    search_fields = (*PATIENT_SEARCH, "protocol__name")
    search_date_fields = ("patient__birth_date",)
    search_label = "Patient (MRN, name, birth date) or protocol"
    date_field = "started_on"
    status_choices = TherapyCourse.Status.choices


COURSE_COLUMNS = [
    Column("MRN", "patient.mrn"),
    Column("Patient", lambda c: str(c.patient)),
    Column("Birth date", "patient.birth_date"),
    Column("Protocol", "protocol.name"),
    Column("Started", "started_on"),
    Column("Status", "get_status_display"),
]


@requires("therapy.view_therapycourse", "viewing therapy courses")
def course_list(request: HttpRequest) -> HttpResponse:
    courses = TherapyCourse.objects.select_related("patient", "protocol").order_by("-started_on", "-pk")
    return list_page(
        request,
        CourseFilter,
        courses,
        template="therapy/courses.html",
        columns=COURSE_COLUMNS,
        filename="therapy-courses.csv",
    )


class DosimetryJobFilter(ListFilter):
    search_fields = (
        "title",
        "requested_by__username",
        *(f"cycle__course__{name}" for name in PATIENT_SEARCH),
    )
    search_label = "Title, requester or patient"
    date_field = "created_at"
    status_choices = DosimetryJob.Status.choices


def _patient(job: DosimetryJob) -> str:
    return str(job.cycle.course.patient) if job.cycle_id else ""


DOSIMETRY_JOB_COLUMNS = [
    Column("Job", "pk"),
    Column("Title", "title"),
    Column("Kind", "get_kind_display"),
    Column("Method", lambda j: (j.options or {}).get("method", "")),
    Column("Status", "get_status_display"),
    Column("Requested", "created_at"),
    Column("Requested by", "requested_by.username"),
    Column("Finished", "finished_at"),
    Column("Patient", _patient),
    Column("Message", "message"),
]


def dosimetry_job_list(request: HttpRequest, job_form: DosimetryJobForm) -> HttpResponse:
    """The run list under the page's filter, with the form that starts a run (``job_form``, bound when a
    submitted run was refused). The view that calls it holds the permission check and the POST."""
    jobs = DosimetryJob.objects.select_related("requested_by", "cycle__course__patient").order_by("-created_at", "-pk")
    return list_page(
        request,
        DosimetryJobFilter,
        jobs,
        template="therapy/dosimetry_jobs.html",
        columns=DOSIMETRY_JOB_COLUMNS,
        filename="dosimetry-runs.csv",
        context={"job_form": job_form, "can": services.abilities(request.user)},
    )
