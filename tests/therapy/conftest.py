"""Fixtures of the therapy tests (shared with the browser tests through :mod:`tests.therapy.recording_fixtures`)."""

from tests.therapy.recording_fixtures import (  # noqa: F401
    other_course,
    psma,
    study_inbox,
    synth_patient,
    synthetic_study_dir,
)
