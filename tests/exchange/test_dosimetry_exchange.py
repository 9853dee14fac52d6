"""Dosimetry results exchange: reading another system's results and comparing per VOI."""

from __future__ import annotations

import json
import math

import jsonschema
import pytest

from nmguard.errors import InputError
from nmguard.exchange.dosimetry_results import SCHEMA_ID, compare_results, read_results, schema


def _doc(vois):
    return {
        "schema": SCHEMA_ID,
        "software": {"name": "A", "versions": {}},
        "method": {"dose_method": "dvk"},
        "vois": vois,
    }


def test_compare_flags_a_difference_larger_than_twice_the_combined_uncertainty(tmp_path):
    a = tmp_path / "a.json"
    a.write_text(
        json.dumps(
            _doc(
                [
                    {"name": "Left kidney", "absorbed_dose": {"mean_Gy": 4.0, "uncertainty_percent": 5.0}},
                    {"name": "Liver", "absorbed_dose": {"mean_Gy": 2.0, "uncertainty_percent": 10.0}},
                    {"name": "Spleen", "absorbed_dose": {"mean_Gy": 3.0, "uncertainty_percent": None}},
                    {"name": "Lesion 1", "absorbed_dose": {"mean_Gy": 30.0}},
                ]
            )
        )
    )
    b = tmp_path / "b.csv"
    b.write_text("voi,mean_Gy,uncertainty_percent\nleft_kidney,5.0,5\nLIVER,2.2,10\nspleen,3.1,5\nmarrow,0.1,20\n")
    result = compare_results(read_results(a), read_results(b))
    rows = {r["voi"]: r for r in result["vois"]}
    kidney = rows["Left kidney"]
    u_c = math.hypot(0.05 * 4.0, 0.05 * 5.0)  # 0.3202 Gy by hand
    assert kidney["combined_uncertainty_Gy"] == pytest.approx(u_c)
    assert kidney["z"] == pytest.approx(1.0 / u_c)  # 3.12 > 2
    assert kidney["status"] == "significant"
    assert kidney["difference_percent"] == pytest.approx(25.0)
    liver = rows["Liver"]
    assert liver["z"] == pytest.approx(0.2 / math.hypot(0.2, 0.22))  # 0.67
    assert liver["status"] == "not significant"
    assert rows["Spleen"]["status"].startswith("not assessable")
    assert rows["Lesion 1"]["status"] == "only in A"
    assert rows["marrow"]["status"] == "only in b.csv"


@pytest.mark.parametrize(
    ("name", "text", "field"),
    [
        ("x.json", "{not json", "file"),
        ("x.json", json.dumps({"schema": "other"}), "schema"),
        ("x.json", json.dumps(_doc([])), "vois"),
        (
            "x.json",
            json.dumps(_doc([{"name": "Liver", "absorbed_dose": {"mean_Gy": -1}}])),
            "vois[0].absorbed_dose.mean_Gy",
        ),
        ("x.csv", "organ,dose\nliver,2\n", "file"),
        ("x.csv", "voi,mean_Gy\nliver,abc\n", "line 2 mean_Gy"),
    ],
)
def test_bad_results_files_are_refused_with_the_place(tmp_path, name, text, field):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputError) as err:
        read_results(path)
    assert err.value.field == field


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_results(tmp_path / "none.json")


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(schema())
