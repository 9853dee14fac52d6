"""A whole therapy-dosimetry run: DICOM study folder in, dose map and VOI results out.

Steps (each reports progress): read the study (:func:`nmguard.imaging.study.load_study`), register the
time points onto the first (:func:`nmguard.imaging.study.register_time_points`), fit each VOI's
time-activity curve (:func:`nmguard.dosimetry.tia.fit_tia`, AICc), time-integrate every voxel
(:mod:`nmguard.dosimetry.voxel_tia`, scaled to the VOI fits unless told not to), compute the absorbed
dose by the chosen method, then the VOI statistics, DVHs, BED for kidneys and red marrow and the
energy balance.

Methods:
  ``ld``  local deposition of the electron energy per decay in the source voxel (photons ignored);
  ``dvk`` convolution with a dose voxel kernel generated for the nuclide and voxel size (electrons and
          photons in water), divided by the voxel's CT density;
  ``mc``  electrons deposited locally (as ``ld``) plus photons transported by Monte Carlo in the CT's
          density and material map.

Every choice that changes a number is in :class:`RunOptions` and is written to the results with the
software and reference-data versions, so a re-run with the same inputs and options gives the same
numbers (the Monte Carlo is seeded).
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from nmguard.errors import InputError

METHODS = ("ld", "dvk", "mc")
DEVICES = ("cpu", "gpu")
SINGLE_POINT_MODELS = ("haenscheid", "physical")  # offered by dosimetry run for one time point
LN2 = math.log(2.0)
MEV_J = 1.602176634e-13
Progress = Callable[[str, float], None]

# Voxels of lower density are air outside the patient (or in the bowel): their dose is set to zero, since
# dividing a water kernel's energy by an air voxel's mass gives meaningless numbers; the energy dropped
# there is reported in the energy balance. Lung (about 0.26 g/cm3) stays well above it.
AIR_BELOW_G_CM3 = 0.05

# VOI names that get a BED, and the radiobiology tissue whose parameters apply.
BED_TISSUES = {"kidney": "kidney", "marrow": "red_marrow"}


@dataclass(frozen=True)
class RunOptions:
    """Every method choice of a run; stored with the results."""

    method: str = "dvk"
    device: str = "cpu"
    tia_model: str = "auto"
    scale_voxel_tia_to_voi: bool = True
    deformable_registration: bool = False
    calibration_cps_per_MBq: float | None = None
    mc_histories: int = 1_000_000
    seed: int = 0
    kernel_radius_mm: float = 100.0
    threshold_vois: tuple[str, ...] = ()  # "Name=0.4" or "Name=0.4@Seed VOI": drawn by NMGuard on time point 1
    activity_uncertainty_percent: float | None = None
    nuclide: str | None = None  # stands in for radionuclide codes the reader cannot read (--nuclide)
    injection_time: str | None = None  # stands in for an injection time the files do not give (--injection-time)

    def checked(self) -> RunOptions:
        method = str(self.method).strip().lower()
        if method not in METHODS:
            raise InputError(f"unknown method {self.method!r}; choose one of {', '.join(METHODS)}", "method")
        device = str(self.device).strip().lower()
        if device not in DEVICES:
            raise InputError(f"unknown device {self.device!r}; choose cpu or gpu", "device")
        if device == "gpu" and method != "mc":
            raise InputError("the GPU is used only by the Monte Carlo method (--method mc)", "device")
        if not (isinstance(self.mc_histories, int) and self.mc_histories >= 1000):
            raise InputError("Monte Carlo histories must be a whole number of at least 1000", "mc_histories")
        cal = self.calibration_cps_per_MBq
        if cal is not None and not (math.isfinite(float(cal)) and float(cal) > 0):
            raise InputError("the calibration factor must be a positive number of cps/MBq", "calibration_cps_per_MBq")
        radius = float(self.kernel_radius_mm)
        if not (math.isfinite(radius) and 5.0 <= radius <= 300.0):
            raise InputError("the kernel radius must be between 5 and 300 mm", "kernel_radius_mm")
        for spec in self.threshold_vois:
            parse_threshold_voi(spec)
        from nmguard.dosimetry.tia import MODELS as TIA_MODELS

        tia_model = str(self.tia_model).strip().lower().replace("ä", "ae")
        if tia_model not in TIA_MODELS + SINGLE_POINT_MODELS:
            raise InputError(
                f"unknown TIA model {self.tia_model!r}; choose one of {', '.join(TIA_MODELS + SINGLE_POINT_MODELS)}",
                "tia_model",
            )
        pct = self.activity_uncertainty_percent
        if pct is not None and not (math.isfinite(float(pct)) and float(pct) > 0):
            raise InputError("the activity uncertainty must be a positive percentage", "activity_uncertainty_percent")
        return replace(
            self, method=method, device=device, tia_model=tia_model, threshold_vois=tuple(self.threshold_vois)
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_threshold_voi(spec: str) -> tuple[str, float, str | None]:
    """``"Tumour=0.4"`` or ``"Tumour=0.4@Liver"`` → (name, fraction of the maximum, seed VOI or None)."""
    name, sep, rest = str(spec).partition("=")
    level, _, seed = rest.partition("@")
    try:
        fraction = float(level)
    except ValueError:
        fraction = float("nan")
    if not sep or not name.strip() or not (0 < fraction <= 1):
        raise InputError(
            f"threshold VOI {spec!r}: write name=fraction (0 to 1] of the maximum, optionally @seed VOI",
            "threshold_vois",
        )
    return name.strip(), fraction, seed.strip() or None


def _with_threshold_vois(study, specs: tuple[str, ...]):
    """The study with VOIs drawn by a threshold on the first time point's activity (within a seed VOI if named)."""
    from nmguard.imaging.voi import threshold_voi

    if not specs:
        return study
    activity = study.time_points[0].activity_Bq
    vois, sources = dict(study.vois), dict(study.voi_sources)
    for spec in specs:
        name, fraction, seed = parse_threshold_voi(spec)
        if name in vois:
            raise InputError(f"threshold VOI {name!r}: the study already has a VOI of that name", "threshold_vois")
        if seed is not None and seed not in vois:
            raise InputError(f"threshold VOI {name!r}: no VOI named {seed!r} to search within", "threshold_vois")
        mask = threshold_voi(activity, fraction, vois[seed] if seed else None)
        vois[name] = mask & vois[seed] if seed else mask  # "within": never beyond the named VOI
        where = f" within {seed}" if seed else ""
        sources[name] = f"threshold {100 * fraction:g} % of the maximum{where}, time point 1 (NMGuard)"
    return dataclasses.replace(study, vois=vois, voi_sources=sources)


@dataclass
class VoiResult:
    name: str
    source: str
    volume_mL: float
    mass_g: float
    times_h: list[float]
    activities_MBq: list[float]
    tia_MBq_h: float
    tia_uncertainty_percent: float | None
    tia_model: str
    tia_model_reason: str
    tia_warnings: list[str]
    voxel_scale_factor: float | None
    mean_Gy: float
    max_Gy: float
    D2_Gy: float
    D50_Gy: float
    D98_Gy: float
    mean_uncertainty_percent: float | None
    mc_relative_uncertainty_percent: float | None
    sphere_model_Gy: float | None = None
    bed_Gy: float | None = None
    bed_parameters: dict[str, Any] | None = None
    dvh: tuple[list[float], list[float]] = field(default_factory=lambda: ([], []))


@dataclass
class DosimetryRun:
    """The result of a run: geometry, dose map, per-VOI results and everything needed to reproduce it."""

    patient_id: str
    patient_name: str
    study_instance_uid: str
    frame_of_reference_uid: str
    nuclide: str
    injected_activity_MBq: float
    injection_time: str
    times_h: list[float]
    options: RunOptions
    dose_Gy: np.ndarray
    density_g_cm3: np.ndarray
    spacing_mm: tuple[float, float, float]
    origin_mm: tuple[float, float, float]
    vois: list[VoiResult]
    masks: dict[str, np.ndarray]
    energy: dict[str, float]
    warnings: list[str]
    versions: dict[str, str]
    input_digest: str
    timings_s: dict[str, float]
    study_dir: str = ""
    reference_series_uid: str = ""  # the SPECT/PET series whose grid the dose map uses

    @property
    def voxel_volume_mL(self) -> float:
        dz, dy, dx = self.spacing_mm
        return dz * dy * dx / 1000.0


def _noop(_step: str, _fraction: float) -> None:
    return None


def software_versions() -> dict[str, str]:
    """Versions that change numbers: NMGuard, its reference data, NumPy, SciPy, SimpleITK, numba."""
    from importlib.metadata import PackageNotFoundError, version

    from nmguard.reference.manifest import data_version

    out = {"reference_data": data_version()}
    for pkg in ("nmguard", "numpy", "scipy", "SimpleITK", "numba", "pydicom"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def input_digest(folder: Path) -> str:
    """SHA-256 over the study's files (relative names and bytes, sorted): proves which inputs a run used."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


@dataclass(frozen=True)
class VoiCurve:
    """A VOI's time-activity curve and its time integral, whatever method gave it."""

    activities_MBq: list[float]
    tia_MBq_h: float
    uncertainty_percent: float | None
    model: str
    reason: str
    warnings: tuple[str, ...]
    clearance_per_h: float | None  # the slowest effective decay constant (for BED); None if not known


def _single_point_model(study, options: RunOptions) -> tuple[str, str]:
    """The single-time-point method and why: physical decay only for a trapped radiopharmaceutical (MAA,
    microspheres: exact), else Hänscheid (valid only near 1-2 effective half-lives); the user may choose."""
    if options.tia_model in SINGLE_POINT_MODELS:
        return options.tia_model, f"one time point: {options.tia_model} as chosen"
    if options.tia_model != "auto":
        raise InputError(
            f"one time point: the TIA model {options.tia_model!r} needs several; choose auto, "
            f"{' or '.join(SINGLE_POINT_MODELS)}",
            "tia_model",
        )
    if study.trapped:
        return "physical", (
            f"one time point of a trapped radiopharmaceutical ({study.radiopharmaceutical}): physical decay only "
            "(exact when the activity leaves only by decay)"
        )
    return "haenscheid", (
        "one time point: Hänscheid single-time-point method (valid when the time is near the effective half-life)"
    )


def _voi_curves(study, options: RunOptions) -> dict[str, VoiCurve]:
    """Each VOI's TIA: a curve fit (several time points) or a single-time-point method (one)."""
    from nmguard.dosimetry.stp import stp_tia
    from nmguard.dosimetry.tia import fit_tia

    times = [tp.hours_after_injection for tp in study.time_points]
    single = _single_point_model(study, options) if len(times) == 1 else None
    if single is None and options.tia_model in SINGLE_POINT_MODELS:
        raise InputError(
            f"{options.tia_model} is a single-time-point method and the study has {len(times)} time points",
            "tia_model",
        )
    curves = {}
    for name, mask in study.vois.items():
        acts = [float(tp.activity_Bq.array[mask].sum()) / 1e6 for tp in study.time_points]
        if min(acts) <= 0:
            raise InputError(f"VOI {name!r} holds no activity at some time point", "vois")
        if single is not None:
            model, reason = single
            r = stp_tia(times[0], acts[0], study.nuclide, model)
            lam = r.values["lambda_physical_per_h"].value if model == "physical" else None
            curves[name] = VoiCurve(acts, float(r.values["tia_MBq_h"].value), None, model, reason, r.warnings, lam)
            continue
        r = fit_tia(times, acts, study.nuclide, options.tia_model, options.activity_uncertainty_percent)
        params = r.values["parameters"].value or {}
        lam = params.get("lambda1") or params.get("lambda_tail")
        curves[name] = VoiCurve(
            acts,
            float(r.values["tia_MBq_h"].value),
            r.values["tia_uncertainty_percent"].value,
            str(r.values["model"].value),
            str(r.values["model_reason"].value),
            r.warnings,
            float(lam) if lam else None,
        )
    return curves


def _density_map(study, warnings: list[str]) -> tuple[np.ndarray, np.ndarray | None]:
    from nmguard.dosimetry.ct_density import hu_to_density_material
    from nmguard.imaging.study import ct_density_grid

    shape = study.time_points[0].activity_Bq.array.shape
    if study.time_points[0].ct_hu is None:
        warnings.append("no CT at the reference time point: unit density (water) assumed everywhere")
        return np.ones(shape), None
    density, material = hu_to_density_material(ct_density_grid(study).array)
    return np.asarray(density, dtype=np.float64), material


def _electron_energy_MeV(nuclide: str) -> float:
    """The nuclide's mean electron energy per decay: ENSDF-derived where usable, else a cited table value.

    An unverified value (entered from memory) is refused: a dose map must not rest on it."""
    from nmguard.reference.citations import Status
    from nmguard.reference.nuclides import get_nuclide

    value = get_nuclide(nuclide).mean_electron_energy
    if value.status is Status.UNVERIFIED:
        raise InputError(
            f"the mean electron energy per decay of {nuclide} in the reference data is unverified "
            f"({value.source.id}); no dose map is computed on it",
            "nuclide",
        )
    return float(value.value)


def _dose(
    options: RunOptions, study, decays: np.ndarray, density: np.ndarray, material, progress: Progress, warnings
) -> tuple[np.ndarray, dict[str, float] | None, dict[str, float]]:
    """Absorbed dose (Gy) by the chosen method; for Monte Carlo also the standard uncertainty (Gy) of each
    VOI's mean dose from the batches; and the energy terms (J)."""
    from nmguard.dosimetry.dvk import dvk_dose_with_round_off
    from nmguard.dosimetry.kernels import local_deposition_dose, voxel_kernel

    tp0 = study.time_points[0].activity_Bq
    vv = tp0.voxel_volume_mL
    energy: dict[str, float] = {"electron_emitted_J": float(decays.sum()) * _electron_energy_MeV(study.nuclide) * MEV_J}
    floored = np.maximum(density, AIR_BELOW_G_CM3)
    if options.method == "ld":
        return local_deposition_dose(decays, study.nuclide, vv, floored), None, energy
    if options.method == "dvk":
        progress("dose: generating the voxel kernel", 0.55)
        kernel = voxel_kernel(
            study.nuclide, tuple(float(s) for s in tp0.spacing_mm), radius_mm=float(options.kernel_radius_mm)
        )
        energy["kernel_energy_fraction"] = float(kernel.energy_fraction_within_kernel)
        progress("dose: kernel convolution", 0.7)
        dose, round_off = dvk_dose_with_round_off(decays, kernel, floored)
        energy["fft_round_off_clipped_voxels"] = float(round_off.clipped_voxels)
        energy["fft_round_off_largest_clipped_Gy"] = round_off.largest_clipped_Gy
        if round_off.warning():
            warnings.append(round_off.warning())
        return dose, None, energy
    if material is None:
        raise InputError("the Monte Carlo method needs a CT at the reference time point", "method")
    from nmguard.dosimetry.montecarlo import simulate_photons

    electrons = local_deposition_dose(decays, study.nuclide, vv, floored)

    def mc_progress(fraction: float) -> None:
        progress("dose: Monte Carlo photon transport", 0.6 + 0.3 * fraction)

    mc = simulate_photons(
        decays,
        density,
        material,
        tuple(float(s) for s in tp0.spacing_mm),
        study.nuclide,
        options.mc_histories,
        seed=options.seed,
        device=options.device,
        progress=mc_progress,
        regions=study.vois,
    )
    energy.update(
        photon_emitted_J=float(mc.energy_emitted_J),
        photon_deposited_J=float(mc.energy_deposited_J),
        photon_escaped_J=float(mc.energy_escaped_J),
        mc_histories=float(mc.histories),
        mc_histories_per_second=float(mc.histories_per_second),
    )
    sigma_Gy = {
        name: mc.region_relative_uncertainty[name] * mc.region_mean_dose_Gy[name] for name in mc.region_mean_dose_Gy
    }
    return electrons + mc.dose_Gy, sigma_Gy, energy


def _sphere_model_Gy(nuclide: str, tia_MBq_h: float, mass_g: float, volume_mL: float) -> float | None:
    """Organ-level (MIRD schema) self-dose: TIA × S(sphere of the VOI's CT mass and mean density).

    The mass scaling to the patient is the sphere's own (the S-value of the patient's organ mass); cross
    doses from other organs are not included, so it is a check on the voxel result for compact VOIs.
    """
    from nmguard.dosimetry.kernels import sphere_s_value

    if mass_g <= 0 or volume_mL <= 0:
        return None
    s = sphere_s_value(nuclide, mass_g, density_g_cm3=mass_g / volume_mL)
    return tia_MBq_h * 3600.0 * s.s_value_mGy_per_MBq_s / 1000.0


def _bed(name: str, mean_Gy: float, curve: VoiCurve) -> tuple[float | None, dict[str, Any] | None]:
    from nmguard.dosimetry.bed import bed_mono_exponential

    tissue = next((t for key, t in BED_TISSUES.items() if key in name.lower()), None)
    if tissue is None or mean_Gy <= 0:
        return None, None
    if not curve.clearance_per_h:
        return None, {"reason": "no fitted clearance for the effective half-life"}
    half_life = LN2 / curve.clearance_per_h
    data = bed_mono_exponential(mean_Gy, half_life, tissue=tissue).to_dict()
    return float(data["values"]["bed_Gy"]["value"]), {
        "tissue": tissue,
        "effective_half_life_h": half_life,
        "parameters": data["parameters"],
    }


def run_dosimetry(
    study_dir: str | Path, options: RunOptions | None = None, progress: Progress | None = None
) -> DosimetryRun:
    """Run the whole pipeline on a folder of DICOM series; nothing is written (see :mod:`...dosimetry.outputs`)."""
    from nmguard.dosimetry.dose_stats import dvh, voi_statistics
    from nmguard.dosimetry.tia import physical_decay_constant_per_h
    from nmguard.dosimetry.voxel_tia import scale_to_voi_totals, voxel_tia_Bq_h
    from nmguard.imaging.study import load_study, register_time_points

    options = (options or RunOptions()).checked()
    progress = progress or _noop
    folder = Path(study_dir)
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder of DICOM files", "study_dir")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    progress("reading the DICOM study", 0.0)
    study = load_study(
        folder,
        calibration_cps_per_MBq=options.calibration_cps_per_MBq,
        nuclide=options.nuclide,
        injection_time=options.injection_time,
        progress=lambda step, f: progress(step, 0.15 * f),
    )
    if not study.vois and not options.threshold_vois:
        raise InputError("the study has no VOIs (no DICOM SEG or RTSTRUCT found, no threshold VOI given)", "vois")
    timings["read"] = time.perf_counter() - t0
    warnings: list[str] = list(study.warnings)
    if len(study.time_points) > 1:
        progress("registering the time points", 0.15)
        study = register_time_points(
            study,
            deformable=options.deformable_registration,
            progress=lambda step, f: progress(step, 0.15 + 0.2 * f),
        )
        warnings = list(study.warnings)
    timings["register"] = time.perf_counter() - t0 - sum(timings.values())
    study = _with_threshold_vois(study, options.threshold_vois)
    progress("fitting time-activity curves", 0.35)
    curves = _voi_curves(study, options)
    times = [tp.hours_after_injection for tp in study.time_points]
    lam_p = physical_decay_constant_per_h(study.nuclide)
    tia_map, _ = voxel_tia_Bq_h(times, [tp.activity_Bq.array for tp in study.time_points], lam_p)
    factors: dict[str, float] = {}
    if options.scale_voxel_tia_to_voi:
        voi_tia = {name: c.tia_MBq_h * 1e6 for name, c in curves.items()}
        tia_map, factors = scale_to_voi_totals(tia_map, study.vois, voi_tia)
    decays = tia_map * 3600.0  # Bq·h -> number of decays
    timings["tia"] = time.perf_counter() - t0 - sum(timings.values())
    progress("density from CT", 0.45)
    density, material = _density_map(study, warnings)
    progress(f"dose: {options.method}", 0.5)
    dose, mc_sigma_Gy, energy = _dose(options, study, decays, density, material, progress, warnings)
    air = density < AIR_BELOW_G_CM3
    energy["dropped_in_air_J"] = float(
        (dose[air] * AIR_BELOW_G_CM3).sum() * study.time_points[0].activity_Bq.voxel_volume_mL * 1e-3
    )
    dose = np.where(air, 0.0, dose)
    timings["dose"] = time.perf_counter() - t0 - sum(timings.values())
    progress("VOI statistics", 0.92)
    ref = study.time_points[0].activity_Bq
    vv = ref.voxel_volume_mL
    energy["deposited_J"] = float((dose * density).sum() * vv * 1e-3)
    vois = []
    for name, mask in study.vois.items():
        curve = curves[name]
        stats = voi_statistics(dose, mask, vv, density)
        levels, percent = dvh(dose, mask, bins=100)
        tia_unc = curve.uncertainty_percent
        mc_unc = None
        if mc_sigma_Gy is not None and name in mc_sigma_Gy and stats["mean_Gy"] > 0:
            mc_unc = 100.0 * mc_sigma_Gy[name] / stats["mean_Gy"]  # batch statistics of the VOI mean (k = 1)
        parts = [u for u in (tia_unc, mc_unc) if u is not None]
        mean_unc = float(math.sqrt(sum(u * u for u in parts))) if parts and tia_unc is not None else None
        bed, bed_params = _bed(name, stats["mean_Gy"], curve)
        vois.append(
            VoiResult(
                name=name,
                source=study.voi_sources.get(name, ""),
                volume_mL=stats["volume_mL"],
                mass_g=stats["mass_g"],
                times_h=list(times),
                activities_MBq=curve.activities_MBq,
                tia_MBq_h=curve.tia_MBq_h,
                tia_uncertainty_percent=tia_unc,
                tia_model=curve.model,
                tia_model_reason=curve.reason,
                tia_warnings=list(curve.warnings),
                voxel_scale_factor=factors.get(name),
                mean_Gy=stats["mean_Gy"],
                max_Gy=stats["max_Gy"],
                D2_Gy=stats["D2_Gy"],
                D50_Gy=stats["D50_Gy"],
                D98_Gy=stats["D98_Gy"],
                mean_uncertainty_percent=mean_unc,
                mc_relative_uncertainty_percent=mc_unc,
                sphere_model_Gy=_sphere_model_Gy(study.nuclide, curve.tia_MBq_h, stats["mass_g"], stats["volume_mL"]),
                bed_Gy=bed,
                bed_parameters=bed_params,
                dvh=(levels.tolist(), percent.tolist()),
            )
        )
    timings["statistics"] = time.perf_counter() - t0 - sum(timings.values())
    progress("done", 1.0)
    return DosimetryRun(
        patient_id=study.patient_id,
        patient_name=study.patient_name,
        study_instance_uid=study.study_instance_uid,
        frame_of_reference_uid=ref.frame_of_reference_uid,
        nuclide=study.nuclide,
        injected_activity_MBq=float(study.injected_activity_MBq),
        injection_time=study.injection_time.isoformat(),
        times_h=list(times),
        options=options,
        dose_Gy=dose,
        density_g_cm3=density,
        spacing_mm=tuple(float(s) for s in ref.spacing_mm),
        origin_mm=tuple(float(s) for s in ref.origin_mm),
        vois=vois,
        masks={name: np.asarray(m, dtype=bool) for name, m in study.vois.items()},
        energy=energy,
        warnings=warnings,
        versions=software_versions(),
        input_digest=input_digest(folder),
        timings_s=timings,
        study_dir=str(folder),
        reference_series_uid=study.time_points[0].series_instance_uid,
    )
