"""Pages of document control: the register, a document with its versions, a version with its approval,
review and acknowledgements. The rules are :mod:`nmguard.apps.quality.document_services`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from nmguard.apps.core.permissions import refusal, requires
from nmguard.apps.core.roles import Role
from nmguard.apps.core.signatures import SignatureError
from nmguard.apps.core.web import apply_error
from nmguard.apps.quality import document_services as services
from nmguard.apps.quality.document_forms import DocumentForm, SignForm, VersionForm
from nmguard.apps.quality.document_models import ControlledDocument, DocumentVersion
from nmguard.errors import InputError
from nmguard.web.input_bounds import object_or_404

VIEW = "quality.view_controlleddocument"


def _is_quality_manager(user) -> bool:
    return user.groups.filter(name=Role.QUALITY_MANAGER.value).exists()


@requires(VIEW)
def document_list(request: HttpRequest) -> HttpResponse:
    """Every document with its current version and review date; what the user has to acknowledge."""
    documents = ControlledDocument.objects.prefetch_related("versions").order_by("number")
    rows = []
    for doc in documents:
        versions = list(doc.versions.all())
        current = next((v for v in versions if v.status == DocumentVersion.Status.CURRENT), None)
        draft = next((v for v in versions if v.status == DocumentVersion.Status.DRAFT), None)
        rows.append({"document": doc, "current": current, "draft": draft})
    context = {
        "rows": rows,
        "due": services.reviews_due(timezone.localdate()),
        "mine": services.to_acknowledge(request.user),
        "may_write": request.user.has_perm(services.WRITE_PERMISSION),
    }
    return render(request, "quality/documents/list.html", context)


@requires(services.WRITE_PERMISSION, "adding a controlled document")
def new_document(request: HttpRequest) -> HttpResponse:
    form = DocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            doc = services.create_document(dict(form.cleaned_data), request.user)
            return redirect("quality-document", pk=doc.pk)
        except InputError as exc:
            apply_error(form, exc)
    status = 400 if request.method == "POST" else 200
    return render(request, "quality/documents/new.html", {"form": form}, status=status)


@requires(VIEW)
def document_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The document, its versions (none deleted) and, for the quality manager, the form for a new draft."""
    doc = object_or_404(ControlledDocument, pk=pk)
    may_write = request.user.has_perm(services.WRITE_PERMISSION)
    form = VersionForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if not may_write:
            raise refusal(services.WRITE_PERMISSION, "adding a document version")
        if form.is_valid():
            upload = form.cleaned_data.get("file")
            try:
                version = services.add_version(
                    doc,
                    request.user,
                    text=form.cleaned_data["text"],
                    change_summary=form.cleaned_data["change_summary"],
                    upload=(upload.name, upload.read()) if upload else None,
                )
                return redirect("quality-document-version", pk=version.pk)
            except InputError as exc:
                apply_error(form, exc)
        status = 400
    context = {"document": doc, "versions": doc.versions.select_related("approved_by"), "form": form}
    context["may_write"] = may_write
    return render(request, "quality/documents/document.html", context, status=status)


@requires(VIEW)
def version_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A version: its text or file, approval (draft) or review (current) by e-signature, acknowledgements."""
    version = object_or_404(DocumentVersion.objects.select_related("document", "approved_by", "approval"), pk=pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = SignForm(request.POST if action in ("approve", "review") else None)
    status, ack_error = 200, ""
    if action in ("approve", "review"):
        if not _is_quality_manager(request.user):
            raise refusal(services.WRITE_PERMISSION, "approving or reviewing a controlled document (quality manager)")
        if form.is_valid():
            do = services.approve_version if action == "approve" else services.review_unchanged
            try:
                do(version, request.user, form.cleaned_data["password"])
                return redirect("quality-document-version", pk=version.pk)
            except (InputError, SignatureError) as exc:
                apply_error(form, exc)
        status = 400
    elif action == "acknowledge":
        if not request.user.has_perm(services.ACK_PERMISSION):
            raise refusal(services.ACK_PERMISSION, "acknowledging a document")
        try:
            services.acknowledge(version, request.user)
            return redirect("quality-document-version", pk=version.pk)
        except InputError as exc:
            ack_error, status = exc.message, 400
    elif request.method == "POST":  # a stale page or a hand-made request: said, not silently ignored
        ack_error, status = "action: approve, review or acknowledge expected; nothing was changed", 400
    acks = version.acknowledgements.select_related("user")
    context = {
        "version": version,
        "document": version.document,
        "form": form,
        "ack_error": ack_error,
        "acks": acks,
        "acknowledged": acks.filter(user=request.user).exists(),
        "may_sign": _is_quality_manager(request.user),
        "may_ack": request.user.has_perm(services.ACK_PERMISSION),
    }
    return render(request, "quality/documents/version.html", context, status=status)


@requires(VIEW)
def version_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored file of a version, as uploaded (its hash checked first)."""
    version = object_or_404(DocumentVersion, pk=pk)
    try:
        content = services.version_file(version)
    except (InputError, FileNotFoundError) as exc:
        return HttpResponse(f"file not available: {exc}", status=404, content_type="text/plain")
    response = HttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{version.file_name.replace(chr(34), "")}"'
    return response
