"""The synthetic patient: analytic truth (TIA, volumes, masses), what the DICOM files hold, noise, bad input."""

import math

import numpy as np
import pydicom
import pytest
from scipy import integrate

from nmguard.errors import InputError
from nmguard.reference.nuclides import get_nuclide
from nmguard.synthetic.patient import SECONDS_PER_VIEW, VIEWS, Kinetics, write_synthetic_study

SHAPE = (40, 48, 48)


@pytest.fixture(scope="module")
def truth(tmp_path_factory):
    return write_synthetic_study(tmp_path_factory.mktemp("synthetic"), shape=SHAPE, times_h=(4, 24, 96))


def test_tia_is_the_integral_of_the_curve(truth):
    # independent check: numerical quadrature of A(t) against the closed form; quad is good to ~1e-9 here
    half_life_h = get_nuclide("Lu-177").half_life_s / 3600
    for name, kinetics in truth.kinetics.items():
        numeric, _ = integrate.quad(lambda t, k=kinetics: float(k.fraction_at(t, half_life_h)), 0, np.inf, limit=200)
        expected = truth.injected_MBq * 1e6 * numeric * 3600
        assert truth.tia_Bq_s[name] == pytest.approx(expected, rel=1e-6, abs=1e-3)


def test_kinetics_are_realistic_for_lu177_dotatate(truth):
    # late-phase effective half-life of the kidneys: 40-60 h is the order of the values published for Lu-177
    # DOTATATE (recalled, not read in a paper); it guards the phantom's realism only, no clinical use
    half_life_h = get_nuclide("Lu-177").half_life_s / 3600
    kidney = truth.kinetics["Left kidney"]
    a1, a2 = kidney.fraction_at(np.array([96.0, 168.0]), half_life_h)
    t_eff = (168 - 96) * math.log(2) / math.log(a1 / a2)
    assert 40 < t_eff < 60
    lung_per_mL = truth.activity_Bq["Right lung"] / truth.masks["Right lung"].sum()
    liver_per_mL = truth.activity_Bq["Liver"] / truth.masks["Liver"].sum()
    assert np.all(lung_per_mL < 0.2 * liver_per_mL)  # the lungs hold little (blood pool)
    assert Kinetics(((1.0, 10.0, 0.0),)).integral_h(1e12) == pytest.approx(10 / math.log(2), rel=1e-9)


def test_masks_volumes_and_masses(truth):
    voxel_mL = 4.8**3 / 1000
    s = truth.scale
    # the liver is an ellipsoid of semi-axes 75, 65, 50 mm × scale; voxelising it at 4.8 mm changes the volume by a
    # few % (surface voxels), hence 6 %
    analytic_mL = 4 / 3 * math.pi * 75 * 65 * 50 * s**3 / 1000
    liver_mL = truth.masks["Liver"].sum() * voxel_mL
    assert liver_mL == pytest.approx(analytic_mL, rel=0.06)
    assert truth.mass_g["Liver"] == pytest.approx(liver_mL * 1.06, rel=1e-12)
    stacked = np.stack([truth.masks[n] for n in truth.regions]).sum(axis=0)
    assert stacked.max() == 1  # regions do not overlap
    assert all(m.any() for m in truth.masks.values())


def test_files_hold_the_truth(truth):
    # read the SPECT file with pydicom alone (not with the loader): Σ pixel × slope × voxel volume = truth total
    for index, path in enumerate(truth.files["spect"]):
        ds = pydicom.dcmread(path)
        bq_ml = ds.pixel_array.astype(float) * float(ds.RescaleSlope)
        total = bq_ml.sum() * 4.8**3 / 1000
        # blur loss at the field-of-view edge and uint16 rounding stay far below 1 %
        assert total == pytest.approx(truth.total_activity_Bq(index), rel=0.01)
        assert ds.Units == "BQML" and ds.NumberOfFrames == SHAPE[0]
    ct = pydicom.dcmread(truth.files["ct"][SHAPE[0] // 2])
    hu = ct.pixel_array * float(ct.RescaleSlope) + float(ct.RescaleIntercept)
    assert set(np.unique(hu)) <= {-1000.0, *truth.hu.values()}
    assert ct.Rows == 2 * SHAPE[1] and float(ct.PixelSpacing[0]) == pytest.approx(2.4)


def test_poisson_noise_keeps_the_expected_counts(tmp_path):
    truth = write_synthetic_study(
        tmp_path, shape=SHAPE, times_h=(24,), units="CNTS", noise=True, seed=3, write_seg=False, write_rtstruct=False
    )
    ds = pydicom.dcmread(truth.files["spect"][0])
    counts = ds.pixel_array.astype(float) * float(ds.RescaleSlope)
    expected = truth.total_activity_Bq(0) / 1e6 * 9.5 * VIEWS * SECONDS_PER_VIEW
    # Poisson total: sd = sqrt(N); 5 sd plus the uint16 rounding (slope/2 per voxel, random) and < 0.1 % blur loss
    assert abs(counts.sum() - expected) < 5 * math.sqrt(expected) + 1e-3 * expected
    assert not np.allclose(counts, np.round(counts / 7) * 7)  # noisy, not smooth


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"shape": (4, 48, 48)}, "shape"),
        ({"shape": (20, 20, 20)}, "shape"),
        ({"units": "PROPCPS"}, "units"),
        ({"units": "CNTS", "modality": "PT"}, "units"),
        ({"times_h": (24, 4)}, "times_h"),
        ({"voxel_mm": -1.0}, "voxel_mm"),
        ({"nuclide": "Xx-999"}, "nuclide"),
    ],
)
def test_bad_input(tmp_path, kwargs, field):
    with pytest.raises(InputError) as info:
        write_synthetic_study(tmp_path, **kwargs)
    assert info.value.field == field


def test_coarse_grid_keeps_every_region(tmp_path):
    # the dosimetry job tests use 24 × 40 × 40 voxels of 6 mm: the phantom shrinks, the smallest lesion would vanish
    # without the 0.9-voxel floor on semi-axes
    truth = write_synthetic_study(
        tmp_path, shape=(24, 40, 40), voxel_mm=6.0, times_h=(24,), write_seg=False, write_rtstruct=False
    )
    assert all(mask.sum() >= 1 for mask in truth.masks.values())
    assert truth.scale < 0.5
