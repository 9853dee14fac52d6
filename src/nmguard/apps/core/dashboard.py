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
    records: list[tuple[str, int]]  # (record kind, count)


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
            (str(model._meta.verbose_name_plural), model._default_manager.count())
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
