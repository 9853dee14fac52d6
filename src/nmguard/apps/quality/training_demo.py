"""Demo training and competence: every demo member of staff trained and competent for the tasks of their role,
the block switched on for every task, and one lapsed training (the technologist's gamma-camera training) that no
task of the demo's story needs — it shows in red in the matrix and on the dashboard without blocking anything."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from nmguard.apps.core.roles import Role
from nmguard.apps.quality.competence_services import set_task_guard, sign_competence
from nmguard.apps.quality.training_models import Training
from nmguard.apps.quality.training_services import record_training, sync_trainings
from nmguard.reference.training_requirements import training_requirements

# task -> (who does it, who signs: the quality manager or the data's role, never the person)
DEMO_COMPETENCES = {
    "qp_release": ((Role.RADIOPHARMACIST,), Role.QUALITY_MANAGER),
    "administration": ((Role.TECHNOLOGIST, Role.PHYSICIAN), Role.PHYSICIST),
    "qc_approval": ((Role.PHYSICIST,), Role.QUALITY_MANAGER),
    "dosimetry_signoff": ((Role.PHYSICIST,), Role.QUALITY_MANAGER),
}
LAPSED = (Role.TECHNOLOGIST, "gamma_camera")  # the demo's lapsed training: guards no task the demo performs


def load_training_demo(users: dict, passwords: dict) -> None:
    """Trainings recorded 120 days ago (the lapsed one 26 months ago), competences signed from 90 days ago."""
    manager = users[Role.QUALITY_MANAGER]
    sync_trainings(manager)
    today = timezone.localdate()
    requirements = training_requirements()
    for role, person in users.items():
        for key, req in requirements.trainings.items():
            if role.value not in req.roles:
                continue
            training = Training.objects.get(key=key)
            if (role, key) == LAPSED:
                record_training(person, training, today - dt.timedelta(days=800), "Vendor course (demo)", manager)
            else:
                record_training(person, training, today - dt.timedelta(days=120), "Course certificate (demo)", manager)
    for task, (roles, signer_role) in DEMO_COMPETENCES.items():
        for role in roles:
            sign_competence(
                users[role],
                task,
                today - dt.timedelta(days=90),
                "Observed three times under supervision (demo)",
                users[signer_role],
                passwords[signer_role],
            )
        set_task_guard(task, True, "demo department enforces the block", manager)
