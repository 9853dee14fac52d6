"""Start-up time of the ``nmguard`` command: ``--help`` and two trivial calculators against ``python -c pass``.

Baseline: ``python -c pass`` with the same interpreter, a fresh process each time: the irreducible cost
of starting Python (a user cannot start any Python command faster). Measured, each a fresh process as a
user runs it (``python -m nmguard ...``, what the ``nmguard`` script does), output written to a pipe:
``--help``, ``nuclide Tc-99m`` and ``decay Tc-99m '740 MBq' --from ... --to ...``. Every process is one
thread of Python; each side runs once per round, interleaved. Goal: a calculator under 0.5 s.

The figures depend on bytecode having been compiled at install (``make install`` does it; with
``PYTHONDONTWRITEBYTECODE`` set, as here, Python never writes it itself): the script says whether the
project's and NumPy's compiled files are present.

    .venv/bin/python bench/cli_startup.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _harness import interleave, print_report  # noqa: E402

COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "nmguard --help": ["-m", "nmguard", "--help"],
    "nmguard nuclide": ["-m", "nmguard", "nuclide", "Tc-99m"],
    "nmguard decay": [
        "-m",
        "nmguard",
        "decay",
        "Tc-99m",
        "740 MBq",
        "--from",
        "2026-03-02T08:00:00+01:00",
        "--to",
        "2026-03-02T14:00:00+01:00",
    ],
}
GOAL_S = 0.5


def _bytecode_present(module: str) -> bool:
    spec = importlib.util.find_spec(module)
    return bool(spec and spec.cached and Path(spec.cached).exists())


def _runner(args: list[str]):
    def run() -> None:
        subprocess.run([sys.executable, *args], check=True, capture_output=True)

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    compiled = {m: _bytecode_present(m) for m in ("nmguard.cli", "typer", "numpy")}
    result = interleave({name: _runner(a) for name, a in COMMANDS.items()}, rounds=args.rounds, warmup=1)
    print_report(
        "nmguard start-up, fresh processes",
        result,
        baseline="python -c pass",
        baseline_text="the same interpreter started with nothing to do",
        threads="one Python process per run, run one at a time",
    )
    listed = ", ".join(f"{m} {'yes' if ok else 'NO'}" for m, ok in compiled.items())
    print(f"  bytecode compiled at install: {listed}")
    load = result.load_before[0]
    for name in ("nmguard nuclide", "nmguard decay"):
        side = result.sides[name]
        print(
            f"  goal: {name} under {GOAL_S} s: wall min {side.min:.3f} s, median {side.median:.3f} s; "
            f"CPU median {side.cpu_median:.3f} s (the wall time on an idle core): "
            f"{'met' if side.cpu_median < GOAL_S else 'NOT met'} on CPU, "
            f"{'met' if side.median < GOAL_S else 'not met'} on median wall at load {load:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
