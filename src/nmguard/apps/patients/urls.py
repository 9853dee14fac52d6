from django.urls import path

from nmguard.apps.patients import lists, printouts, views

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("patients/", lists.patient_list, name="patient-list"),
    path("patients/pick/", lists.patient_pick, name="patient-pick"),
    path("prescriptions/", lists.prescription_list, name="prescription-list"),
    path("patients/new/", views.patient_new, name="patient-new"),
    path("patients/<int:pk>/", views.patient_detail, name="patient-detail"),
    path("patients/<int:pk>/correct/", views.patient_correct, name="patient-correct"),
    path("prescriptions/new/", views.prescription_new, name="prescription-new"),
    path("prescriptions/<int:pk>/", views.prescription_detail, name="prescription-detail"),
    path("prescriptions/<int:pk>/measure/", views.prescription_measure, name="prescription-measure"),
    path("prescriptions/<int:pk>/checks/", views.prescription_checks, name="prescription-checks"),
    path("prescriptions/<int:pk>/administer/", views.prescription_administer, name="prescription-administer"),
    path("prescriptions/<int:pk>/checks/<int:check_pk>/override/", views.check_override, name="check-override"),
    path("patients/<int:pk>/import-report/", views.patient_import_report, name="patient-import-report"),
    path("medical-events/", views.medical_events, name="medical-events"),
    path("medical-events/<int:pk>/advance/", views.medical_event_advance, name="medical-event-advance"),
    path("drl/", views.drl_dashboard, name="drl"),
    path("patients/<int:pk>/dose-report/", printouts.patient_dose_report, name="patient-dose-report"),
    path("medical-events/<int:pk>/report/", printouts.medical_event_report, name="medical-event-report"),
]
