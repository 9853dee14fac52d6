"""Find anything in the hot lab: every batch, generator and elution, filtered, paged, as CSV.

The day page shows today's work; these lists answer "which batches still await release", "what did
generator 12 give last week". The filter, paging and CSV are the shared list machinery's
(:mod:`nmguard.apps.core.listing`); this module names the fields, the queries and the columns.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, CharField, Count, Max, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse

from nmguard.apps.core.listing import Column, ListFilter, RecordFilterField, list_page
from nmguard.apps.core.permissions import requires
from nmguard.apps.radiopharmacy.models import Batch, Elution, Generator, Radiopharmaceutical


def mega(value_Bq: float | None) -> float | None:
    """Activities in the CSV in MBq (the unit the hot lab reads on its meters)."""
    return None if value_Bq is None else value_Bq / 1e6


class BatchFilter(ListFilter):
    search_fields = ("number", "recipe__name", "recipe__radiopharmaceutical__name")
    search_label = "Batch, recipe or product"
    date_field = "prepared_at"
    status_choices = Batch.Status.choices

    product = RecordFilterField(
        Radiopharmaceutical.objects.order_by("name"), code_field="catalogue_id", label="Product"
    )

    def filter_extra(self, queryset: QuerySet, data: dict[str, Any]) -> QuerySet:
        if data.get("product"):
            queryset = queryset.filter(recipe__radiopharmaceutical=data["product"])
        return queryset


BATCH_COLUMNS = [
    Column("Batch", "number"),
    Column("Product", "recipe.radiopharmaceutical.name"),
    Column("Recipe", "recipe.name"),
    Column("Prepared", "prepared_at"),
    Column("Activity (MBq)", lambda b: mega(b.activity_Bq)),
    Column("Volume (mL)", "volume_mL"),
    Column("Status", "get_status_display"),
    Column("Expires", "expires_at"),
    Column("Prepared by", "prepared_by.username"),
]


@requires("radiopharmacy.view_batch", "viewing the hot lab")
def batch_list(request: HttpRequest) -> HttpResponse:
    batches = Batch.objects.select_related("recipe__radiopharmaceutical", "prepared_by").order_by("-prepared_at", "-pk")
    return list_page(
        request,
        BatchFilter,
        batches,
        template="radiopharmacy/lists/batches.html",
        columns=BATCH_COLUMNS,
        filename="batches.csv",
    )


class GeneratorFilter(ListFilter):
    search_fields = ("name", "parent", "daughter", "manufacturer", "lot")
    search_label = "Name, nuclide, manufacturer or lot"
    date_field = "received_at"
    status_choices = Generator.Status.choices


GENERATOR_COLUMNS = [
    Column("Generator", "name"),
    Column("Parent", "parent"),
    Column("Daughter", "daughter"),
    Column("Manufacturer", "manufacturer"),
    Column("Lot", "lot"),
    Column("Calibrated activity (MBq)", lambda g: mega(g.calibrated_activity_Bq)),
    Column("Calibrated", "calibrated_at"),
    Column("Received", "received_at"),
    Column("Status", "get_status_display"),
    Column("Elutions", "elution_count"),
    Column("Latest elution", "latest_elution"),
]


@requires("radiopharmacy.view_generator", "viewing the hot lab")
def generator_list(request: HttpRequest) -> HttpResponse:
    # the elution count and the latest elution are aggregated in the one query, not asked per row
    generators = Generator.objects.annotate(
        elution_count=Count("elutions"), latest_elution=Max("elutions__eluted_at")
    ).order_by("-received_at", "-pk")
    return list_page(
        request,
        GeneratorFilter,
        generators,
        template="radiopharmacy/lists/generators.html",
        columns=GENERATOR_COLUMNS,
        filename="generators.csv",
    )


class ElutionFilter(ListFilter):
    search_fields = ("generator__name", "generator__lot", "generator__parent")
    search_label = "Generator name, lot or nuclide"
    date_field = "eluted_at"
    # an elution has no status of its own: its tests made it usable or not (annotated in the query)
    status_field = "usability"
    status_choices = [("usable", "Usable"), ("not_usable", "Not usable")]

    device = RecordFilterField(Generator.objects.order_by("-received_at"), label="Generator")

    def filter_extra(self, queryset: QuerySet, data: dict[str, Any]) -> QuerySet:
        if data.get("device"):
            queryset = queryset.filter(generator=data["device"])
        return queryset


ELUTION_COLUMNS = [
    Column("Generator", "generator.name"),
    Column("Eluted", "eluted_at"),
    Column("Eluted activity (MBq)", lambda e: mega(e.eluted_activity_Bq)),
    Column("Volume (mL)", "volume_mL"),
    Column("Available (MBq)", lambda e: mega(e.available_Bq)),
    Column("Yield (%)", "yield_percent"),
    Column("Breakthrough (kBq/MBq)", lambda e: (e.breakthrough or {}).get("ratio_kBq_per_MBq")),
    Column("Breakthrough limit (kBq/MBq)", lambda e: (e.breakthrough or {}).get("limit_kBq_per_MBq")),
    Column("Aluminium test", lambda e: {None: "not tested", True: "passed", False: "failed"}[e.aluminium_ok]),
    Column("Usable", "usable"),
    Column("Eluted by", "performed_by.username"),
]


@requires("radiopharmacy.view_elution", "viewing the hot lab")
def elution_list(request: HttpRequest) -> HttpResponse:
    elutions = (
        Elution.objects.select_related("generator", "performed_by")
        .annotate(
            usability=Case(
                When(usable=True, then=Value("usable")), default=Value("not_usable"), output_field=CharField()
            )
        )
        .order_by("-eluted_at", "-pk")
    )
    return list_page(
        request,
        ElutionFilter,
        elutions,
        template="radiopharmacy/lists/elutions.html",
        columns=ELUTION_COLUMNS,
        filename="elutions.csv",
    )
