"""``nmguard qc …`` on synthetic DICOM and CSV files, as a user runs it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from tests.cli.test_cli import run


@pytest.fixture(scope="module")
def flood_file(tmp_path_factory):
    from nmguard.synthetic.nm_images import Square, flood, write_nm

    path = tmp_path_factory.mktemp("flood") / "flood.dcm"
    write_nm(
        path,
        flood((128, 128), counts_per_pixel=40000, squares=[Square(40, 40, 16, 0.10)], poisson=False)[None],
        pixel_mm=3.2,
    )
    return path


def test_uniformity_json_keys(flood_file, tmp_path):
    r = run("qc", "uniformity", str(flood_file), "--json", "--figure", str(tmp_path / "f.svg"))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    for key in (
        "integral_ufov_percent",
        "integral_cfov_percent",
        "differential_ufov_percent",
        "differential_cfov_percent",
        "pixel_size_mm",
    ):
        assert isinstance(out[key], float)
    # noise-free plateau +10 %: integral = 100·0.10/2.10 = 4.76 % (the plateau is larger than the 9-point kernel)
    assert out["integral_ufov_percent"] == pytest.approx(100 * 0.10 / 2.10, abs=0.01)
    assert out["pixel_size_mm"] == pytest.approx(6.4)  # 3.2 mm rebinned ×2
    assert (tmp_path / "f.svg").read_text().startswith("<svg")


def test_linearity_csv(tmp_path):
    from nmguard.reference import get_nuclide

    t_half = get_nuclide("Tc-99m").half_life_s
    t0 = dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC)
    lines = ["time,activity"]
    for hours in (0, 6, 12, 24, 36, 48):
        a = 30e9 * 2 ** (-hours * 3600 / t_half)
        lines.append(f"{(t0 + dt.timedelta(hours=hours)).isoformat()},{a / 1e6:.6f} MBq")
    path = tmp_path / "lin.csv"
    path.write_text("\n".join(lines))
    r = run("qc", "linearity", str(path), "--nuclide", "Tc-99m", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["max_abs_deviation_percent"] < 0.01 and len(out["points"]) == 6


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("qc", "uniformity", "/nonexistent.dcm"), "does not exist"),
        (("qc", "earl", "/tmp", "--standard", "earl9", "--sphere-kbq-ml", "20"), "unknown standard"),
        (("qc", "linearity", "/nonexistent.csv", "--nuclide", "Tc-99m"), "does not exist"),
    ],
)
def test_bad_input(args, fragment):
    r = run(*args)
    assert r.returncode == 2 and r.stderr.startswith("error: ") and fragment in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_not_dicom(tmp_path):
    path = tmp_path / "x.dcm"
    path.write_bytes(b"hello")
    r = run("qc", "uniformity", str(path))
    assert r.returncode == 2 and "not a DICOM file" in r.stderr


def test_earl_and_suv_calibration(tmp_path):
    from nmguard.synthetic.pet_phantom import iec_phantom, uniform_cylinder, write_pet_series

    scan = dt.datetime(2026, 3, 2, 10, 0)
    facts = dict(series_datetime=scan, injection_datetime=scan - dt.timedelta(hours=1), injected_activity_Bq=100e6)
    ph = iec_phantom(voxel_mm=2.0, fwhm_mm=8.0)
    write_pet_series(ph.volume, ph.spacing_mm, ph.origin_mm, tmp_path / "iec", **facts)
    r = run(
        "qc",
        "earl",
        str(tmp_path / "iec"),
        "--standard",
        "earl1",
        "--sphere-kbq-ml",
        str(ph.sphere_concentration / 1e3),
        "--background-kbq-ml",
        str(ph.background_concentration / 1e3),
        "--json",
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["passed"] is True and "rc_max_37mm" in out
    cyl = uniform_cylinder(concentration=5000.0)
    write_pet_series(cyl.volume, cyl.spacing_mm, cyl.origin_mm, tmp_path / "cyl", **facts)
    r = run("qc", "suv-calibration", str(tmp_path / "cyl"), "--volume-ml", str(cyl.volume_mL), "--json")
    assert r.returncode == 0, r.stderr
    assert "bias_percent" in json.loads(r.stdout)
