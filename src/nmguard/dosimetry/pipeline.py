"""A whole therapy-dosimetry run: DICOM study folder in, dose map and VOI results out.

Steps (each reports progress): read the study (:func:`nmguard.imaging.study.load_study`), register the
time points onto the first (:func:`nmguard.imaging.registration.register_time_points`), fit each VOI's
time-activity curve (:func:`nmguard.dosimetry.tia.fit_tia`, AICc), time-integrate every voxel
(:mod:`nmguard.dosimetry.voxel_tia`, scaled to the VOI fits unless told not to), compute the absorbed
dose by the chosen method, then the VOI statistics, DVHs, BED for kidneys and red marrow and the
energy balance.

This module only orchestrates: the options are :mod:`nmguard.dosimetry.run_options`, the VOIs and their
curves :mod:`nmguard.dosimetry.voi_curves`, the dose methods (``ld``, ``dvk``, ``mc``) one module each in
:mod:`nmguard.dosimetry.dose_methods`, and each VOI's results :mod:`nmguard.dosimetry.voi_results`.

Every choice that changes a number is in :class:`RunOptions` and is written to the results with the
software and reference-data versions, so a re-run with the same inputs and options gives the same
numbers (the Monte Carlo is seeded).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nmguard.dosimetry.dose_methods import DoseInputs, dose_method
from nmguard.dosimetry.run_options import AIR_BELOW_G_CM3, RunOptions
from nmguard.dosimetry.voi_curves import voi_curves, with_threshold_vois
from nmguard.dosimetry.voi_results import VoiResult, bed_for, sphere_model_Gy
from nmguard.errors import InputError

MEV_J = 1.602176634e-13
Progress = Callable[[str, float], None]


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


def _density_map(study, warnings: list[str]) -> tuple[np.ndarray, np.ndarray | None]:
    from nmguard.dosimetry.ct_density import hu_to_density_material
    from nmguard.imaging.registration import ct_density_grid

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


def run_dosimetry(
    study_dir: str | Path, options: RunOptions | None = None, progress: Progress | None = None
) -> DosimetryRun:
    """Run the whole pipeline on a folder of DICOM series; nothing is written here
    (:mod:`nmguard.outputs.dosimetry_run` writes the files)."""
    from nmguard.dosimetry.dose_stats import dvh, voi_statistics
    from nmguard.dosimetry.tia import physical_decay_constant_per_h
    from nmguard.dosimetry.voxel_tia import scale_to_voi_totals, voxel_tia_Bq_h
    from nmguard.imaging.registration import register_time_points
    from nmguard.imaging.study import load_study

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
    study = with_threshold_vois(study, options.threshold_vois)
    progress("fitting time-activity curves", 0.35)
    curves = voi_curves(study, options)
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
    ref = study.time_points[0].activity_Bq
    energy: dict[str, float] = {"electron_emitted_J": float(decays.sum()) * _electron_energy_MeV(study.nuclide) * MEV_J}
    spacing = tuple(float(s) for s in ref.spacing_mm)
    inputs = DoseInputs(decays, density, material, spacing, ref.voxel_volume_mL, study.nuclide, study.vois, options)
    output = dose_method(options.method)(inputs, progress)
    dose, mc_sigma_Gy = output.dose_Gy, output.voi_sigma_Gy
    energy.update(output.energy)
    warnings.extend(output.warnings)
    air = density < AIR_BELOW_G_CM3
    energy["dropped_in_air_J"] = float(
        (dose[air] * AIR_BELOW_G_CM3).sum() * study.time_points[0].activity_Bq.voxel_volume_mL * 1e-3
    )
    dose = np.where(air, 0.0, dose)
    timings["dose"] = time.perf_counter() - t0 - sum(timings.values())
    progress("VOI statistics", 0.92)
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
        bed, bed_params = bed_for(name, stats["mean_Gy"], curve)
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
                sphere_model_Gy=sphere_model_Gy(study.nuclide, curve.tia_MBq_h, stats["mass_g"], stats["volume_mL"]),
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
