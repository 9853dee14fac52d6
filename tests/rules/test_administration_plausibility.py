"""Pure decisions of issue 10 items 2-3: time order, measurement day, reasons of substance, far above."""

from __future__ import annotations

import datetime as dt

import pytest

from nmguard.errors import InputError
from nmguard.reference.administration_plausibility import administration_plausibility
from nmguard.rules import administration_checks as checks
from nmguard.rules import administration_plausibility as plausible

UTC = dt.UTC
LIMITS = administration_plausibility()
CHARS, WORDS = int(LIMITS.override_reason_min_characters.value), int(LIMITS.override_reason_min_words.value)


def test_limits_come_from_reference_data_with_source_and_status():
    for value in (
        LIMITS.far_above_protocol_factor,
        LIMITS.scheduled_past_margin_minutes,
        LIMITS.override_reason_min_characters,
        LIMITS.override_reason_min_words,
        LIMITS.earliest_birth_year,
    ):
        assert value.source.id and value.status.value in {"verified", "secondary", "unverified", "derived"}
    assert LIMITS.far_above_protocol_factor.value > 1


def test_injection_before_measurement_is_refused_at_or_after_is_not():
    measured = dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    with pytest.raises(InputError) as info:
        plausible.require_after_measurement(measured, measured - dt.timedelta(hours=2), "planned_at")
    assert info.value.field == "planned_at"
    plausible.require_after_measurement(measured, measured, "planned_at")
    plausible.require_after_measurement(measured, measured + dt.timedelta(hours=5), "planned_at")


def test_measurement_day():
    today = dt.date(2026, 3, 2)
    assert plausible.measurement_day_check(today, today, "10:00").outcome == checks.PASS
    failed = plausible.measurement_day_check(dt.date(2020, 3, 2), today, "x")
    assert failed.outcome == checks.FAIL and "2020-03-02" in failed.message and "2026-03-02" in failed.message


@pytest.mark.parametrize("reason", ["", "   ", "x", "ok", "asdf", "per physician", "aaaa bbbb cccc", "x" * 40])
def test_reasons_without_substance(reason):
    assert plausible.reason_problem(reason, CHARS, WORDS)


@pytest.mark.parametrize(
    "reason", ["obese patient, 140 kg, poor count statistics", "capsule measured last evening, decays 6 % overnight"]
)
def test_reasons_of_substance(reason):
    assert plausible.reason_problem(reason, CHARS, WORDS) is None


def test_far_above_protocol_uses_the_given_factor():
    assert plausible.far_above_protocol(5000, 600, 1.5)
    assert not plausible.far_above_protocol(900, 600, 1.5)
    assert plausible.far_above_protocol(901, 600, 1.5)


def test_no_default_answers_in_the_pure_checks():
    with pytest.raises(InputError) as info:
        checks.pregnancy_check(True, None, "female patient aged 30 y")
    assert info.value.field == "pregnancy"
    assert checks.pregnancy_check(False, None, "male patient").outcome == checks.NOT_APPLICABLE
    with pytest.raises(InputError) as info:
        checks.breastfeeding_check(True, None, "interrupt 4 h", False)
    assert info.value.field == "breastfeeding"
    with pytest.raises(InputError) as info:
        checks.allergy_check(None, "")
    assert info.value.field == "previous_reaction"


def test_activity_message_has_no_exponent():
    result = checks.activity_check(20e9, 20.1e9, 10, "test")
    assert "e+" not in result.message and "GBq" in result.message


def test_pregnancy_reason_prints_the_age_readably():
    from nmguard.rules.pregnancy import should_ask_pregnancy

    question = should_ask_pregnancy("nrc", "F", 36.597260273972604)
    assert "36.6 y" in question.reason and "36.597" not in question.reason
