"""EARL bands (earl_standards.csv): sources resolve, statuses valid, values as in REFERENCE_DATA.md §5.5."""

import csv
import io
import tomllib
from importlib import resources

import pytest

from nmguard.errors import InputError
from nmguard.reference import Status
from nmguard.reference.earl import earl_rc_bands, earl_standard_name, suv_calibration_band

DATA = resources.files("nmguard.reference.data")


def test_rows_have_resolvable_sources_and_valid_statuses():
    ids = set(tomllib.loads(DATA.joinpath("sources.toml").read_text(encoding="utf-8")))
    rows = list(csv.DictReader(io.StringIO(DATA.joinpath("earl_standards.csv").read_text(encoding="utf-8"))))
    assert len(rows) == 12 + 18 + 2
    for i, row in enumerate(rows, start=2):
        assert row["source"] in ids, i
        assert row["status"] in {s.value for s in Status}, i
        assert float(row["lower"]) <= float(row["upper"]), i


def test_earl1_verified_values():
    bands = {(b.metric, b.sphere_diameter_mm): b for b in earl_rc_bands("earl1")}
    assert len(bands) == 12
    assert all(b.status is Status.VERIFIED for b in bands.values())
    assert (bands["rc_max", 37].lower.value, bands["rc_max", 37].upper.value) == (0.95, 1.16)
    assert (bands["rc_mean", 10].lower.value, bands["rc_mean", 10].upper.value) == (0.27, 0.43)
    assert (bands["rc_max", 13].lower.value, bands["rc_max", 13].upper.value) == (0.59, 0.85)
    assert bands["rc_mean", 22].sphere_volume_mL == 5.57
    for metric in ("rc_max", "rc_mean"):  # limits rise with sphere size
        lows = [bands[metric, d].lower.value for d in (10, 13, 17, 22, 28, 37)]
        assert lows == sorted(lows)


def test_earl2_and_calibration_are_unverified():
    bands = earl_rc_bands("EARL2")
    assert len(bands) == 18
    assert all(b.status is Status.UNVERIFIED for b in bands)
    peak = {b.sphere_diameter_mm: b for b in bands if b.metric == "rc_peak"}
    assert (peak[37].lower.value, peak[37].upper.value) == (0.99, 1.07)
    band = suv_calibration_band("earl1")
    assert (band.lower.value, band.upper.value) == (-10.0, 10.0)
    assert band.status is Status.UNVERIFIED
    assert earl_standard_name("earl-1") == "EARL 18F standards 1"
    with pytest.raises(InputError):
        earl_rc_bands("earl3")
