from django.urls import path

from nmguard.apps.therapy import lists, release_views, views

urlpatterns = [
    path("", lists.course_list, name="therapy-courses"),
    path("courses/<int:pk>/", views.course_detail, name="therapy-course"),
    path("courses/<int:pk>/cycles/<int:cycle_pk>/eligibility/", views.eligibility, name="therapy-eligibility"),
    path("courses/<int:pk>/cycles/<int:cycle_pk>/doses/", views.cycle_doses, name="therapy-doses"),
    path("courses/<int:pk>/cycles/<int:cycle_pk>/sirt/", views.cycle_sirt, name="therapy-sirt"),
]

urlpatterns += [
    path("dosimetry/", views.dosimetry_jobs, name="dosimetry-jobs"),
    path("dosimetry/<int:pk>/", views.dosimetry_job, name="dosimetry-job"),
    path("dosimetry/<int:pk>/status/", views.dosimetry_job_status, name="dosimetry-job-status"),
    path("dosimetry/<int:pk>/files/<str:name>", views.dosimetry_job_file, name="dosimetry-job-file"),
    path("dosimetry/<int:pk>/rerun/", views.dosimetry_job_rerun, name="dosimetry-job-rerun"),
    path("dosimetry/<int:pk>/to-cycle/", views.dosimetry_job_to_cycle, name="dosimetry-job-to-cycle"),
]

_RELEASE = "courses/<int:pk>/cycles/<int:cycle_pk>/release/"
urlpatterns += [
    path(_RELEASE, release_views.release_page, name="therapy-release"),
    path(f"{_RELEASE}<int:decision_pk>/sign/", release_views.release_sign, name="therapy-release-sign"),
    path(
        f"{_RELEASE}<int:decision_pk>/instructions/",
        release_views.release_instructions,
        name="therapy-release-instructions",
    ),
    path(
        f"{_RELEASE}<int:decision_pk>/instructions.pdf",
        release_views.release_instructions_pdf,
        name="therapy-release-pdf",
    ),
    path("release/awaiting/", release_views.awaiting, name="therapy-release-awaiting"),
]
