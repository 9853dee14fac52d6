from django.urls import path

from nmguard.apps.quality import document_pages as pages

urlpatterns = [
    path("", pages.document_list, name="quality-documents"),
    path("new/", pages.new_document, name="quality-document-new"),
    path("<int:pk>/", pages.document_page, name="quality-document"),
    path("versions/<int:pk>/", pages.version_page, name="quality-document-version"),
    path("versions/<int:pk>/file/", pages.version_file, name="quality-document-file"),
]
