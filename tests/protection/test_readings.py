"""The generic dosimeter CSV: every kind of bad row reported with its row and field, duplicates not errors
(a re-import changes nothing), bounded input, and another service's columns mapped onto the format."""

from __future__ import annotations

import datetime as dt

import pytest

from nmguard.errors import InputError
from nmguard.protection import readings as rd
from nmguard.protection.readings import DoseReading, apply_column_mapping, parse_readings

HEAD = "worker_id,name,dosimeter,period_start,period_end,hp10_mSv,hp007_mSv,hp3_mSv\n"


def csv(*rows: str) -> str:
    return HEAD + "".join(r + "\n" for r in rows)


GOOD = (
    "W1,Ann,whole_body,2026-01-01,2026-01-31,0.25,0.30,",
    "W1,Ann,extremity,2026-01-01,2026-01-31,,4.5,",
    "W2,Bob,eye,2026-01-01,2026-03-31,,,0.8",
)


def test_good_rows_are_typed_and_empty_cells_are_not_measured():
    result = parse_readings(csv(*GOOD))
    assert result.ok and result.rows == 3 and not result.duplicates
    first = result.readings[0]
    assert first == DoseReading("W1", "Ann", "whole_body", dt.date(2026, 1, 1), dt.date(2026, 1, 31), 0.25, 0.30, None)
    assert result.readings[1].hp10_mSv is None  # empty = not measured, not 0
    assert first.days == 31


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ("W1,Ann,whole_body,2026-01-01,2026-01-31,-0.1,,", "hp10_mSv", "negative"),
        ("W1,Ann,whole_body,2026-01-01,2026-01-31,abc,,", "hp10_mSv", "not a number"),
        ("W1,Ann,whole_body,2026-01-01,2026-01-31,,nan,", "hp007_mSv", "finite"),
        ("W1,Ann,whole_body,2026-01-01,2026-01-31,,,1e9", "hp3_mSv", "finite dose"),
        ("W1,Ann,whole_body,2026-02-01,2026-01-31,0.1,,", "period_end", "before period_start"),
        ("W1,Ann,wrist,2026-01-01,2026-01-31,0.1,,", "dosimeter", "not one of"),
        (",Ann,whole_body,2026-01-01,2026-01-31,0.1,,", "worker_id", "missing"),
        ("W1,Ann,whole_body,2026-02-30,2026-03-31,0.1,,", "period_start", "not a date"),
        ("W1,Ann,whole_body,31/01/2026,2026-03-31,0.1,,", "period_start", "not a date"),
        ("W1,Ann,whole_body,1066-01-01,2026-03-31,0.1,,", "period_start", "too far in the past"),
        ("W1,Ann,whole_body,2026-01-01,2026-01-31,0.1,", "row", "7 cells"),
        ("W1,Ann\x00,whole_body,2026-01-01,2026-01-31,0.1,,", "name", "NUL"),
        ("W1," + "x" * 201 + ",whole_body,2026-01-01,2026-01-31,0.1,,", "name", "at most 200"),
    ],
)
def test_each_bad_row_kind_names_row_and_field_and_keeps_the_good_rows(row, field, words):
    result = parse_readings(csv(GOOD[1], row, GOOD[2]))
    assert [(b.row, b.field) for b in result.bad_rows] == [(3, field)]
    assert words in result.bad_rows[0].message
    assert len(result.readings) == 2 and not result.ok


def test_every_bad_row_is_listed_not_only_the_first():
    result = parse_readings(csv("W1,,whole_body,2026-01-01,2026-01-31,-1,,", GOOD[0], "W3,,eye,x,2026-01-31,,,1"))
    assert [(b.row, b.field) for b in result.bad_rows] == [(2, "hp10_mSv"), (4, "period_start")]


def test_overlapping_period_within_the_file_and_against_held_readings():
    overlap = "W1,Ann,whole_body,2026-01-15,2026-02-14,0.2,,"
    result = parse_readings(csv(GOOD[0], overlap))
    assert [(b.row, b.field) for b in result.bad_rows] == [(3, "period_start")]
    assert "row 2" in result.bad_rows[0].message
    # same worker, other dosimeter, same period: no overlap; other worker: none either
    assert parse_readings(csv(GOOD[0], GOOD[1], "W2,Bob,whole_body,2026-01-01,2026-01-31,0.1,,")).ok
    held = parse_readings(csv(GOOD[0])).readings
    again = parse_readings(csv(overlap), held=held)
    assert again.bad_rows[0].row == 2 and "already held" in again.bad_rows[0].message
    # a period that only touches (ends the day before) is fine
    assert parse_readings(csv("W1,Ann,whole_body,2026-02-01,2026-02-28,0.1,,"), held=held).ok


def test_a_changed_value_for_a_held_period_is_a_correction_not_an_import():
    held = parse_readings(csv(GOOD[0])).readings
    changed = parse_readings(csv("W1,Ann,whole_body,2026-01-01,2026-01-31,0.35,0.30,"), held=held)
    assert changed.bad_rows and "correction" in changed.bad_rows[0].message


def test_reimporting_the_same_file_changes_nothing():
    first = parse_readings(csv(*GOOD))
    second = parse_readings(csv(*GOOD), held=first.readings)
    assert second.readings == () and second.bad_rows == () and second.duplicates == first.readings
    # a row repeated inside one file is one reading and one duplicate
    twice = parse_readings(csv(GOOD[0], GOOD[0]))
    assert len(twice.readings) == 1 and len(twice.duplicates) == 1 and twice.ok


def test_a_renamed_worker_reimported_is_a_duplicate_not_an_overlap():
    """The name is a label: the same badge, period and doses under another name (a register rename, a
    corrected spelling) is the same reading; a changed dose under it is still a correction."""
    held = parse_readings(csv(*GOOD)).readings
    renamed = parse_readings(csv(GOOD[0].replace(",Ann,", ",Ann Huber,")), held=held)
    assert renamed.ok and renamed.readings == () and len(renamed.duplicates) == 1
    changed = parse_readings(csv(GOOD[0].replace(",Ann,", ",Ann Huber,").replace("0.25", "0.26")), held=held)
    assert not changed.ok and changed.readings == ()


def test_a_header_that_is_not_the_format_is_one_bad_row_and_nothing_is_read():
    result = parse_readings("id,name,type,start,end,dose\nW1,Ann,whole_body,2026-01-01,2026-01-31,0.1\n")
    assert [(b.row, b.field) for b in result.bad_rows] == [(1, "header")] and result.readings == ()
    with pytest.raises(InputError):
        parse_readings("")


def test_bytes_with_a_bom_blank_lines_and_new_workers():
    data = ("\ufeff" + csv(GOOD[0], "", GOOD[2])).encode("utf-8")
    result = parse_readings(data, known_workers=["W1"])
    assert result.ok and result.rows == 2 and result.new_workers == ("W2",)
    with pytest.raises(InputError) as err:
        parse_readings(b"\xff\xfe" + HEAD.encode())
    assert err.value.field == "file"


def test_row_count_is_bounded(monkeypatch):
    monkeypatch.setattr(rd, "MAX_ROWS", 3)
    assert parse_readings(csv(*GOOD)).ok
    with pytest.raises(InputError, match="more than 3 rows"):
        parse_readings(csv(*GOOD, "W9,,eye,2026-01-01,2026-01-31,,,0.1"))


def test_a_reading_cannot_be_built_invalid():
    with pytest.raises(InputError):
        DoseReading("W1", "", "whole_body", dt.date(2026, 2, 1), dt.date(2026, 1, 1), 0.1)
    with pytest.raises(InputError):
        DoseReading(" W1", "", "whole_body", dt.date(2026, 1, 1), dt.date(2026, 1, 31), 0.1)


OTHER = (
    "Badge,Person,Type,From,To,Deep,Shallow,Eye lens\n"
    "W1,Ann,whole_body,2026-01-01,2026-01-31,0.25,0.30,\n"
    "W2,Bob,whole_body,2026-01-01,2026-01-31,-1,,\n"
)
MAPPING = {
    "worker_id": "Badge",
    "name": "Person",
    "dosimeter": "Type",
    "period_start": "From",
    "period_end": "To",
    "hp10_mSv": "Deep",
    "hp007_mSv": "Shallow",
    "hp3_mSv": "Eye lens",
}


def test_column_mapping_rewrites_another_services_file_and_keeps_row_numbers():
    result = parse_readings(apply_column_mapping(OTHER, MAPPING))
    assert result.readings[0] == parse_readings(csv(GOOD[0])).readings[0]
    assert [(b.row, b.field) for b in result.bad_rows] == [(3, "hp10_mSv")]
    only_deep = {k: v for k, v in MAPPING.items() if k not in ("hp007_mSv", "hp3_mSv", "name")}
    r = parse_readings(apply_column_mapping(OTHER, only_deep)).readings[0]
    assert (r.hp10_mSv, r.hp007_mSv, r.name) == (0.25, None, "")


@pytest.mark.parametrize(
    ("mapping", "words"),
    [
        ({**MAPPING, "dose": "Deep"}, "unknown field"),
        ({k: v for k, v in MAPPING.items() if k != "period_end"}, "period_end"),
        ({**MAPPING, "hp10_mSv": "Whole body"}, "not in the file's header"),
        ({k: v for k, v in MAPPING.items() if not k.startswith("hp")}, "no dose column"),
    ],
)
def test_a_bad_mapping_is_an_input_error_naming_the_mapping(mapping, words):
    with pytest.raises(InputError, match=words) as err:
        apply_column_mapping(OTHER, mapping)
    assert err.value.field == "mapping"


def test_overlaps_are_found_in_a_file_out_of_date_order():
    rows = (
        "W1,,whole_body,2026-03-01,2026-03-31,0.1,,",
        "W1,,whole_body,2026-01-01,2026-01-31,0.1,,",
        "W1,,whole_body,2026-02-15,2026-03-10,0.1,,",  # overlaps row 2 (March)
        "W1,,whole_body,2026-01-20,2026-02-10,0.1,,",  # overlaps row 3 (January)
        "W1,,whole_body,2026-02-01,2026-02-28,0.1,,",  # fits between January and March
        "W1,,whole_body,2025-12-01,2026-04-30,0.1,,",  # spans all the kept periods
    )
    result = parse_readings(csv(*rows))
    assert [(b.row, b.message.split("overlaps ")[1][:6]) for b in result.bad_rows] == [
        (4, "row 2 "),
        (5, "row 3 "),
        (7, "row 2 "),  # the latest-starting period it overlaps (March)
    ]
    assert [r.period_start.month for r in result.readings] == [3, 1, 2]


@pytest.mark.parametrize(
    "text",
    [
        HEAD + "W1," + "x" * 200_000 + ",whole_body,2026-01-01,2026-01-31,1,,\n",  # beyond csv's field limit
    ],
)
def test_a_file_csv_cannot_read_is_an_input_error_not_a_traceback(text):
    with pytest.raises(InputError) as err:
        parse_readings(text)
    assert err.value.field == "file" and "row 2" in err.value.message
