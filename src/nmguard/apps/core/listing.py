"""The one machinery behind every list page: filter form, pagination, CSV download.

Why one module: every list page (patients, prescriptions, batches, QC results, ...) accepts the same
query (``q``, ``from``, ``to``, ``status``, ``page``, ``format=csv``), shows a bad value next to its
field instead of a 500, paginates, and downloads exactly the filtered rows as CSV. Written once here.

Usage::

    class BatchFilter(ListFilter):
        search_fields = ("lot_number", "product__name")
        date_field = "prepared_at"                      # "from"/"to" days, Europe/Vienna, inclusive
        status_choices = Batch.Status.choices

    COLUMNS = [Column("Lot", "lot_number"), Column("Product", "product.name"), Column("Prepared", "prepared_at")]

    @requires("radiopharmacy.view_batch")
    def batch_list(request):
        qs = Batch.objects.select_related("product").order_by("-prepared_at")
        return list_page(request, BatchFilter, qs, template="hotlab/lists/batches.html",
                         columns=COLUMNS, filename="batches.csv")

The template includes ``core/_list_controls.html`` and loops over ``rows`` (the current page).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property

from nmguard.input_bounds import EARLIEST_DATE, LATEST_DATE, id_in_range

PER_PAGE = 50
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP "CSV injection": what a spreadsheet evaluates
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
_SEARCH_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")  # ISO, and the way dates are written in Vienna


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        required=False,
        label=label,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD, e.g. 2026-03-31."},
        validators=[  # beyond these a day's bounds in UTC overflow (a 500 before this check)
            MinValueValidator(EARLIEST_DATE, f"Enter a date from {EARLIEST_DATE.isoformat()} on."),
            MaxValueValidator(LATEST_DATE, f"Enter a date up to {LATEST_DATE.isoformat()}."),
        ],
    )


def search_date(term: str) -> dt.date | None:
    """The date a search term names (2026-03-31 or 31.03.2026), else None."""
    for fmt in _SEARCH_DATE_FORMATS:
        try:
            return dt.datetime.strptime(term, fmt).date()
        except ValueError:
            continue
    return None


def _model_field(model: type[models.Model], path: str) -> models.Field | None:
    """The model field at the end of a ``a__b__c`` path (None when the path is not a field)."""
    field = None
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if field.is_relation and field.related_model is not None:
            model = field.related_model
    return field


class RecordFilterField(forms.ModelChoiceField):
    """A filter on one record (device, product), chosen from a list or named in the URL by its pk or
    its code (``?product=f18-fdg``); an unknown one is an error by the field."""

    def __init__(self, queryset: QuerySet, *, code_field: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("empty_label", "any")
        super().__init__(queryset, **kwargs)
        self.code_field = code_field
        self.error_messages["invalid_choice"] = "No such record: choose one from the list."

    def to_python(self, value: Any) -> models.Model | None:
        if value in self.empty_values:
            return None
        text = str(value)
        if "\x00" in text or (text.isdigit() and not id_in_range(text)):
            # PostgreSQL refuses NUL in text and ids beyond its integer: no such record, not a server error
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        if self.code_field and not text.isdigit():
            found = self.queryset.filter(**{self.code_field: text}).first()
            if found is None:
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            return found
        return super().to_python(value)


class ListFilter(forms.Form):
    """The shared query of a list page. Subclasses name what ``q``, ``from``/``to`` and ``status`` filter.

    ``search_fields``: text fields matched case-insensitively; every word of ``q`` must match one of
    them. ``search_date_fields``: date fields matched when a word of ``q`` is a date (a birth date).
    ``date_field``: the date or instant that ``from``/``to`` bound, both days included, days in the
    department's zone. ``status_choices``: the model's own status values (empty: no status filter).
    """

    search_fields: ClassVar[Sequence[str]] = ()
    search_date_fields: ClassVar[Sequence[str]] = ()
    date_field: ClassVar[str] = ""
    status_field: ClassVar[str] = "status"
    status_choices: ClassVar[Sequence[tuple[str, str]]] = ()
    search_label: ClassVar[str] = "Search"

    q = forms.CharField(required=False, max_length=200, strip=True)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    format = forms.ChoiceField(required=False, choices=[("", "page"), ("csv", "CSV")], widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = {"q": self.fields.pop("q")}
        fields["q"].label = self.search_label
        if not self.search_fields and not self.search_date_fields:
            del fields["q"]
        if self.date_field:  # "from" is a Python keyword: the fields are added here, not declared
            fields["from"] = _date_field("From")
            fields["to"] = _date_field("To")
        if self.status_choices:
            fields["status"] = forms.ChoiceField(
                required=False, choices=[("", "any"), *self.status_choices], label="Status"
            )
        fields.update(self.fields)  # a subclass's own filters, then page and format
        self.fields = fields

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            self.add_error("to", "The end date is before the start date.")
        return data

    @property
    def page_number(self) -> int:
        return (self.cleaned_data.get("page") if self.is_valid() else None) or 1

    @property
    def wants_csv(self) -> bool:
        return self.is_valid() and self.cleaned_data.get("format") == "csv"

    def filter(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` narrowed by the valid form (call only after ``is_valid()``)."""
        data = self.cleaned_data
        if data.get("q"):
            queryset = queryset.filter(self.search_q(data["q"]))
        if self.date_field:
            queryset = queryset.filter(date_range_q(queryset.model, self.date_field, data.get("from"), data.get("to")))
        if data.get("status"):
            queryset = queryset.filter(**{self.status_field: data["status"]})
        return self.filter_extra(queryset, data)

    def filter_extra(self, queryset: QuerySet, data: dict[str, Any]) -> QuerySet:
        """Hook for a page's own filters (device, product, ...)."""
        return queryset

    def search_q(self, text: str) -> Q:
        """Every word matches one of the search fields (a date word also the search date fields)."""
        query = Q()
        for term in text.split():
            word = Q()
            for name in self.search_fields:
                word |= Q(**{f"{name}__icontains": term})
            day = search_date(term)
            if day is not None:
                for name in self.search_date_fields:
                    word |= Q(**{name: day})
            query &= word
        return query


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the department's zone, as an aware instant."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def date_range_q(model: type[models.Model], path: str, start: dt.date | None, end: dt.date | None) -> Q:
    """Rows whose ``path`` falls on ``start`` .. ``end`` (both days included, department's zone)."""
    is_instant = isinstance(_model_field(model, path), models.DateTimeField)
    query = Q()
    if start:
        query &= Q(**{f"{path}__gte": day_start(start) if is_instant else start})
    if end:
        query &= (
            Q(**{f"{path}__lt": day_start(end + dt.timedelta(days=1))}) if is_instant else Q(**{f"{path}__lte": end})
        )
    return query


# A list counts at most this many matching rows. An exact COUNT(*) over a million-row table (the audit
# trail holds eleven events per administration) was most of a page's time; nobody pages past 200 pages.
COUNT_UP_TO = 10_000


def count_up_to(rows: QuerySet, cap: int) -> int:
    """How many rows ``rows`` has, reading at most ``cap + 1`` of them: a result above ``cap`` means "more".
    Unordered: which rows make up the first cap + 1 does not change the answer, and a sort would read them all."""
    return rows.order_by()[: cap + 1].count()


class BoundedPaginator(Paginator):
    """A paginator whose count stops at :data:`COUNT_UP_TO`: beyond it ``capped`` is true, the pages end at
    the cap, and the page says "more than" and to narrow the filter. The CSV still holds every row."""

    @cached_property
    def _counted(self) -> int:
        rows = self.object_list
        return count_up_to(rows, COUNT_UP_TO) if isinstance(rows, QuerySet) else len(rows)

    @cached_property
    def count(self) -> int:
        return min(self._counted, COUNT_UP_TO)

    @property
    def capped(self) -> bool:
        return self._counted > COUNT_UP_TO


def paginate(queryset: QuerySet | Sequence, page: int, per_page: int = PER_PAGE) -> Page:
    """Page ``page`` (1-based) of at most :data:`COUNT_UP_TO` rows; a number past the end gives the last page."""
    return BoundedPaginator(queryset, per_page).get_page(page)


@dataclass(frozen=True)
class Column:
    """One CSV column: its header and how to read the value (a dotted attribute path or a function)."""

    header: str
    value: str | Callable[[Any], Any]

    def read(self, row: Any) -> Any:
        if callable(self.value):
            return self.value(row)
        obj = row
        for part in self.value.split("."):
            if obj is None:
                return None
            obj = getattr(obj, part)
            if callable(obj) and not isinstance(obj, models.Model):
                obj = obj()  # get_status_display and the like
        return obj


def csv_cell(value: Any) -> str | float | int:
    """A value as a safe CSV cell: instants in the department's zone, text that a spreadsheet would
    run as a formula prefixed with a quote. Numbers stay numbers (a number is never a formula)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(rows: Iterable[Any], columns: Sequence[Column]) -> Iterator[str]:
    """The CSV lines (header first) of ``rows``; a queryset is read in chunks, not all at once."""
    writer = csv.writer(_Echo())
    yield writer.writerow([c.header for c in columns])
    if isinstance(rows, QuerySet):
        rows = rows.iterator(chunk_size=2000)
    for row in rows:
        yield writer.writerow([csv_cell(c.read(row)) for c in columns])


def csv_response(rows: Iterable[Any], columns: Sequence[Column], filename: str) -> StreamingHttpResponse:
    """A streamed CSV download of every row (UTF-8 with a byte-order mark, so Excel reads umlauts)."""
    response = StreamingHttpResponse(
        (line for chunk in (["\ufeff"], csv_rows(rows, columns)) for line in chunk),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def list_page(
    request: HttpRequest,
    form_class: type[ListFilter],
    queryset: QuerySet,
    *,
    template: str,
    columns: Sequence[Column],
    filename: str,
    context: dict[str, Any] | None = None,
    per_page: int = PER_PAGE,
    rows: Callable[[Sequence[Any]], Sequence[Any]] | None = None,
) -> HttpResponse:
    """A list page: the filter form (errors by the field, no rows then), one page of rows, or the CSV.

    ``rows`` turns the page's records into what the template shows (e.g. with computed deadlines);
    by default the template gets the records themselves."""
    form = form_class(request.GET)
    found = form.filter(queryset) if form.is_valid() else queryset.none()
    if form.wants_csv:
        return csv_response(found, columns, filename)
    page = paginate(found, form.page_number, per_page)
    shown = rows(page.object_list) if rows else page.object_list
    return render(request, template, {"form": form, "page": page, "rows": shown, **(context or {})})
