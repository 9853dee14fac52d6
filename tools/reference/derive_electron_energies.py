"""Derive mean electron energies per decay (and the Mo-99 -> Tc-99m branch) from ENSDF.

Why: the shipped electron energies were placeholders typed from memory; ENSDF (public domain,
NNDC) is the open evaluation we may ship. Input: the ``ENSDF_JSON`` folder of the PyPI wheel
``paceENSDF`` 0.6.3 (BSD), which is NOT a project dependency: unpack the wheel under /tmp.
Atomic binding energies for the conversion-electron energies come from ``xraydb`` (Elam tables),
also only in a throw-away venv. Usage::

    python -m venv /tmp/refvenv && /tmp/refvenv/bin/pip install xraydb==4.5.8
    pip download --no-deps -d /tmp/pace paceensdf==0.6.3 && unzip ... -d /tmp/pace_mine
    /tmp/refvenv/bin/python tools/reference/derive_electron_energies.py \
        /tmp/pace_mine/paceENSDF/ENSDF_JSON [--write]

Per decay of the parent: E_e = sum(beta- I x <E>) + sum(beta+ I x <E>) + sum over prompt
transitions of TI x alpha/(1+alpha) x (E_gamma - mean binding energy of the converting shells).
Auger electrons are NOT derivable from the JSON (no fluorescence yields or Auger spectra): they
are left out; an upper bound (every K/L/M vacancy from EC or conversion releasing its whole binding
energy as electrons) is written beside the value.
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import xraydb  # noqa: E402  (throw-away venv only)
from ensdf_json import DataSet, load, transition_intensities  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "nmguard" / "reference" / "data"
OUT_FILE = DATA / "electron_energy.csv"
SOURCE_ID = "nndc-ensdf-via-paceensdf-063"
#: Auger upper bound above this fraction of the derived value: the derived number is only a loose
#: lower bound, and the loader keeps the row out of mean_electron_energy (column use = no).
MAX_AUGER_BOUND_FRACTION = 0.15
FIELDS = [
    "nuclide",
    "value_MeV",
    "beta_minus_MeV",
    "beta_plus_MeV",
    "conversion_electron_MeV",
    "auger_MeV",
    "auger_upper_bound_MeV",
    "use",
    "ensdf_datasets",
    "source",
    "status",
    "note",
]
SHELL_EDGES = {
    "K": ("K",),
    "L": ("L1", "L2", "L3"),
    "M": ("M1", "M2", "M3", "M4", "M5"),
    "N": ("N1", "N2", "N3", "N4", "N5", "N6", "N7"),
}


def binding_keV(z: int, shell: str) -> float:
    """Mean binding energy of the subshells of ``shell`` (keV; 0 for O and beyond)."""
    edges = []
    for name in SHELL_EDGES.get(shell, ()):
        try:
            edge = xraydb.xray_edge(z, name)
        except Exception:  # noqa: BLE001  (xraydb raises plain errors for absent edges)
            edge = None
        if edge is not None and edge.energy > 0:
            edges.append(edge.energy / 1000.0)
    return sum(edges) / len(edges) if edges else 0.0


@dataclass
class Result:
    beta_minus: float = 0.0
    beta_plus: float = 0.0
    ce: float = 0.0
    auger_bound: float = 0.0
    missing_beta_means: int = 0  # beta records with an intensity but no average energy

    @property
    def total(self) -> float:
        return self.beta_minus + self.beta_plus + self.ce


def derive(ds: DataSet, notes: list[str]) -> Result:
    """Electron energy components of one data set, MeV per decay of the parent."""
    r = Result()
    lf = ds.lepton_factor
    r.beta_minus = sum(i * lf * e for _, i, e in ds.beta_minus) / 1000.0
    r.beta_plus = sum(i * lf * e for _, i, e in ds.beta_plus) / 1000.0
    r.missing_beta_means = sum(1 for _, i, e in ds.beta_minus + ds.beta_plus if i > 0 and e <= 0)
    if r.missing_beta_means:
        notes.append(f"nobeta: {r.missing_beta_means} beta record(s) without an average energy")
    z = ds.daughter_z
    for _, i, fr in ds.ec:
        r.auger_bound += sum(i * lf * f * binding_keV(z, s) for s, f in fr.items()) / 1000.0
    ti, tnotes = transition_intensities(ds)
    notes.extend(tnotes)
    for g, t in ti.items():
        if g.alpha <= 0:
            continue
        n_ce = t * g.alpha / (1.0 + g.alpha)
        shells = dict(g.shell_alpha)
        if not shells:  # only a total coefficient: assume K (L when below the K edge)
            shells = {"K" if g.energy_keV > binding_keV(z, "K") else "L": g.alpha}
            notes.append(f"noshell: {g.energy_keV:g} keV")
        listed = sum(shells.values())
        scale = g.alpha / listed if listed > g.alpha else 1.0
        binding = sum(a * scale * binding_keV(z, s) for s, a in shells.items()) / g.alpha
        r.ce += n_ce * (g.energy_keV - binding) / 1000.0
        r.auger_bound += sum(n_ce * a * scale / g.alpha * binding_keV(z, s) for s, a in shells.items()) / 1000.0
    return r


def datasets_for(folder: Path, nuclide: str) -> list[Path]:
    """Ground-state decay data sets of ``nuclide`` (metastable parents are not in the JSON)."""
    symbol, mass = nuclide.split("-")
    if not mass.isdigit():
        return []
    return sorted(folder.glob(f"j_input_{symbol}{mass}_*_0keV.json"))


def isomer_branch(ds: DataSet, level_keV: float) -> float:
    """Fraction of parent decays that reach the long-lived level ``level_keV``.

    = direct beta feeding (IB x NB x BR) + total intensity (RI x NR x BR x (1 + alpha)) of the
    prompt transitions that end on that level.
    """
    ti, _ = transition_intensities(ds)
    feed = sum(i * ds.lepton_factor for lev, i, _ in ds.beta_minus if abs(lev - level_keV) < 0.01)
    cascade = sum(t for g, t in ti.items() if abs(g.level_to_keV - level_keV) < 0.01)
    return feed + cascade


def _summary(notes: list[str]) -> str:
    """Short note text: what was filled in, dropped or approximated (energies in keV)."""

    def listed(kind: str) -> list[str]:
        return [n.split(": ", 1)[1] for n in notes if n.startswith(kind + ":")]

    out = ""
    if b := listed("balanced"):
        out += "; transitions without RI in the JSON (ENSDF TI only), TI from the level balance: " + ", ".join(b)
    if d := listed("dropped"):
        out += "; transitions without RI left out (not balanceable): " + ", ".join(d)
    if n := listed("noshell"):
        out += (
            f"; {len(n)} transition(s) with a total conversion coefficient but no shell split: "
            "all in K (L below the K edge)"
        )
    if m := listed("nobeta"):
        out += "; " + ", ".join(m)
    return out


def _fmt(x: float) -> str:
    return f"{x:.6f}"


def rows(folder: Path, nuclides: list[str]) -> list[dict[str, str]]:
    out = []
    for name in nuclides:
        paths = datasets_for(folder, name)
        if not paths:
            continue
        notes: list[str] = []
        total = Result()
        for p in paths:
            r = derive(load(p), notes)
            total.beta_minus += r.beta_minus
            total.beta_plus += r.beta_plus
            total.ce += r.ce
            total.auger_bound += r.auger_bound
            total.missing_beta_means += r.missing_beta_means
        bm, bp, ce, ab = (round(x, 6) for x in (total.beta_minus, total.beta_plus, total.ce, total.auger_bound))
        value = round(bm + bp + ce, 6)
        use = value > 0 and ab <= MAX_AUGER_BOUND_FRACTION * value and not total.missing_beta_means
        text = (
            "ENSDF beta-/beta+ mean energies x intensities + conversion electrons "
            "(TI x alpha/(1+alpha) x (E_gamma - mean shell binding, xraydb/Elam)); "
            f"Auger electrons omitted (not derivable from the JSON), at most {ab * 1000:.3g} keV/decay"
        )
        if total.missing_beta_means:
            text += "; beta average energies missing, so the value is incomplete and not used"
        elif not use:
            text += (
                f"; Auger bound > {MAX_AUGER_BOUND_FRACTION:.0%} of the value, so this is only a lower "
                "bound and is not used as the mean electron energy"
            )
        text += _summary(notes)
        out.append(
            {
                "nuclide": name,
                "value_MeV": _fmt(value),
                "beta_minus_MeV": _fmt(bm),
                "beta_plus_MeV": _fmt(bp),
                "conversion_electron_MeV": _fmt(ce),
                "auger_MeV": "",
                "auger_upper_bound_MeV": _fmt(ab),
                "use": "yes" if use else "no",
                "ensdf_datasets": ";".join(p.name for p in paths),
                "source": SOURCE_ID,
                "status": "derived",
                "note": text,
            }
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ensdf_json", type=Path, help="paceENSDF/ENSDF_JSON folder")
    ap.add_argument("--write", action="store_true", help=f"write {OUT_FILE.name}")
    args = ap.parse_args()
    with (DATA / "nuclides.csv").open(encoding="utf-8") as fh:
        names = [r["name"] for r in csv.DictReader(fh)]
    result = rows(args.ensdf_json, names)
    if args.write:
        with OUT_FILE.open("w", encoding="utf-8", newline="") as fh:
            csv.DictWriter(fh, FIELDS, lineterminator="\n").writeheader()
            csv.DictWriter(fh, FIELDS, lineterminator="\n").writerows(result)
    for r in result:
        print(
            f"{r['nuclide']:8s} {r['value_MeV']} bm {r['beta_minus_MeV']} bp {r['beta_plus_MeV']} "
            f"ce {r['conversion_electron_MeV']} aug<= {r['auger_upper_bound_MeV']} use={r['use']}"
        )
    mo = load(datasets_for(args.ensdf_json, "Mo-99")[0])
    print(f"Mo-99 -> Tc-99m (142.68 keV isomer) branch: {isomer_branch(mo, 142.6836):.5f}")


if __name__ == "__main__":
    main()
