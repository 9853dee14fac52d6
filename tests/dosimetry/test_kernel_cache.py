"""Dose voxel kernels and their FFTs cached on disk: same numbers as generated, keyed, atomic, corruption-proof."""

from __future__ import annotations

import numpy as np
import pytest

from nmguard.dosimetry import dvk, kernel_cache
from nmguard.dosimetry.kernels import dvk_dose, voxel_kernel

NUCLIDE, VOXEL, RADIUS = "Lu-177", (4.8, 4.8, 4.8), 20.0


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder of the test's own, and no kernel kept in memory before or after."""
    monkeypatch.setenv("NMGUARD_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("NMGUARD_KERNEL_CACHE", raising=False)
    dvk._voxel_kernel.cache_clear()
    yield tmp_path / "kernels"
    dvk._voxel_kernel.cache_clear()


def _generated(monkeypatch) -> dvk.VoxelKernel:
    """The kernel generated with the disk cache off (the reference)."""
    monkeypatch.setenv("NMGUARD_KERNEL_CACHE", "0")
    dvk._voxel_kernel.cache_clear()
    kernel = voxel_kernel(NUCLIDE, VOXEL, RADIUS)
    monkeypatch.delenv("NMGUARD_KERNEL_CACHE")
    dvk._voxel_kernel.cache_clear()
    return kernel


def _same(a: dvk.VoxelKernel, b: dvk.VoxelKernel) -> None:
    assert np.array_equal(a.values_Gy_per_decay, b.values_Gy_per_decay)
    assert a.to_dict() == b.to_dict()


def test_a_cached_kernel_is_the_generated_kernel(cache, monkeypatch):
    reference = _generated(monkeypatch)
    assert not cache.exists()
    first = voxel_kernel(NUCLIDE, VOXEL, RADIUS)
    files = list(cache.glob("dvk-*.npz"))
    assert len(files) == 1 and not list(cache.glob("*.tmp"))  # written atomically: no temporary left
    dvk._voxel_kernel.cache_clear()
    calls = []
    monkeypatch.setattr(dvk, "_generate_kernel", lambda *a: calls.append(a))
    second = voxel_kernel(NUCLIDE, VOXEL, RADIUS)  # from disk: generation must not run
    assert calls == []
    _same(first, reference)
    _same(second, reference)


def test_a_corrupt_cache_file_is_ignored_and_rewritten(cache, monkeypatch):
    reference = _generated(monkeypatch)
    voxel_kernel(NUCLIDE, VOXEL, RADIUS)
    (path,) = cache.glob("dvk-*.npz")
    good = path.read_bytes()
    for damage in (good[: len(good) // 2], b"not a kernel"):
        path.write_bytes(damage)
        dvk._voxel_kernel.cache_clear()
        _same(voxel_kernel(NUCLIDE, VOXEL, RADIUS), reference)
        assert path.read_bytes() == good  # rewritten whole


def test_a_file_with_another_key_inside_is_not_used(cache, monkeypatch):
    voxel_kernel(NUCLIDE, VOXEL, RADIUS)
    (path,) = cache.glob("dvk-*.npz")
    other = voxel_kernel(NUCLIDE, VOXEL, 10.0)
    (other_path,) = set(cache.glob("dvk-*.npz")) - {path}
    path.write_bytes(other_path.read_bytes())  # a file renamed by hand holds the other key
    dvk._voxel_kernel.cache_clear()
    assert voxel_kernel(NUCLIDE, VOXEL, RADIUS).values_Gy_per_decay.shape != other.values_Gy_per_decay.shape


def test_the_key_changes_with_every_input_and_the_data_version(monkeypatch):
    base = {"nuclide": NUCLIDE, "voxel_mm": list(VOXEL), "radius_mm": RADIUS, "component": "all"}
    keys = {
        kernel_cache.cache_key(base),
        kernel_cache.cache_key({**base, "nuclide": "Y-90"}),
        kernel_cache.cache_key({**base, "voxel_mm": [4.8, 4.8, 4.9]}),
        kernel_cache.cache_key({**base, "radius_mm": None}),
        kernel_cache.cache_key({**base, "component": "photon"}),
    }
    assert len(keys) == 5
    assert kernel_cache.cache_key(base) == kernel_cache.cache_key(dict(reversed(base.items())))
    monkeypatch.setattr("nmguard.reference.manifest.data_version", lambda: "1999.1.1")
    assert kernel_cache.cache_key(base) not in keys


def test_cached_fft_gives_the_same_dose(cache, monkeypatch):
    rng = np.random.default_rng(3)
    decays = rng.uniform(0, 1e9, size=(20, 22, 24))
    density = rng.uniform(0.3, 1.9, size=decays.shape)
    reference_kernel = _generated(monkeypatch)
    expected = dvk_dose(decays, reference_kernel, density)  # no key: FFT computed in place
    kernel = voxel_kernel(NUCLIDE, VOXEL, RADIUS)
    cold = dvk_dose(decays, kernel, density)
    assert len(list(cache.glob("fft-*.npz"))) == 1
    calls = []
    monkeypatch.setattr(dvk.scipy.fft, "rfftn", _counting(dvk.scipy.fft.rfftn, calls))
    warm = dvk_dose(decays, kernel, density)
    assert len(calls) == 1  # the activity's transform only; the kernel's came from disk
    assert np.array_equal(cold, expected) and np.array_equal(warm, expected)


def test_an_unwritable_cache_folder_costs_only_the_regeneration(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("NMGUARD_CACHE_DIR", str(blocker))
    dvk._voxel_kernel.cache_clear()
    try:
        kernel = voxel_kernel(NUCLIDE, VOXEL, RADIUS)
    finally:
        dvk._voxel_kernel.cache_clear()
    assert kernel.values_Gy_per_decay.shape == (11, 11, 11)


def _counting(function, calls):
    def wrapper(*args, **kwargs):
        calls.append(args)
        return function(*args, **kwargs)

    return wrapper
