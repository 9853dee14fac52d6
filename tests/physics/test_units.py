"""Activity and time parsing at the edges: every spelling a person types, and clear refusals."""

import datetime as dt

import pytest

from nmguard.errors import InputError
from nmguard.physics.units import format_activity, parse_activity, parse_instant


@pytest.mark.parametrize(
    ("text", "bq"),
    [
        ("740 MBq", 740e6),
        ("740MBq", 740e6),
        ("  1.5 GBq ", 1.5e9),
        ("370 kBq", 370e3),
        ("12 Bq", 12.0),
        ("1 Ci", 3.7e10),  # definition of the curie
        ("20 mCi", 740e6),  # 1 mCi = 37 MBq exactly
        ("20mCi", 740e6),
        ("500 µCi", 18.5e6),  # micro sign
        ("500 μCi", 18.5e6),  # Greek mu
        ("500 uCi", 18.5e6),
        ("500uCi", 18.5e6),
        ("2 nCi", 74.0),
        ("1e3 MBq", 1e9),
        ("0 MBq", 0.0),
        ("7,4 GBq", 7.4e9),  # decimal comma
        (".5 GBq", 0.5e9),
        ("3 gbq", 3e9),
        ("3 MCI", 111e6),  # curie spellings are unambiguous
    ],
)
def test_parse_activity(text, bq):
    assert parse_activity(text) == pytest.approx(bq, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("740", "no unit"),
        ("-5 MBq", "negative"),
        ("740 mBq", "write MBq"),
        ("740 MBqq", "unknown activity unit"),
        ("abc", "cannot read"),
        ("", "cannot read"),
        ("1e999 MBq", "finite"),
        ("12 Sv", "unknown activity unit"),
    ],
)
def test_parse_activity_refuses(text, fragment):
    with pytest.raises(InputError) as info:
        parse_activity(text)
    assert fragment in str(info.value)
    assert info.value.field == "activity"


def test_format_activity_chooses_prefix():
    assert format_activity(370.1e6) == "370.1 MBq"
    assert format_activity(7.4e9) == "7.4 GBq"
    assert format_activity(12e3) == "12 kBq"
    assert format_activity(740e6, "mCi") == "20 mCi"


def test_parse_instant_requires_offset():
    t = parse_instant("2026-03-02T08:00:00+01:00")
    assert t.utcoffset() == dt.timedelta(hours=1)
    assert parse_instant("2026-03-02T07:00:00Z") == t
    with pytest.raises(InputError, match="no UTC offset"):
        parse_instant("2026-03-02T08:00:00")
    with pytest.raises(InputError, match="cannot read"):
        parse_instant("yesterday")
    with pytest.raises(InputError, match="cannot read"):
        parse_instant("2026-02-30T08:00:00Z")
