"""Barrier design for one point of interest: the weekly unshielded dose, the transmission a barrier must
allow, and the thickness of lead, concrete and iron that gives it (AAPM TG-108 for PET; the same model with
the nuclide's own constant for a SPECT room or the hot lab).

For one patient (or source) that stays ``t`` hours at ``d`` metres, starting ``delay`` hours after the activity
``A0`` was measured (TG-108's model; the steps and citations in docs/shielding.md):

    dose per stay   D1 = Gamma A0 F_delay t R_t / d^2 x f        F_delay = exp(-ln2 delay / T1/2)
    dose reduction  R_t = (T1/2 / (t ln 2)) (1 - exp(-ln2 t / T1/2))   (TG-108: 1.443 and 0.693)
    weekly dose     D = N D1
    transmission    B = P / (T D)        (B >= 1: no barrier needed)

with f = 1, or TG-108's voiding factor 0.85 for a PET patient imaged after voiding. Every intermediate value
is returned as a :class:`Step` (symbol, value, unit, formula, source) so a page can show the calculation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from nmguard.errors import InputError
from nmguard.input_bounds import check_number, check_quantity
from nmguard.protection.shielding_transmission import archer_thickness_mm
from nmguard.reference.citations import SourcedValue
from nmguard.reference.nuclides import get_nuclide
from nmguard.reference.shielding import archer_fit, shielding_data

MATERIALS = ("lead", "concrete", "iron")
ROOMS = ("uptake", "imaging")
LN2 = math.log(2.0)
S_PER_H = 3600.0


@dataclass(frozen=True)
class Step:
    """One named intermediate value of the calculation, as a page shows it."""

    symbol: str
    name: str
    value: float
    unit: str
    formula: str = ""
    source: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class BarrierResult:
    """The answer for one point of interest (thicknesses only where cited fits exist)."""

    weekly_dose_uSv: float  # unshielded, at the point
    design_goal_uSv_week: float
    occupancy: float
    transmission_required: float  # may exceed 1: then no barrier is needed
    shielding_needed: bool
    thickness_mm: dict[str, float]
    steps: tuple[Step, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)


def dose_reduction_factor(duration_h: float, half_life_h: float) -> float:
    """TG-108's R_t: the mean activity over a stay of ``duration_h`` as a fraction of the activity at its start."""
    if duration_h <= 0 or half_life_h <= 0:
        raise InputError("duration and half-life must be positive", "duration")
    x = LN2 * duration_h / half_life_h
    return -math.expm1(-x) / x


def _sourced_step(symbol: str, name: str, sv: SourcedValue) -> Step:
    return Step(symbol, name, sv.value, sv.unit, "", sv.source.id, sv.status.value)


def _half_life_step(name: str, half_life: SourcedValue, hours: float) -> Step:
    return Step("T½", f"{name} half-life", hours, "h", "", half_life.source.id, half_life.status.value)


def _check_common(
    activity_Bq: float, per_week: float, distance_m: float, occupancy: float, goal_uSv: float, per_week_field: str
) -> None:
    check_quantity(activity_Bq, "activity", "activity")
    check_number(per_week, per_week_field, low=1e-9, high=1e5)
    check_number(distance_m, "distance_m", low=0.01, high=1e4, unit="m")
    check_number(occupancy, "occupancy", low=1e-6, high=1.0)
    check_number(goal_uSv, "design_goal", low=1e-9, high=1e9, unit="uSv/week")


def _barrier(
    *,
    steps: list[Step],
    gamma: float,
    activity_MBq: float,
    per_week: float,
    delay_h: float,
    stay_h: float,
    half_life_h: float,
    distance_m: float,
    occupancy: float,
    goal_uSv: float,
    factor: float,
    materials: tuple[str, ...],
    energy: str | None,
    delay_field: str,
) -> BarrierResult:
    """The shared chain from a dose-rate constant to B and thicknesses (PET rooms, SPECT rooms, hot lab)."""
    f_delay = math.exp(-LN2 * delay_h / half_life_h)
    r_t = dose_reduction_factor(stay_h, half_life_h)
    per_stay = gamma * activity_MBq * f_delay * stay_h * r_t * factor / distance_m**2
    weekly = per_week * per_stay
    if not (math.isfinite(weekly) and weekly > 0):  # decayed to nothing in floating point: no real input does that
        raise InputError(f"{delay_field}: the activity has decayed away before the stay; check the times", delay_field)
    steps += [
        Step("F_delay", "decay before the stay", f_delay, "1", "exp(-ln2 × t_delay / T½)"),
        Step("R_t", "dose-reduction factor over the stay", r_t, "1", "1.443 × (T½ / t) × (1 − exp(−0.693 × t / T½))"),
        Step(
            "D_1", "dose per patient at the point, unshielded", per_stay, "µSv", "Γ × A0 × F_delay × t × R_t × f / d²"
        ),
        Step("D_week", "weekly dose at the point, unshielded", weekly, "µSv/week", "N × D_1"),
    ]
    return _finish(steps, weekly, goal_uSv, occupancy, materials, energy)


def _finish(
    steps: list[Step], weekly: float, goal_uSv: float, occupancy: float, materials: tuple[str, ...], energy: str | None
) -> BarrierResult:
    """From the weekly unshielded dose at the point to B and the thicknesses (one place for every caller)."""
    b = goal_uSv / (occupancy * weekly)
    steps += [
        Step("P", "design goal", goal_uSv, "µSv/week"),
        Step("T", "occupancy factor", occupancy, "1"),
        Step("B", "transmission required", b, "1", "P / (T × D_week)"),
    ]
    thickness: dict[str, float] = {}
    if energy is not None:
        for material in materials:
            fit = archer_fit(material, energy)
            x = archer_thickness_mm(fit, b)
            thickness[material] = x
            steps.append(
                Step(
                    f"x_{material}",
                    f"{material} thickness for B ({energy} broad beam, Archer fit)",
                    x,
                    "mm",
                    "ln[(B^−γ + β/α) / (1 + β/α)] / (αγ)",
                    fit.alpha.source.id,
                    fit.alpha.status.value,
                )
            )
    return BarrierResult(
        weekly_dose_uSv=weekly,
        design_goal_uSv_week=goal_uSv,
        occupancy=occupancy,
        transmission_required=b,
        shielding_needed=b < 1,
        thickness_mm=thickness,
        steps=tuple(steps),
        warnings=() if b < 1 else ("B >= 1: the point meets the design goal without a barrier",),
    )


def combine_at_point(
    contributions: Sequence[tuple[str, BarrierResult]], *, occupancy: float, design_goal_uSv_week: float
) -> BarrierResult:
    """One point seen by several sources (two uptake rooms and the scanner behind one wall): the weekly doses add
    before B is formed. Thicknesses only when every contribution had them (all 511 keV); else B alone."""
    if not contributions:
        raise InputError("contributions: at least one source is needed", "contributions")
    check_number(occupancy, "occupancy", low=1e-6, high=1.0)
    check_number(design_goal_uSv_week, "design_goal", low=1e-9, high=1e9, unit="uSv/week")
    steps = [
        Step(f"D_week[{label}]", f"weekly dose from {label}, unshielded", r.weekly_dose_uSv, "µSv/week")
        for label, r in contributions
    ]
    weekly = math.fsum(r.weekly_dose_uSv for _, r in contributions)
    steps.append(Step("D_week", "weekly dose at the point, all sources, unshielded", weekly, "µSv/week", "Σ D_week[i]"))
    all_511 = all(set(r.thickness_mm) == set(MATERIALS) for _, r in contributions)
    return _finish(steps, weekly, design_goal_uSv_week, occupancy, MATERIALS, "511keV" if all_511 else None)


def pet_barrier(
    *,
    room: str,
    activity_Bq: float,
    patients_per_week: float,
    uptake_s: float,
    distance_m: float,
    occupancy: float,
    design_goal_uSv_week: float,
    imaging_s: float | None = None,
    voiding: bool = True,
) -> BarrierResult:
    """TG-108 for an F-18 patient: the uptake room (the stay is the uptake, from injection) or the imaging room
    (the stay is the scan, after the uptake's decay, times the voiding factor when the patient voids first)."""
    if room not in ROOMS:
        raise InputError(f"room: {str(room)[:40]!r} is not one of {', '.join(ROOMS)}", "room")
    _check_common(activity_Bq, patients_per_week, distance_m, occupancy, design_goal_uSv_week, "patients_per_week")
    check_quantity(uptake_s, "uptake_min", "duration")
    if room == "imaging":
        if imaging_s is None:
            raise InputError("imaging_min: required for the imaging room", "imaging_min")
        check_quantity(imaging_s, "imaging_min", "duration")
    elif imaging_s is not None:
        raise InputError(
            "imaging_min: applies to the imaging room only (the uptake room's stay is the uptake)", "imaging_min"
        )
    pet = shielding_data().pet
    nuclide = get_nuclide(pet.nuclide)
    half_life_h = nuclide.half_life_s / S_PER_H
    imaging = imaging_s is not None  # the imaging room (checked above)
    delay_h = uptake_s / S_PER_H if imaging_s is not None else 0.0
    stay_h = (imaging_s if imaging_s is not None else uptake_s) / S_PER_H
    factor = pet.voiding_factor.value if imaging and voiding else 1.0
    steps = [
        _sourced_step("Γ_air", f"{pet.nuclide} dose-rate constant (point source in air)", pet.dose_rate_constant),
        _sourced_step("k_body", "transmission through the patient's body", pet.body_transmission),
        _sourced_step("Γ", "patient dose-rate constant used (TG-108)", pet.patient_dose_rate_constant),
        _half_life_step(pet.nuclide, nuclide.half_life, half_life_h),
        Step("A0", "activity administered", activity_Bq / 1e6, "MBq"),
        Step("N", "patients per week", patients_per_week, "1/week"),
        Step("t_delay", "time from injection to the stay", delay_h, "h"),
        Step("t", "stay at the source position", stay_h, "h"),
        Step("d", "distance source to point", distance_m, "m"),
    ]
    if imaging:
        voided = pet.voiding_factor if voiding else None
        steps.append(
            _sourced_step("f", "voiding before imaging", voided)
            if voided is not None
            else Step("f", "voiding before imaging (not assumed)", 1.0, "1")
        )
    return _barrier(
        steps=steps,
        gamma=pet.patient_dose_rate_constant.value,
        activity_MBq=activity_Bq / 1e6,
        per_week=patients_per_week,
        delay_h=delay_h,
        stay_h=stay_h,
        half_life_h=half_life_h,
        distance_m=distance_m,
        occupancy=occupancy,
        goal_uSv=design_goal_uSv_week,
        factor=factor,
        materials=MATERIALS,
        energy="511keV",
        delay_field="uptake_min",
    )


def fit_energy(nuclide_name: str) -> str | None:
    """The energy whose cited transmission fits apply to the nuclide: ``511keV`` when every photon line that
    counts in its air-kerma constant (>= 10 keV) is annihilation radiation (F-18, C-11, N-13, O-15), else None."""
    lines = [p for p in get_nuclide(nuclide_name).photon_lines if p.energy_keV >= 10.0]
    return "511keV" if lines and all(p.kind == "annihilation" for p in lines) else None


def source_barrier(
    *,
    nuclide: str,
    activity_Bq: float,
    sources_per_week: float,
    stay_s: float,
    distance_m: float,
    occupancy: float,
    design_goal_uSv_week: float,
    delay_s: float = 0.0,
    thickness: bool = True,
) -> BarrierResult:
    """A SPECT room or the hot lab: a point source (a patient without body attenuation, which overestimates,
    or an unshielded vial) with the nuclide's air-kerma-rate constant taken as the dose-rate constant
    (1 µGy of air kerma counted as 1 µSv). Thicknesses only where a cited fit covers every photon line of the
    nuclide; otherwise ``thickness=True`` is refused ("not yet") and ``thickness=False`` gives B alone."""
    n = get_nuclide(nuclide)
    _check_common(activity_Bq, sources_per_week, distance_m, occupancy, design_goal_uSv_week, "per_week")
    check_quantity(stay_s, "stay_min", "duration")
    if delay_s:
        check_quantity(delay_s, "delay_min", "duration")
    energy = fit_energy(n.name)
    if thickness and energy is None:
        raise InputError(
            f"not yet: no cited broad-beam transmission data for {n.name}'s photon energies in lead, concrete or "
            "iron (only 511 keV annihilation radiation, TG-108); ask for the transmission alone",
            "nuclide",
        )
    half_life_h = n.half_life_s / S_PER_H
    gamma = n.air_kerma_rate_constant
    steps = [
        _sourced_step("Γ", f"{n.name} air-kerma-rate constant, taken as µSv·m²/(MBq·h)", gamma),
        _half_life_step(n.name, n.half_life, half_life_h),
        Step("A0", "activity at the start of the delay", activity_Bq / 1e6, "MBq"),
        Step("N", "sources (patients, vials) per week", sources_per_week, "1/week"),
        Step("t_delay", "time before the stay", delay_s / S_PER_H, "h"),
        Step("t", "stay at the source position", stay_s / S_PER_H, "h"),
        Step("d", "distance source to point", distance_m, "m"),
        Step("f", "no body attenuation or voiding assumed", 1.0, "1"),
    ]
    return _barrier(
        steps=steps,
        gamma=gamma.value,
        activity_MBq=activity_Bq / 1e6,
        per_week=sources_per_week,
        delay_h=delay_s / S_PER_H,
        stay_h=stay_s / S_PER_H,
        half_life_h=half_life_h,
        distance_m=distance_m,
        occupancy=occupancy,
        goal_uSv=design_goal_uSv_week,
        factor=1.0,
        materials=MATERIALS if thickness else (),
        energy=energy if thickness else None,
        delay_field="delay_min",
    )


def barrier_dict(result: BarrierResult) -> dict[str, object]:
    """The result as plain JSON-ready values (the CLI's ``--json`` keys; an API or page can use the same)."""
    return {
        "weekly_dose_uSv": result.weekly_dose_uSv,
        "design_goal_uSv_week": result.design_goal_uSv_week,
        "occupancy": result.occupancy,
        "transmission_required": result.transmission_required,
        "shielding_needed": result.shielding_needed,
        **{f"{m}_mm": result.thickness_mm.get(m) for m in MATERIALS},
        "steps": [
            {
                "symbol": s.symbol,
                "name": s.name,
                "value": s.value,
                "unit": s.unit,
                "formula": s.formula,
                "source": s.source,
                "status": s.status,
            }
            for s in result.steps
        ],
        "warnings": list(result.warnings),
    }
