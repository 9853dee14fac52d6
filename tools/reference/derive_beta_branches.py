"""Write ``kern_beta_branches.csv``: beta-/beta+ branch endpoints and intensities from ENSDF.

Why: the dose voxel kernels need a beta spectrum per nuclide; ENSDF (NNDC, public domain) gives per
branch the endpoint energy, the intensity, the mean energy and the forbiddenness. Read offline from
the paceENSDF 0.6.3 JSON transcription (BSD; not a project dependency), the same way as
``derive_electron_energies.py``::

    pip download --no-deps -d /tmp/pace paceensdf==0.6.3 && unzip ... -d /tmp/pace_mine
    python tools/reference/derive_beta_branches.py /tmp/pace_mine/paceENSDF/ENSDF_JSON [--write]

Only nuclides whose ENSDF mean electron energy is in use (``electron_energy.csv``, ``use = yes``)
are written. Intensities are per decay of the parent (IB x NB x BR / 100).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ensdf_json import load  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "nmguard" / "reference" / "data"
OUT = DATA / "kern_beta_branches.csv"
SOURCE_ID = "nndc-ensdf-via-paceensdf-063"
MIN_INTENSITY = 1e-4  # branches below 0.01 % per decay carry no dosimetric weight
FIELDS = [
    "nuclide",
    "mode",
    "endpoint_keV",
    "intensity_per_decay",
    "mean_keV",
    "forbiddenness",
    "daughter_z",
    "source",
    "status",
    "note",
]


def nuclides_in_use() -> list[str]:
    rows = csv.DictReader(io.StringIO((DATA / "electron_energy.csv").read_text(encoding="utf-8")))
    return [r["nuclide"] for r in rows if r["use"].strip() == "yes"]


def branches(folder: Path, nuclide: str) -> list[dict[str, str]]:
    symbol, mass = nuclide.split("-")
    out = []
    for path in sorted(folder.glob(f"j_input_{symbol}{mass}_*_0keV.json")):
        ds = load(path)
        raw = json.loads(path.read_text(encoding="utf-8"))
        for lev in raw["levelScheme"]:
            for key, mode, e_key, i_key, m_key in (
                ("betaMinusDecay", "B-", "endPointBetaMinusEnergy", "betaMinusIntensity", "averageBetaMinusEnergy"),
                ("betaPlusDecay", "B+", "endPointBetaPlusEnergy", "betaPlusIntensity", "averageBetaPlusEnergy"),
            ):
                for b in lev.get(key) or []:
                    e0, inten, mean = b.get(e_key), b.get(i_key), b.get(m_key)
                    if not all(isinstance(v, (int, float)) for v in (e0, inten, mean)):
                        continue
                    per_decay = inten * ds.lepton_factor
                    if per_decay < MIN_INTENSITY:
                        continue
                    out.append(
                        {
                            "nuclide": nuclide,
                            "mode": mode,
                            "endpoint_keV": f"{e0:.4f}",
                            "intensity_per_decay": f"{per_decay:.6f}",
                            "mean_keV": f"{mean:.3f}",
                            "forbiddenness": str(b.get("forbiddennessDegree") or ""),
                            "daughter_z": str(ds.daughter_z),
                            "source": SOURCE_ID,
                            "status": "derived",
                            "note": f"{path.name}; level {lev['levelEnergy']} keV",
                        }
                    )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("ensdf_json", type=Path, help="paceENSDF/ENSDF_JSON folder")
    ap.add_argument("--write", action="store_true", help=f"write {OUT.name} (else print)")
    args = ap.parse_args()
    rows = [r for n in nuclides_in_use() for r in branches(args.ensdf_json, n)]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    if args.write:
        OUT.write_text(buf.getvalue(), encoding="utf-8")
        print(f"wrote {len(rows)} rows to {OUT}")
    else:
        print(buf.getvalue())


if __name__ == "__main__":
    main()
