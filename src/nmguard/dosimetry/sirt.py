"""Y-90 microsphere (SIRT) planning from a Tc-99m MAA SPECT/CT: voxel doses, lung shunt, partition model.

Assumptions, each a choice that changes numbers (all written into the result):

* The MAA counts are the Y-90 microsphere distribution: the planned activity A is shared among the voxels in
  proportion to their counts (Tc-99m decay does not matter: only relative counts are used).
* Permanent implant: the spheres do not move, so every voxel's Y-90 decays completely by physical decay only:
  decays = A_voxel · T½/ln 2 (Y-90 half-life from the nuclide data).
* Counts outside the body (CT density below the pipeline's air threshold, 0.05 g/cm³) are **masked**: they
  are removed before the counts are normalised, and their fraction of all counts is reported (a large
  fraction means a misregistered CT or scatter outside the patient). Negative voxel values (reconstruction
  round-off) are set to zero and reported the same way. Without a CT nothing is masked (a warning says so).
* Doses: ``ld`` deposits the Y-90 electron energy in the voxel of decay; ``dvk`` convolves with the Y-90
  dose voxel kernel of :mod:`nmguard.dosimetry.dvk`; both divide by the CT density. A VOI's ``mean_Gy`` is
  the mass-weighted mean (energy / mass, the MIRD organ mean), so with ``ld`` it equals
  K · A · f / m exactly, with K = E_β · T½/ln 2 per GBq (49.68 Gy·kg/GBq from ENSDF/LNHB data; the published
  rule is 49.67).
* Partition model (MIRD; Ho et al. 1996): LSF = C_lung / (C_lung + C_liver), with the liver VOI taken as the
  whole liver (tumour VOIs inside it, or beside it, are counted with it), normal liver = liver minus
  tumour; T/N = (C_T/m_T) / (C_N/m_N); D_T = K·A·(1−LSF)·C_T/(C_T+C_N)/m_T, D_N likewise, D_lung =
  K·A·LSF/m_lung with the lung mass from the reference data (1 kg) unless given. Masses are CT masses.
* Uncertainty (k = 1, relative, combined in quadrature): the activity calibration (reference data or user),
  the VOI mass (half the boundary voxels' volume: a ±½-voxel delineation) and the VOI count fraction (half
  the counts in the boundary voxels). Not included: how well MAA predicts the spheres, SPECT resolution and
  partial volume, scatter, the kernel model, the default lung mass, a user-given LSF.

Why one module of about 570 lines: the partition model, lung shunt and voxel doses of one plan share its assumptions,
which are written into every result from this one place.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import ndimage

from nmguard.dosimetry.sirt_data import BSA_FORMULAS, MICROSPHERES, sirt_data
from nmguard.errors import InputError

Y90 = "Y-90"
METHODS = ("ld", "dvk")
J_PER_MEV = 1.602176634e-13
DVH_BINS = 50


def _positive(value: Any, field: str, what: str, allow_zero: bool = False) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{what} {value!r} is not a number", field) from None
    if not math.isfinite(x) or x < 0 or (x == 0 and not allow_zero):
        raise InputError(f"{what} must be a positive number, not {value!r}", field)
    return x


def y90_gy_kg_per_GBq() -> dict[str, Any]:
    """Dose to 1 kg from 1 GBq of Y-90 decaying completely in it: E_β·T½/ln 2·10⁹ (Gy·kg/GBq), from the data."""
    from nmguard.reference.nuclides import get_nuclide

    nuclide = get_nuclide(Y90)
    energy = nuclide.mean_electron_energy
    value = energy.value * J_PER_MEV * 1e9 * nuclide.half_life_s / math.log(2.0)
    return {
        "value": value,
        "unit": "Gy kg/GBq",
        "formula": "mean electron energy per decay x T1/2 / ln 2 x 1e9",
        "sources": [energy.source.id, nuclide.half_life.source.id],
    }


# ---------------------------------------------------------------------------- body surface area, BSA method


def body_surface_area_m2(height_cm: float, weight_kg: float, formula: str) -> float:
    """Du Bois & Du Bois 1916 or Mosteller 1987 (constants in ``sirt.toml``)."""
    h = _positive(height_cm, "height_cm", "height (cm)")
    w = _positive(weight_kg, "weight_kg", "weight (kg)")
    if not 50 <= h <= 250:
        raise InputError(f"height {h:g} cm is outside 50-250 cm", "height_cm")
    if not 10 <= w <= 400:
        raise InputError(f"weight {w:g} kg is outside 10-400 kg", "weight_kg")
    key = str(formula).strip().lower().replace(" ", "").replace("_", "")
    data = sirt_data()
    if key == "dubois":
        c = data.du_bois
        return c["coefficient"].value * h ** c["height_exponent"].value * w ** c["weight_exponent"].value
    if key == "mosteller":
        return math.sqrt(h * w / data.mosteller_divisor.value)
    raise InputError(f"unknown BSA formula {formula!r}; choose one of {', '.join(BSA_FORMULAS)}", "bsa_formula")


def bsa_method_activity(bsa_m2: float, tumour_involvement: float, lsf: float | None) -> dict[str, Any]:
    """Resin-microsphere BSA method: (BSA − 0.2) + tumour involvement (GBq), reduced for the lung shunt."""
    data = sirt_data()
    if not 0 <= tumour_involvement <= 1:
        raise InputError("tumour involvement must be a fraction 0-1 of the liver volume", "tumour_involvement")
    base = (bsa_m2 - data.bsa_offset.value) + tumour_involvement * data.bsa_tumour_GBq.value
    factor, rule = 1.0, None
    if lsf is not None:
        for above, f in data.lsf_reductions:
            if lsf > above:
                factor, rule = f.value, f"LSF above {100 * above:g} %: x {f.value:g} [{f.source.id}, {f.status.value}]"
    return {
        "bsa_m2": bsa_m2,
        "tumour_involvement": tumour_involvement,
        "base_activity_GBq": base,
        "lsf_factor": factor,
        "lsf_rule": rule,
        "activity_GBq": base * factor,
        "not_treated": factor == 0.0,
        "sources": [data.bsa_offset.source.id, data.bsa_offset.status.value],
    }


# ---------------------------------------------------------------------------------------- partition model


def partition_doses(
    activity_GBq: float,
    lsf: float,
    tumour_share: float | None,
    tumour_mass_kg: float | None,
    normal_mass_kg: float,
    lung_mass_kg: float,
    k_gy_kg_per_GBq: float,
) -> dict[str, float | None]:
    """MIRD partition model. ``tumour_share`` = C_T/(C_T + C_N) of the liver's counts (None: no tumour VOI,
    then the normal liver is the whole liver)."""
    a = _positive(activity_GBq, "activity", "activity (GBq)")
    if not 0 <= lsf < 1:
        raise InputError(f"lung shunt fraction must be in [0, 1), not {lsf!r}", "lsf")
    share = 0.0 if tumour_share is None else float(tumour_share)
    liver_GBq = a * (1.0 - lsf)
    tumour_Gy = None
    if tumour_share is not None and tumour_mass_kg:
        tumour_Gy = k_gy_kg_per_GBq * liver_GBq * share / tumour_mass_kg
    return {
        "tumour_Gy": tumour_Gy,
        "normal_liver_Gy": k_gy_kg_per_GBq * liver_GBq * (1.0 - share) / normal_mass_kg,
        "lung_Gy": k_gy_kg_per_GBq * a * lsf / lung_mass_kg,
        "lung_GBq": a * lsf,
        "liver_GBq": liver_GBq,
    }


def activity_for_dose(target_Gy: float, mass_kg: float, fraction: float, k_gy_kg_per_GBq: float) -> float | None:
    """The administered activity (GBq) that gives ``target_Gy`` to a compartment of ``mass_kg`` receiving
    ``fraction`` of it: A = D·m / (K·f) (the partition model inverted). None when nothing reaches it."""
    d = _positive(target_Gy, "target_Gy", "target dose (Gy)")
    m = _positive(mass_kg, "mass_kg", "mass (kg)")
    if fraction <= 0:
        return None
    return d * m / (k_gy_kg_per_GBq * fraction)


# ---------------------------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class SirtOptions:
    """Every choice of a SIRT plan; stored with the result."""

    activity_GBq: float
    method: str = "ld"
    microspheres: str | None = None  # None: plan for both kinds
    voi_liver: str | None = None  # comma-separated VOI names (union); None: the VOI named like "liver"
    voi_tumour: str | None = None
    voi_lungs: str | None = None  # None: every VOI whose name holds "lung"
    lsf: float | None = None  # a planar (or other) lung shunt fraction given by the user
    lung_mass_kg: float | None = None
    target_tumour_Gy: float | None = None
    prior_lung_Gy: float | None = None
    height_cm: float | None = None
    weight_kg: float | None = None
    bsa_formula: str = "dubois"
    activity_uncertainty_percent: float | None = None

    def checked(self) -> SirtOptions:
        method = str(self.method).strip().lower()
        if method not in METHODS:
            raise InputError(f"unknown method {self.method!r}; choose ld or dvk", "method")
        spheres = None if self.microspheres is None else str(self.microspheres).strip().lower()
        if spheres is not None and spheres not in MICROSPHERES:
            raise InputError(f"unknown microspheres {self.microspheres!r}; choose glass or resin", "microspheres")
        a = _positive(self.activity_GBq, "activity", "activity (GBq)")
        if self.lsf is not None:
            lsf = float(self.lsf) if isinstance(self.lsf, int | float) else float("nan")
            if not (math.isfinite(lsf) and 0 <= lsf < 1):
                raise InputError(f"lung shunt fraction must be a fraction in [0, 1), not {self.lsf!r}", "lsf")
        for name in ("lung_mass_kg", "target_tumour_Gy", "height_cm", "weight_kg", "activity_uncertainty_percent"):
            value = getattr(self, name)
            if value is not None:
                _positive(value, name, name.replace("_", " "))
        if self.prior_lung_Gy is not None:
            _positive(self.prior_lung_Gy, "prior_lung_Gy", "prior lung dose (Gy)", allow_zero=True)
        if (self.height_cm is None) != (self.weight_kg is None):
            raise InputError("give both height and weight for the BSA method, or neither", "height_cm")
        if str(self.bsa_formula).strip().lower().replace(" ", "").replace("_", "") not in BSA_FORMULAS:
            raise InputError(f"unknown BSA formula {self.bsa_formula!r}; choose dubois or mosteller", "bsa_formula")
        return SirtOptions(**{**self.__dict__, "method": method, "microspheres": spheres, "activity_GBq": a})


@dataclass
class SirtPlan:
    """The plan: per-VOI doses and the partition model, with the choices and warnings that made them."""

    options: SirtOptions
    vois: list[dict[str, Any]]
    lung_shunt_fraction: float | None
    lsf_source: str | None
    tumour_to_normal: float | None
    partition: dict[str, Any] | None
    planning: dict[str, Any] | None
    counts: dict[str, Any]
    constant: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    dose_Gy: np.ndarray | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "nuclide": Y90,
            "method": self.options.method,
            "activity_GBq": self.options.activity_GBq,
            "options": dict(self.options.__dict__),
            "gy_kg_per_GBq": self.constant,
            "counts": self.counts,
            "vois": self.vois,
            "lung_shunt_fraction": self.lung_shunt_fraction,
            "lsf_source": self.lsf_source,
            "tumour_to_normal": self.tumour_to_normal,
            "partition": self.partition,
            "planning": self.planning,
            "uncertainty": {
                "coverage_factor_k": 1,
                "included": ["activity calibration", "VOI mass (±½ voxel delineation)", "VOI count fraction"],
                "not_included": [
                    "MAA as a predictor of the microsphere distribution",
                    "SPECT resolution, partial volume and scatter",
                    "dose-kernel model",
                    "default lung mass",
                    "a lung shunt fraction given by the user",
                ],
            },
            "assumptions": [
                "MAA counts are the Y-90 microsphere distribution",
                "permanent implant: physical decay only",
                "counts outside the body (CT density < 0.05 g/cm3) masked and reported",
            ],
            "warnings": self.warnings,
        }


def _split(names: str | None) -> list[str]:
    return [n.strip() for n in str(names).split(",") if n.strip()] if names else []


def _union(vois: Mapping[str, np.ndarray], names: Sequence[str], what: str) -> np.ndarray | None:
    if not names:
        return None
    missing = [n for n in names if n not in vois]
    if missing:
        known = ", ".join(sorted(vois)) or "none"
        raise InputError(f"{what} VOI {missing[0]!r} is not in the study (VOIs: {known})", f"voi_{what}")
    out = np.zeros_like(next(iter(vois.values())), dtype=bool)
    for n in names:
        out |= vois[n]
    return out


def _find(vois: Mapping[str, np.ndarray], word: str, exact: bool) -> list[str]:
    def norm(s: str) -> str:
        return " ".join(s.replace("_", " ").replace("-", " ").casefold().split())

    return [n for n in vois if (norm(n) == word if exact else word in norm(n).split())]


def _boundary_fraction(mask: np.ndarray, weights: np.ndarray) -> float:
    """Half the share of ``weights`` in the VOI's boundary voxels (a ±½-voxel delineation uncertainty)."""
    inner = ndimage.binary_erosion(mask, border_value=0)
    edge = mask & ~inner
    total = float(weights[mask].sum())
    return 0.5 * float(weights[edge].sum()) / total if total > 0 else 0.0


def plan_sirt(
    counts: np.ndarray,
    vois: Mapping[str, np.ndarray],
    spacing_mm: tuple[float, float, float],
    density_g_cm3: np.ndarray | None,
    options: SirtOptions,
) -> SirtPlan:
    """Plan on arrays: MAA ``counts`` (any scale), boolean VOI masks, voxel spacing (z, y, x) and CT density."""
    from nmguard.dosimetry.dose_stats import dvh, voi_statistics
    from nmguard.dosimetry.kernels import dvk_dose, local_deposition_dose, voxel_kernel
    from nmguard.dosimetry.run_options import AIR_BELOW_G_CM3
    from nmguard.reference.nuclides import get_nuclide

    options = options.checked()
    data = sirt_data()
    warnings: list[str] = []
    c = np.asarray(counts, dtype=np.float64)
    if c.ndim != 3 or not np.all(np.isfinite(c)):
        raise InputError("the MAA image must be a finite 3-D array", "counts")
    if not vois:
        raise InputError("the study has no VOIs (no RTSTRUCT or SEG found)", "vois")
    vv = float(np.prod(spacing_mm)) / 1000.0
    total_raw = float(np.clip(c, 0, None).sum())
    negative = max(0.0, float(-c[c < 0].sum()))
    c = np.clip(c, 0, None)
    if density_g_cm3 is None:
        density = np.ones_like(c)
        body = np.ones(c.shape, dtype=bool)
        warnings.append("no CT: unit density everywhere and no body mask (counts outside the body not removed)")
    else:
        density = np.asarray(density_g_cm3, dtype=np.float64)
        body = density >= AIR_BELOW_G_CM3
    outside = float(c[~body].sum())
    c = np.where(body, c, 0.0)
    total = float(c.sum())
    if total <= 0:
        raise InputError("the MAA image holds no counts inside the body", "counts")
    outside_fraction = outside / total_raw if total_raw > 0 else 0.0
    if outside_fraction > 0.05:
        warnings.append(f"{100 * outside_fraction:.1f} % of the counts lie outside the body (masked): check the CT")
    if negative > 0:
        warnings.append(f"negative voxel values (sum {negative / total_raw:.2g} of the counts) set to zero")

    k = y90_gy_kg_per_GBq()
    K = float(k["value"])
    nuclide = get_nuclide(Y90)
    a_Bq = options.activity_GBq * 1e9
    decays = a_Bq * c / total * nuclide.half_life_s / math.log(2.0)
    rho = np.maximum(density, AIR_BELOW_G_CM3)
    if options.method == "ld":
        dose = local_deposition_dose(decays, Y90, vv, rho)
    else:
        kernel = voxel_kernel(Y90, tuple(float(s) for s in spacing_mm))
        dose = dvk_dose(decays, kernel, rho)
    dose = np.where(body, np.maximum(dose, 0.0), 0.0)

    u_a = (
        float(options.activity_uncertainty_percent)
        if options.activity_uncertainty_percent is not None
        else data.activity_calibration_percent.value
    )
    rows = []
    for name, mask in vois.items():
        m = np.asarray(mask, dtype=bool)
        if not m.any():
            warnings.append(f"VOI {name!r} is empty on the SPECT grid; left out")
            continue
        stats = voi_statistics(dose, m, vv, density)
        levels, percent = dvh(dose, m, bins=DVH_BINS)
        fraction = float(c[m].sum()) / total
        u_m, u_f = 100 * _boundary_fraction(m, density), 100 * _boundary_fraction(m, c)
        rows.append(
            {
                "name": name,
                "volume_mL": stats["volume_mL"],
                "mass_g": stats["mass_g"],
                "count_fraction": fraction,
                "mean_Gy": stats["mass_weighted_mean_Gy"],
                "volume_mean_Gy": stats["mean_Gy"],
                "max_Gy": stats["max_Gy"],
                "d50_Gy": stats["D50_Gy"],
                "d2_Gy": stats["D2_Gy"],
                "d98_Gy": stats["D98_Gy"],
                "mean_Gy_per_GBq": stats["mass_weighted_mean_Gy"] / options.activity_GBq,
                "mean_uncertainty_percent": math.sqrt(u_a**2 + u_m**2 + u_f**2),
                "dvh": {"dose_Gy": levels.tolist(), "volume_percent": percent.tolist()},
            }
        )

    # ---- compartments
    liver_names = _split(options.voi_liver) or _find(vois, "liver", exact=True)
    tumour_names = _split(options.voi_tumour)
    lung_names = _split(options.voi_lungs) or _find(vois, "lung", exact=False)
    liver = _union(vois, liver_names, "liver")
    tumour = _union(vois, tumour_names, "tumour")
    lungs = _union(vois, lung_names, "lungs")
    lsf, lsf_source = None, None
    liver_all = None if liver is None else (liver | tumour if tumour is not None else liver)
    if options.lsf is not None:
        lsf, lsf_source = float(options.lsf), "given by the user"
    elif liver_all is not None and lungs is not None:
        c_lung, c_liver = float(c[lungs & ~liver_all].sum()), float(c[liver_all].sum())
        if c_lung + c_liver <= 0:
            raise InputError("the liver and lung VOIs hold no counts", "vois")
        lsf = c_lung / (c_lung + c_liver)
        lsf_source = f"SPECT counts: {' + '.join(lung_names)} / (lungs + {' + '.join(liver_names + tumour_names)})"
    elif liver_all is not None:
        warnings.append("no lung VOI and no --lsf: lung shunt fraction and partition model not computed")
    if liver_all is None:
        warnings.append(
            "no liver VOI (none named 'liver'; choose one with --voi-liver): lung shunt fraction, T/N and the "
            "partition model not computed, per-VOI doses only"
        )

    t_n, partition, planning = None, None, None
    if liver_all is not None and lsf is not None:
        normal = liver_all & ~tumour if tumour is not None else liver_all
        if not normal.any():
            raise InputError("the normal liver (liver minus tumour) is empty", "voi_liver")
        m_n = float(density[normal].sum()) * vv / 1000.0
        c_n = float(c[normal].sum())
        m_t = c_t = share = None
        if tumour is not None:
            m_t = float(density[tumour].sum()) * vv / 1000.0
            c_t = float(c[tumour].sum())
            if c_t + c_n <= 0:
                raise InputError("the liver and tumour VOIs hold no counts", "vois")
            share = c_t / (c_t + c_n)
            if c_n > 0 and m_t > 0:
                t_n = (c_t / m_t) / (c_n / m_n)
        in_model = float(c[liver_all | lungs].sum()) if lungs is not None else float(c[liver_all].sum())
        share_min = data.partition_min_count_share
        if options.lsf is None and in_model / total < share_min.value:
            warnings.append(
                f"only {100 * in_model / total:.0f} % of the counts lie in the liver and lung VOIs (below "
                f"{100 * share_min.value:.0f} % [{share_min.source.id}, {share_min.status.value}]): the partition "
                "model assumes every microsphere goes to them; check the VOIs and for extrahepatic deposition"
            )
        m_lung = float(options.lung_mass_kg) if options.lung_mass_kg is not None else data.lung_mass.value
        doses = partition_doses(options.activity_GBq, lsf, share, m_t, m_n, m_lung, K)
        u_lsf = 0.0 if lungs is None or options.lsf is not None else 100 * _boundary_fraction(lungs, c)
        u_t = (
            math.sqrt(
                u_a**2 + (100 * _boundary_fraction(tumour, density)) ** 2 + (100 * _boundary_fraction(tumour, c)) ** 2
            )
            if tumour is not None
            else None
        )
        partition = {
            **doses,
            "tumour_mass_kg": m_t,
            "normal_liver_mass_kg": m_n,
            "lung_mass_kg": m_lung,
            "lung_mass_source": "given by the user"
            if options.lung_mass_kg is not None
            else f"{data.lung_mass.source.id} ({data.lung_mass.status.value})",
            "tumour_share_of_liver": share,
            "tumour_uncertainty_percent": u_t,
            "normal_liver_uncertainty_percent": math.sqrt(
                u_a**2 + (100 * _boundary_fraction(normal, density)) ** 2 + (100 * _boundary_fraction(normal, c)) ** 2
            ),
            "lung_uncertainty_percent": math.sqrt(u_a**2 + u_lsf**2),
            "formula": f"D = K x A x f / m, K = {K:.4g} Gy kg/GBq (MIRD partition model, Ho et al. 1996)",
        }
        planning = _planning(options, lsf, share, m_t, m_n, m_lung, K, tumour, normal, vv, warnings)
        lim = data.lung_limit_per_session
        if doses["lung_Gy"] > lim.value:
            warnings.append(
                f"lung dose {doses['lung_Gy']:.3g} Gy exceeds the per-session limit {lim.value:g} Gy "
                f"[{lim.source.id}, {lim.status.value}]"
            )
        if options.prior_lung_Gy is not None:
            cum = data.lung_limit_cumulative
            total_lung = doses["lung_Gy"] + float(options.prior_lung_Gy)
            partition["cumulative_lung_Gy"] = total_lung
            if total_lung > cum.value:
                warnings.append(
                    f"cumulative lung dose {total_lung:.3g} Gy exceeds {cum.value:g} Gy [{cum.source.id}, "
                    f"{cum.status.value}]"
                )
    counts_info = {
        "handling": "counts outside the body masked (removed before normalising) and reported",
        "outside_body_fraction": outside_fraction,
        "negative_fraction": negative / total_raw if total_raw > 0 else 0.0,
    }
    return SirtPlan(options, rows, lsf, lsf_source, t_n, partition, planning, counts_info, k, warnings, dose)


def _limit(v) -> dict[str, Any]:
    return {"value": v.value, "unit": v.unit, "source": v.source.id, "status": v.status.value}


def _planning(options, lsf, share, m_t, m_n, m_lung, K, tumour, normal, vv, warnings) -> dict[str, Any]:
    """Activities that reach the tumour target, the normal-liver limit and the lung limits, per microsphere."""
    data = sirt_data()
    kinds = [options.microspheres] if options.microspheres else list(MICROSPHERES)
    f_t = (1 - lsf) * share if share is not None else 0.0
    f_n = (1 - lsf) * (1 - (share or 0.0))
    per_kind = {}
    lung_session = data.lung_limit_per_session
    a_lung = activity_for_dose(lung_session.value, m_lung, lsf, K)
    a_lung_cum = None
    if options.prior_lung_Gy is not None:
        left = data.lung_limit_cumulative.value - float(options.prior_lung_Gy)
        a_lung_cum = 0.0 if left <= 0 else activity_for_dose(left, m_lung, lsf, K)
    for key in kinds:
        sphere = data.microspheres[key]
        target = float(options.target_tumour_Gy) if options.target_tumour_Gy else sphere.tumour_target.value
        a_t = activity_for_dose(target, m_t, f_t, K) if m_t else None
        a_n = activity_for_dose(sphere.normal_liver_limit.value, m_n, f_n, K)
        candidates = {
            "tumour target": a_t,
            "normal-liver limit": a_n,
            "lung limit per session": a_lung,
            "cumulative lung limit": a_lung_cum,
        }
        usable = {k: v for k, v in candidates.items() if v is not None}
        # the tumour target's activity unless a limit allows less; "limited_by" names the one that decides
        limited_by = min(usable, key=usable.get) if usable else None
        per_kind[key] = {
            "label": sphere.label,
            "tumour_target_Gy": target,
            "tumour_target_source": "given by the user" if options.target_tumour_Gy else _limit(sphere.tumour_target),
            "normal_liver_limit": _limit(sphere.normal_liver_limit),
            "activity_for_tumour_target_GBq": a_t,
            "activity_at_normal_liver_limit_GBq": a_n,
            "activity_at_lung_limit_GBq": a_lung,
            "activity_at_cumulative_lung_limit_GBq": a_lung_cum,
            "proposed_activity_GBq": usable[limited_by] if limited_by else None,
            "limited_by": limited_by,
        }
    out: dict[str, Any] = {
        "microspheres": per_kind,
        "lung_limit_per_session": _limit(lung_session),
        "lung_limit_cumulative": _limit(data.lung_limit_cumulative),
    }
    if "resin" in kinds and options.height_cm is not None:
        bsa = body_surface_area_m2(options.height_cm, options.weight_kg, options.bsa_formula)
        if tumour is None:
            warnings.append("BSA method not computed: it needs the tumour involvement (give a tumour VOI)")
        else:
            v_t, v_n = float(tumour.sum()) * vv, float(normal.sum()) * vv
            out["resin_bsa_method"] = {
                "formula": options.bsa_formula,
                **bsa_method_activity(bsa, v_t / (v_t + v_n), lsf),
            }
    return out


def plan_study(study_dir: str | Path, options: SirtOptions) -> tuple[SirtPlan, dict[str, Any]]:
    """Read an MAA SPECT/CT study folder (SPECT, CT, RTSTRUCT/SEG) and plan; returns the plan and study facts."""
    from nmguard.dosimetry.ct_density import hu_to_density_material
    from nmguard.imaging.registration import ct_density_grid
    from nmguard.imaging.study import load_study

    options = options.checked()
    folder = Path(study_dir)
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder of DICOM files", "study_dir")
    # only relative counts matter, so a nominal factor lets a file in counts (CNTS) be read
    study = load_study(folder, calibration_cps_per_MBq=1.0)
    # the reader's note on single time points concerns time-activity fits, not a permanent implant
    warnings = [w for w in study.warnings if not w.startswith("only one time point")]
    if len(study.time_points) > 1:
        warnings.append(f"{len(study.time_points)} SPECT series: the first is the MAA distribution")
    tp = study.time_points[0]
    density = None
    if tp.ct_hu is not None:
        density, _ = hu_to_density_material(ct_density_grid(study).array)
    plan = plan_sirt(
        tp.activity_Bq.array, study.vois, tuple(float(s) for s in tp.activity_Bq.spacing_mm), density, options
    )
    plan.warnings[:0] = warnings
    facts = {
        "study_dir": str(folder),
        "patient_id": study.patient_id,
        "mapping_nuclide": study.nuclide,
        "spect_series": tp.series_instance_uid,
        "voi_sources": dict(study.voi_sources),
    }
    return plan, facts
