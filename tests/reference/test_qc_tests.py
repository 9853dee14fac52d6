"""QC test catalogue integrity: sources resolve, statuses valid, kinds are the Django Equipment.Kind values."""

import tomllib
from importlib import resources

import pytest

from nmguard.errors import InputError
from nmguard.reference import qc_tests as qc
from nmguard.reference._files import ReferenceDataError
from nmguard.reference.citations import citations

RAW = tomllib.loads(resources.files("nmguard.reference.data").joinpath("qc_tests.toml").read_text("utf-8"))
# the values of nmguard.apps.equipment.models.Equipment.Kind (kept literal: this test runs without Django)
DJANGO_KINDS = {
    "activity_meter",
    "gamma_camera",
    "spect_ct",
    "pet_ct",
    "uptake_probe",
    "well_counter",
    "survey_meter",
    "contamination_monitor",
}
STATUSES = {"verified", "derived", "secondary", "unverified"}
FREQS = {"daily", "weekly", "monthly", "quarterly", "annual", "after_repair", "acceptance"}


def _sourced_entries():
    for t in RAW["test"]:
        for f in t["frequencies"]:
            yield t["id"], "frequency", f
        for role in ("tolerance", "action"):
            if role in t:
                yield t["id"], role, t[role]


def test_kinds_match_the_django_choices():
    assert set(qc.EQUIPMENT_KINDS) == DJANGO_KINDS
    for t in RAW["test"]:
        assert t["kinds"] and set(t["kinds"]) <= DJANGO_KINDS, t["id"]


def test_every_frequency_and_band_has_a_resolving_source_and_valid_status():
    ids = set(citations())
    n = 0
    for tid, role, entry in _sourced_entries():
        assert entry["source"] in ids, (tid, role, entry["source"])
        assert entry["status"] in STATUSES, (tid, role)
        if entry["source"].startswith("intended-"):  # nothing read: it cannot be more than unverified
            assert entry["status"] == "unverified", (tid, role)
        if role == "frequency":
            assert entry["value"] in FREQS, tid
        n += 1
    assert n >= 30


def test_catalogue_loads_and_holds_the_required_tests():
    tests = {t.id: t for t in qc.qc_tests()}
    assert len(tests) == len(RAW["test"])
    for tid in (
        "am-constancy",
        "am-accuracy",
        "am-linearity",
        "am-geometry",
        "gc-uniformity-daily",
        "gc-cor",
        "gc-resolution",
        "gc-sensitivity",
        "spect-tomographic-uniformity",
        "pet-daily-qc",
        "pet-suv-calibration",
        "pet-image-quality",
        "counter-chi-square",
        "survey-meter-calibration",
    ):
        assert tid in tests, tid
    for t in tests.values():
        assert t.instructions and t.quantity and t.name, t.id
        assert t.basis in qc.BASES
        if t.tolerance and t.action:
            for side in ("low", "high"):
                tol, act = getattr(t.tolerance, side), getattr(t.action, side)
                if act is not None:
                    assert tol is not None and (tol >= act if side == "low" else tol <= act), t.id
    am = tests["am-constancy"]
    assert (am.tolerance.low, am.tolerance.high, am.action.low, am.action.high) == (-5, 5, -10, 10)
    assert am.routine_frequency == "daily" and am.band_unit == "%"
    assert tests["am-linearity"].routine_frequency == "quarterly"
    assert tests["am-geometry"].routine_frequency == "acceptance"
    assert tests["pet-suv-calibration"].frequencies[0].value == "quarterly"
    assert tests["pet-image-quality"].frequencies[0].value == "annual"
    assert tests["counter-chi-square"].tolerance.low == 0.05 and tests["counter-chi-square"].tolerance.high == 0.95
    assert {f.value for f in tests["survey-meter-calibration"].frequencies} == {"acceptance", "annual", "after_repair"}
    assert tests["survey-meter-calibration"].action.status.value == "verified"


def test_for_kind_and_unknown():
    am = {t.id for t in qc.qc_tests_for_kind("activity_meter")}
    assert am == {"am-constancy", "am-accuracy", "am-linearity", "am-geometry"}
    assert "counter-chi-square" in {t.id for t in qc.qc_tests_for_kind("well_counter")}
    with pytest.raises(InputError):
        qc.qc_tests_for_kind("toaster")
    with pytest.raises(InputError):
        qc.get_qc_test("nope")


GOOD = """
[[test]]
id = "x"
name = "X"
kinds = ["activity_meter"]
quantity = "q"
unit = "MBq"
basis = "percent"
instructions = "do it"
frequencies = [{ value = "daily", source = "cfr-10-35-61", status = "verified" }]
tolerance = { low = -5.0, high = 5.0, source = "cfr-10-35-61", status = "verified" }
action = { low = -10.0, high = 10.0, source = "cfr-10-35-61", status = "verified" }
"""


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (None, None, None),
        ('kinds = ["activity_meter"]', 'kinds = ["toaster"]', "kinds"),
        ('value = "daily"', 'value = "fortnightly"', "frequency"),
        ('basis = "percent"', 'basis = "ratio"', "basis"),
        ("low = -10.0, high = 10.0", "low = -4.0, high = 4.0", "contain the tolerance"),
        ('status = "verified" }]', 'status = "sure" }]', "status"),
        (
            'source = "cfr-10-35-61", status = "verified" }\naction',
            'source = "nowhere", status = "verified" }\naction',
            "nowhere",
        ),
        ("low = -5.0, high = 5.0", "low = 5.0, high = -5.0", "above high"),
    ],
)
def test_loader_refuses_bad_data(monkeypatch, old, new, message):
    text = GOOD if old is None else GOOD.replace(old, new, 1)
    assert old is None or text != GOOD
    monkeypatch.setattr(qc, "read_toml", lambda name: tomllib.loads(text))
    qc._catalogue.cache_clear()
    try:
        if message is None:
            assert qc.get_qc_test("x").tolerance.describe() == "±5 %"
        else:
            with pytest.raises(ReferenceDataError, match=message):
                qc.qc_tests()
    finally:
        qc._catalogue.cache_clear()
