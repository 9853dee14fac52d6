"""linearity_from_csv: the file behind `nmguard qc linearity FILE.csv --nuclide N`."""

import datetime as dt

import pytest

from nmguard.errors import InputError
from nmguard.qc.activity_meter import linearity_from_csv

TC99M_H = 6.0072


def _rows(a0_gbq=35.2, n=6, step_h=12):
    t0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    return [
        ((t0 + dt.timedelta(hours=step_h * i)).isoformat(), a0_gbq * 2 ** (-step_h * i / TC99M_H)) for i in range(n)
    ]


def write(tmp_path, text, name="lin.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_units_in_text(tmp_path):
    rows = _rows()
    rows[1] = (rows[1][0], rows[1][1] * 0.95)  # 5 % low at the second point
    text = "time,activity\n" + "".join(f"{t},{a:.9g} GBq\n" for t, a in rows)
    r = linearity_from_csv(write(tmp_path, text), "99mTc")
    d = r.to_dict()
    assert set(d) >= {"max_abs_deviation_percent", "points", "within_tolerance"}
    assert len(d["points"]) == 6
    assert set(d["points"][0]) >= {"time", "measured_MBq", "expected_MBq", "deviation_percent"}
    assert d["points"][0]["measured_MBq"] == pytest.approx(35200.0)
    # ln(0.95)/6 shifts the fit: the low point shows 0.95^(5/6) − 1 = −4.18437 %
    assert d["points"][1]["deviation_percent"] == pytest.approx(-4.18437, abs=1e-4)
    assert d["max_abs_deviation_percent"] == pytest.approx(4.18437, abs=1e-4)
    assert d["within_tolerance"] is True
    assert d["inputs"]["file"] == "lin.csv" and d["inputs"]["nuclide"] == "Tc-99m"


def test_activity_mbq_header_variant(tmp_path):
    text = "time,activity_MBq\n" + "".join(f"{t},{a * 1000:.9g}\n" for t, a in _rows())
    r = linearity_from_csv(write(tmp_path, text), "Tc-99m")
    assert r.values["max_abs_deviation_percent"].value == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    ("body", "words", "field"),
    [
        ("time,activity\n2026-03-02T08:00:00+01:00,35 GBq\n2026-03-02T20:00:00,9 GBq\n", ["line 3", "'time'"], "time"),
        (
            "time,activity\n2026-03-02T08:00:00+01:00,35 GBq\n2026-03-02T20:00:00+01:00,9 mbq\n",
            ["line 3", "'activity'"],
            "activity",
        ),
        ("time,activity\n2026-03-02T08:00:00+01:00,35\n", ["line 2", "'activity'", "no unit"], "activity"),
        ("time,activity_MBq\n2026-03-02T08:00:00+01:00,abc\n", ["line 2", "'activity_MBq'"], "activity_MBq"),
        ("time,activity_MBq\n2026-03-02T08:00:00+01:00,-3\n", ["line 2", "positive"], "activity_MBq"),
        ("time,activity\n2026-03-02T08:00:00+01:00,\n", ["line 2", "'activity' is empty"], "activity"),
        ("time,activity\n2026-03-02T08:00:00+01:00\n", ["line 2", "'activity' is empty"], "activity"),
        ("when,activity\n2026-03-02T08:00:00+01:00,1 GBq\n", ["line 1", "'time'"], "file"),
        ("", ["empty"], "file"),
        (
            "time,activity\n2026-03-02T08:00:00+01:00,35 GBq\n2026-03-02T08:00:00+01:00,34 GBq\n",
            ["line 3", "same time as line 2"],
            "time",
        ),
        ("time,activity\n2026-03-02T08:00:00+01:00,35 GBq\n2026-03-02T20:00:00+01:00,9 GBq\n", ["at least 3"], "file"),
    ],
)
def test_bad_files_name_row_and_column(tmp_path, body, words, field):
    with pytest.raises(InputError) as e:
        linearity_from_csv(write(tmp_path, body), "Tc-99m")
    for w in words:
        assert w in e.value.message
    assert e.value.field == field


def test_missing_file_and_unknown_nuclide(tmp_path):
    with pytest.raises(InputError) as e:
        linearity_from_csv(tmp_path / "nope.csv", "Tc-99m")
    assert e.value.field == "file"
    text = "time,activity\n" + "".join(f"{t},{a:.9g} GBq\n" for t, a in _rows())
    with pytest.raises(InputError) as e:
        linearity_from_csv(write(tmp_path, text), "Tc-98x")
    assert e.value.field == "nuclide"
