"""The written instructions for a released patient: each restriction with its days and the date it ends.

Why here and not in a template: the page, the PDF and the API must give the same dates. A restriction of
``days`` days counts from the release moment in the department's time zone: released at 23:50 on 6 May with
3 days, it applies until 9 May (the release's local date plus the days), whatever the UTC date was. The
durations themselves are :mod:`nmguard.protection.release_restrictions` (stored in the decision's result, so
the instructions repeat what was decided).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

WHY = {
    "carer": "dose to a carer within {constraint:g} mSv",
    "public": "dose to a member of the public within {constraint:g} mSv",
}


@dataclass(frozen=True)
class InstructionLine:
    """One restriction as the patient reads it."""

    contact: str
    label: str
    days: int | None  # None: not within ten years (the inputs must be checked, not the patient sent home)
    until: dt.date | None  # last local day on which the restriction applies; None when days is 0 or None
    why: str

    @property
    def text(self) -> str:
        if self.days is None:
            return f"{self.label}: not within ten years; ask the department"
        if self.days == 0:
            return f"{self.label}: no restriction needed"
        return f"{self.label}: {self.days} d, until {self.until:%Y-%m-%d}"

    def as_dict(self) -> dict[str, object]:
        return {
            "contact": self.contact,
            "label": self.label,
            "days": self.days,
            "until": self.until.isoformat() if self.until else None,
            "why": self.why,
        }


def release_day(released_at: dt.datetime, zone: str | dt.tzinfo) -> dt.date:
    """The local date of the release (``released_at`` must be aware)."""
    if released_at.tzinfo is None or released_at.utcoffset() is None:
        raise ValueError("released_at must be an aware datetime")
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    return released_at.astimezone(tz).date()


def instruction_lines(
    restrictions: list[Mapping[str, object]], released_at: dt.datetime, zone: str | dt.tzinfo
) -> list[InstructionLine]:
    """The stored restrictions (``Restriction.as_dict`` rows) with the date each one ends."""
    day = release_day(released_at, zone)
    lines = []
    for r in restrictions:
        days = r.get("days")
        until = day + dt.timedelta(days=int(days)) if isinstance(days, int) and days > 0 else None
        why = WHY.get(str(r.get("constraint")), "{constraint:g} mSv").format(constraint=float(r["constraint_mSv"]))
        lines.append(InstructionLine(str(r["contact"]), str(r["label"]), days, until, why))  # type: ignore[arg-type]
    return lines


def breastfeeding_text(
    advice: Mapping[str, object] | None,
    administered_at: dt.datetime | None = None,
    zone: str | dt.tzinfo | None = None,
) -> str:
    """The breast-feeding advice of the stored decision as one sentence (with its source); an interruption counts
    from the administration, so with its time the sentence says when breast-feeding may resume (local time)."""
    if not advice:
        return "No breast-feeding advice in the reference table for this product; ask the department."
    if advice.get("cessation"):
        what = "Stop breast-feeding for this child"
    else:
        hours = float(advice.get("interruption_h") or 0.0)
        what = "No interruption of breast-feeding needed" if hours == 0 else f"Interrupt breast-feeding for {hours:g} h"
        if hours > 0 and administered_at is not None and zone is not None:
            tz = ZoneInfo(zone) if isinstance(zone, str) else zone
            resume = (administered_at + dt.timedelta(hours=hours)).astimezone(tz)
            what += f" after the administration: resume from {resume:%Y-%m-%d %H:%M}"
    return f"{what} ({advice.get('source')}, {advice.get('status')})."


EQUATIONS = {
    "B-5": "D(∞) = 34.6·Γ·Q0/r² · [E1·Tp·0.8·(1 − e^(−ln2·0.33/Tp)) + e^(−ln2·0.33/Tp)·E2·(F1·T1eff + F2·T2eff)]",
    "rate": "D(∞) = 34.6 · Ḋ(1 m) · Tp · E  (Ḋ measured at 1 m in place of Γ·Q0/r²)",
    "U-1": "D(∞) = 34.6 · Γ · Q0 · Tp · E / r²  (R taken as rem; × 10 → mSv)",
}


def equation_text(result: Mapping[str, object]) -> str:
    """The equation the stored decision used, as printed on the page and the PDF (docs/patient-release.md)."""
    rule = str(dict(result.get("basis") or {}).get("rule", ""))  # type: ignore[call-overload]
    if "Eq. B-5" in rule:
        return EQUATIONS["B-5"]
    if "dose rate measured" in rule:
        return EQUATIONS["rate"]
    if "Eq. U-1" in rule:
        return EQUATIONS["U-1"]
    return ""
