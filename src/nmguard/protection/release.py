"""Release of a patient after radionuclide therapy: may the patient go home, and with which instructions.

Two profiles. ``nrc`` (10 CFR 35.75; RG 8.39 = NUREG-1556 Vol. 9 Rev. 3 App. U): release if the dose to the most
exposed other person is not likely to exceed 5 mSv, written instructions above 1 mSv, decided either by the
table (Table U.1 activity or dose rate at 1 m; Table U.2 for instructions) or by a patient-specific calculation:

    D(inf) = 34.6 * Gamma * Q0 * Tp * E / r**2                                   (Eq. U-1; R ~ rem; x10 -> mSv)

with Gamma in R cm2/(mCi h), Q0 in mCi, Tp in days (or an effective half-life), r = 100 cm, E the occupancy
factor; with a dose rate measured at 1 m, Gamma * Q0 / r**2 is replaced by that rate. For I-131 with an uptake
model (RG 8.39 App. B Eq. B-5, NUREG-1556 App. U Eq. U-3):

    D(inf) = 34.6 * Gamma * Q0 / r**2 * [ E1 * Tp * 0.8 * (1 - exp(-ln2 * 0.33 / Tp))
                                         + exp(-ln2 * 0.33 / Tp) * E2 * (F1 * T1eff + F2 * T2eff) ]

``iaea`` (GSR Part 3 paras 3.173, 3.178; ICRP 94; SRS 63): no release table; the patient may go when the dose to
a carer, computed the same way, is within the carer's constraint, and written instructions are always given.
Every number comes from ``reference/patient_release.toml`` with its citation and status; the result names them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from nmguard.errors import InputError
from nmguard.physics.units import BQ_PER_CI
from nmguard.protection.release_restrictions import (
    Component,
    Restriction,
    breastfeeding_dict,
    breastfeeding_for,
    restrictions,
)
from nmguard.reference.citations import SourcedValue, Status
from nmguard.reference.patient_release import (
    IodineCondition,
    PatientReleaseData,
    ReleaseNuclide,
    patient_release_data,
    release_nuclide_name,
)

METHODS = ("table", "patient-specific")
PROFILES = ("nrc", "iaea")
BQ_PER_MCI = BQ_PER_CI * 1e-3
MSV_PER_REM = 10.0


@dataclass(frozen=True)
class Basis:
    """Which table or equation decided, and the values it used with their citations and statuses."""

    rule: str
    citations: tuple[str, ...]
    statuses: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {"rule": self.rule, "citations": list(self.citations), "statuses": list(self.statuses)}


@dataclass(frozen=True)
class ReleaseDecision:
    releasable: bool
    dose_to_others_mSv: float | None
    instructions_required: bool
    basis: Basis
    inputs: dict[str, object]
    record_required: bool  # 10 CFR 35.2075(a): the basis must be recorded (nrc profile)
    restrictions: tuple[Restriction, ...] = ()
    breastfeeding: dict[str, object] | None = None
    warnings: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        return {
            "releasable": self.releasable,
            "dose_to_others_mSv": self.dose_to_others_mSv,
            "instructions_required": self.instructions_required,
            "basis": self.basis.as_dict(),
            "record_required": self.record_required,
            "inputs": self.inputs,
            "restrictions": [r.as_dict() for r in self.restrictions],
            "breastfeeding": self.breastfeeding,
            "warnings": list(self.warnings),
        }


def eq_u1_dose_mSv(gamma: float, activity_mCi: float, half_life_d: float, occupancy: float) -> float:
    """Eq. U-1 at 1 m in mSv (the guide's R taken as rem, 1 rem = 10 mSv)."""
    data = patient_release_data()
    factor, r = data.value("equation.factor").value, data.value("equation.distance").value
    return factor * gamma * activity_mCi * half_life_d * occupancy / r**2 * MSV_PER_REM


def rate_dose_mSv(rate_1m_mSv_h: float, half_life_d: float, occupancy: float) -> float:
    """Eq. U-1 with the measured dose rate at 1 m in place of Gamma Q0 / r**2."""
    return patient_release_data().value("equation.factor").value * rate_1m_mSv_h * half_life_d * occupancy


def iodine131_dose_mSv(activity_mCi: float, condition: str) -> float:
    """RG 8.39 Eq. B-5 for I-131 with the condition's uptake fractions and effective half-lives (Table B-1)."""
    data = patient_release_data()
    c = _condition(data, condition)
    row = data.nuclides["I-131"]
    tp, gamma = row.half_life_d.value, row.gamma.value
    t1 = data.value("iodine131.first_period").value
    frac1 = data.value("iodine131.first_period_fraction").value
    e1, e2 = data.value("iodine131.occupancy_first_period").value, data.value("iodine131.occupancy_after").value
    factor, r = data.value("equation.factor").value, data.value("equation.distance").value
    left = math.exp(-math.log(2.0) * t1 / tp)
    bracket = e1 * tp * frac1 * (1.0 - left) + left * e2 * (
        c.extrathyroidal_fraction.value * c.extrathyroidal_half_life.value
        + c.thyroidal_fraction.value * c.thyroidal_half_life.value
    )
    return factor * gamma * activity_mCi / r**2 * bracket * MSV_PER_REM


def _condition(data: PatientReleaseData, condition: str) -> IodineCondition:
    if condition not in data.conditions:
        raise InputError(
            f"condition: unknown condition {condition!r}; use one of {', '.join(data.conditions)}", "condition"
        )
    return data.conditions[condition]


def _positive(value: float | None, name: str, what: str, *, upper: float | None = None) -> None:
    if value is None:
        return
    if not math.isfinite(value) or value <= 0 or (upper is not None and value > upper):
        bound = f" and at most {upper:g}" if upper is not None else ""
        raise InputError(f"{name}: {what} must be a finite number above 0{bound} (got {value!r})", name)


def _statuses(values: list[SourcedValue]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    cites = tuple(dict.fromkeys(v.source.id for v in values))
    return cites, tuple(dict.fromkeys(v.status.value for v in values))


def _warnings(values: list[SourcedValue]) -> list[str]:
    weak = sorted({v.source.id for v in values if v.status in (Status.UNVERIFIED, Status.SECONDARY)})
    return [f"the decision uses values not read in the primary text (sources: {', '.join(weak)})"] if weak else []


def assess_release(
    nuclide: str,
    activity_Bq: float,
    method: str = "table",
    *,
    condition: str | None = None,
    dose_rate_1m_uSv_h: float | None = None,
    occupancy: float | None = None,
    effective_half_life_d: float | None = None,
    profile: str = "nrc",
    radiopharmaceutical: str | None = None,
    retained_activity: bool = False,
) -> ReleaseDecision:
    """Decide release for ``activity_Bq`` in the patient at release; ``retained_activity`` when it is not the
    administered activity (measured or decayed: the release must then be recorded, 10 CFR 35.2075(a))."""
    if method not in METHODS:
        raise InputError(f"method: unknown method {method!r}; use one of {', '.join(METHODS)}", "method")
    if profile not in PROFILES:
        raise InputError(f"profile: unknown profile {profile!r}; use one of {', '.join(PROFILES)}", "profile")
    if not isinstance(activity_Bq, int | float) or not math.isfinite(activity_Bq) or activity_Bq <= 0:
        raise InputError(f"activity: the activity in the patient must be above 0 (got {activity_Bq!r})", "activity")
    if dose_rate_1m_uSv_h is not None and (not math.isfinite(dose_rate_1m_uSv_h) or dose_rate_1m_uSv_h < 0):
        raise InputError(f"dose_rate_1m: must be a finite dose rate >= 0 (got {dose_rate_1m_uSv_h!r})", "dose_rate_1m")
    _positive(occupancy, "occupancy", "the occupancy factor", upper=1.0)
    _positive(effective_half_life_d, "effective_half_life", "the effective half-life in days")
    if method == "table" and (occupancy is not None or effective_half_life_d is not None):
        key = "occupancy" if occupancy is not None else "effective_half_life"
        raise InputError(f"{key}: the table carries its own assumptions; use --method patient-specific", key)
    data = patient_release_data()
    name = release_nuclide_name(nuclide)
    inputs: dict[str, object] = {
        "nuclide": name,
        "activity_Bq": activity_Bq,
        "activity_mCi": activity_Bq / BQ_PER_MCI,
        "method": method,
        "profile": profile,
        "condition": condition,
        "dose_rate_1m_uSv_h": dose_rate_1m_uSv_h,
        "occupancy": occupancy,
        "effective_half_life_d": effective_half_life_d,
        "radiopharmaceutical": radiopharmaceutical,
        "retained_activity": retained_activity,
    }
    if condition is not None:
        if name != "I-131":
            raise InputError(f"condition: the uptake models are for I-131 only, not {name}", "condition")
        _condition(data, condition)
        if method != "patient-specific":
            raise InputError("condition: an uptake model needs --method patient-specific", "condition")
        if dose_rate_1m_uSv_h is not None or effective_half_life_d is not None:
            raise InputError(
                "condition: Eq. B-5 starts at administration from the activity; it takes no measured dose rate "
                "or effective half-life",
                "condition",
            )
    breastfeeding = breastfeeding_dict(breastfeeding_for(name, radiopharmaceutical))
    if name in data.pure_beta:
        basis_value = data.pure_beta_basis
        return ReleaseDecision(
            releasable=True,
            dose_to_others_mSv=None,
            instructions_required=profile == "iaea",
            basis=Basis("pure beta emitter: Table U.1 sets no activity or dose-rate limit", *_statuses([basis_value])),
            inputs=inputs,
            record_required=False,
            breastfeeding=breastfeeding,
            warnings=tuple(_warnings([basis_value]) + ["external dose from bremsstrahlung is not assessed"]),
        )
    return _decide(data, name, inputs, breastfeeding)


def _decide(
    data: PatientReleaseData, name: str, inputs: dict[str, object], breastfeeding: dict[str, object] | None
) -> ReleaseDecision:
    """The decision for a nuclide of Table U.1 (inputs already checked by :func:`assess_release`)."""
    row = data.nuclides[name]
    method, profile, condition = inputs["method"], inputs["profile"], inputs["condition"]
    activity_Bq, mci = float(inputs["activity_Bq"]), float(inputs["activity_mCi"])
    rate_uSv_h = inputs["dose_rate_1m_uSv_h"]
    rate_mSv_h = None if rate_uSv_h is None else float(rate_uSv_h) / 1000.0
    t_eff = inputs["effective_half_life_d"]
    half_life = float(t_eff) if t_eff is not None else row.half_life_d.value
    if half_life > row.half_life_d.value:
        raise InputError(
            f"effective_half_life: {half_life:g} d is longer than the physical half-life "
            f"({row.half_life_d.value:g} d); an effective half-life cannot be",
            "effective_half_life",
        )
    used: list[SourcedValue] = [data.value("equation.factor"), row.gamma]
    if t_eff is None:
        used.append(row.half_life_d)
    if inputs["occupancy"] is not None:
        occupancy = float(inputs["occupancy"])
    elif t_eff is None:
        occupancy = row.occupancy.value
        used.append(row.occupancy)
    else:
        short = half_life <= data.value("equation.short_half_life_limit").value
        chosen = data.value("equation.occupancy_short" if short else "equation.occupancy_default")
        occupancy = chosen.value
        used.append(chosen)
    inputs = {**inputs, "half_life_d": half_life, "occupancy_used": occupancy}
    rate0_from_activity = row.gamma.value * mci / data.value("equation.distance").value ** 2 * MSV_PER_REM
    warnings: list[str] = []
    if condition is not None:
        cond = data.conditions[str(condition)]
        dose = iodine131_dose_mSv(mci, str(condition))
        used += [cond.extrathyroidal_fraction, cond.thyroidal_fraction, data.value("iodine131.occupancy_first_period")]
        rate0 = rate0_from_activity
        components = (
            Component(cond.extrathyroidal_fraction.value, cond.extrathyroidal_half_life.value),
            Component(cond.thyroidal_fraction.value, cond.thyroidal_half_life.value),
        )
        rule = f"RG 8.39 App. B Eq. B-5 (NUREG-1556 Vol. 9 App. U Eq. U-3), I-131 {cond.label}"
        inputs["occupancy_used"] = None
        if inputs["occupancy"] is not None:
            raise InputError("occupancy: Eq. B-5 uses its own occupancy factors (0.75, then 0.25)", "occupancy")
    elif rate_mSv_h is not None:
        dose = rate_dose_mSv(rate_mSv_h, half_life, occupancy)
        rate0, rule = rate_mSv_h, "Eq. U-1 with the dose rate measured at 1 m"
        components = (Component(1.0, half_life),)
    else:
        dose = eq_u1_dose_mSv(row.gamma.value, mci, half_life, occupancy)
        rate0, rule = rate0_from_activity, "Eq. U-1 (NUREG-1556 Vol. 9 App. U; RG 8.39), activity at release"
        components = (Component(1.0, half_life),)
    # 10 CFR 35.2075(a) and the RG 8.39 synopsis (jnmt-rg839-synopsis): a record of the basis is needed unless
    # the release rests on the administered activity and the table alone
    record = profile == "nrc" and (
        method == "patient-specific" or rate_mSv_h is not None or bool(inputs["retained_activity"])
    )
    if record:
        warnings.append(
            "10 CFR 35.2075(a): record the basis of this release (retained activity, measured dose rate or calculation)"
        )
    if profile == "iaea":
        if method == "table":
            raise InputError("method: the IAEA approach has no release table; use --method patient-specific", "method")
        constraint = data.value("iaea.carer_constraint")
        used += [constraint, data.value("iaea.instructions_always")]
        releasable, instructions = dose <= constraint.value, True
        rule = f"IAEA GSR Part 3 3.173/3.178: carer dose within {constraint.value:g} mSv per episode; {rule}"
    elif method == "table":
        releasable, instructions, table_rule, table_used = _by_table(data, row, activity_Bq, rate_mSv_h, dose)
        used += table_used
        rule = table_rule
    else:
        release_dose, instruction_dose = data.value("criteria.release_dose"), data.value("criteria.instruction_dose")
        used += [release_dose, instruction_dose]
        releasable, instructions = dose <= release_dose.value, dose > instruction_dose.value
        rule = f"10 CFR 35.75: dose to others <= {release_dose.value:g} mSv; {rule}"
    cites, statuses = _statuses(used)
    return ReleaseDecision(
        releasable=releasable,
        dose_to_others_mSv=dose,
        instructions_required=instructions,
        basis=Basis(rule, cites, statuses),
        inputs=inputs,
        record_required=record,
        restrictions=restrictions(rate0, components) if instructions else (),
        breastfeeding=breastfeeding,
        warnings=tuple(warnings + _warnings(used)),
    )


def _smaller(si: SourcedValue | None, customary: SourcedValue | None, si_scale: float, cu_scale: float) -> float:
    """The SI column is the criterion (the CFR's and the table's primary unit); customary only where no SI print."""
    if si is not None:
        return si.value * si_scale
    if customary is None:
        raise ValueError("a Table U.1 row without either unit")  # the loader requires the customary value
    return customary.value * cu_scale


def _by_table(
    data: PatientReleaseData, row: ReleaseNuclide, activity_Bq: float, rate_mSv_h: float | None, dose: float
) -> tuple[bool, bool, str, list[SourcedValue]]:
    """Table U.1 (release) and U.2 (instructions); U.2 as printed for I-131, else Eq. U-1 at 1 mSv."""
    used: list[SourcedValue] = []
    instruction_dose = data.value("criteria.instruction_dose")
    if rate_mSv_h is not None:
        limit = _smaller(row.release_dose_rate_mSv_h, row.release_dose_rate_mrem_h, 1.0, 0.01)
        used.append(row.release_dose_rate_mSv_h)
        releasable = rate_mSv_h <= limit
        rule = f"NUREG-1556 Vol. 9 App. U Table U.1: dose rate at 1 m <= {limit * 1000:g} uSv/h"
        printed = (
            _smaller(row.instruction_dose_rate_mSv_h, row.instruction_dose_rate_mrem_h, 1.0, 0.01)
            if (row.instruction_dose_rate_mSv_h or row.instruction_dose_rate_mrem_h)
            else None
        )
        measured = rate_mSv_h
    else:
        limit = _smaller(row.release_activity_GBq, row.release_activity_mCi, 1e9, BQ_PER_MCI)
        used.append(row.release_activity_GBq or row.release_activity_mCi)
        releasable = activity_Bq <= limit
        rule = f"NUREG-1556 Vol. 9 App. U Table U.1: activity <= {limit / 1e9:g} GBq"
        printed = (
            _smaller(row.instruction_activity_GBq, row.instruction_activity_mCi, 1e9, BQ_PER_MCI)
            if (row.instruction_activity_GBq or row.instruction_activity_mCi)
            else None
        )
        measured = activity_Bq
    if printed is not None:
        pair = (
            (row.instruction_dose_rate_mSv_h, row.instruction_dose_rate_mrem_h)
            if rate_mSv_h is not None
            else (row.instruction_activity_GBq, row.instruction_activity_mCi)
        )
        used += [v for v in pair if v is not None]
        instructions = measured > printed
        rule += "; Table U.2 as printed for instructions"
    else:
        used.append(instruction_dose)
        instructions = dose > instruction_dose.value
        rule += f"; instructions: Eq. U-1 above {instruction_dose.value:g} mSv (how Table U.2 is computed)"
    return releasable, instructions, rule, used
