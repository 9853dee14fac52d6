"""E-signatures: re-authentication, meaning, time, record hash; tampering after signing shows."""

import pytest
from tests.conftest import PASSWORD

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.models import AuditEvent, Signature
from nmguard.apps.core.signatures import SignatureError, record_hash, sign, signature_still_valid
from nmguard.apps.equipment.models import Equipment

pytestmark = pytest.mark.django_db


def test_sign_binds_signer_meaning_time_and_hash(as_physicist):
    camera = Equipment.objects.create(name="Camera S", kind="gamma_camera")
    sig = sign(camera, as_physicist, PASSWORD, "approved", "fit for clinical use")
    assert sig.signer == as_physicist and sig.meaning == "approved"
    assert sig.signed_at.utcoffset().total_seconds() == 0
    assert sig.record_hash == record_hash(camera) and len(sig.record_hash) == 64
    assert AuditEvent.objects.filter(action="sign", object_id=str(camera.pk)).exists()
    assert signature_still_valid(sig, camera)
    with acting_as(as_physicist, reason="changed after signing"):
        camera.location = "Elsewhere"
        camera.save()
    assert not signature_still_valid(sig, camera)


def test_wrong_password_refused_and_audited(as_physicist):
    camera = Equipment.objects.create(name="Camera T", kind="gamma_camera")
    with pytest.raises(SignatureError) as info:
        sign(camera, as_physicist, "wrong", "approved")
    assert info.value.field == "password"
    assert not Signature.objects.exists()
    assert AuditEvent.objects.filter(action="sign_failed").count() == 1


def test_unknown_meaning_refused(as_physicist):
    camera = Equipment.objects.create(name="Camera U", kind="gamma_camera")
    with pytest.raises(SignatureError):
        sign(camera, as_physicist, PASSWORD, "liked")


def test_signatures_cannot_be_changed(as_physicist):
    camera = Equipment.objects.create(name="Camera V", kind="gamma_camera")
    sig = sign(camera, as_physicist, PASSWORD, "reviewed")
    sig.meaning = "approved"
    with pytest.raises(PermissionError):
        sig.save()
