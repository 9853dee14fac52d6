"""Waiting in the browser for a dosimetry or SIRT job to end, and saying why when it does not succeed."""

from __future__ import annotations


def wait_for_job_success(page, timeout_ms: int) -> None:
    """Wait until the job page shows a final status; fail with the job's stored state (status, step, message,
    attempts, worker) when it is not "Succeeded" or when it does not end in time, so that a CI log says which."""
    try:
        page.wait_for_selector("[data-testid=job-status]:text-matches('^(Succeeded|Failed)$')", timeout=timeout_ms)
    except Exception as exc:  # playwright's TimeoutError: report the stored job, not only the selector
        raise AssertionError(f"the job did not end in {timeout_ms / 1000:.0f} s: {_stored_jobs()}") from exc
    status = page.locator("[data-testid=job-status]").inner_text()
    assert status == "Succeeded", f"the job ended {status!r}: {_stored_jobs()}"


def _stored_jobs() -> str:
    from nmguard.apps.therapy.models import DosimetryJob

    return (
        "; ".join(
            f"job {j.pk} {j.kind} {j.status} step={j.step!r} progress={j.progress:.2f} attempts={j.attempts} "
            f"worker={j.worker!r} message={j.message!r}"
            for j in DosimetryJob.objects.order_by("pk")
        )
        or "no job stored"
    )
