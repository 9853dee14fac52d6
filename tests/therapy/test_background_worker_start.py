"""The embedded job thread starts when the submitting transaction commits (the CI failure of 2026-12-06).

A web request submits its job inside the request's transaction. The thread used to start at once, looked for
queued jobs before the commit, found none and ended: the job stayed "queued" until the next submission or a
restart. The browser test of a SIRT plan timed out on it once in CI."""

from __future__ import annotations

import pytest
from django.db import transaction

from nmguard.apps.therapy import dosimetry_jobs

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def started(monkeypatch, settings):
    settings.NMGUARD_JOB_THREAD = True
    calls: list[str] = []
    monkeypatch.setattr(dosimetry_jobs, "_start_thread", lambda: calls.append("thread"))
    return calls


def test_inside_a_transaction_the_thread_waits_for_the_commit(started):
    with transaction.atomic():
        assert dosimetry_jobs.start_background_worker() is True
        assert started == []  # the job is not visible to another connection yet
    assert started == ["thread"]


def test_a_rolled_back_submission_starts_no_thread(started):
    with pytest.raises(RuntimeError), transaction.atomic():
        dosimetry_jobs.start_background_worker()
        raise RuntimeError("the request failed after submitting")
    assert started == []


def test_outside_a_transaction_it_starts_at_once(started):
    dosimetry_jobs.start_background_worker()
    assert started == ["thread"]


def test_no_thread_where_workers_run_the_queue(started, settings):
    settings.NMGUARD_JOB_THREAD = False
    assert dosimetry_jobs.start_background_worker() is False
    assert started == []
