"""Training and competence: required trainings per role and task, records with expiry, signed competence."""

from __future__ import annotations
