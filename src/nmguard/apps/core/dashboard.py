"""What the dashboard shows for each area of the department: counts of what is recorded there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class AreaSummary:
    key: str
    title: str
    purpose: str
    records: list[tuple[str, str]]  # (record kind, count as shown: "1,234" or "about 1,130,000")


# Tables are counted exactly up to here. Counting every row of a big one (seven million safety checks at a
# million administrations) was most of the dashboard's time; beyond this the count is estimated.
EXACT_COUNT_UP_TO = 10_000


def record_count(model: type) -> str:
    """How many ``model`` rows there are, as shown: exact up to :data:`EXACT_COUNT_UP_TO` (a count that
    stops reading after that many rows), else "about" the highest id to three figures. Nothing clinical
    is deleted, so the highest id is a close upper bound; it is one index lookup on SQLite and PostgreSQL."""
    from django.db.models import Max

    from nmguard.apps.core.listing import count_up_to

    manager = model._default_manager
    n = count_up_to(manager.all(), EXACT_COUNT_UP_TO)
    integer_ids = model._meta.pk.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField")
    if n <= EXACT_COUNT_UP_TO or not integer_ids:
        return f"{n if n <= EXACT_COUNT_UP_TO else manager.count():,}"
    highest = max(manager.aggregate(top=Max("pk"))["top"] or 0, n)
    return f"about {_three_figures(highest):,}"


def _three_figures(n: int) -> int:
    digits = len(str(n))
    return n if digits <= 3 else round(n, 3 - digits)


_AREAS = [
    ("radiopharmacy", "Hot lab", "Generators, preparations, QC release, dispensing, waste"),
    ("equipment", "Equipment QC", "Activity meters, cameras, PET: schedules, tolerances, trends"),
    ("patients", "Administrations", "Right patient, radiopharmaceutical and activity; patient dose"),
    ("therapy", "Therapy", "Dosimetry from SPECT/CT, therapy courses, patient release"),
    ("protection", "Protection", "Staff dosimetry, surveys, sealed sources"),
    ("quality", "Quality", "Audits, findings, corrective actions, incidents, training"),
]


def area_summaries(user) -> list[AreaSummary]:
    """One summary per area the user may view, counting each kind of record kept there."""
    summaries = []
    for label, title, purpose in _AREAS:
        config = apps.get_app_config(label)
        records = [
            (str(model._meta.verbose_name_plural), record_count(model))
            for model in config.get_models()
            if not model.__name__.startswith("Historical") and user.has_perm(f"{label}.view_{model._meta.model_name}")
        ]
        summaries.append(AreaSummary(label, title, purpose, records))
    return summaries


@dataclass(frozen=True)
class AttentionItem:
    """Something a person must act on, shown at the top of the dashboard."""

    title: str
    detail: str
    url: str
    due: dt.datetime | None = None  # aware; the page prints it in the department's zone, named


# Apps register functions (user -> items) in their AppConfig.ready; the core knows none of them.
ATTENTION_PROVIDERS: list[Callable[..., list[AttentionItem]]] = []


def attention_items(user) -> list[AttentionItem]:
    items: list[AttentionItem] = []
    for provider in ATTENTION_PROVIDERS:
        items.extend(provider(user))
    return items


# ---------------------------------------------------------------- what needs doing, counted per role
@dataclass(frozen=True)
class WorkCount:
    """A number of records that wait for someone, and the filtered list page that shows exactly them.

    ``key`` is stable (tests and the role ordering use it); ``url`` is the list page with the shared
    query contract's filter (``?status=…``, ``?due=…``, ``?from=…``), or "" while that page does not exist.
    """

    key: str
    label: str
    count: int
    url: str
    detail: str = ""
    due: dt.datetime | None = None  # aware; the earliest deadline among the counted records


# Apps register functions (user -> counts) in their AppConfig.ready, as for ATTENTION_PROVIDERS.
WORK_COUNT_PROVIDERS: list[Callable[..., list[WorkCount]]] = []

# The counts of each role's own daily work, shown first and in this order (DESIGN.md "Who uses it").
ROLE_FIRST: dict[str, tuple[str, ...]] = {
    "technologist": ("qc-due-today", "qc-overdue", "prescriptions-checks"),
    "radiopharmacist": ("batches-awaiting-release",),
    "physicist": (
        "qc-overdue",
        "qc-due-today",
        "devices-out-of-service",
        "dosimetry-failed",
        "dosimetry-succeeded",
        "reference-unverified",
    ),
    "physician": ("prescriptions-override", "medical-events-open", "dosimetry-succeeded"),
    "rpo": ("devices-out-of-service", "reference-unverified", "medical-events-open"),
    "quality_manager": ("medical-events-open", "reference-unverified"),
}


def list_url(name: str, **params: str) -> str:
    """The list page ``name`` with its filter, or "" when the page is not (yet) routed."""
    from urllib.parse import urlencode

    from django.urls import NoReverseMatch, reverse

    try:
        base = reverse(name)
    except NoReverseMatch:
        return ""
    return f"{base}?{urlencode(params)}" if params else base


def filtered(filter_class, queryset, params: dict[str, str]):
    """``queryset`` under a list page's own filter (a ``core.listing.ListFilter``) with ``params``."""
    form = filter_class(params)
    if not form.is_valid():  # the parameters are the caller's constants: a bad one is a bug, not user input
        raise ValueError(f"the dashboard's filter {params} is not valid: {form.errors.as_text()}")
    return form.filter(queryset)


def listed(
    key: str, label: str, url_name: str, filter_class, queryset, params: dict[str, str], detail: str = ""
) -> WorkCount:
    """A count that is the list page's own filter applied to its records, in one query: the number on the
    dashboard is the number of rows the link opens, by construction."""
    count = filtered(filter_class, queryset, params).count()
    return WorkCount(key, label, count, list_url(url_name, **params), detail)


def own_keys(user) -> list[str]:
    """The count keys of the user's roles, in role-table order, without repeats."""
    names = set(user.groups.values_list("name", flat=True))
    keys: list[str] = []
    for role, first in ROLE_FIRST.items():
        if role in names:
            keys.extend(k for k in first if k not in keys)
    return keys


def work_counts(user) -> tuple[list[WorkCount], list[WorkCount]]:
    """(the user's own work, everything else the user may view): each a count with its list link."""
    counts = [c for provider in WORK_COUNT_PROVIDERS for c in provider(user)] + reference_counts(user)
    first = own_keys(user)
    mine = sorted((c for c in counts if c.key in first), key=lambda c: first.index(c.key))
    return mine, [c for c in counts if c.key not in first]


def reference_counts(user) -> list[WorkCount]:
    """Decision-path reference values that are not verified (read from the shipped data, no query)."""
    from nmguard.reference.decision_path import decision_values, unverified_decision_values

    unverified = len(unverified_decision_values())
    return [
        WorkCount(
            "reference-unverified",
            "Reference values on a decision path not verified",
            unverified,
            list_url("reference-unverified"),
            f"of {len(decision_values())} values that bands, limits and thresholds decide with",
        )
    ]
