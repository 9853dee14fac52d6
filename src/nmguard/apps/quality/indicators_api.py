"""REST endpoints of the quality indicators and the readiness gaps (read-only; every role reads them).

The series are those of the management review page and its PDF (:mod:`nmguard.apps.quality.indicators`), with
their definitions. Bad input: 422 naming the field (``months``)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from nmguard.apps.core.web import require_perm
from nmguard.apps.quality import indicators as ind
from nmguard.apps.quality.readiness import readiness
from nmguard.apps.quality.review_views import VIEW, months_param

router = Router(tags=["quality: indicators"])


@router.get("/indicators", response=list[dict])
def indicator_list(request: HttpRequest, months: str | None = None):
    """Every indicator as a monthly (CAPA turnaround: quarterly) series over ``months`` months (1-24, default 12)."""
    require_perm(request, VIEW)
    return [s.as_dict() for s in ind.indicators(months=months_param(months))]


@router.get("/indicators/{key}", response=dict)
def indicator(request: HttpRequest, key: str, months: str | None = None):
    require_perm(request, VIEW)
    for s in ind.indicators(months=months_param(months)):
        if s.key == key:
            return s.as_dict()
    raise HttpError(404, f"no indicator {key[:40]!r}")


@router.get("/readiness", response=dict)
def readiness_gaps(request: HttpRequest):
    """The readiness page's sections: each with its gaps (text, link)."""
    require_perm(request, VIEW)
    state = readiness()
    return {
        "day": state["day"].isoformat(),
        "gap_count": state["gap_count"],
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "gaps": [{"text": g.text, "url": g.url} for g in s.gaps],
            }
            for s in state["sections"]
        ],
    }
