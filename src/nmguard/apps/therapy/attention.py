"""What the therapy area counts on the dashboard: dosimetry jobs that finished lately, and those that failed."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from nmguard.apps.core.dashboard import WorkCount, list_url

# How far back the dashboard looks, in the department's days (today and the days before it): a job that
# succeeded yesterday evening is still news in the morning; a failure stays a week, for someone to rerun it.
SUCCEEDED_DAYS = 1
FAILED_DAYS = 7


def _since(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def jobs_since(status: str, days: int):
    """Jobs of ``status`` submitted on or after the department's day ``days`` before today."""
    from nmguard.apps.therapy.models import DosimetryJob

    start = timezone.make_aware(dt.datetime.combine(_since(days), dt.time.min))
    return DosimetryJob.objects.filter(status=status, created_at__gte=start)


def dosimetry_counts(user) -> list[WorkCount]:
    """Jobs succeeded since yesterday and failed in the last week, each linked to the job list so filtered."""
    from nmguard.apps.therapy.models import DosimetryJob

    if not user.has_perm("therapy.view_dosimetryjob"):
        return []
    out = []
    for key, label, status, days in (
        (
            "dosimetry-succeeded",
            "Dosimetry jobs finished since yesterday",
            DosimetryJob.Status.SUCCEEDED,
            SUCCEEDED_DAYS,
        ),
        ("dosimetry-failed", "Dosimetry jobs failed in the last 7 days", DosimetryJob.Status.FAILED, FAILED_DAYS),
    ):
        out.append(
            WorkCount(
                key,
                label,
                jobs_since(status, days).count(),
                list_url("dosimetry-jobs", status=status, **{"from": _since(days).isoformat()}),
            )
        )
    return out
