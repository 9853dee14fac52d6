from django.urls import path

from nmguard.apps.therapy import lists, views

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
