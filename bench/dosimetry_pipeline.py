"""Voxel dosimetry pipeline on a 4-time-point study of 128³ voxels at 4.8 mm (the issue's benchmark).

Measured: NMGuard's voxel stage — voxel TIA (trapezoids + fitted tail, vectorised), scaling to the VOI
fits, dose voxel kernel convolution (float32 real FFT, padded to fast sizes, all cores) with density
scaling, VOI statistics — against a straightforward SciPy implementation of the same method in the same
process: ``scipy.integrate.trapezoid`` for the trapezoids, ``numpy.polyfit`` for the tail rates,
``scipy.signal.fftconvolve`` in float64 for the kernel. Both use the same kernel (generated once; its
generation time is printed separately), and their dose maps must agree (printed).

Also printed: the whole ``run_dosimetry`` (DICOM reading, registration, fits, dose, statistics) with the
time of each stage, and a Monte Carlo run on the same study with the statistical uncertainty of the organ
means it reaches.

Run: ``python bench/dosimetry_pipeline.py [--shape 128] [--mc-histories 2000000]``.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.integrate import trapezoid
from scipy.signal import fftconvolve

sys.path.insert(0, str(Path(__file__).parent))

from _harness import best_of  # noqa: E402
from nmguard.dosimetry.ct_density import hu_to_density_material  # noqa: E402
from nmguard.dosimetry.dose_stats import voi_statistics  # noqa: E402
from nmguard.dosimetry.kernels import dvk_dose, voxel_kernel  # noqa: E402
from nmguard.dosimetry.pipeline import run_dosimetry  # noqa: E402
from nmguard.dosimetry.run_options import AIR_BELOW_G_CM3, RunOptions  # noqa: E402
from nmguard.dosimetry.tia import physical_decay_constant_per_h  # noqa: E402
from nmguard.dosimetry.voxel_tia import scale_to_voi_totals, voxel_tia_Bq_h  # noqa: E402
from nmguard.imaging.registration import ct_density_grid, register_time_points  # noqa: E402
from nmguard.imaging.study import load_study  # noqa: E402
from nmguard.synthetic.patient import write_synthetic_study  # noqa: E402


def baseline_dose(times, maps, lam_p, masks, voi_tia, kernel_values, density, vv):
    """The same method written plainly with SciPy/NumPy (float64, no padding tricks)."""
    t = np.concatenate([[0.0], times])
    a = np.concatenate([np.zeros_like(maps[:1]), np.clip(maps, 0, None)])
    area = trapezoid(a, t, axis=0)
    late = a[-2:].reshape(2, -1)
    positive = np.all(late > 0, axis=0)
    slope = np.polyfit(t[-2:], np.log(np.where(positive, late, 1.0)), 1)[0].reshape(area.shape)
    lam = np.where(positive.reshape(area.shape), np.maximum(-slope, lam_p), lam_p)
    tia = area + a[-1] / lam
    tia, _ = scale_to_voi_totals(tia, masks, voi_tia)
    dose = fftconvolve(tia * 3600.0, kernel_values, mode="same") / np.maximum(density, AIR_BELOW_G_CM3)
    dose = np.where(density < AIR_BELOW_G_CM3, 0.0, dose)
    return dose, {n: voi_statistics(dose, m, vv, density)["mean_Gy"] for n, m in masks.items()}


def nmguard_dose(times, maps, lam_p, masks, voi_tia, kernel, density, vv):
    tia, _ = voxel_tia_Bq_h(times, list(maps), lam_p)
    tia, _ = scale_to_voi_totals(tia, masks, voi_tia)
    dose = dvk_dose(tia * 3600.0, kernel, np.maximum(density, AIR_BELOW_G_CM3))
    dose = np.where(density < AIR_BELOW_G_CM3, 0.0, dose)
    return dose, {n: voi_statistics(dose, m, vv, density)["mean_Gy"] for n, m in masks.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shape", type=int, default=128)
    parser.add_argument("--mc-histories", type=int, default=2_000_000)
    args = parser.parse_args()
    n = args.shape
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "study"
        start = time.perf_counter()
        write_synthetic_study(folder, shape=(n, n, n), voxel_mm=4.8, write_rtstruct=False)
        print(
            f"synthetic study {n}³ at 4.8 mm, 4 time points, CT 2x finer in-plane: {time.perf_counter() - start:.1f} s"
        )

        start = time.perf_counter()
        study = register_time_points(load_study(folder))
        print(f"read + rigid registration of 3 time points: {time.perf_counter() - start:.1f} s")
        times = np.array([tp.hours_after_injection for tp in study.time_points])
        maps = np.stack([tp.activity_Bq.array for tp in study.time_points])
        vv = study.time_points[0].activity_Bq.voxel_volume_mL
        density, _ = hu_to_density_material(ct_density_grid(study).array)
        lam_p = physical_decay_constant_per_h(study.nuclide)
        masks = study.vois
        voi_tia = {
            k: float(trapezoid(np.concatenate([[0], maps[:, m].sum(axis=1)]), np.concatenate([[0], times])))
            for k, m in masks.items()
        }

        start = time.perf_counter()
        kernel = voxel_kernel(study.nuclide, (4.8, 4.8, 4.8), radius_mm=100.0)
        print(
            f"kernel generation ({study.nuclide}, 4.8 mm, radius 100 mm, {kernel.values_Gy_per_decay.shape[0]}³): "
            f"{time.perf_counter() - start:.2f} s (cached afterwards)"
        )
        inputs = (times, maps, lam_p, masks, voi_tia)
        ours, ours_means = nmguard_dose(*inputs, kernel, density, vv)
        theirs, their_means = baseline_dose(*inputs, kernel.values_Gy_per_decay, density, vv)
        t_ours = best_of(lambda: nmguard_dose(*inputs, kernel, density, vv), repeat=3)
        t_base = best_of(lambda: baseline_dose(*inputs, kernel.values_Gy_per_decay, density, vv), repeat=2)
        worst = max(abs(ours_means[k] / their_means[k] - 1) for k in ours_means)
        print(
            f"voxel stage (TIA + DVK + VOI statistics): NMGuard {t_ours:.2f} s, SciPy baseline {t_base:.2f} s: "
            f"{t_base / t_ours:.1f}x faster (goal: under 5 s)"
        )
        print(
            f"agreement: max |dose difference| {np.abs(ours - theirs).max() / theirs.max():.1e} of the maximum; "
            f"VOI means within {100 * worst:.3f} %"
        )

        start = time.perf_counter()
        run = run_dosimetry(folder, RunOptions(method="dvk"))
        stages = ", ".join(f"{k} {v:.2f} s" for k, v in run.timings_s.items())
        print(f"whole run_dosimetry (dvk): {time.perf_counter() - start:.1f} s ({stages})")

        start = time.perf_counter()
        mc = run_dosimetry(folder, RunOptions(method="mc", mc_histories=args.mc_histories))
        seconds = time.perf_counter() - start
        rate = mc.energy.get("mc_histories_per_second", float("nan"))
        print(
            f"whole run_dosimetry (mc, {args.mc_histories:,} photon histories): {seconds:.1f} s, "
            f"{rate:,.0f} histories/s"
        )
        for v in mc.vois:
            if v.name in ("Liver", "Left kidney", "Right kidney", "Lesion 1") and v.mc_relative_uncertainty_percent:
                print(
                    f"  {v.name}: Monte Carlo statistical uncertainty of the mean dose "
                    f"{v.mc_relative_uncertainty_percent:.3f} % (k = 1, from the batch means of the VOI)"
                )
        mc_vs_dvk = {v.name: v.mean_Gy for v in mc.vois}
        for v in run.vois:
            if v.name in ("Liver", "Left kidney", "Lesion 1"):
                change = 100 * (mc_vs_dvk[v.name] / v.mean_Gy - 1)
                print(f"  {v.name}: dvk {v.mean_Gy:.3f} Gy, mc {mc_vs_dvk[v.name]:.3f} Gy ({change:+.1f} %)")
        assert math.isfinite(rate)


if __name__ == "__main__":
    main()
