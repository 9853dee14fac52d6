"""What the therapy area counts on the dashboard: dosimetry jobs that succeeded lately, and those that failed."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from nmguard.apps.core.dashboard import WorkCount, listed

# How far back the dashboard looks, in the department's days (today and the days before it): a job that
# succeeded yesterday evening is still news in the morning; a failure stays a week, for someone to rerun it.
SUCCEEDED_DAYS = 1
FAILED_DAYS = 7


def _since(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def dosimetry_counts(user) -> list[WorkCount]:
    """Jobs succeeded since yesterday and failed in the last week: the job list filtered by status and ``from``."""
    from nmguard.apps.therapy.lists import DosimetryJobFilter
    from nmguard.apps.therapy.models import DosimetryJob

    if not user.has_perm("therapy.view_dosimetryjob"):
        return []
    return [
        listed(
            key,
            label,
            "dosimetry-jobs",
            DosimetryJobFilter,
            DosimetryJob.objects.all(),
            {"status": status, "from": _since(days).isoformat()},
        )
        for key, label, status, days in (
            (
                "dosimetry-succeeded",
                "Dosimetry jobs succeeded since yesterday",
                DosimetryJob.Status.SUCCEEDED,
                SUCCEEDED_DAYS,
            ),
            ("dosimetry-failed", "Dosimetry jobs failed in the last 7 days", DosimetryJob.Status.FAILED, FAILED_DAYS),
        )
    ]
