from django.urls import path

from nmguard.apps.equipment import device_page, lists, views

urlpatterns = [
    path("", lists.register, name="equipment"),
    path("qc/", views.qc_today, name="qc-today"),
    path("<int:pk>/", device_page.device_page, name="equipment-device"),
    path("<int:pk>/service-log/", views.device_service_log, name="equipment-service-log"),
    path("<int:pk>/not-in-use/", views.exempt, name="qc-exempt"),
    path("not-in-use/<int:pk>/withdraw/", views.withdraw_exemption, name="qc-exempt-withdraw"),
    path("<int:pk>/return-to-service/", views.return_to_service, name="qc-return"),
    path("qc/schedules/<int:pk>/", views.schedule_detail, name="qc-schedule"),
    path("qc/schedules/<int:pk>/results/", views.enter_result, name="qc-enter"),
    path("qc/results/", lists.qc_result_list, name="qc-result-list"),
    path("qc/results/<int:pk>/", views.result_detail, name="qc-result"),
    path("qc/results/<int:pk>/approve/", views.approve, name="qc-approve"),
    path("<int:pk>/report/<int:year>-<int:month>.pdf", views.monthly_report, name="qc-report"),
]
