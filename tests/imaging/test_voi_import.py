"""VOIs: SEG (exact), RTSTRUCT polygons (Dice), contours on a later time point's frame, thresholds."""

import math

import numpy as np
import pydicom
import pytest
import SimpleITK as sitk

from nmguard.errors import InputError
from nmguard.imaging.nm_geometry import Volume
from nmguard.imaging.study import load_study
from nmguard.imaging.voi import read_rtstruct, read_seg, threshold_voi
from nmguard.synthetic.patient import write_synthetic_study

SHIFT_X = 9.6


def dice(a, b):
    return 2 * np.logical_and(a, b).sum() / (a.sum() + b.sum())


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    folder = tmp_path_factory.mktemp("voi")
    truth = write_synthetic_study(
        folder,
        shape=(40, 48, 48),
        times_h=(4, 24),
        shift_mm_per_timepoint=(SHIFT_X, 0, 0),
        rtstruct_time_points=(0, 1),
        ct_inplane_factor=1,
    )
    reference = Volume(np.zeros((40, 48, 48)), truth.spacing_mm, truth.origin_mm, truth.frame_of_reference_uids[0])
    return truth, reference


def test_seg_is_exact(case):
    truth, reference = case
    masks = read_seg(truth.files["seg"][0], reference)
    assert set(masks) == set(truth.regions)
    for name in truth.regions:
        assert np.array_equal(masks[name], truth.masks[name]), name


def test_seg_on_a_finer_grid_keeps_the_volume(case):
    truth, reference = case
    dz, dy, dx = reference.spacing_mm
    x0, y0, z0 = reference.origin_mm
    fine = Volume(
        np.zeros((40, 96, 96)), (dz, dy / 2, dx / 2), (x0 - dx / 4, y0 - dy / 4, z0), reference.frame_of_reference_uid
    )
    liver = read_seg(truth.files["seg"][0], fine)["Liver"]
    # nearest-like resampling of a 0/1 mask onto a 2× finer grid keeps the volume up to the surface voxels (~5 %)
    assert liver.sum() * fine.voxel_volume_mL == pytest.approx(
        truth.masks["Liver"].sum() * reference.voxel_volume_mL, rel=0.05
    )


def test_rtstruct_polygons_match_the_truth(case):
    truth, reference = case
    masks = read_rtstruct(
        truth.files["rtstruct"][0], reference, {truth.frame_of_reference_uids[1]: sitk.Euler3DTransform()}
    )
    for name in truth.regions:
        # the brief's bound for polygon rasterisation; traced contours give 1.0 here except at saddle points
        assert dice(masks[name], truth.masks[name]) > 0.9, name


def test_rtstruct_on_a_later_frame_needs_and_uses_its_transform(case):
    truth, reference = case
    path = truth.files["rtstruct"][0]
    with pytest.raises(InputError) as info:
        read_rtstruct(path, reference)
    assert info.value.field == "voi" and "@t1" in str(info.value)
    # time point 1's patient is displaced by +9.6 mm in x: the ITK transform maps reference x to x + 9.6
    shift = sitk.Euler3DTransform()
    shift.SetTranslation((SHIFT_X, 0.0, 0.0))
    masks = read_rtstruct(path, reference, shift)
    for name in ("Liver", "Left kidney", "Lesion 1"):
        assert dice(masks[f"{name} @t1"], truth.masks[name]) > 0.95, name
    unmapped = read_rtstruct(path, reference, sitk.Euler3DTransform())
    assert dice(unmapped["Left kidney @t1"], truth.masks["Left kidney"]) < 0.8  # the shift matters


def test_circle_polygon_area(tmp_path, case):
    """An independent polygon: a 64-gon of radius 30 mm on one slice; inside = voxel centres within the circle."""
    truth, reference = case
    ds = pydicom.dcmread(truth.files["rtstruct"][0])
    item = ds.ROIContourSequence[0]
    z = reference.origin_mm[2] + 20 * reference.spacing_mm[0]
    angles = np.linspace(0, 2 * math.pi, 64, endpoint=False)
    points = np.column_stack([30 * np.cos(angles) + 1.0, 30 * np.sin(angles) - 2.0, np.full(64, z)])
    item.ContourSequence = item.ContourSequence[:1]
    item.ContourSequence[0].ContourData = [f"{v:.6g}" for v in points.ravel()]
    item.ContourSequence[0].NumberOfContourPoints = 64
    ds.ROIContourSequence = [item]
    ds.StructureSetROISequence = ds.StructureSetROISequence[:1]
    path = tmp_path / "circle.dcm"
    ds.save_as(path)
    mask = read_rtstruct(path, reference)["Body remainder"]
    xs, ys = reference.axis_mm("x"), reference.axis_mm("y")
    inside = (xs[None, :] - 1.0) ** 2 + (ys[:, None] + 2.0) ** 2 < 30**2
    assert mask[20].sum() == pytest.approx(inside.sum(), abs=4)  # centres within 0.2 mm of the 64-gon's chords
    assert mask.sum() == mask[20].sum()


def test_study_reads_seg_and_rtstruct_and_defers_later_rois(case):
    truth, _ = case
    study = load_study(truth.folder)
    assert study.voi_sources["Liver"].startswith("SEG segment 5 'Liver'")
    assert study.voi_sources["Liver [RTSTRUCT]"].startswith("RTSTRUCT ROI 5 'Liver'")
    assert np.array_equal(study.vois["Liver"], truth.masks["Liver"])
    assert [d.kind for d in study.deferred_vois] == ["RTSTRUCT"] and study.deferred_vois[0].time_point == 1
    assert not any("@t1" in name for name in study.vois)


def test_threshold_voi():
    volume = np.zeros((20, 20, 20))
    volume[3:7, 3:7, 3:7] = 10.0  # hot cube
    volume[12:16, 12:16, 12:16] = 4.0  # cooler cube
    volume[14, 14, 14] = 4.9
    assert threshold_voi(volume, 0.5).sum() == 64  # 4.9 and 4 are below 50 % of 10
    seed = np.zeros_like(volume, dtype=bool)
    seed[13, 13, 13] = True
    cool = threshold_voi(Volume(volume, (1, 1, 1), (0, 0, 0)), 0.5, seed)
    assert cool.sum() == 64 and cool[14, 14, 14] and not cool[5, 5, 5]
    assert threshold_voi(volume, 0.9, seed).sum() == 64  # the level is 0.9 × 4.0, the maximum inside the seed
    seed[12:16, 12:16, 12:16] = True
    assert threshold_voi(volume, 0.9, seed).sum() == 1  # now the maximum is 4.9: only that voxel is ≥ 4.41


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((np.ones((4, 4, 4)), 0.0), "fraction_of_max"),
        ((np.ones((4, 4, 4)), 1.5), "fraction_of_max"),
        ((np.ones((4, 4, 4)), "half"), "fraction_of_max"),
        ((np.zeros((4, 4, 4)), 0.5), "volume"),
        ((np.ones((4, 4)), 0.5), "volume"),
        ((np.ones((4, 4, 4)), 0.5, np.zeros((4, 4, 4), bool)), "seed_mask"),
        ((np.ones((4, 4, 4)), 0.5, np.ones((3, 4, 4), bool)), "seed_mask"),
    ],
)
def test_threshold_bad_input(args, field):
    with pytest.raises(InputError) as info:
        threshold_voi(*args)
    assert info.value.field == field


def test_not_a_seg_file(case, tmp_path):
    truth, reference = case
    with pytest.raises(InputError) as info:
        read_seg(truth.files["rtstruct"][0], reference)
    assert info.value.field == "voi"
    (tmp_path / "x.dcm").write_text("nope")
    with pytest.raises(InputError):
        read_rtstruct(tmp_path / "x.dcm", reference)
