"""Document control (issue 16 item 5): a draft is not current; only the quality manager approves, by
e-signature; the approved version becomes current and the old one superseded (nothing deleted); review due
dates at the policy's interval, overdue at any hour; acknowledgement per version; the current SOP per task."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD


@pytest.fixture
def sop(qm):
    from nmguard.apps.quality.document_services import create_document

    values = {"number": "SOP-HL-001", "title": "Hot-lab batch", "task": "hotlab-batch", "applies_to": ["technologist"]}
    return create_document(values, qm)


def test_draft_is_not_current_until_the_quality_manager_signs(qm, sop, make_user):
    from nmguard.apps.core.models import Signature
    from nmguard.apps.core.signatures import SignatureError
    from nmguard.apps.quality import document_services as s
    from nmguard.errors import InputError

    v1 = s.add_version(sop, qm, text="Step 1: wear gloves.")
    assert v1.status == "draft" and s.current_for_task("hotlab-batch") is None
    admin = make_user("administrator", "adm")  # holds every permission, but does not approve SOPs
    for other in (admin, make_user("technologist", "tech")):
        with pytest.raises(InputError) as refused:
            s.approve_version(v1, other, PASSWORD)
        assert refused.value.field == "user"
    with pytest.raises(SignatureError):
        s.approve_version(v1, qm, "wrong password")
    v1 = s.approve_version(v1, qm, PASSWORD)
    assert v1.status == "current" and s.current_for_task("hotlab-batch") == v1
    assert Signature.objects.get(pk=v1.approval_id).meaning == "approved"
    # the policy's interval (peer_review.toml: 24 months) from the local date of approval
    today = timezone.localdate()
    assert v1.review_due_on == dt.date(today.year + 2, today.month, min(today.day, 28 if today.month == 2 else 31))

    v2 = s.add_version(sop, qm, text="Step 1: wear two pairs of gloves.", change_summary="double gloves")
    with pytest.raises(InputError):
        s.add_version(sop, qm, text="another draft")  # one draft at a time
    assert v2.number == 2 and s.current_for_task("hotlab-batch") == v1
    s.approve_version(v2, qm, PASSWORD)
    v1.refresh_from_db()
    assert v1.status == "superseded" and s.current_for_task("hotlab-batch").pk == v2.pk
    assert sop.versions.count() == 2  # nothing deleted
    with pytest.raises(InputError):
        s.approve_version(v2, qm, PASSWORD)  # not a draft any more


def test_only_quality_writers_create(make_user):
    from nmguard.apps.quality.document_services import create_document
    from nmguard.errors import InputError

    with pytest.raises(InputError):
        create_document({"number": "X-1", "title": "t"}, make_user("physician", "doc"))
    qm = make_user("quality_manager", "qm2")
    with pytest.raises(InputError) as bad:
        create_document({"number": "X-1", "title": "t", "applies_to": ["janitor"]}, qm)
    assert bad.value.field == "applies_to"
    create_document({"number": "X-1", "title": "t"}, qm)
    with pytest.raises(InputError) as dup:
        create_document({"number": "X-1", "title": "u"}, qm)
    assert dup.value.field == "number"


def test_file_version_stored_in_the_data_folder_by_hash(qm, sop, tmp_path, monkeypatch):
    import hashlib

    from nmguard.apps.quality import document_services as s

    monkeypatch.setenv("NMGUARD_DATA_DIR", str(tmp_path))
    content = b"%PDF-1.4 fake but bytes"
    v = s.add_version(sop, qm, upload=("sop.pdf", content))
    digest = hashlib.sha256(content).hexdigest()
    assert v.file_sha256 == digest and (tmp_path / "documents" / digest).read_bytes() == content
    assert s.version_file(v) == content
    (tmp_path / "documents" / digest).write_bytes(b"tampered")
    with pytest.raises(Exception, match="hash"):
        s.version_file(v)


def test_acknowledgement_is_per_version(qm, sop, make_user):
    from nmguard.apps.quality import document_services as s
    from nmguard.errors import InputError

    tech, reader = make_user("technologist", "tech"), make_user("read_only", "inspector")
    physician = make_user("physician", "doc")
    v1 = s.add_version(sop, qm, text="v1")
    with pytest.raises(InputError):
        s.acknowledge(v1, tech)  # a draft is not acknowledged
    v1 = s.approve_version(v1, qm, PASSWORD)
    assert s.to_acknowledge(tech) == [v1] and s.to_acknowledge(physician) == []  # applies to technologists
    assert s.to_acknowledge(reader) == []
    with pytest.raises(InputError):
        s.acknowledge(v1, reader)  # read-only may not
    s.acknowledge(v1, tech)
    with pytest.raises(InputError):
        s.acknowledge(v1, tech)  # once
    assert s.to_acknowledge(tech) == []
    v2 = s.approve_version(s.add_version(sop, qm, text="v2"), qm, PASSWORD)
    assert [v.pk for v in s.to_acknowledge(tech)] == [v2.pk]  # a new version is acknowledged anew
    s.acknowledge(v2, physician)  # any staff role may acknowledge, also one it does not apply to
    assert v2.acknowledgements.count() == 1


def test_reviews_due_and_overdue_by_local_date(qm, sop):
    """Overdue from the local day after the due date; 'due' within the policy's 30 days (any hour)."""
    from nmguard.apps.core.actor import acting_as
    from nmguard.apps.quality import document_services as s

    v = s.approve_version(s.add_version(sop, qm, text="v1"), qm, PASSWORD)
    today = timezone.localdate()
    assert s.reviews_due(today) == []

    def due(days: int) -> list[tuple[int, str]]:
        v.review_due_on = today + dt.timedelta(days=days)
        with acting_as(qm, reason="test: review date moved"):
            v.save()
        return [(r.version.pk, r.state) for r in s.reviews_due(today)]

    assert due(-1) == [(v.pk, "overdue")]
    assert due(0) == [(v.pk, "due")]
    assert due(30) == [(v.pk, "due")]
    assert due(31) == []
    due(-1)
    reviewed = s.review_unchanged(v, qm, PASSWORD)
    assert reviewed.review_due_on > today and s.reviews_due(today) == []
