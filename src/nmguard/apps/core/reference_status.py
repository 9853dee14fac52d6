"""The page behind the dashboard's count of decision-path reference values that are not verified.

Each row is a band, limit, threshold or deadline that a rule decides with, its value, its status and the
source it cites, so that a physicist or the RPO can check the source and the department can judge the risk.
"""

from __future__ import annotations

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from nmguard.reference.decision_path import decision_values, unverified_decision_values


@login_required
def unverified(request: HttpRequest) -> HttpResponse:
    """Every decision-path value whose status is not verified, grouped by area and rule, with its source."""
    rows = unverified_decision_values()
    groups = [(area, rule, list(items)) for (area, rule), items in groupby(rows, key=lambda v: (v.area, v.rule))]
    return render(
        request,
        "core/reference_unverified.html",
        {"groups": groups, "count": len(rows), "total": len(decision_values())},
    )
