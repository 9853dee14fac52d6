"""The safety checks before an administration, as pure decisions on plain values.

Each returns a :class:`CheckResult`; the records service stores it with who answered. A failed
check blocks the administration until a physician overrides it with a reason and an e-signature.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from nmguard.errors import InputError
from nmguard.physics.display import format_sig
from nmguard.physics.units import format_activity

PASS, FAIL, NOT_APPLICABLE = "pass", "fail", "n/a"


@dataclass(frozen=True)
class CheckResult:
    kind: str
    outcome: str
    message: str
    detail: dict[str, Any] = field(default_factory=dict)


def _norm(text: str) -> str:
    return "".join(str(text).split()).upper()


def identity_check(
    expected_id: str, expected_birth_date: dt.date, given_id: str, given_birth_date: dt.date | None
) -> CheckResult:
    """Two identifiers, asked of the patient and read from the wristband, must both match."""
    id_ok = _norm(given_id) == _norm(expected_id)
    dob_ok = given_birth_date == expected_birth_date
    if id_ok and dob_ok:
        return CheckResult("identity", PASS, "patient ID and birth date match")
    wrong = [name for name, ok in (("patient ID", id_ok), ("birth date", dob_ok)) if not ok]
    return CheckResult("identity", FAIL, f"{' and '.join(wrong)} do not match the prescription", {"mismatch": wrong})


def pregnancy_check(required: bool, answer: str | None, basis: str) -> CheckResult:
    """``answer``: not_pregnant | pregnant | unknown. Pregnant or unknown blocks (physician decides).

    There is no default: where the question applies, a missing answer is refused (the patient's
    statement is recorded only when someone asked and entered it).
    """
    if not required:
        return CheckResult("pregnancy", NOT_APPLICABLE, f"not asked: {basis}", {"answer": answer})
    if not answer:
        raise InputError(f"ask the patient and record the answer ({basis})", "pregnancy")
    if answer == "not_pregnant":
        return CheckResult("pregnancy", PASS, "patient states she is not pregnant", {"answer": answer, "basis": basis})
    if answer in ("pregnant", "unknown"):
        return CheckResult(
            "pregnancy",
            FAIL,
            f"pregnancy status {answer}: a physician must justify or postpone",
            {"answer": answer, "basis": basis},
        )
    raise ValueError(f"unknown pregnancy answer {answer!r}")


def breastfeeding_check(
    applicable: bool, breastfeeding: bool | None, advice: str | None, advice_given: bool
) -> CheckResult:
    """Breast-feeding does not forbid the examination, but the interruption advice must be given.

    Where the question applies (the profile's pregnancy age range), ``None`` (not asked) is refused.
    """
    if not applicable:
        return CheckResult("breastfeeding", NOT_APPLICABLE, "not applicable", {"breastfeeding": breastfeeding})
    if breastfeeding is None:
        raise InputError("ask whether the patient is breast-feeding and record the answer", "breastfeeding")
    if not breastfeeding:
        return CheckResult("breastfeeding", PASS, "not breast-feeding", {"breastfeeding": False})
    detail = {"breastfeeding": True, "advice": advice, "advice_given": advice_given}
    if not advice_given:
        return CheckResult("breastfeeding", FAIL, f"give and record the advice: {advice}", detail)
    return CheckResult("breastfeeding", PASS, f"advice given: {advice}", detail)


def allergy_check(previous_reaction: bool | None, note: str) -> CheckResult:
    """A reported previous reaction blocks (a physician decides); ``None`` (not asked) is refused."""
    if previous_reaction is None:
        raise InputError("ask about allergies or previous reactions and record the answer", "previous_reaction")
    if previous_reaction:
        return CheckResult("allergy", FAIL, f"previous reaction reported: {note or 'no details'}", {"note": note})
    return CheckResult("allergy", PASS, "no allergy or previous reaction reported", {"note": note})


def radiopharmaceutical_check(prescribed_id: str, prescribed_name: str, given_id: str, given_name: str) -> CheckResult:
    if prescribed_id == given_id:
        return CheckResult("radiopharmaceutical", PASS, f"{given_name} as prescribed")
    return CheckResult(
        "radiopharmaceutical",
        FAIL,
        f"{given_name} drawn up, {prescribed_name} prescribed",
        {"prescribed": prescribed_id, "given": given_id},
    )


def activity_check(prescribed_Bq: float, net_Bq: float, tolerance_percent: float, basis: str) -> CheckResult:
    """Net activity at the planned injection time within ±tolerance of the prescription."""
    deviation = 100.0 * (net_Bq - prescribed_Bq) / prescribed_Bq
    detail = {
        "prescribed_MBq": prescribed_Bq / 1e6,
        "net_MBq": net_Bq / 1e6,
        "deviation_percent": deviation,
        "tolerance_percent": tolerance_percent,
        "basis": basis,
    }
    net, tol = format_activity(net_Bq), format_sig(tolerance_percent)
    if abs(deviation) <= tolerance_percent:
        return CheckResult("activity", PASS, f"{net}, {deviation:+.1f} % (±{tol} %)", detail)
    return CheckResult("activity", FAIL, f"{net} is {deviation:+.1f} % from the prescription (±{tol} %)", detail)


def meter_qc_check(refusal: str | None, meter_name: str) -> CheckResult:
    if refusal is None:
        return CheckResult("meter_qc", PASS, f"{meter_name}: in clinical use, QC in date")
    return CheckResult("meter_qc", FAIL, refusal)
