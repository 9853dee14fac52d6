"""Air-kerma-rate constant from photon lines and the NIST dry-air mass energy-absorption table.

    Gamma_delta = sum over lines with E_i >= delta of  Y_i * E_i * (mu_en/rho)(E_i) / (4 pi)

with E_i in J, mu_en/rho in m^2/kg, giving Gy m^2 Bq^-1 s^-1 at 1 m from a point source in vacuum;
times 3.6E15 gives uGy m^2 MBq^-1 h^-1 (REFERENCE_DATA.md "Units and conversions").
mu_en/rho is interpolated log-log in the NIST SRD 126 Table 4 "Air, Dry (near sea level)" grid
(``data/air_mass_energy_absorption.csv``). No air attenuation, no buildup, no bremsstrahlung.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from nmguard.reference._files import ReferenceDataError, read_csv
from nmguard.reference.citations import Citation, Status, get_citation

AIR_FILE = "air_mass_energy_absorption.csv"
KEV_TO_J = 1.602176634e-16  # exact (SI 2019 value of e times 1e3)
CM2_PER_G_TO_M2_PER_KG = 0.1
GY_M2_PER_BQ_S_TO_UGY_M2_PER_MBQ_H = 3.6e15
AIR_KERMA_UNIT = "uGy m2 MBq-1 h-1"


@dataclass(frozen=True)
class AirTable:
    """Tabulated mu_en/rho of dry air: energies in keV (ascending, edges repeated), cm^2/g."""

    energies_keV: tuple[float, ...]
    mu_en_cm2_per_g: tuple[float, ...]
    source: Citation
    status: Status


@cache
def air_table() -> AirTable:
    energies: list[float] = []
    values: list[float] = []
    sources: set[str] = set()
    statuses: set[Status] = set()
    for i, row in enumerate(read_csv(AIR_FILE), start=2):
        where = f"{AIR_FILE} line {i}"
        sources.add(get_citation(row["source"], where).id)
        statuses.add(Status.parse(row["status"], where))
        energies.append(float(row["energy_MeV"]) * 1000.0)
        values.append(float(row["mu_en_over_rho_cm2_per_g"]))
    if any(b < a for a, b in zip(energies, energies[1:], strict=False)):
        raise ReferenceDataError(f"{AIR_FILE}: energies are not ascending")
    if len(sources) != 1 or len(statuses) != 1:
        raise ReferenceDataError(f"{AIR_FILE}: expected one source and one status for the table")
    return AirTable(tuple(energies), tuple(values), get_citation(sources.pop()), statuses.pop())


def mu_en_over_rho_air(energy_keV: float) -> float:
    """mu_en/rho of dry air in cm^2/g at ``energy_keV``, log-log interpolated.

    At an absorption edge (energy tabulated twice) the value above the edge is used.
    """
    table = air_table()
    e = table.energies_keV
    if not e[0] <= energy_keV <= e[-1]:
        raise ValueError(f"{energy_keV} keV is outside the air table ({e[0]}-{e[-1]} keV)")
    j = bisect.bisect_right(e, energy_keV)
    if j == len(e):  # exactly the last grid point
        return table.mu_en_cm2_per_g[-1]
    i = j - 1
    if e[i] == energy_keV:
        return table.mu_en_cm2_per_g[i]
    x0, x1 = math.log(e[i]), math.log(e[j])
    y0, y1 = math.log(table.mu_en_cm2_per_g[i]), math.log(table.mu_en_cm2_per_g[j])
    t = (math.log(energy_keV) - x0) / (x1 - x0)
    return math.exp(y0 + t * (y1 - y0))


def air_kerma_rate_constant(lines: Iterable[tuple[float, float]], cutoff_keV: float) -> float:
    """Gamma_delta in uGy m^2 MBq^-1 h^-1 from ``(energy_keV, yield_per_decay)`` pairs.

    Lines below ``cutoff_keV`` (delta) are left out.
    """
    if cutoff_keV <= 0:
        raise ValueError("cut-off energy must be positive")
    total = 0.0  # Gy m^2 Bq^-1 s^-1
    for energy_keV, yield_per_decay in lines:
        if energy_keV < cutoff_keV:
            continue
        mu = mu_en_over_rho_air(energy_keV) * CM2_PER_G_TO_M2_PER_KG
        total += yield_per_decay * energy_keV * KEV_TO_J * mu / (4.0 * math.pi)
    return total * GY_M2_PER_BQ_S_TO_UGY_M2_PER_MBQ_H
