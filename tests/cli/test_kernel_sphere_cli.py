"""``nmguard dosimetry sphere | kernel`` as a user runs them (in-process through ``main``, plus one subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from nmguard.cli import main

MEV_PER_G_TO_MGY_PER_MBQ_S = 1.602176634e-13 / 1e-3 * 1e6 * 1e3


def run_json(capsys, *args: str) -> dict:
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_sphere_json_large_sphere_near_energy_over_mass(capsys):
    out = run_json(capsys, "dosimetry", "sphere", "--nuclide", "Lu-177", "--mass-g", "1000")
    # Lu-177 electrons 0.14655 MeV are absorbed (> 99 %) in 1 kg; photons add a little on top
    e_only = 0.14655 / 1000 * MEV_PER_G_TO_MGY_PER_MBQ_S
    assert e_only * 0.99 < out["s_value_mGy_per_MBq_s"] < e_only * 1.1
    assert out["inputs"] == {"nuclide": "Lu-177", "mass_g": 1000.0, "density_g_cm3": 1.0}
    assert {"electron_absorbed_fraction", "photon_absorbed_fraction", "sources", "status"} <= out.keys()


def test_sphere_table(capsys):
    assert main(["dosimetry", "sphere", "--nuclide", "131I", "--mass-g", "10"]) == 0
    text = capsys.readouterr().out
    assert "Sphere S-value" in text and "mGy/(MBq·s)" in text and "absorbed fraction" in text


def test_kernel_json(capsys):
    out = run_json(capsys, "dosimetry", "kernel", "--nuclide", "Y-90", "--voxel-mm", "4.8")
    assert out["shape"] == [9, 9, 9] and out["voxel_mm"] == [4.8, 4.8, 4.8]
    assert out["energy_fraction_within_kernel"] == pytest.approx(1.0, abs=1e-3)
    # the centre voxel keeps less than all of E/m: 0.9323 MeV / 0.1106 g
    assert 0 < out["centre_voxel_mGy_per_MBq_s"] < 0.932314 / 0.110592 * MEV_PER_G_TO_MGY_PER_MBQ_S


def test_kernel_anisotropic_table(capsys):
    assert main(["dosimetry", "kernel", "--nuclide", "Lu-177", "--voxel-mm", "3,4.8,4.8"]) == 0
    text = capsys.readouterr().out
    assert "Dose voxel kernel" in text and "3 x 4.8 x 4.8 mm" in text and "Energy within kernel" in text


@pytest.mark.parametrize(
    "args",
    [
        ["dosimetry", "sphere", "--nuclide", "Xx-1", "--mass-g", "1"],
        ["dosimetry", "sphere", "--nuclide", "Y-90", "--mass-g", "-5"],
        ["dosimetry", "sphere", "--nuclide", "Y-90", "--mass-g", "heavy"],
        ["dosimetry", "kernel", "--nuclide", "Y-90", "--voxel-mm", "abc"],
        ["dosimetry", "kernel", "--nuclide", "Y-90", "--voxel-mm", "0"],
        ["dosimetry", "kernel", "--nuclide", "Y-90", "--voxel-mm", "1,2"],
        ["dosimetry", "kernel", "--nuclide", "Zz-3", "--voxel-mm", "4"],
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, args):
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "\n" not in err and "Traceback" not in err


def test_real_entry_point():
    env = {k: v for k, v in os.environ.items() if k != "NMGUARD_DATABASE_URL"}
    r = subprocess.run(
        [sys.executable, "-m", "nmguard", "dosimetry", "sphere", "--nuclide", "Y-90", "--mass-g", "1", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["s_value_mGy_per_MBq_s"] > 0
