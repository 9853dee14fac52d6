"""Lookup tables for the transport: cross sections on a fine log-energy grid and the Woodcock majorant.

Why a fine uniform grid: the kernel then finds an energy's bin with one logarithm and interpolates
linearly between two nodes; the nodes are log-log interpolated once from the shipped table
(``nmguard.reference.photon_cross_sections``), so the fine grid adds no new data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nmguard.reference.photon_cross_sections import KINDS, photon_cross_sections

#: nodes of the fine grid; with 5 keV-3 MeV this is a step of 0.3 % in energy, far below the
#: table's own log-log interpolation error.
N_NODES = 2048


@dataclass(frozen=True)
class TransportTables:
    xs: np.ndarray  # [material, kind, node] mass coefficients, cm²/g
    log_e0: float
    inv_dlog: float
    e_min_keV: float
    e_max_keV: float

    def bin_of(self, energy_keV: float) -> tuple[int, float]:
        t = (math.log(energy_keV) - self.log_e0) * self.inv_dlog
        i = min(max(int(t), 0), self.xs.shape[2] - 2)
        return i, t - i

    def majorant(self, density: np.ndarray, material: np.ndarray) -> np.ndarray:
        """Per bin, max over the grid's voxels of ρ·μ/ρ at either node of the bin (1/cm).

        Linear interpolation within a bin never exceeds the larger node, so this bounds μ everywhere.
        """
        total = self.xs.sum(axis=1)  # [material, node]
        out = np.zeros(total.shape[1])
        for m in np.unique(material):
            rho_max = float(density[material == m].max())
            out = np.maximum(out, rho_max * total[int(m)])
        return np.append(np.maximum(out[:-1], out[1:]), out[-1])


def transport_tables() -> TransportTables:
    """Fine-grid tables built from the shipped cross sections."""
    table = photon_cross_sections()
    e0, e1 = float(table.energies_keV[0]), float(table.energies_keV[-1])
    nodes = np.geomspace(e0, e1, N_NODES)
    log_src = np.log(table.energies_keV)
    xs = np.empty((len(table.materials), len(KINDS), N_NODES))
    for m in range(len(table.materials)):
        for k in range(len(KINDS)):
            xs[m, k] = np.exp(np.interp(np.log(nodes), log_src, np.log(table.values[m, k])))
    return TransportTables(
        xs=np.ascontiguousarray(xs),
        log_e0=math.log(e0),
        inv_dlog=(N_NODES - 1) / math.log(e1 / e0),
        e_min_keV=e0,
        e_max_keV=e1,
    )
