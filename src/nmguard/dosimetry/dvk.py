"""Dose voxel kernels generated from the point kernels, and the voxel dose calculations using them.

Why generated: published voxel S-values exist only for a few nuclides and voxel sizes; a kernel made
from the point kernels (:mod:`nmguard.dosimetry.point_kernels`) exists for any nuclide in the table
and any (anisotropic) voxel size. Method: the energy of a decay at a random point of the source voxel
is spread over spherical shells by the cumulative point kernel Φ; each shell's energy is sent to the
voxels hit by a fixed, seeded set of random points on the shell (uniform source point, isotropic
direction, radius uniform within the shell). Every shell's energy lands somewhere, so the kernel
conserves energy exactly up to what falls outside its extent (``energy_fraction_within_kernel``).
The kernel is then averaged over the reflections (and, for equal spacings, permutations) of the grid.

Dose to a non-water voxel (``dvk_dose`` with a density map): the energy a water kernel deposits in
the voxel divided by the voxel's real mass, dose_water / ρ. The kernel's spatial spread is not
rescaled with density (a choice shared by the usual DVK practice; state it when reporting).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import permutations, product

import numpy as np
import scipy.fft

from nmguard.dosimetry.point_kernels import nuclide_kernels
from nmguard.errors import InputError
from nmguard.reference.nuclides import get_nuclide, normalize_nuclide_name

J_PER_MeV = 1.602176634e-13  # exact (SI 2019 definition of the elementary charge)
SEED = 20261126
SAMPLES_TOTAL = 3_000_000
MIN_SAMPLES_PER_SHELL = 1024
MAX_SHELLS = 1500
MAX_HALF_WIDTH = 64
METHOD = (
    "point kernels in water (beta spectra from ENSDF endpoints; electrons from NMGuard's condensed-history Monte "
    "Carlo with NIST ESTAR energy loss and multiple scattering; photons from NMGuard's photon Monte Carlo physics "
    "in unbounded water) integrated over source and target voxels by seeded shell sampling"
)
COMPONENTS = ("all", "electron", "photon")
# Round-off of the float32 FFT convolution, relative to the largest dose of the map. Basis: float32 has a
# unit round-off of 2^-24 ≈ 6e-8; the error of an FFT of N points grows like ε·log2 N (Higham, Accuracy
# and Stability of Numerical Algorithms, 2nd ed., §24.1), i.e. ≈ 1e-6 for the ~2^20–2^24 points of a
# padded SPECT volume, and the convolution takes a forward and an inverse transform; negatives of about
# 1e-7 of the maximum are what it leaves where the activity is exactly zero (issue 11). 1e-5 bounds that
# with a margin of ten, while any real negative (an input error) is far larger and still refused.
FFT_ROUND_OFF_FRACTION = 1e-5


@dataclass(frozen=True)
class RoundOff:
    """What :func:`clip_round_off` set to zero: negatives no larger than ``fraction`` × the map's maximum."""

    clipped_voxels: int
    largest_clipped_Gy: float
    max_Gy: float
    fraction: float = FFT_ROUND_OFF_FRACTION

    def warning(self) -> str | None:
        """One line for the run's warnings, or None when nothing was clipped."""
        if not self.clipped_voxels:
            return None
        return (
            f"FFT round-off: {self.clipped_voxels} voxel(s) with negative dose down to "
            f"{-self.largest_clipped_Gy:.3g} Gy ({self.largest_clipped_Gy / self.max_Gy:.2g} of the maximum "
            f"{self.max_Gy:.4g} Gy; limit {self.fraction:g}) set to zero"
        )

    def to_dict(self) -> dict:
        return {
            "clipped_voxels": self.clipped_voxels,
            "largest_clipped_Gy": self.largest_clipped_Gy,
            "max_Gy": self.max_Gy,
            "fraction_of_max": self.fraction,
        }


def clip_round_off(dose_Gy: np.ndarray, fraction: float = FFT_ROUND_OFF_FRACTION) -> tuple[np.ndarray, RoundOff]:
    """Set negatives no larger than ``fraction`` × max to zero and say how many and how large.

    Why here: the FFT convolution, not the physics, makes them, and every writer downstream (RT Dose,
    Parametric Map) rightly refuses negative doses. Larger negatives are left as they are, so those writers
    still refuse a map that holds a real error.
    """
    dose = np.array(dose_Gy, dtype=np.float64, copy=True)
    peak = float(dose.max()) if dose.size else 0.0
    if peak <= 0:
        return dose, RoundOff(0, 0.0, peak, fraction)
    small = (dose < 0) & (dose >= -fraction * peak)
    count = int(np.count_nonzero(small))
    largest = float(-dose[small].min()) if count else 0.0
    dose[small] = 0.0
    return dose, RoundOff(count, largest, peak, fraction)


@dataclass(frozen=True)
class VoxelKernel:
    """Absorbed dose per decay in each voxel around a source voxel; ``values_Gy_per_decay[z, y, x]``, centred."""

    nuclide: str
    values_Gy_per_decay: np.ndarray
    voxel_mm: tuple[float, float, float]
    energy_fraction_within_kernel: float
    mass_g: float
    energy_per_decay_MeV: float
    method: str = METHOD
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    cache_key: str = ""  # set when the kernel is keyed in the disk cache (its FFTs are cached under it)

    @property
    def half_width(self) -> tuple[int, int, int]:
        return tuple(int(s // 2) for s in self.values_Gy_per_decay.shape)  # type: ignore[return-value]

    @property
    def centre_Gy_per_decay(self) -> float:
        z, y, x = self.half_width
        return float(self.values_Gy_per_decay[z, y, x])

    def to_dict(self) -> dict:
        return {
            "nuclide": self.nuclide,
            "voxel_mm": list(self.voxel_mm),
            "shape": list(self.values_Gy_per_decay.shape),
            "mass_g": self.mass_g,
            "energy_per_decay_MeV": self.energy_per_decay_MeV,
            "energy_fraction_within_kernel": self.energy_fraction_within_kernel,
            "centre_voxel_mGy_per_MBq_s": self.centre_Gy_per_decay * 1e9,
            "method": self.method,
            "sources": list(self.sources),
            "notes": list(self.notes),
        }


def _spacing(voxel_mm: float | tuple[float, float, float] | list[float]) -> tuple[float, float, float]:
    try:
        vals = (float(voxel_mm),) * 3 if np.isscalar(voxel_mm) else tuple(float(v) for v in voxel_mm)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"voxel size {voxel_mm!r} is not a number or (dz, dy, dx) in mm", "voxel_mm") from None
    if len(vals) != 3 or not all(math.isfinite(v) and v > 0 for v in vals):
        raise InputError(
            f"voxel size must be a positive number or three positive numbers (mm), not {voxel_mm!r}", "voxel_mm"
        )
    return vals  # type: ignore[return-value]


def voxel_kernel(
    nuclide: str, voxel_mm: float | tuple[float, float, float], radius_mm: float | None = None
) -> VoxelKernel:
    """Dose voxel kernel of ``nuclide`` for voxels of ``voxel_mm`` (one size or (dz, dy, dx)).

    ``radius_mm`` sets the extent (voxels whose centre offset is within it along each axis); default:
    the longest beta range plus one voxel, at least one voxel each side. Cached.
    """
    spacing = _spacing(voxel_mm)
    return _voxel_kernel(normalize_nuclide_name(nuclide), spacing, _radius(radius_mm), "all")


def component_voxel_kernel(
    nuclide: str,
    voxel_mm: float | tuple[float, float, float],
    radius_mm: float | None = None,
    component: str = "photon",
) -> VoxelKernel:
    """The part of :func:`voxel_kernel` due to ``component`` ("electron" or "photon") alone.

    Why: the photon part can be checked against the photon Monte Carlo, the electron part against local
    deposition; the two parts sum to the whole kernel (the same seeded sampling is used for each).
    """
    if component not in COMPONENTS[1:]:
        raise InputError(f"component must be 'electron' or 'photon', not {component!r}", "component")
    return _voxel_kernel(normalize_nuclide_name(nuclide), _spacing(voxel_mm), _radius(radius_mm), component)


def _radius(radius_mm: float | None) -> float | None:
    if radius_mm is None:
        return None
    try:
        radius = float(radius_mm)
    except (TypeError, ValueError):
        raise InputError(f"kernel radius {radius_mm!r} is not a number (mm)", "radius_mm") from None
    if not math.isfinite(radius) or radius < 0:
        raise InputError(f"kernel radius must be zero or positive (mm), not {radius_mm!r}", "radius_mm")
    return radius


@lru_cache(maxsize=32)
def _voxel_kernel(
    name: str, spacing: tuple[float, float, float], radius_mm: float | None, component: str
) -> VoxelKernel:
    """The kernel from the disk cache (:mod:`nmguard.dosimetry.kernel_cache`) or generated, then kept in memory."""
    from nmguard.dosimetry.kernel_cache import cache_key, cached_arrays

    parts = {
        "nuclide": name,
        "voxel_mm": list(spacing),
        "radius_mm": radius_mm,
        "component": component,
        "sampling": [SEED, SAMPLES_TOTAL, MIN_SAMPLES_PER_SHELL, MAX_SHELLS, MAX_HALF_WIDTH],
    }
    key = cache_key(parts)
    arrays = cached_arrays("dvk", key, lambda: _generate_kernel(name, spacing, radius_mm, component))
    return VoxelKernel(
        nuclide=name,
        values_Gy_per_decay=arrays["values"],
        voxel_mm=spacing,
        energy_fraction_within_kernel=float(arrays["energy_fraction"]),
        mass_g=float(np.prod(spacing)) / 1000.0,
        energy_per_decay_MeV=float(arrays["energy_MeV"]),
        sources=tuple(str(v) for v in arrays["sources"]),
        notes=tuple(str(v) for v in arrays["notes"]),
        cache_key=key,
    )


def _generate_kernel(
    name: str, spacing: tuple[float, float, float], radius_mm: float | None, component: str
) -> dict[str, np.ndarray]:
    """The kernel's numbers as arrays (what the disk cache stores)."""
    pk = nuclide_kernels(name)
    cumulative, energy = {
        "all": (pk.cumulative, pk.energy_MeV),
        "electron": (pk.electron.cumulative, pk.electron.energy_MeV),
        "photon": (pk.photon.cumulative, pk.photon.energy_MeV),
    }[component]
    d = np.array(spacing)
    if radius_mm is None:
        radius_mm = max(pk.electron.max_range_cm * 10.0 + float(d.max()), float(d.max()))
    half = np.maximum(1, np.ceil(radius_mm / d - 1e-9).astype(int))
    if np.any(half > MAX_HALF_WIDTH):
        raise InputError(
            f"kernel of radius {radius_mm:g} mm needs more than {2 * MAX_HALF_WIDTH + 1} voxels per axis", "radius_mm"
        )
    energy_map = _shell_energy(cumulative, float(cumulative(0.0)), d, half)
    mass_g = float(np.prod(d)) / 1000.0
    return {
        "values": energy_map * energy * J_PER_MeV / (mass_g / 1000.0),
        "energy_fraction": np.array(float(energy_map.sum())),
        "energy_MeV": np.array(float(energy)),
        "sources": np.array([c.id for c in pk.sources], dtype=str),
        "notes": np.array(list(pk.notes), dtype=str),
    }


def kernel_fft(kernel: VoxelKernel, shape: tuple[int, ...]) -> np.ndarray:
    """The kernel's float32 real FFT zero-padded to ``shape`` (complex64), from the disk cache when the
    kernel came from it (same key), else computed."""
    k = np.asarray(kernel.values_Gy_per_decay, dtype=np.float32)

    def make() -> dict[str, np.ndarray]:
        return {"values": scipy.fft.rfftn(k, s=shape, workers=-1).astype(np.complex64, copy=False)}

    if not kernel.cache_key:
        return make()["values"]
    from nmguard.dosimetry.kernel_cache import cached_arrays

    expected = (*shape[:-1], shape[-1] // 2 + 1)
    name = "fft-" + "x".join(str(n) for n in shape)
    return cached_arrays(name, kernel.cache_key, make, shape=expected)["values"]


def _shell_energy(cumulative, local: float, d: np.ndarray, half: np.ndarray) -> np.ndarray:
    """Fraction of the decay energy deposited in each kernel voxel (seeded shell sampling, then symmetrised)."""
    shape = tuple(int(2 * h + 1) for h in half)
    reach_mm = float(np.sqrt(np.sum(((half + 1) * d) ** 2)))
    n_shells = int(min(MAX_SHELLS, max(64, math.ceil(reach_mm / (d.min() / 16.0)))))
    edges_mm = np.linspace(0.0, reach_mm, n_shells + 1)
    shell_fraction = np.diff(cumulative(edges_mm / 10.0))
    shell_fraction[0] += float(cumulative(0.0)) - local  # continuous part starts at Φ(0) = local
    per_shell = max(MIN_SAMPLES_PER_SHELL, SAMPLES_TOTAL // n_shells)
    rng = np.random.default_rng(SEED)
    out = np.zeros(int(np.prod(shape)))
    chunk = max(1, 400_000 // per_shell)
    for start in range(0, n_shells, chunk):
        stop = min(n_shells, start + chunk)
        k = stop - start
        weights = np.repeat(shell_fraction[start:stop] / per_shell, per_shell)
        if not np.any(weights):
            continue
        r = rng.uniform(
            np.repeat(edges_mm[start:stop], per_shell), np.repeat(edges_mm[start + 1 : stop + 1], per_shell)
        )
        v = rng.normal(size=(k * per_shell, 3))
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        pos = rng.uniform(-0.5, 0.5, size=(k * per_shell, 3)) + v * (r[:, None] / d[None, :])
        idx = np.floor(pos + 0.5).astype(np.int64) + half[None, :]
        inside = np.all((idx >= 0) & (idx < np.array(shape)[None, :]), axis=1)
        flat = np.ravel_multi_index(idx[inside].T, shape)
        out += np.bincount(flat, weights=weights[inside], minlength=out.size)
    grid = out.reshape(shape)
    grid[tuple(half)] += local
    return _symmetrise(grid, d)


def _symmetrise(grid: np.ndarray, d: np.ndarray) -> np.ndarray:
    acc = np.zeros_like(grid)
    for flips in product((False, True), repeat=3):
        axes = tuple(i for i, f in enumerate(flips) if f)
        acc += np.flip(grid, axis=axes) if axes else grid
    acc /= 8.0
    perms = [
        p for p in permutations(range(3)) if np.allclose(d[list(p)], d) and acc.shape == tuple(acc.shape[i] for i in p)
    ]
    return sum(np.transpose(acc, p) for p in perms) / len(perms)


def _array(a, name: str) -> np.ndarray:
    arr = np.asarray(a, dtype=float)
    if arr.ndim != 3:
        raise InputError(f"{name.replace('_', ' ')} must be a 3-D array [z, y, x], not {arr.ndim}-D", name)
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name.replace('_', ' ')} contains non-finite values", name)
    return arr


def _density(density_g_cm3, shape: tuple[int, ...]) -> np.ndarray | float:
    if density_g_cm3 is None:
        return 1.0
    if np.isscalar(density_g_cm3):
        rho = float(density_g_cm3)
        if not math.isfinite(rho) or rho <= 0:
            raise InputError(f"density must be positive (g/cm³), not {density_g_cm3!r}", "density_g_cm3")
        return rho
    rho = _array(density_g_cm3, "density_g_cm3")
    if rho.shape != shape:
        raise InputError(f"density map shape {rho.shape} differs from the activity map {shape}", "density_g_cm3")
    if np.any(rho <= 0):
        raise InputError(
            "density map has zero or negative voxels; clip air to a small positive density", "density_g_cm3"
        )
    return rho


def dvk_dose(
    tia_decays: np.ndarray, kernel: VoxelKernel, density_g_cm3: np.ndarray | float | None = None
) -> np.ndarray:
    """Absorbed dose (Gy) from decays per voxel convolved with ``kernel`` (linear FFT convolution, float32),
    with the convolution's round-off negatives set to zero (:func:`dvk_dose_with_round_off` reports them).

    ``density_g_cm3`` scales the water dose to the voxel's real mass (dose_water / ρ; see module note).
    The activity map must have the kernel's voxel size; the caller resamples.
    """
    return dvk_dose_with_round_off(tia_decays, kernel, density_g_cm3)[0]


def dvk_dose_with_round_off(
    tia_decays: np.ndarray, kernel: VoxelKernel, density_g_cm3: np.ndarray | float | None = None
) -> tuple[np.ndarray, RoundOff]:
    """:func:`dvk_dose` and what :func:`clip_round_off` set to zero (for the run's warnings and results)."""
    return clip_round_off(_convolve(tia_decays, kernel, density_g_cm3))


def _convolve(
    tia_decays: np.ndarray, kernel: VoxelKernel, density_g_cm3: np.ndarray | float | None = None
) -> np.ndarray:
    """The raw FFT convolution (round-off negatives included)."""
    a = _array(tia_decays, "tia_decays")
    rho = _density(density_g_cm3, a.shape)
    k = kernel.values_Gy_per_decay
    full = [n + m - 1 for n, m in zip(a.shape, k.shape, strict=True)]
    fast = tuple(scipy.fft.next_fast_len(n, real=True) for n in full)
    fa = scipy.fft.rfftn(a.astype(np.float32), s=fast, workers=-1)
    fk = kernel_fft(kernel, fast)
    conv = scipy.fft.irfftn(fa * fk, s=fast, workers=-1)
    start = [m // 2 for m in k.shape]
    dose = conv[tuple(slice(s, s + n) for s, n in zip(start, a.shape, strict=True))].astype(np.float64)
    return dose / rho


def local_deposition_dose(
    tia_decays: np.ndarray, nuclide: str, voxel_volume_mL: float, density_g_cm3: np.ndarray | float | None = None
) -> np.ndarray:
    """Absorbed dose (Gy) if all electron energy stays in the voxel of decay; photons are ignored
    (they deposit mostly elsewhere), so this suits beta emitters and voxels larger than the beta range."""
    a = _array(tia_decays, "tia_decays")
    try:
        vol = float(voxel_volume_mL)
    except (TypeError, ValueError):
        raise InputError(f"voxel volume {voxel_volume_mL!r} is not a number (mL)", "voxel_volume_mL") from None
    if not math.isfinite(vol) or vol <= 0:
        raise InputError(f"voxel volume must be positive (mL), not {voxel_volume_mL!r}", "voxel_volume_mL")
    rho = _density(density_g_cm3, a.shape)
    e_j = get_nuclide(normalize_nuclide_name(nuclide)).mean_electron_energy.value * J_PER_MeV
    return a * e_j / (vol * rho * 1e-3)
