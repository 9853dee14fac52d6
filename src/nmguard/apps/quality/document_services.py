"""Document control: drafts, approval by the quality manager's e-signature, periodic review, read-and-acknowledge.

The pages and the API call these functions only, so both check the same rules:
* a new version is a draft; only the quality manager approves it (``require_role``, not only a permission:
  the administrator holds every permission but does not approve SOPs); the approved one becomes current and
  the one it replaces superseded, in one transaction; nothing is deleted;
* the next review is due the policy's interval (or the document's own) after approval or the last review;
* an acknowledgement is of one current version, once per person; every role but read-only may give it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.guards import require_role
from nmguard.apps.core.roles import Role
from nmguard.apps.core.signatures import reauthenticate, sign
from nmguard.apps.quality.document_models import ControlledDocument, DocumentAcknowledgement, DocumentVersion
from nmguard.errors import InputError
from nmguard.input_bounds import check_text
from nmguard.reference.peer_review import peer_review_policy
from nmguard.reference.training_requirements import add_months
from nmguard.web.paths import data_dir

WRITE_PERMISSION = "quality.add_controlleddocument"
ACK_PERMISSION = "quality.add_documentacknowledgement"
MAX_FILE_BYTES = 20 * 1024 * 1024
Status = DocumentVersion.Status


def documents_folder():
    """Where the files of document versions are kept: the data folder's ``documents``, one file per SHA-256."""
    folder = data_dir() / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _check_may_write(user, doing: str) -> None:
    if not user.has_perm(WRITE_PERMISSION):
        raise InputError(f"{doing} needs the quality manager's write permission", "user")


def _check_roles(values: list[str] | None) -> list[str]:
    roles = list(dict.fromkeys(values or []))
    known = {r.value for r in Role}
    for role in roles:
        if role not in known:
            raise InputError(f"applies_to: unknown role {role!r} (one of {', '.join(sorted(known))})", "applies_to")
    return roles


@transaction.atomic
def create_document(values: dict, user) -> ControlledDocument:
    """A new controlled document (no version yet: add a draft, then approve it)."""
    _check_may_write(user, "creating a controlled document")
    number = check_text(values.get("number") or "", "number", max_length=40, required=True).strip()
    if ControlledDocument.objects.filter(number=number).exists():
        raise InputError(f"number: {number} exists already", "number")
    kind = values.get("kind") or ControlledDocument.Kind.SOP
    if kind not in ControlledDocument.Kind.values:
        raise InputError(f"kind: one of {', '.join(ControlledDocument.Kind.values)}", "kind")
    task = check_text(values.get("task") or "", "task", max_length=64).strip()
    if task and not all(c.isalnum() or c in "-_" for c in task):
        raise InputError("task: letters, digits, - and _ only", "task")
    interval = values.get("review_interval_months")
    if interval is not None and not (isinstance(interval, int) and 1 <= interval <= 120):
        raise InputError("review_interval_months: whole months from 1 to 120", "review_interval_months")
    with acting_as(user, reason=f"controlled document created: {number}"):
        return ControlledDocument.objects.create(
            number=number,
            title=check_text(values.get("title") or "", "title", max_length=200, required=True).strip(),
            kind=kind,
            task=task,
            applies_to=_check_roles(values.get("applies_to")),
            review_interval_months=interval,
            created_by=user,
        )


def add_version(
    document: ControlledDocument,
    user,
    *,
    text: str = "",
    change_summary: str = "",
    upload: tuple[str, bytes] | None = None,
) -> DocumentVersion:
    """A new draft with its text or its file (``upload`` = name, content); refused while a draft waits."""
    _check_may_write(user, "adding a document version")
    text = check_text(text or "", "text").strip()
    change_summary = check_text(change_summary or "", "change_summary").strip()
    name, digest = "", ""
    if upload is not None:
        name, content = upload
        name = check_text(name or "", "file", max_length=200, required=True).strip()
        if not content or len(content) > MAX_FILE_BYTES:
            raise InputError(f"file: empty or larger than {MAX_FILE_BYTES // 2**20} MiB", "file")
        digest = hashlib.sha256(content).hexdigest()
        path = documents_folder() / digest
        if not path.exists():
            path.write_bytes(content)
    if not text and not name:
        raise InputError("text: the version's text or a file is needed", "text")
    with transaction.atomic(), acting_as(user, reason=f"document draft added: {document.number}"):
        locked = ControlledDocument.objects.select_for_update().get(pk=document.pk)
        if locked.versions.filter(status=Status.DRAFT).exists():
            raise InputError("text: a draft of this document is waiting for approval already", "text")
        last = locked.versions.order_by("-number").values_list("number", flat=True).first() or 0
        return DocumentVersion.objects.create(
            document=locked,
            number=last + 1,
            text=text,
            file_name=name,
            file_sha256=digest,
            change_summary=change_summary,
            authored_by=user,
        )


def version_file(version: DocumentVersion) -> bytes:
    """The stored file of a version; its hash is checked (a changed file is refused, not served)."""
    if not version.file_sha256:
        raise InputError("file: this version is text only", "file")
    content = (documents_folder() / version.file_sha256).read_bytes()
    if hashlib.sha256(content).hexdigest() != version.file_sha256:
        raise InputError("file: the stored file does not match its hash", "file")
    return content


def review_interval(document: ControlledDocument) -> int:
    """Months between reviews: the document's own, else the policy's."""
    return document.review_interval_months or int(peer_review_policy().document_review_interval.value)


def approve_version(version: DocumentVersion, user, password: str) -> DocumentVersion:
    """Approve a draft by e-signature: it becomes current, the current one superseded."""
    require_role(user, Role.QUALITY_MANAGER, what="approving a controlled document")
    if version.status != Status.DRAFT:
        raise InputError("password: only a draft can be approved", "password")
    reauthenticate(user, password, version, "approved")  # outside the transaction: a failure is kept
    now = timezone.now()
    with transaction.atomic(), acting_as(user, reason=f"document approved: {version}"):
        stored = DocumentVersion.objects.select_for_update().get(pk=version.pk)
        if stored.status != Status.DRAFT:
            raise InputError("password: only a draft can be approved", "password")
        for old in DocumentVersion.objects.select_for_update().filter(document=stored.document, status=Status.CURRENT):
            old.status, old.superseded_at = Status.SUPERSEDED, now
            old.save()
        stored.status, stored.approved_at, stored.approved_by = Status.CURRENT, now, user
        stored.review_due_on = add_months(timezone.localdate(now), review_interval(stored.document))
        stored.save()
        stored.approval = sign(stored, user, password, "approved", f"Controlled document approved: {stored}")
        stored.save(update_fields=["approval", "updated_at"])
    return stored


def review_unchanged(version: DocumentVersion, user, password: str) -> DocumentVersion:
    """The periodic review found nothing to change: signed "reviewed", the next review moved on."""
    require_role(user, Role.QUALITY_MANAGER, what="reviewing a controlled document")
    if version.status != Status.CURRENT:
        raise InputError("password: only the current version is reviewed", "password")
    reauthenticate(user, password, version, "reviewed")
    with transaction.atomic(), acting_as(user, reason=f"document reviewed unchanged: {version}"):
        stored = DocumentVersion.objects.select_for_update().get(pk=version.pk)
        stored.review_due_on = add_months(timezone.localdate(), review_interval(stored.document))
        stored.save()
        sign(stored, user, password, "reviewed", f"Reviewed, no change needed: {stored}")
    return stored


def acknowledge(version: DocumentVersion, user) -> DocumentAcknowledgement:
    """``user`` states having read ``version`` (the current one; once)."""
    if not user.has_perm(ACK_PERMISSION):
        raise InputError("acknowledging a document needs a staff role (not read-only)", "user")
    if version.status != Status.CURRENT:
        raise InputError("version: only the current version is acknowledged", "version")
    try:
        with transaction.atomic(), acting_as(user, reason=f"document acknowledged: {version}"):
            return DocumentAcknowledgement.objects.create(version=version, user=user, acknowledged_at=timezone.now())
    except IntegrityError:
        raise InputError(f"version: {version} is acknowledged by you already", "version") from None


def current_for_task(task: str) -> DocumentVersion | None:
    """The current approved version of the document governing ``task`` (the lowest number when several)."""
    return (
        DocumentVersion.objects.select_related("document")
        .filter(status=Status.CURRENT, document__task=task)
        .order_by("document__number")
        .first()
    )


def to_acknowledge(user) -> list[DocumentVersion]:
    """Current versions of documents that apply to one of ``user``'s roles and that ``user`` has not acknowledged."""
    if not user.has_perm(ACK_PERMISSION):
        return []
    roles = list(user.groups.values_list("name", flat=True))
    if not roles:
        return []
    candidates = DocumentVersion.objects.select_related("document").filter(status=Status.CURRENT)
    done = set(DocumentAcknowledgement.objects.filter(user=user).values_list("version_id", flat=True))
    return [
        v
        for v in candidates.order_by("document__number")
        if v.pk not in done and set(v.document.applies_to) & set(roles)
    ]


@dataclass(frozen=True)
class ReviewState:
    version: DocumentVersion
    state: str  # "due" or "overdue"
    due_on: dt.date


def reviews_due(today: dt.date) -> list[ReviewState]:
    """Current versions whose review is overdue (due before ``today``) or due within the policy's days."""
    soon = int(peer_review_policy().document_review_due_soon.value)
    rows = DocumentVersion.objects.select_related("document").filter(
        status=Status.CURRENT, review_due_on__lte=today + dt.timedelta(days=soon)
    )
    return [
        ReviewState(v, "overdue" if v.review_due_on < today else "due", v.review_due_on)
        for v in rows.order_by("review_due_on", "document__number")
    ]
