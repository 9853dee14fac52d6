"""Which single-time-point method ``dosimetry run`` uses, and the refusals of a model that does not fit the study.

One SPECT of a trapped radiopharmaceutical (MAA, microspheres) is integrated with physical decay only, which is
exact when the activity leaves only by decay; otherwise Hänscheid's method is the default (see
``tests/therapy/test_dosimetry_jobs.py``). Values are computed here by hand from the synthetic truth.
"""

from __future__ import annotations

import math

import pydicom
import pytest

from nmguard.dosimetry.pipeline import run_dosimetry
from nmguard.dosimetry.run_options import RunOptions
from nmguard.errors import InputError
from nmguard.synthetic.patient import write_synthetic_study

LU177_HALF_LIFE_H = 6.647 * 24  # reference/data/nuclides.csv (LNHB)


def _study(folder, times_h, radiopharmaceutical=None):
    truth = write_synthetic_study(
        folder, shape=(20, 32, 32), voxel_mm=6.0, spect_fwhm_mm=0.5, times_h=times_h, write_rtstruct=False
    )
    if radiopharmaceutical:
        for path in folder.rglob("spect.dcm"):
            ds = pydicom.dcmread(path)
            ds.RadiopharmaceuticalInformationSequence[0].Radiopharmaceutical = radiopharmaceutical
            ds.save_as(path)
    return truth


def test_one_time_point_of_microspheres_is_physical_decay_only(tmp_path):
    truth = _study(tmp_path / "s", (24,), "Lu-177 microspheres")
    run = run_dosimetry(tmp_path / "s", RunOptions(method="ld"))
    liver = next(v for v in run.vois if v.name == "Liver")
    assert liver.tia_model == "physical" and "trapped" in liver.tia_model_reason
    lam = math.log(2) / LU177_HALF_LIFE_H
    a_MBq = truth.activity_Bq["Liver"][0] / 1e6
    assert liver.tia_MBq_h == pytest.approx(a_MBq * math.exp(lam * 24) / lam, rel=0.01)


def test_the_user_may_choose_haenscheid_for_a_trapped_agent(tmp_path):
    _study(tmp_path / "s", (24,), "Lu-177 microspheres")
    run = run_dosimetry(tmp_path / "s", RunOptions(method="ld", tia_model="Hänscheid"))
    assert {v.tia_model for v in run.vois} == {"haenscheid"}


@pytest.mark.parametrize(
    "times_h, model, message",
    [
        ((24,), "mono", "needs several"),
        ((4, 24, 96), "physical", "single-time-point method and the study has 3 time points"),
    ],
)
def test_a_model_that_does_not_fit_the_number_of_time_points_is_refused(tmp_path, times_h, model, message):
    _study(tmp_path / "s", times_h)
    with pytest.raises(InputError) as exc:
        run_dosimetry(tmp_path / "s", RunOptions(method="ld", tia_model=model))
    assert exc.value.field == "tia_model" and message in str(exc.value)


def test_an_unknown_model_is_refused_before_reading_anything():
    with pytest.raises(InputError) as exc:
        RunOptions(tia_model="exponential").checked()
    assert exc.value.field == "tia_model" and "physical" in str(exc.value)
