"""Split the lumped LARA L X-ray line ("XL") into the daughter's L lines where they straddle delta.

Why (issue 11, item 4): a LARA file gives all L X-rays of a nuclide as one line whose energy is the
MIDPOINT of the L-line range, not a mean (Lu-177: Hf Ll 6.960 and Lg3 10.890 keV -> 8.925 keV; Tl-201:
Hg 8.72-14.85 -> 11.785 keV). With delta = 10 keV that line is counted whole (Tl-201: air-kerma rate
constant +84 % against ICRP-107) or not at all (Lu-177: -14 %), while only the lines above 10 keV count.
Run by hand; ``xraydb`` (Elam, Ravel & Sieber 2002 tables) is not a project dependency::

    python3 -m venv /tmp/xraydb-venv && /tmp/xraydb-venv/bin/pip install xraydb==4.5.8
    /tmp/xraydb-venv/bin/python tools/reference/derive_l_xray_lines.py [--write]

Model (one free number per nuclide, fixed by LARA's total L X-ray intensity):

* L vacancies from filling K vacancies: one L3 vacancy per K-alpha1 photon, one L2 vacancy per K-alpha2
  photon (the LARA XKa1 / XKa2 intensities of the same nuclide); K Auger electrons (1 - omega_K < 5 % for
  Z >= 70) are left to the next item.
* Every other L vacancy (electron capture from the L shell, L-shell conversion, K Auger) starts in L1: L
  capture in allowed decays takes 2s (L1) electrons, and M1 conversion in the L shell is mostly L1. That
  number n1 is solved so that the L X-rays per decay equal LARA's XL intensity.
* Coster-Kronig transfer L1->L2, L1->L3, L2->L3 and the L1, L2, L3 fluorescence yields, and the L lines
  (energy, intensity relative to the other lines of the same initial subshell) of the daughter element:
  Elam's tables via xraydb.

Checked (tests/reference/test_air_kerma.py) against the ICRP-107 air-kerma coefficients, which stay in
the tests: Tl-201 +0.4 %, Lu-177 +0.9 %, Ac-225 +0.3 %, Ra-223 -5.7 % (with all other vacancies put in L2
or L3 instead, Tl-201 would be +24 % / -18 %: the L1 assumption matters and is the stated model). Line by
line, the L lines at or above 10 keV match ICRP-107's for Tl-201 (+0.3 %) and Re-188 (-0.8 %), but are 56 %
(Lu-177) and 27 % (W-188) high: in those beta- decays the L vacancies come from conversion of transitions
with E2 admixture, which starts less often in L1 (about +5 % and +10 % on their air-kerma constants; the
paceENSDF JSON has no L-subshell conversion coefficients to do better).
Only nuclides whose daughter has L lines at or above delta are split (Tl-201, Lu-177, Ra-223, Ac-225,
Re-188, W-188: for Rn and Fr all L lines are above delta, but mu_en/rho of air falls about as E^-3 there, so
a line at the midpoint energy is still wrong); when all L lines lie below delta the lumped line changes
neither the air-kerma constant nor the kernels (photons under 10 keV are deposited at the decay point).
Lines under 1e-5 per decay are dropped, as elsewhere in photon_lines.csv; the dropped yield is printed.
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

import xraydb

DATA = Path(__file__).resolve().parents[2] / "src" / "nmguard" / "reference" / "data"
LINES_FILE = DATA / "photon_lines.csv"
BRANCHES_FILE = DATA / "decay_branches.csv"
DELTA_KEV = 10.0
MIN_YIELD = 1e-5
SOURCE = "nmguard-l-xray-split"
SUBSHELLS = ("L1", "L2", "L3")


def _lara_type(row: dict[str, str]) -> str:
    note = row["note"]
    return note.split("LARA type ", 1)[1].split(";", 1)[0].strip() if "LARA type " in note else ""


def _daughter_element(nuclide: str) -> str:
    """Element of the main branch's daughter (the atom whose shells emit the X-rays)."""
    with BRANCHES_FILE.open(newline="") as f:
        branches = [r for r in csv.DictReader(f) if r["parent"] == nuclide and r["daughter"]]
    if not branches:
        raise SystemExit(f"{nuclide}: no daughter in {BRANCHES_FILE.name}")
    return max(branches, key=lambda r: float(r["fraction"]))["daughter"].split("-")[0]


def l_families(element: str) -> dict[str, list[tuple[str, float, float]]]:
    """Per initial subshell: (line name, energy keV, share of that subshell's X-rays)."""
    out: dict[str, list[tuple[str, float, float]]] = {s: [] for s in SUBSHELLS}
    for name, line in xraydb.xray_lines(element).items():
        if line.initial_level in out:
            out[line.initial_level].append((name, line.energy / 1000.0, line.intensity))
    for lines in out.values():
        total = sum(i for _, _, i in lines)
        lines[:] = [(n, e, i / total) for n, e, i in sorted(lines, key=lambda t: t[1])]
    return out


def subshell_xrays(element: str, k_alpha2: float, k_alpha1: float, total_l: float) -> tuple[float, dict[str, float]]:
    """L1-initial vacancies n1 and the L X-rays per decay from each subshell (model in the module note)."""
    w = {s: xraydb.xray_edge(element, s).fyield for s in SUBSHELLS}
    f12, f13, f23 = (xraydb.ck_probability(element, a, b) for a, b in (("L1", "L2"), ("L1", "L3"), ("L2", "L3")))

    def xrays(n1: float, n2: float, n3: float) -> dict[str, float]:
        n2_total = n2 + f12 * n1
        n3_total = n3 + f13 * n1 + f23 * n2_total
        return {"L1": w["L1"] * n1, "L2": w["L2"] * n2_total, "L3": w["L3"] * n3_total}

    from_k = xrays(0.0, k_alpha2, k_alpha1)
    per_l1 = xrays(1.0, 0.0, 0.0)
    n1 = (total_l - sum(from_k.values())) / sum(per_l1.values())
    if n1 < 0:
        raise SystemExit(f"{element}: K-alpha filling alone gives more L X-rays than LARA's total")
    return n1, {s: from_k[s] + n1 * per_l1[s] for s in SUBSHELLS}


def split_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for row in rows:
        if _lara_type(row) != "XL":
            out.append(row)
            continue
        nuclide = row["nuclide"]
        element = _daughter_element(nuclide)
        families = l_families(element)
        energies = [e for lines in families.values() for _, e, _ in lines]
        if max(energies) < DELTA_KEV:  # all below delta: the lumped line changes nothing
            out.append(row)
            continue
        same = [r for r in rows if r["nuclide"] == nuclide]
        k_alpha2 = sum(float(r["yield_per_decay"]) for r in same if _lara_type(r) == "XKa2")
        k_alpha1 = sum(float(r["yield_per_decay"]) for r in same if _lara_type(r) == "XKa1")
        total_l = float(row["yield_per_decay"])
        n1, per_subshell = subshell_xrays(element, k_alpha2, k_alpha1, total_l)
        evaluation = row["note"].split(";", 1)[1].strip()
        dropped = 0.0
        split: list[dict[str, str]] = []
        for subshell in SUBSHELLS:
            for name, energy, share in families[subshell]:
                y = per_subshell[subshell] * share
                if y < MIN_YIELD:
                    dropped += y
                    continue
                split.append(
                    {
                        "nuclide": nuclide,
                        "energy_keV": f"{energy:.4f}",
                        "yield_per_decay": f"{y:.4g}",
                        "kind": "xray",
                        "source": SOURCE,
                        "status": "derived",
                        "note": (
                            f"{element} {name} ({subshell}); LARA XL {total_l * 100:g} % ({evaluation}) split, "
                            f"K-alpha {k_alpha2 * 100:g}/{k_alpha1 * 100:g} %, other L vacancies in L1 {n1:.4g}"
                        ),
                    }
                )
        out.extend(sorted(split, key=lambda r: float(r["energy_keV"])))
        print(f"{nuclide}: {element} L X-rays {total_l:g}/decay split (n1 = {n1:.4g}); dropped < {MIN_YIELD:g}: "
              f"{dropped:.2g}")  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite photon_lines.csv in place")
    args = parser.parse_args()
    with LINES_FILE.open(newline="") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    new_rows = split_rows(rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(new_rows)
    if args.write:
        LINES_FILE.write_text(buffer.getvalue())
    else:
        print(buffer.getvalue(), end="")


if __name__ == "__main__":
    main()
