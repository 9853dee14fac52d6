"""Demo of document control and peer review, after the administrations and the hot lab are loaded.

Twelve SOPs and protocols, each approved by the quality manager through the same services as real work; three
revised (the first version superseded), one with a new draft waiting, one whose review is overdue (its date set
to yesterday); the technologist has acknowledged some but not all that apply to them. Peer review: a second
physician ("physician-2") joins, a sample of the last quarter's administrations is drawn with a fixed seed and
scored, with a few discrepancies. Dates count from today's local date, so the demo holds at any hour.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from nmguard.apps.core.actor import acting_as
from nmguard.apps.core.roles import Role
from nmguard.apps.core.users import create_user
from nmguard.apps.quality import document_services as docs
from nmguard.apps.quality import peer_review_services as peer

T, R, P, D = Role.TECHNOLOGIST.value, Role.RADIOPHARMACIST.value, Role.PHYSICIST.value, Role.PHYSICIAN.value
# number, title, kind, task, roles it applies to
DOCUMENTS = [
    ("SOP-HL-001", "Preparation and release of a radiopharmaceutical batch", "sop", "hotlab-batch", [R]),
    ("SOP-HL-002", "Generator elution and Mo-99 breakthrough", "sop", "hotlab-elution", [R, T]),
    ("SOP-QC-001", "Daily QC of gamma cameras and the activity meter", "sop", "qc-entry", [T, P]),
    ("SOP-QC-002", "Quarterly gamma-camera QC (uniformity, resolution, COR)", "sop", "qc-quarterly", [P]),
    (
        "SOP-AD-001",
        "Patient identification and administration of radiopharmaceuticals",
        "sop",
        "administration",
        [T, D],
    ),
    ("SOP-AD-002", "Extravasation: recognition and follow-up", "sop", "extravasation", [T, D]),
    ("SOP-RP-001", "Spill of radioactive material", "sop", "spill", [T, R, P]),
    ("SOP-RP-002", "Radioactive waste: decay in storage and release", "sop", "waste", [R, T]),
    ("SOP-TH-001", "I-131 therapy: release of the patient", "sop", "therapy-release", [D, P]),
    ("PRO-BONE-01", "Bone scintigraphy (99mTc-MDP)", "protocol", "protocol-bone", [T, D]),
    ("PRO-PET-01", "FDG PET/CT oncology", "protocol", "protocol-fdg", [T, D]),
    ("PRO-THY-01", "Thyroid scintigraphy (99mTc-pertechnetate)", "protocol", "protocol-thyroid", [T, D]),
]
REVISED = ("SOP-QC-001", "SOP-AD-001", "SOP-RP-001")
DRAFT_WAITING = "SOP-HL-002"
OVERDUE = "SOP-RP-002"
ACKNOWLEDGED_BY_TECHNOLOGIST = ("SOP-QC-001", "SOP-AD-001", "PRO-BONE-01")  # others applying to them are missing
SECOND_PHYSICIAN = ("physician-2", "demo-physician-2-pass", "Dr Petra Second-Reader")
PEER_SEED = "demo-peer-review"
# scores of the drawn studies in order: mostly concur, a few discrepancies with their findings
SCORES = [("1", ""), ("2a", "Small rib focus not mentioned; benign on follow-up"), ("1", ""), ("1", "")]
SCORES += [("3a", "Thyroid nodule uptake called normal"), ("1", ""), ("1", ""), ("2b", "Vertebral lesion missed")]


def load_documents_demo(users: dict, passwords: dict) -> None:
    """Documents with versions, one review overdue, some acknowledgements missing; a scored peer-review sample."""
    qm, qm_pass = users[Role.QUALITY_MANAGER], passwords[Role.QUALITY_MANAGER]
    today = timezone.localdate()
    for number, title, kind, task, roles in DOCUMENTS:
        doc = docs.create_document(
            {"number": number, "title": title, "kind": kind, "task": task, "applies_to": roles}, qm
        )
        text = f"{title}.\n\n1. Scope: {', '.join(roles)}.\n2. Steps as trained.\n3. Records in NMGuard."
        current = docs.approve_version(docs.add_version(doc, qm, text=text, change_summary="first issue"), qm, qm_pass)
        if number in REVISED:
            revised = docs.add_version(
                doc, qm, text=text + "\n4. Second check by a colleague.", change_summary="second check added"
            )
            current = docs.approve_version(revised, qm, qm_pass)
        if number == DRAFT_WAITING:
            docs.add_version(doc, qm, text=text + "\n4. Elution log kept.", change_summary="elution log")
        if number == OVERDUE:
            current.review_due_on = today - dt.timedelta(days=1)
            with acting_as(qm, reason="demo: review date of an SOP last reviewed two years ago"):
                current.save()
        if number in ACKNOWLEDGED_BY_TECHNOLOGIST:
            docs.acknowledge(current, users[Role.TECHNOLOGIST])
    _peer_review_demo(users, qm, today)


def _peer_review_demo(users: dict, qm, today: dt.date) -> None:
    username, password, name = SECOND_PHYSICIAN
    second = create_user(username, password, [D], display_name=name, actor="demo-loader", check_password=False)
    sample = peer.draw_sample(today - dt.timedelta(days=91), today, qm, seed=PEER_SEED, default_rate=1.0)
    for review, (score, comment) in zip(sample.reviews.order_by("pk"), SCORES, strict=False):
        if review.reader_id != second.pk:
            peer.record_review(review, second, score, comment)
