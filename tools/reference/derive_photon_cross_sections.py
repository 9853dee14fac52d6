"""Derive ``photon_cross_sections.csv`` (partial mass cross sections of the Monte Carlo materials).

Run by hand, not at import time: ``xraydb`` (Elam, Ravel & Sieber 2002 tables) is not a project
dependency, so install it in a throwaway environment first::

    python3 -m venv /tmp/xraydb-venv && /tmp/xraydb-venv/bin/pip install xraydb==4.5.8
    /tmp/xraydb-venv/bin/python tools/reference/derive_photon_cross_sections.py > \
        src/nmguard/reference/data/photon_cross_sections.csv

Method: a material's partial mass cross section is the mass-fraction weighted sum of the elemental
ones (Bragg additivity), for coherent (Rayleigh), incoherent (Compton, with the Elam incoherent
scattering function) and photoelectric absorption, on a log grid from 5 keV to 3 MeV. The Elam
tables stop at 800 keV; above it the incoherent part is the free-electron Klein-Nishina cross
section times the electrons per gram (binding is negligible there) and the tiny coherent and
photoelectric parts are extrapolated log-log from the 600-800 keV Elam values. Pair production is
not included (it starts at 1.022 MeV and is about 1 % of mu in water at 2 MeV, 3 % at 3 MeV).
The compositions are read from ``photon_materials.csv`` in the same data folder.
"""

from __future__ import annotations

import csv
import math
import sys
import warnings
from pathlib import Path

import numpy as np
import xraydb

DATA = Path(__file__).resolve().parents[2] / "src" / "nmguard" / "reference" / "data"
E_MIN_KEV, E_MAX_KEV, PER_DECADE = 5.0, 3000.0, 30
ELAM_MAX_KEV = 800.0
R_E_CM = 2.8179403262e-13  # classical electron radius (CODATA 2018)
N_A = 6.02214076e23  # Avogadro constant (exact, SI 2019)
MEC2_KEV = 510.99895  # electron rest energy (CODATA 2018)
SOURCE = "mc-elam-2002-xraydb"
KINDS = ("coh", "incoh", "photo")


def klein_nishina_cm2(e_keV: float) -> float:
    """Total Klein-Nishina cross section per free electron (cm^2)."""
    k = e_keV / MEC2_KEV
    a = 1.0 + 2.0 * k
    term1 = (1.0 + k) / k**2 * (2.0 * (1.0 + k) / a - math.log(a) / k)
    term2 = math.log(a) / (2.0 * k) - (1.0 + 3.0 * k) / a**2
    return 2.0 * math.pi * R_E_CM**2 * (term1 + term2)


def element_cross_section(z: int, kind: str, e_keV: float) -> float:
    """Elemental mass cross section (cm^2/g) of ``kind``; above 800 keV as described in the module doc."""
    if e_keV <= ELAM_MAX_KEV:
        return float(xraydb.mu_elam(z, e_keV * 1e3, kind=kind))
    if kind == "incoh":
        return z / xraydb.atomic_mass(z) * N_A * klein_nishina_cm2(e_keV)
    lo, hi = 600.0, ELAM_MAX_KEV
    y_lo, y_hi = (float(xraydb.mu_elam(z, e * 1e3, kind=kind)) for e in (lo, hi))
    slope = math.log(y_hi / y_lo) / math.log(hi / lo)
    return y_hi * (e_keV / hi) ** slope


def compositions() -> dict[str, dict[int, float]]:
    with (DATA / "photon_materials.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = {}
    for row in rows:
        parts = (p.split(":") for p in row["composition_z_mass_fraction"].split(";"))
        out[row["material"]] = {int(z): float(w) for z, w in parts}
    return out


def main() -> None:
    warnings.simplefilter("ignore")
    n = round(math.log10(E_MAX_KEV / E_MIN_KEV) * PER_DECADE)
    energies = np.geomspace(E_MIN_KEV, E_MAX_KEV, n + 1)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(
        [
            "material",
            "energy_keV",
            "coherent_cm2_g",
            "incoherent_cm2_g",
            "photoelectric_cm2_g",
            "source",
            "status",
            "note",
        ]
    )
    for material, comp in compositions().items():
        total_w = sum(comp.values())
        for e in energies:
            values = [sum(w / total_w * element_cross_section(z, k, e) for z, w in comp.items()) for k in KINDS]
            note = "" if e <= ELAM_MAX_KEV else "above 800 keV: Klein-Nishina incoherent; coh/photo extrapolated"
            writer.writerow([material, f"{e:.6g}", *(f"{v:.5e}" for v in values), SOURCE, "derived", note])
    # consistency check printed to stderr: Elam incoherent vs free-electron KN at 800 keV for O
    elam = float(xraydb.mu_elam(8, 800e3, kind="incoh"))
    kn = 8 / xraydb.atomic_mass(8) * N_A * klein_nishina_cm2(800.0)
    print(f"O incoherent at 800 keV: Elam {elam:.5g}, Klein-Nishina {kn:.5g} cm2/g", file=sys.stderr)


if __name__ == "__main__":
    main()
