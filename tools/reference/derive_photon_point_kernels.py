"""Derive ``kern_water_photon_point_kernels.csv``: photon energy-deposition point kernels in unbounded water.

Run by hand from the repository root (about 2 minutes on 2 cores)::

    .venv/bin/python tools/reference/derive_photon_point_kernels.py > \
        src/nmguard/reference/data/kern_water_photon_point_kernels.csv

Method: :func:`nmguard.dosimetry.photon_point_kernel_mc.photon_shell_tally` (NMGuard's photon Monte Carlo
physics and its shipped water cross sections, KERMA approximation, 10 keV cut-off) with ``PHOTONS``
photons per energy on a log grid from 10 keV to 3 MeV (the range of the cross-section table). Each row
is Φ(x), the fraction of the emitted energy deposited within x mean free paths (1/μ at the primary
energy, μ/ρ given in the row) of the point. The energy beyond the last radius is the remainder to 1.
"""

from __future__ import annotations

import csv
import sys

import numpy as np

from nmguard.dosimetry.montecarlo.simulate import DEFAULT_CUTOFF_KEV
from nmguard.dosimetry.photon_point_kernel_mc import photon_shell_tally

# the grid starts at the transport cut-off: the kernel code deposits lines below the grid at the point
E_MIN_KEV, E_MAX_KEV, N_ENERGIES = DEFAULT_CUTOFF_KEV, 3000.0, 36
PHOTONS = 1_000_000
SEED = 20261126
SOURCE = "kern-nmguard-photon-point-kernel-mc"


def main() -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(
        ["energy_keV", "mu_over_rho_cm2_g", "radius_mfp", "cumulative_fraction", "source", "status", "note"]
    )
    for i, e in enumerate(np.geomspace(E_MIN_KEV, E_MAX_KEV, N_ENERGIES)):
        tally = photon_shell_tally(float(f"{e:.6g}"), PHOTONS, seed=SEED + i)
        assert int(tally.quanta.sum()) == tally.emitted_quanta  # unbounded medium: all energy deposited
        note = f"{PHOTONS} photons, seed {SEED + i}"
        for x, phi in zip(tally.edges_mfp, tally.cumulative, strict=True):
            writer.writerow([f"{e:.6g}", f"{tally.mu_cm2_g:.6g}", f"{x:.6g}", f"{phi:.6g}", SOURCE, "derived", note])
        print(f"{e:8.4g} keV done", file=sys.stderr)


if __name__ == "__main__":
    main()
