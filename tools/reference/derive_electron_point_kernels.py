"""Derive ``kern_water_electron_point_kernels.csv``: scaled electron energy-deposition point kernels in water.

Run by hand from the repository root (a few minutes on 2 cores)::

    .venv/bin/python tools/reference/derive_electron_point_kernels.py > \
        src/nmguard/reference/data/kern_water_electron_point_kernels.csv

Method: :func:`nmguard.dosimetry.electron_point_kernel_mc.electron_shell_tally` (condensed-history
electrons: ESTAR CSDA energy loss, Goudsmit-Saunderson mean deflection of the screened Rutherford cross
section with Molière screening, Wentzel angular shape; see that module) with ``ELECTRONS`` electrons per
energy on a log grid from 20 keV to 5 MeV (the ESTAR table ends at 5 MeV; 10 keV is its cut-off). Each row
is Φ(r/r0), the fraction of the electron's energy deposited within r/r0 of the point, r0 the CSDA range
given in the row. Status derived: the scattering formulas were checked against Geant4 and Radiant.jl
(source entry kern-nmguard-electron-point-kernel-mc).
"""

from __future__ import annotations

import csv
import sys

import numpy as np

from nmguard.dosimetry.electron_point_kernel_mc import electron_shell_tally

E_MIN_MEV, E_MAX_MEV, N_ENERGIES = 0.02, 5.0, 28
ELECTRONS = 100_000
SEED = 20261127
SOURCE = "kern-nmguard-electron-point-kernel-mc"


def main() -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(
        ["energy_MeV", "csda_range_g_cm2", "scaled_radius", "cumulative_fraction", "source", "status", "note"]
    )
    for i, e in enumerate(np.geomspace(E_MIN_MEV, E_MAX_MEV, N_ENERGIES)):
        tally = electron_shell_tally(float(f"{e:.6g}"), ELECTRONS, seed=SEED + i)
        assert abs(tally.deposited_MeV.sum() / tally.emitted_MeV - 1.0) < 1e-9  # energy conserved per history
        note = f"{ELECTRONS} electrons, seed {SEED + i}"
        for x, phi in zip(tally.edges_scaled, tally.cumulative, strict=True):
            row = [f"{e:.6g}", f"{tally.csda_range_g_cm2:.6g}", f"{x:.4g}", f"{phi:.6g}", SOURCE, "derived", note]
            writer.writerow(row)
        print(f"{e:8.4g} MeV done", file=sys.stderr)


if __name__ == "__main__":
    main()
