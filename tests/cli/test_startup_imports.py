"""Start-up: ``nmguard --help`` and the trivial calculators load none of the heavy packages.

Each of SciPy, SimpleITK, numba, matplotlib, Django, pydicom, highdicom, pandas, dask and pydantic costs from a
tenth of a second to seconds to import; a command that does not use them must not pay for them. Each case runs in a
fresh interpreter (this test process has most of them loaded already) and lists what the CLI left in
``sys.modules``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# pydantic: typer 0.20+ imports it for every parameter (0.15 s); the pin in pyproject.toml keeps it out
HEAVY = ("scipy", "SimpleITK", "numba", "matplotlib", "django", "pydicom", "highdicom", "pandas", "dask", "pydantic")

PROBE = """
import contextlib, io, json, sys
from nmguard.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(json.loads(sys.argv[1]))
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(sys.argv[2])))
print(json.dumps({"code": code, "heavy": heavy, "out": out.getvalue()}))
"""


def _run(argv: list[str]) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "argv, expect",
    [
        (["--help"], "nuclide"),
        (["nuclide", "Tc-99m"], "Half-life"),
        (
            ["decay", "Tc-99m", "740 MBq", "--from", "2026-03-02T08:00:00+01:00", "--to", "2026-03-02T14:00:00+01:00"],
            "Decay factor",
        ),
        (["dosimetry", "--help"], "tia"),
    ],
)
def test_light_commands_import_no_heavy_package(argv: list[str], expect: str) -> None:
    result = _run(argv)
    assert result["code"] == 0
    assert expect in result["out"]  # the command really ran
    assert result["heavy"] == []


def test_the_probe_sees_a_heavy_import() -> None:
    """The dosimetry calculator does use SciPy: the probe must report it (else the test above proves nothing)."""
    result = _run(["dosimetry", "tia", "--nuclide", "Lu-177", "--times-h", "4,24,96", "--activities-MBq", "120,300,90"])
    assert result["code"] == 0
    assert "scipy" in result["heavy"]
