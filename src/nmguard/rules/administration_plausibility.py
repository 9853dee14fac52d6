"""Time order and plausibility of administration entries, as pure decisions on plain values.

Why: the activity at injection is the syringe reading decayed *forward* from the measurement; an
injection time before the measurement decays it backwards (activity appears from nowhere), and a
reading from another day is not a reading of this syringe. A prescription far above its protocol, or
an override with a reason like "x", lets an error through the one check meant to catch it. The limits
(factor, minimum reason length) come from reference data; these functions only decide.
"""

from __future__ import annotations

import datetime as dt
import re

from nmguard.errors import InputError
from nmguard.rules.administration_checks import FAIL, PASS, CheckResult


def require_after_measurement(measured_at: dt.datetime, injection_at: dt.datetime, field: str) -> None:
    """Refuse an injection time before the syringe was measured (decay cannot run backwards)."""
    if injection_at < measured_at:
        raise InputError(
            "the injection time lies before the dose measurement "
            f"({injection_at:%Y-%m-%d %H:%M} before {measured_at:%Y-%m-%d %H:%M}); "
            "measure the syringe again or correct the time",
            field,
        )


def measurement_day_check(measured_day: dt.date, injection_day: dt.date, measured_label: str) -> CheckResult:
    """The dose must be measured on the day of the injection (days in the department's zone).

    A failure blocks until a physician overrides it (e.g. a long-lived capsule measured the evening
    before), with a reason and an e-signature.
    """
    detail = {"measured_day": measured_day.isoformat(), "injection_day": injection_day.isoformat()}
    if measured_day == injection_day:
        return CheckResult("measurement_day", PASS, f"dose measured {measured_label}, the day of the injection", detail)
    return CheckResult(
        "measurement_day",
        FAIL,
        f"dose measured on {measured_day.isoformat()}, injection planned on {injection_day.isoformat()}: "
        "measure the syringe on the day of the injection",
        detail,
    )


def reason_problem(reason: str, min_characters: int, min_words: int) -> str | None:
    """Why ``reason`` is not a reason of substance, or None when it is.

    Of substance: at least ``min_characters`` letters or digits in at least ``min_words`` words of two
    or more characters, and not one character repeated.
    """
    text = (reason or "").strip()
    if not text:
        return "give a reason"
    words = [w for w in re.findall(r"[^\W_]+", text) if len(w) >= 2]
    characters = sum(len(w) for w in re.findall(r"[^\W_]+", text))
    if characters < min_characters or len(words) < min_words or len(set(text.replace(" ", "").lower())) < 4:
        return (
            f"a reason of substance is needed (at least {min_words} words and {min_characters} letters or "
            "digits saying why, e.g. the clinical indication or the physician's decision)"
        )
    return None


def far_above_protocol(prescribed_MBq: float, protocol_MBq: float, factor: float) -> bool:
    """True when the prescription exceeds ``factor`` × the protocol's activity for this patient."""
    return prescribed_MBq > factor * protocol_MBq
