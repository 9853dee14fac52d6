"""``nmguard dosimetry run | batch | compare`` and ``nmguard worker`` as a user runs them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pydicom
import pytest

from nmguard.exchange.dicom.parametric_map import read_dose_parametric_map
from nmguard.exchange.dicom.rtdose import read_rt_dose, rt_dose_geometry_problems

NMGUARD = [sys.executable, "-m", "nmguard"]


def run(*args: str, cwd: Path | None = None, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "NMGUARD_DATABASE_URL"} | (env_extra or {})
    return subprocess.run([*NMGUARD, *args], capture_output=True, text=True, env=env, timeout=300, cwd=cwd)


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    from nmguard.synthetic.patient import write_synthetic_study

    folder = tmp_path_factory.mktemp("cli") / "patient-a"
    write_synthetic_study(folder, shape=(24, 40, 40), voxel_mm=6.0, times_h=(4, 24, 96), write_rtstruct=False)
    return folder


def test_run_writes_rt_dose_results_and_report(study, tmp_path):
    out = tmp_path / "out"
    r = run("dosimetry", "run", str(study), "--method", "ld", "--out", str(out), "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["schema"] == "nmguard.dosimetry-results/1" and doc["method"]["dose_method"] == "ld"
    assert {p.name for p in out.iterdir()} == {
        "rtdose.dcm",
        "dose_parametric_map.dcm",
        "results.json",
        "report.html",
    }
    ds = pydicom.dcmread(out / "rtdose.dcm")  # an independent reader: pydicom and the geometry checks
    assert ds.Modality == "RTDOSE" and not rt_dose_geometry_problems(ds)
    assert ds.FrameOfReferenceUID == doc["study"]["frame_of_reference_uid"]
    rt, rt_spacing, rt_origin = read_rt_dose(out / "rtdose.dcm")
    pm, pm_spacing, pm_origin = read_dose_parametric_map(out / "dose_parametric_map.dcm")
    assert pm_spacing == pytest.approx(rt_spacing) and pm_origin == pytest.approx(rt_origin)
    assert np.allclose(pm, rt, rtol=1e-6, atol=1e-9 * rt.max())  # the same map in both encodings
    table = run("dosimetry", "run", str(study), "--method", "dvk", "--out", str(tmp_path / "out2"))
    assert table.returncode == 0 and "Liver" in table.stdout and "RT Dose" in table.stdout
    assert table.stderr == ""  # no progress bar when stderr is not a terminal


def test_compare_two_runs_of_different_methods(study, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert run("dosimetry", "run", str(study), "--method", "ld", "--out", str(a), "--json").returncode == 0
    assert run("dosimetry", "run", str(study), "--method", "dvk", "--out", str(b), "--json").returncode == 0
    r = run("dosimetry", "compare", str(a / "results.json"), str(b / "results.json"), "--json")
    assert r.returncode == 0, r.stderr
    rows = {row["voi"]: row for row in json.loads(r.stdout)["vois"]}
    assert rows["Liver"]["difference_Gy"] > 0  # the kernel adds the photon dose that ld leaves out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--method", "xyz"], "unknown method"),
        (["--method", "ld", "--device", "gpu"], "Monte Carlo"),
        (["--histories", "10", "--method", "mc"], "histories"),
    ],
)
def test_bad_options_exit_2_with_one_line(study, tmp_path, args, message):
    r = run("dosimetry", "run", str(study), *args, "--out", str(tmp_path / "x"))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and message in r.stderr
    assert not (tmp_path / "x").exists()


def test_a_folder_without_a_study_exits_2_and_writes_nothing(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.txt").write_text("no DICOM here")
    r = run("dosimetry", "run", str(empty), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and r.stderr.startswith("error:") and r.stderr.count("\n") == 1
    assert not (tmp_path / "o").exists() and not list(tmp_path.glob(".o.partial-*"))


def test_a_study_with_times_out_of_order_is_refused(study, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(study, broken)
    # give the second time point the acquisition time of the first: two series at one time
    times = {}
    for path in sorted(broken.rglob("*.dcm")):
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        if ds.Modality == "NM":
            times[path] = ds.AcquisitionDateTime if "AcquisitionDateTime" in ds else None
    paths = sorted(times, key=lambda p: str(times[p]))
    first = pydicom.dcmread(paths[0], stop_before_pixels=True)
    second = pydicom.dcmread(paths[1])
    for keyword in ("AcquisitionDateTime", "AcquisitionDate", "AcquisitionTime", "SeriesDate", "SeriesTime"):
        if keyword in first:
            setattr(second, keyword, first.data_element(keyword).value)
    second.save_as(paths[1])
    r = run("dosimetry", "run", str(broken), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and r.stderr.startswith("error:"), r.stderr
    assert not (tmp_path / "o").exists()


def test_batch_runs_studies_through_dask_and_reports_each(study, tmp_path):
    second = tmp_path / "patient-b"
    shutil.copytree(study, second)
    empty = tmp_path / "patient-c"
    empty.mkdir()
    (empty / "x.txt").write_text("nothing")
    out = tmp_path / "b"
    r = run("dosimetry", "batch", str(study), str(second), str(empty), "--method", "ld", "--out", str(out), "--json")
    assert r.returncode == 1  # one study failed
    rows = {Path(row["study"]).name: row for row in json.loads(r.stdout)["studies"]}
    assert rows["patient-a"]["status"] == rows["patient-b"]["status"] == "succeeded"
    assert rows["patient-a"]["vois"] == rows["patient-b"]["vois"]  # same inputs, same numbers
    assert rows["patient-c"]["status"] == "failed" and rows["patient-c"]["message"]
    assert not (tmp_path / "b" / "patient-c").exists()


def test_a_bad_threshold_voi_exits_2(study, tmp_path):
    r = run("dosimetry", "run", str(study), "--threshold-voi", "Tumour=2", "--out", str(tmp_path / "x"))
    assert r.returncode == 2 and "threshold VOI" in r.stderr and r.stderr.count("\n") == 1
