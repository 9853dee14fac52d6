"""Personal dosimeter readings: the generic CSV format, per-row validation, and other services' columns mapped.

The format (docs/protection.md) is one header line and one reading a row::

    worker_id,name,dosimeter,period_start,period_end,hp10_mSv,hp007_mSv,hp3_mSv

``dosimeter`` is ``whole_body``, ``extremity`` or ``eye``; dates are ISO ``YYYY-MM-DD`` (the period includes
both days); doses are in mSv, and an empty dose cell means "not measured", never zero. Why each row is judged
on its own: the dosimetry service's file is the record the department files, and the radiation protection
officer must see every bad row at once, with its row number (the header is row 1), field and reason.

Re-importing changes nothing: a row identical to a reading already held (or to an earlier row of the file)
is a duplicate, not an error. A row for the same worker and dosimeter whose period overlaps a held reading
(or an earlier row) is bad; a changed value for the same period is a correction, which is a separate,
reasoned step of the records layer, not an import. Pure: no Django.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from nmguard.errors import InputError
from nmguard.input_bounds import check_date, check_text

HEADER = ("worker_id", "name", "dosimeter", "period_start", "period_end", "hp10_mSv", "hp007_mSv", "hp3_mSv")
DOSE_FIELDS = ("hp10_mSv", "hp007_mSv", "hp3_mSv")
DOSIMETERS = ("whole_body", "extremity", "eye")
MAX_ROWS = 50_000  # readings in one file: a large department's five years of monthly badges, rings and eye dosimeters
MAX_CELL = 200  # characters in one cell
MAX_DOSE_MSV = 1.0e6  # representation bound (1000 Sv): a larger number is a unit or typing error, not a dose
MAX_CHARS = MAX_ROWS * (len(HEADER) * (MAX_CELL + 3))  # every row full, quoted: about 81 million characters
_NUL_MARK = "\ue000"  # a NUL stands in as a private-use character while csv reads the row (csv refuses NUL)


@dataclass(frozen=True)
class DoseReading:
    """One dosimeter's reading for one wear period; valid on construction (an invalid reading cannot exist)."""

    worker_id: str
    # a label from the service's file, not part of the reading's identity: the same badge, period and doses
    # under a corrected or changed name is the same reading (a re-import stays a duplicate)
    name: str = field(compare=False)
    dosimeter: str
    period_start: dt.date
    period_end: dt.date
    hp10_mSv: float | None = None
    hp007_mSv: float | None = None
    hp3_mSv: float | None = None

    def __post_init__(self) -> None:
        check_text(self.worker_id, "worker_id", max_length=MAX_CELL, required=True)
        if self.worker_id != self.worker_id.strip():
            raise InputError("worker_id: leading or trailing spaces", "worker_id")
        check_text(self.name, "name", max_length=MAX_CELL)
        if self.dosimeter not in DOSIMETERS:
            raise InputError(f"dosimeter: {self.dosimeter[:40]!r} is not one of {', '.join(DOSIMETERS)}", "dosimeter")
        check_date(self.period_start, "period_start")
        check_date(self.period_end, "period_end")
        if self.period_end < self.period_start:
            raise InputError(
                f"period_end: {self.period_end.isoformat()} is before period_start {self.period_start.isoformat()}",
                "period_end",
            )
        for name in DOSE_FIELDS:
            value = getattr(self, name)
            if value is not None and (not math.isfinite(value) or not 0 <= value <= MAX_DOSE_MSV):
                what = "cannot be negative" if value < 0 else f"must be a finite dose up to {MAX_DOSE_MSV:g} mSv"
                raise InputError(f"{name}: {what} ({value:g})", name)

    @property
    def key(self) -> tuple[str, str]:
        """Whose dosimeter: readings with the same key must not overlap in time."""
        return (self.worker_id, self.dosimeter)

    @property
    def year(self) -> int:
        """The calendar year the reading counts in: the year in which its period ends."""
        return self.period_end.year

    @property
    def days(self) -> int:
        """Days in the wear period, both ends included."""
        return (self.period_end - self.period_start).days + 1

    def overlaps(self, other: DoseReading) -> bool:
        return self.key == other.key and self.period_start <= other.period_end and other.period_start <= self.period_end


@dataclass(frozen=True)
class BadRow:
    row: int  # the file's row: the header is row 1, the first reading row 2
    field: str
    message: str


@dataclass(frozen=True)
class ParsedReadings:
    """What a file holds: new good readings, duplicates of readings already held, and every bad row."""

    readings: tuple[DoseReading, ...]
    duplicates: tuple[DoseReading, ...]
    bad_rows: tuple[BadRow, ...]
    rows: int  # reading rows read (blank lines not counted)
    new_workers: tuple[str, ...] = field(default=())  # worker ids in good rows that ``known_workers`` lacks

    @property
    def ok(self) -> bool:
        return not self.bad_rows


def _decode(data: str | bytes) -> str:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"file: not UTF-8 text (byte {exc.start})", "file") from None
    return data.removeprefix("\ufeff")


def _records(text: str) -> Iterable[tuple[int, list[str]]]:
    """(row number, cells) of every record, blank ones included; row numbers count records, the header being row 1.

    Bounded: at most :data:`MAX_ROWS` reading rows; a record csv cannot read (a cell beyond csv's field limit)
    is a file error, not a traceback."""
    if len(text) > MAX_CHARS:
        raise InputError(f"file: larger than {MAX_CHARS // 1_000_000} million characters; split the file", "file")
    reader = csv.reader(io.StringIO(text.replace("\x00", _NUL_MARK), newline=""))
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"file: row {number + 1} cannot be read as CSV ({exc})", "file") from None
        number += 1
        if number > MAX_ROWS + 1:
            raise InputError(f"file: more than {MAX_ROWS} rows; split the file", "file")
        yield number, cells


def _rows(text: str) -> Iterable[tuple[int, list[str]]]:
    """The non-blank records of :func:`_records`."""
    return ((n, cells) for n, cells in _records(text) if any(c.strip() for c in cells))


def _dose(text: str, name: str) -> float | None:
    if not text.strip():
        return None  # not measured
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{name}: {text[:40]!r} is not a number (mSv; leave empty when not measured)", name) from None
    if not math.isfinite(value):
        raise InputError(f"{name}: {text[:40]!r} is not a finite number", name)
    return value


def _date(text: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{name}: {text[:40]!r} is not a date (YYYY-MM-DD)", name) from None


def reading_from_cells(cells: Mapping[str, str]) -> DoseReading:
    """One reading from its cells by field name (raises :class:`InputError` naming the first bad field)."""
    for name in HEADER:
        value = cells.get(name, "")
        if _NUL_MARK in value or "\x00" in value:
            raise InputError(f"{name}: contains a NUL character", name)
        if len(value) > MAX_CELL:
            raise InputError(f"{name}: at most {MAX_CELL} characters ({len(value)} given)", name)
    if not cells.get("worker_id", "").strip():
        raise InputError("worker_id: missing", "worker_id")
    return DoseReading(
        worker_id=cells["worker_id"].strip(),
        name=cells.get("name", "").strip(),
        dosimeter=cells.get("dosimeter", "").strip().lower(),
        period_start=_date(cells.get("period_start", ""), "period_start"),
        period_end=_date(cells.get("period_end", ""), "period_end"),
        **{name: _dose(cells.get(name, ""), name) for name in DOSE_FIELDS},
    )


class _Periods:
    """The wear periods held per worker and dosimeter, sorted by start: a duplicate or an overlap is found in
    O(log n), so a file of 50,000 rows for one badge is not a quadratic scan."""

    def __init__(self) -> None:
        self._sorted: dict[tuple[str, str], list[tuple[dt.date, dt.date, int | None, DoseReading]]] = {}
        self._exact: dict[tuple[str, str, dt.date, dt.date], tuple[int | None, DoseReading]] = {}

    def add(self, reading: DoseReading, row: int | None) -> None:
        item = (reading.period_start, reading.period_end, row, reading)
        bisect.insort(self._sorted.setdefault(reading.key, []), item, key=lambda t: t[0])
        self._exact.setdefault((*reading.key, reading.period_start, reading.period_end), (row, reading))

    def clash(self, reading: DoseReading) -> tuple[int | None, DoseReading] | None:
        """(row or None for a held reading, reading) of a held reading with the same period or an overlapping one."""
        same = self._exact.get((*reading.key, reading.period_start, reading.period_end))
        if same is not None:
            return same
        periods = self._sorted.get(reading.key, [])
        # the kept periods do not overlap one another, so only the last one starting by this end can overlap
        i = bisect.bisect_right(periods, reading.period_end, key=lambda t: t[0])
        if i and periods[i - 1][1] >= reading.period_start:
            return periods[i - 1][2], periods[i - 1][3]
        return None


def parse_readings(
    data: str | bytes,
    held: Iterable[DoseReading] = (),
    known_workers: Iterable[str] | None = None,
) -> ParsedReadings:
    """Read a file in the generic format, judging each row against the file so far and the ``held`` readings
    (the current ones: a superseded reading is not held).

    A header that is not the format is one bad row (row 1) and nothing else is read. ``known_workers`` (the
    register's ids) lets the result list the worker ids that the file would add."""
    rows = _rows(_decode(data))
    first = next(rows, None)
    if first is None:
        raise InputError("file: empty (expected the header " + ",".join(HEADER) + ")", "file")
    header = [c.strip().lstrip("\ufeff") for c in first[1]]
    if tuple(header) != HEADER:
        message = f"the header must be {','.join(HEADER)} (got {','.join(header)[:120]})"
        return ParsedReadings((), (), (BadRow(first[0], "header", message),), 0)
    periods = _Periods()
    for reading in held:
        periods.add(reading, None)
    good: list[DoseReading] = []
    duplicates: list[DoseReading] = []
    bad: list[BadRow] = []
    count = 0
    for number, cells in rows:
        count += 1
        if len(cells) != len(HEADER):
            bad.append(BadRow(number, "row", f"{len(cells)} cells, the format has {len(HEADER)}"))
            continue
        try:
            reading = reading_from_cells(dict(zip(HEADER, cells, strict=True)))
        except InputError as exc:
            bad.append(BadRow(number, exc.field or "row", exc.message))
            continue
        found = periods.clash(reading)
        if found is None:
            periods.add(reading, number)
            good.append(reading)
            continue
        row, other = found
        if other == reading:
            duplicates.append(reading)
            continue
        where = "a reading already held" if row is None else f"row {row}"
        same = (other.period_start, other.period_end) == (reading.period_start, reading.period_end)
        hint = "; a changed value is a correction with a reason, not an import" if same else ""
        bad.append(
            BadRow(
                number,
                "period_start",
                f"{reading.dosimeter} period {reading.period_start}..{reading.period_end} of worker "
                f"{reading.worker_id} overlaps {where} ({other.period_start}..{other.period_end}){hint}",
            )
        )
    new: tuple[str, ...] = ()
    if known_workers is not None:
        known = set(known_workers)
        new = tuple(dict.fromkeys(r.worker_id for r in good if r.worker_id not in known))
    return ParsedReadings(tuple(good), tuple(duplicates), tuple(bad), count, new)


def apply_column_mapping(data: str | bytes, mapping: Mapping[str, str]) -> str:
    """Another service's CSV rewritten in the generic format: ``mapping`` names, for each generic field, the
    column of the other file that holds it (a dose field left out means "not measured" in every row).

    Rows keep their numbers, so the bad rows of :func:`parse_readings` point at the other file's rows."""
    unknown = set(mapping) - set(HEADER)
    if unknown:
        raise InputError(
            f"mapping: unknown field {', '.join(sorted(unknown))} (fields: {', '.join(HEADER)})", "mapping"
        )
    required = [f for f in HEADER if f not in DOSE_FIELDS and f != "name"]
    if missing := [f for f in required if not str(mapping.get(f, "")).strip()]:
        raise InputError(f"mapping: no column given for {', '.join(missing)}", "mapping")
    if not any(str(mapping.get(f, "")).strip() for f in DOSE_FIELDS):
        raise InputError("mapping: no dose column given (hp10_mSv, hp007_mSv or hp3_mSv)", "mapping")
    records = _records(_decode(data))
    header = [c.strip() for c in next(records, (1, []))[1]]
    if not header:
        raise InputError("file: empty", "file")
    index: dict[str, int] = {}
    for name, column in mapping.items():
        column = str(column).strip()
        if not column:
            continue
        if column not in header:
            raise InputError(f"mapping: column {column[:60]!r} (for {name}) is not in the file's header", "mapping")
        index[name] = header.index(column)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for _, cells in records:  # blank records are written blank, so the row numbers stay the same
        writer.writerow([cells[index[f]] if f in index and index[f] < len(cells) else "" for f in HEADER])
    return out.getvalue().replace(_NUL_MARK, "\x00")
