"""``simulate_photons``: photon dose from a decay map in a CT-derived density/material map.

Histories are primary photons sampled from the nuclide's photon lines (probability ∝ yield) at
points uniform within voxels, voxels chosen ∝ decays, directions isotropic. The tally is split
into batches (consecutive chunks of histories) for the per-voxel statistical uncertainty (batch
method) and for progress reports. Dose is scaled from histories to the decays of the map:
photons emitted = Σ decays × Σ yields.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from nmguard.dosimetry.montecarlo import cpu
from nmguard.dosimetry.montecarlo.tables import transport_tables
from nmguard.dosimetry.montecarlo.tally import QUANTUM_KEV, RawRun, batches
from nmguard.errors import InputError
from nmguard.reference.nuclides import get_nuclide
from nmguard.reference.photon_cross_sections import photon_materials

KEV_J = 1.602176634e-16  # J per keV (exact, SI 2019)
#: default cut-off: photons below it deposit their energy where they are (≈ 1 mm range in water at 10 keV).
DEFAULT_CUTOFF_KEV = 10.0
DEVICES = ("cpu", "gpu")


@dataclass(frozen=True)
class PhotonMCResult:
    """Photon dose (Gy) for all decays of the source map, its relative uncertainty, and the energy balance."""

    dose_Gy: np.ndarray
    relative_uncertainty: np.ndarray
    energy_emitted_J: float
    energy_deposited_J: float
    energy_escaped_J: float
    histories: int
    histories_per_second: float  # wall clock, all threads together (not per core): what a user waits for
    device: str
    first_interactions: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    region_mean_dose_Gy: dict[str, float] = field(default_factory=dict)
    region_relative_uncertainty: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    """Validated inputs in the form the kernels take (positions in cm, flat arrays)."""

    shape: tuple[int, int, int]
    spacing_cm: tuple[float, float, float]
    density: np.ndarray
    material: np.ndarray
    source_cdf: np.ndarray
    line_cdf: np.ndarray
    line_keV: np.ndarray
    total_decays: float
    photons_per_decay: float
    xs: np.ndarray
    majorant: np.ndarray
    log_e0: float
    inv_dlog: float
    e_cut_keV: float


def simulate_photons(
    source_decays: np.ndarray,
    density_g_cm3: np.ndarray,
    material_index: np.ndarray,
    spacing_mm: tuple[float, float, float],
    nuclide: str,
    n_histories: int,
    seed: int = 0,
    device: str = "cpu",
    progress: Callable[[float], None] | None = None,
    cutoff_keV: float = DEFAULT_CUTOFF_KEV,
    regions: Mapping[str, np.ndarray] | None = None,
) -> PhotonMCResult:
    """Photon transport (Woodcock tracking, KERMA approximation) of ``n_histories`` primary photons.

    ``source_decays[z, y, x]``: decays per voxel (e.g. the TIA map in Bq·s); ``density_g_cm3`` and
    ``material_index`` (int, see ``nmguard.dosimetry.ct_density.MATERIALS``) on the same grid.
    The same seed gives the same numbers on the CPU whatever the number of threads.
    ``regions`` (name → boolean mask): each region's mean dose is also tallied per batch, so its
    uncertainty comes from the batches themselves (voxel doses within a region are correlated: one
    photon deposits in several of them, so adding voxel variances would understate it).
    """
    if device not in DEVICES:
        raise InputError(f"device must be one of {', '.join(DEVICES)}, not {device!r}", "device")
    problem = prepare(source_decays, density_g_cm3, material_index, spacing_mm, nuclide, cutoff_keV)
    if isinstance(n_histories, bool) or not isinstance(n_histories, int | np.integer) or n_histories < 1:
        raise InputError("n_histories must be a positive whole number", "n_histories")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= seed < 2**63:
        raise InputError("seed must be a whole number >= 0", "seed")
    weights = _region_weights(problem, regions or {})
    if device == "gpu":
        from nmguard.dosimetry.montecarlo import gpu as backend  # numba.cuda only when asked for
    else:
        backend = cpu
    run = backend.run_batches(
        problem, int(n_histories), int(seed), batches(int(n_histories)), QUANTUM_KEV, progress, weights
    )
    return _result(problem, run, int(n_histories), device)


def _region_weights(p: Problem, regions: Mapping[str, np.ndarray]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per region: flat voxel indices and 1 / (n voxels × voxel mass in kg), so Σ E_i w_i is the mean dose."""
    voxel_cm3 = p.spacing_cm[0] * p.spacing_cm[1] * p.spacing_cm[2]
    out = {}
    for name, mask in regions.items():
        m = np.asarray(mask, dtype=bool)
        if m.shape != p.shape:
            raise InputError(f"region {name!r} has shape {m.shape}, the grid {p.shape}", "regions")
        idx = np.flatnonzero(m.ravel())
        if idx.size:
            out[name] = (idx, 1.0 / (idx.size * p.density[idx] * voxel_cm3 / 1000.0))
    return out


# --------------------------------------------------------------------------- inputs


def prepare(
    source_decays: np.ndarray,
    density_g_cm3: np.ndarray,
    material_index: np.ndarray,
    spacing_mm: tuple[float, float, float],
    nuclide: str,
    cutoff_keV: float = DEFAULT_CUTOFF_KEV,
) -> Problem:
    """Check the inputs (InputError naming the field) and build the kernel arrays."""
    decays = _real_array(source_decays, "source_decays")
    density = _real_array(density_g_cm3, "density_g_cm3")
    material = np.asarray(material_index)
    if decays.ndim != 3:
        raise InputError(f"source_decays must be a 3-D array [z, y, x], not {decays.ndim}-D", "source_decays")
    for name, arr in (("density_g_cm3", density), ("material_index", material)):
        if arr.shape != decays.shape:
            raise InputError(f"{name} has shape {arr.shape}, source_decays {decays.shape}; they must match", name)
    if np.any(decays < 0):
        raise InputError("source_decays has negative values", "source_decays")
    total = float(decays.sum())
    if not total > 0:
        raise InputError("source_decays is zero everywhere: there is nothing to simulate", "source_decays")
    if np.any(density <= 0):
        raise InputError("density_g_cm3 must be positive in every voxel (use air density, not 0)", "density_g_cm3")
    n_mat = len(photon_materials())
    if not np.issubdtype(material.dtype, np.integer) or material.min() < 0 or material.max() >= n_mat:
        raise InputError(f"material_index must hold whole numbers 0-{n_mat - 1}", "material_index")
    spacing = _spacing(spacing_mm)
    tables = transport_tables()
    if not tables.e_min_keV <= cutoff_keV < tables.e_max_keV:
        raise InputError(f"cutoff_keV must lie in {tables.e_min_keV:g}-{tables.e_max_keV:g} keV", "cutoff_keV")
    lines = get_nuclide(nuclide).photon_lines
    if not lines:
        raise InputError(f"{nuclide} emits no photons in the shipped line list", "nuclide")
    energies = np.array([p.energy_keV for p in lines])
    if energies.max() > tables.e_max_keV:
        raise InputError(
            f"{nuclide} has a photon line at {energies.max():g} keV, above the cross-section table "
            f"({tables.e_max_keV:g} keV)",
            "nuclide",
        )
    yields = np.array([p.yield_per_decay for p in lines])
    material8 = np.ascontiguousarray(material.astype(np.int8).ravel())
    density_flat = np.ascontiguousarray(density.ravel())
    return Problem(
        shape=decays.shape,
        spacing_cm=spacing,
        density=density_flat,
        material=material8,
        source_cdf=np.cumsum(decays.ravel()),
        line_cdf=np.cumsum(yields),
        line_keV=energies,
        total_decays=total,
        photons_per_decay=float(yields.sum()),
        xs=tables.xs,
        majorant=tables.majorant(density_flat, material8),
        log_e0=tables.log_e0,
        inv_dlog=tables.inv_dlog,
        e_cut_keV=float(cutoff_keV),
    )


def _real_array(value: np.ndarray, name: str) -> np.ndarray:
    arr = np.asarray(value)
    if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise InputError(f"{name} must be an array of real numbers", name)
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} holds NaN or infinite values", name)
    return arr


def _spacing(spacing_mm: tuple[float, float, float]) -> tuple[float, float, float]:
    try:
        values = tuple(float(s) for s in spacing_mm)
    except (TypeError, ValueError):
        raise InputError("spacing_mm must be three numbers (dz, dy, dx) in mm", "spacing_mm") from None
    if len(values) != 3 or not all(math.isfinite(s) and s > 0 for s in values):
        raise InputError("spacing_mm must be three positive numbers (dz, dy, dx) in mm", "spacing_mm")
    return tuple(s / 10.0 for s in values)  # type: ignore[return-value]


# --------------------------------------------------------------------------- runs


def _result(p: Problem, run: RawRun, n_histories: int, device: str) -> PhotonMCResult:
    scale = p.total_decays * p.photons_per_decay / n_histories  # photons emitted per history simulated
    joules = QUANTUM_KEV * KEV_J * scale
    voxel_cm3 = p.spacing_cm[0] * p.spacing_cm[1] * p.spacing_cm[2]
    mass_kg = p.density * voxel_cm3 / 1000.0
    dose = (run.batch_sum.astype(np.float64) * joules / mass_kg).reshape(p.shape)
    b = run.n_batches
    total = run.batch_sum.astype(np.float64)
    rel = np.ones(total.shape)
    if b > 1:
        mean = total / b
        with np.errstate(invalid="ignore", divide="ignore"):
            var = np.maximum(run.batch_sum_sq - b * mean**2, 0.0) / (b * (b - 1))
            rel = np.where(total > 0, np.sqrt(var) / mean, 1.0)
    deposited = int(run.batch_sum.sum())
    names = ("escaped_uncollided", "photoelectric", "compton", "rayleigh", "below_cutoff_at_emission")
    notes = (
        "photon dose only (electrons and beta particles are not included)",
        "KERMA approximation: electrons set in motion by photons deposit their energy in the voxel of the interaction",
        f"photons below {p.e_cut_keV:g} keV deposit their energy locally",
        "Compton angles from free-electron Klein-Nishina; Rayleigh angles without atomic form factor",
        f"relative uncertainty from {b} batches; 1.0 where no photon energy was deposited",
    )
    region_mean, region_rel = {}, {}
    for name, values in run.region_batches.items():
        v = np.asarray(values)
        region_mean[name] = float(v.sum() * joules)
        if b > 1 and v.sum() > 0:
            region_rel[name] = float(v.std(ddof=1) / math.sqrt(b) / v.mean())
        else:
            region_rel[name] = 1.0
    return PhotonMCResult(
        dose_Gy=dose,
        relative_uncertainty=rel.reshape(p.shape),
        energy_emitted_J=run.emitted * joules,
        energy_deposited_J=deposited * joules,
        energy_escaped_J=run.escaped * joules,
        histories=n_histories,
        histories_per_second=n_histories / run.seconds if run.seconds > 0 else float("inf"),
        device=device,
        first_interactions={n: int(c) for n, c in zip(names, run.first_counts, strict=True)},
        notes=notes,
        region_mean_dose_Gy=region_mean,
        region_relative_uncertainty=region_rel,
    )
