"""NEMA NU 1 planar uniformity: NMGuard against pylinac's ``nuclear.PlanarUniformity`` on the same DICOM floods.

Both read the same synthetic NM files (256×256 at 1.6 mm → rebinned ×4 to 6.4 mm by both) and each loops N times
in its own process (pylinac in a separate virtual environment, default /tmp/pylinac-venv, because the project does
not depend on it). Printed per flood: both sets of values, their differences, and the per-image times; then the
time ratio. pylinac runs with ``ufov_ratio=1.0, cfov_ratio=0.75`` so that its UFOV is the thresholded field and its
CFOV 75 % of it, as in NEMA.

Run: ``python bench/qc_uniformity.py [--n 20] [--install] [--venv PATH]``. Without the pylinac environment it
prints NMGuard's numbers and says how to create the environment (``--install`` creates it with pip).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from nmguard.qc.nm.uniformity import analyze_uniformity  # noqa: E402
from nmguard.synthetic import nm_images as syn  # noqa: E402

KEYS = ("integral_ufov_percent", "integral_cfov_percent", "differential_ufov_percent", "differential_cfov_percent")
PYLINAC_KEYS = (
    "ufov_integral_uniformity",
    "cfov_integral_uniformity",
    "ufov_differential_uniformity",
    "cfov_differential_uniformity",
)
TOLERANCE = 0.05  # %-points
PYLINAC_VERSION = "3.49.0"

# name, flood builder, which values share a definition (so must agree), the explanation of the others
FLOODS = [
    (
        "uniform Poisson, 10k counts/px",
        lambda: syn.flood((256, 256), 625.0, poisson=True, seed=1),
        ("integral_cfov_percent", "differential_cfov_percent"),
        "UFOV: NMGuard smooths over UFOV pixels only (weights renormalised at the edge), pylinac smooths the whole "
        "matrix first, so its outermost analysed ring borrows counts from the excluded border ring",
    ),
    (
        "Poisson + hot 15 % and cold 10 % squares",
        lambda: syn.flood(
            (256, 256), 625.0, [syn.Square(96, 96, 20, 0.15), syn.Square(150, 140, 20, -0.10)], poisson=True, seed=2
        ),
        ("integral_cfov_percent", "differential_cfov_percent"),
        "UFOV may differ at the edge ring as above; here the extremes lie inside the field, so all four agree",
    ),
    (
        "noise-free, hot 20 % / cold 10 %",
        lambda: syn.flood((256, 256), 500.0, [syn.Square(96, 96, 16, 0.2), syn.Square(152, 152, 16, -0.1)], False),
        KEYS,
        "",
    ),
    (
        "Poisson + deep cold defect (−40 %)",
        lambda: syn.flood((256, 256), 625.0, [syn.Square(120, 120, 24, -0.40)], poisson=True, seed=3),
        (),
        "pylinac removes every pixel below 75 % of the field mean, also inside the field, so the defect's core "
        "drops out of its analysis; NEMA applies the 75 % rule only at the UFOV edge and keeps the defect",
    ),
    (
        "Poisson, field 384×384 mm in a 409.6 mm matrix",
        lambda: syn.flood((256, 256), 625.0, poisson=True, seed=4, field=(8, 248, 8, 248)),
        (),
        "pylinac smooths before thresholding with zeros outside the field, so the field edge is pulled down and "
        "the thresholded field, and the CFOV eroded from it, differ from NEMA's (75 % of CFOV mean, then one "
        "4-neighbour erosion, CFOV = 75 % of the UFOV box)",
    ),
]

PYLINAC_SCRIPT = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
from pylinac.nuclear import PlanarUniformity
files, n = json.loads(sys.argv[1]), int(sys.argv[2])
out = {}
for f in files:
    start = time.perf_counter()
    for _ in range(n):
        pu = PlanarUniformity(f)
        pu.analyze(ufov_ratio=1.0, cfov_ratio=0.75, window_size=5, threshold=0.75)
        data = pu.results_data(as_dict=True)["Frame 1"]
    out[f] = {"values": data, "seconds_per_image": (time.perf_counter() - start) / n}
print(json.dumps(out))
"""


def ensure_pylinac(venv: Path, install: bool) -> Path | None:
    python = venv / "bin" / "python"
    if python.exists():
        return python
    if not install:
        return None
    print(f"creating {venv} and installing pylinac=={PYLINAC_VERSION} …", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", f"pylinac=={PYLINAC_VERSION}"], check=True)
    return python


def run_nmguard(files: list[Path], n: int) -> dict[str, dict]:
    out = {}
    for f in files:
        analyze_uniformity(f, figure=False)  # warm-up (imports, caches)
        start = time.perf_counter()
        for _ in range(n):
            result = analyze_uniformity(f, figure=False)
        out[str(f)] = {"values": result.flat(), "seconds_per_image": (time.perf_counter() - start) / n}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20, help="analyses per image in each process (default 20)")
    parser.add_argument("--venv", type=Path, default=Path("/tmp/pylinac-venv"))
    parser.add_argument("--install", action="store_true", help="create the pylinac venv when it is missing")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="nmguard-bench-") as tmp:
        files = []
        for i, (_name, build, _agree, _why) in enumerate(FLOODS):
            files.append(syn.write_nm(Path(tmp) / f"flood{i}.dcm", build(), 1.6))
        ours = run_nmguard(files, args.n)
        python = ensure_pylinac(args.venv, args.install)
        theirs: dict[str, dict] | None = None
        if python is None:
            print(
                f"pylinac comparison skipped: no virtual environment at {args.venv} "
                f"(create it with --install, or: python3 -m venv {args.venv} && "
                f"{args.venv}/bin/pip install pylinac=={PYLINAC_VERSION})\n"
            )
        else:
            proc = subprocess.run(
                [str(python), "-c", PYLINAC_SCRIPT, json.dumps([str(f) for f in files]), str(args.n)],
                capture_output=True,
                text=True,
            )
            if proc.returncode != 0:
                print(f"pylinac comparison skipped: pylinac failed:\n{proc.stderr[-2000:]}\n")
            else:
                theirs = json.loads(proc.stdout.strip().splitlines()[-1])

    disagreements = 0
    total_ours = total_theirs = 0.0
    print(f"NEMA NU 1 uniformity, {len(FLOODS)} floods, 256×256 @ 1.6 mm, {args.n} analyses per image per tool")
    print("values in %; agree = |NMGuard − pylinac| ≤ 0.05 %-points where the definitions agree (*)\n")
    for (name, _build, agree, why), f in zip(FLOODS, files, strict=True):
        mine = ours[str(f)]
        total_ours += mine["seconds_per_image"]
        print(f"— {name}")
        header = f"  {'value':<28}{'NMGuard':>10}"
        if theirs:
            header += f"{'pylinac':>10}{'diff':>9}  agree"
        print(header)
        for key, pkey in zip(KEYS, PYLINAC_KEYS, strict=True):
            line = f"  {key + (' *' if key in agree else ''):<28}{mine['values'][key]:>10.3f}"
            if theirs:
                other = theirs[str(f)]["values"][pkey]
                diff = mine["values"][key] - other
                ok = abs(diff) <= TOLERANCE
                if key in agree and not ok:
                    disagreements += 1
                line += f"{other:>10.3f}{diff:>+9.3f}  {('yes' if ok else 'NO') if key in agree else '-'}"
            print(line)
        times = f"  time per image: NMGuard {mine['seconds_per_image'] * 1e3:.2f} ms"
        if theirs:
            t = theirs[str(f)]["seconds_per_image"]
            total_theirs += t
            times += f", pylinac {t * 1e3:.1f} ms ({t / mine['seconds_per_image']:.0f}× faster)"
        print(times)
        if why and theirs:
            print(f"  differences: {why}")
        print()
    print("Both times include reading the DICOM file; NMGuard without the SVG figure (pylinac's analyze() draws none).")
    if theirs:
        ratio = total_theirs / total_ours
        per_ours, per_theirs = total_ours / len(files) * 1e3, total_theirs / len(files) * 1e3
        print(
            f"overall: NMGuard {per_ours:.2f} ms/image, pylinac {per_theirs:.1f}"
            f" ms/image → NMGuard is {ratio:.0f}× faster (goal ≥ 10×); "
            f"{disagreements} disagreement(s) beyond {TOLERANCE} %-points where the definitions agree"
        )
        return 1 if disagreements else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
