"""NEMA NU 1 planar uniformity: NMGuard's time against a vectorised NumPy NEMA analysis, and its values against
pylinac's ``nuclear.PlanarUniformity`` on the same DICOM floods.

Timing baseline: the strongest simple version a competent user would write: ``pydicom.dcmread``, 4×4 block
sums by ``reshape``, UFOV = pixels ≥ 75 % of the central mean then one 4-neighbour erosion, CFOV = the UFOV box
scaled by 0.75, the 9-point NEMA kernel by ``scipy.ndimage.correlate``, integral uniformity from max/min and
differential uniformity by ``sliding_window_view`` (see ``numpy_nema``). It runs in this process, one thread,
interleaved with NMGuard's ``analyze_uniformity`` (which also checks that the image is a flood, applies NEMA's
edge rule by connectivity, smooths over the UFOV only and reports positions, counts and warnings), each side
analysing all the floods once per round; its CFOV values are printed beside NMGuard's as a check that it does
the same work. pylinac, an established tool, is timed too, but in its own process (a separate virtual
environment, default .venv-pylinac in the checkout, the one ``make test`` creates, because its pydicom pin
conflicts), so its time is not interleaved and is shown for information; its values are the cross-check of
NMGuard's definitions. About half of NMGuard's time is its check that the image is a flood at all
(``refuse_non_flood``: a smoothed pattern score), which the baseline does not do.

All read the same synthetic NM files (256×256 at 1.6 mm → rebinned ×4 to 6.4 mm). pylinac runs with
``ufov_ratio=1.0, cfov_ratio=0.75`` so that its UFOV is the thresholded field and its CFOV 75 % of it, as in
NEMA. The NumPy baseline applies the 75 % threshold inside the field as pylinac does, so on the deep-defect flood
its values differ from NMGuard's (NEMA keeps interior low pixels); on the others its CFOV values equal NMGuard's.

Run: ``python bench/qc_uniformity.py [--n 20] [--install] [--venv PATH]`` (``--n``: pylinac's analyses per image
and the interleaved rounds). Without the pylinac environment it prints NMGuard's numbers, the NumPy baseline and
how to create the environment (``--install`` creates it with pip). Exit status 1 when NMGuard and pylinac disagree
where their definitions agree (``make test`` runs it).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pydicom
from scipy import ndimage

sys.path.insert(0, str(Path(__file__).parent))

from _harness import interleave, print_report  # noqa: E402
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


NEMA_9 = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=np.float64) / 16


def numpy_nema(path: Path, k: int = 4) -> dict[str, float]:
    """The timing baseline: NEMA NU 1 IU/DU in a few vectorised lines, as a competent user writes them."""
    img = pydicom.dcmread(path).pixel_array.astype(np.float64)
    n0, n1 = img.shape[0] // k, img.shape[1] // k
    reb = img[: n0 * k, : n1 * k].reshape(n0, k, n1, k).sum(axis=(1, 3))
    centre = reb[n0 // 4 : 3 * n0 // 4, n1 // 4 : 3 * n1 // 4]
    ufov = ndimage.binary_erosion(reb >= 0.75 * centre[centre > 0].mean())
    rows, cols = np.flatnonzero(ufov.any(axis=1)), np.flatnonzero(ufov.any(axis=0))
    cfov = np.zeros_like(ufov)
    dr, dc = round((rows[-1] - rows[0] + 1) * 0.125), round((cols[-1] - cols[0] + 1) * 0.125)
    cfov[rows[0] + dr : rows[-1] + 1 - dr, cols[0] + dc : cols[-1] + 1 - dc] = True
    cfov &= ufov
    smooth = ndimage.correlate(reb, NEMA_9, mode="nearest")
    out = {}
    for name, mask in (("ufov", ufov), ("cfov", cfov)):
        v = np.where(mask, smooth, np.nan)
        out[f"integral_{name}_percent"] = 100 * (np.nanmax(v) - np.nanmin(v)) / (np.nanmax(v) + np.nanmin(v))
        du = [
            100 * (w.max(-1) - w.min(-1)) / (w.max(-1) + w.min(-1))
            for w in (np.lib.stride_tricks.sliding_window_view(v, 5, axis=a) for a in (0, 1))
        ]
        out[f"differential_{name}_percent"] = float(max(np.nanmax(d) for d in du))
    return out


def run_nmguard(files: list[Path]) -> dict[str, dict]:
    return {str(f): {"values": analyze_uniformity(f, figure=False).flat()} for f in files}


def time_against_numpy(files: list[Path], rounds: int) -> float:
    """NMGuard and the NumPy baseline interleaved in this process, all floods per call; printed by the harness."""
    result = interleave(
        {
            "numpy NEMA": lambda: [numpy_nema(f) for f in files],
            "nmguard": lambda: [analyze_uniformity(f, figure=False) for f in files],
        },
        rounds=rounds,
    )
    print_report(
        f"NEMA NU 1 uniformity, {len(files)} floods 256×256 from DICOM",
        result,
        baseline="numpy NEMA",
        baseline_text="pydicom + reshape rebin + ndimage.correlate + sliding_window_view (numpy_nema)",
        threads="1 thread each (NumPy/SciPy element-wise and ndimage calls are single-threaded)",
        per=(len(files), "images"),
    )
    return result.sides["nmguard"].median / len(files)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20, help="analyses per image in each process (default 20)")
    parser.add_argument("--venv", type=Path, default=Path(__file__).resolve().parents[1] / ".venv-pylinac")
    parser.add_argument("--install", action="store_true", help="create the pylinac venv when it is missing")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="nmguard-bench-") as tmp:
        files = []
        for i, (_name, build, _agree, _why) in enumerate(FLOODS):
            files.append(syn.write_nm(Path(tmp) / f"flood{i}.dcm", build(), 1.6))
        ours = run_nmguard(files)
        baseline_values = {str(f): numpy_nema(f) for f in files}
        ours_per_image = time_against_numpy(files, max(args.n, 3))
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
    total_theirs = 0.0
    print(f"NEMA NU 1 uniformity, {len(FLOODS)} floods, 256×256 @ 1.6 mm, {args.n} analyses per image per tool")
    print("values in %; agree = |NMGuard − pylinac| ≤ 0.05 %-points where the definitions agree (*)\n")
    for (name, _build, agree, why), f in zip(FLOODS, files, strict=True):
        mine = ours[str(f)]
        base = baseline_values[str(f)]
        print(f"— {name}")
        header = f"  {'value':<28}{'NMGuard':>10}{'NumPy':>9}"
        if theirs:
            header += f"{'pylinac':>10}{'diff':>9}  agree"
        print(header)
        for key, pkey in zip(KEYS, PYLINAC_KEYS, strict=True):
            line = f"  {key + (' *' if key in agree else ''):<28}{mine['values'][key]:>10.3f}{base[key]:>9.3f}"
            if theirs:
                other = theirs[str(f)]["values"][pkey]
                diff = mine["values"][key] - other
                ok = abs(diff) <= TOLERANCE
                if key in agree and not ok:
                    disagreements += 1
                line += f"{other:>10.3f}{diff:>+9.3f}  {('yes' if ok else 'NO') if key in agree else '-'}"
            print(line)
        if theirs:
            total_theirs += theirs[str(f)]["seconds_per_image"]
        if why and theirs:
            print(f"  differences: {why}")
        print()
    print("All times include reading the DICOM file; NMGuard without the SVG figure (pylinac's analyze() draws none).")
    if theirs:
        per_theirs = total_theirs / len(files)
        print(
            f"pylinac (own process, not interleaved, mean of {args.n} per image): {per_theirs * 1e3:.1f} ms/image; "
            f"NMGuard median {ours_per_image * 1e3:.2f} ms/image → {per_theirs / ours_per_image:.0f}× faster; "
            f"{disagreements} disagreement(s) beyond {TOLERANCE} %-points where the definitions agree"
        )
        return 1 if disagreements else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
