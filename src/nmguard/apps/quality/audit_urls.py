from django.urls import path

from nmguard.apps.quality import audit_pages, audit_pdf

urlpatterns = [
    path("", audit_pages.audit_list, name="quality-audits"),
    path("<int:pk>/", audit_pages.audit_page, name="quality-audit"),
    path("<int:pk>/pdf", audit_pdf.audit_pdf, name="quality-audit-pdf"),
    path("clinical/", audit_pages.clinical_list, name="quality-clinical-audits"),
    path("clinical/<int:pk>/", audit_pages.clinical_page, name="quality-clinical-audit"),
]
