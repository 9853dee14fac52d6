"""On-disk cache of generated dose voxel kernels and of their FFTs, so that a fresh process does not
regenerate them (seeded shell sampling: about a second per kernel) for every dosimetry run.

* Where: ``NMGUARD_CACHE_DIR`` if set, else the per-user cache folder (``platformdirs``), sub-folder
  ``kernels``. ``NMGUARD_KERNEL_CACHE=0`` turns the disk cache off.
* Key: SHA-256 over what decides the numbers — nuclide, voxel size, radius, component, the sampling
  constants of :mod:`nmguard.dosimetry.dvk`, the reference-data version, NMGuard's version and the source
  text of the modules that generate kernels (so an edited algorithm is never answered from an old file).
  A key change (new data or software) gives a new file name; old files are simply never read again.
* Writes are atomic (a temporary file in the same folder, then ``os.replace``), so a reader sees a whole
  file or none. A file that cannot be read, or whose stored key or shape differs, is ignored and
  rewritten. A folder that cannot be written only costs the regeneration: the cache is never required.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

import numpy as np

#: bump when the file layout changes
FORMAT = 1


def cache_dir() -> Path | None:
    """The kernel cache folder, or None when the disk cache is turned off."""
    if os.environ.get("NMGUARD_KERNEL_CACHE", "1").strip() in ("0", "false", "no", "off"):
        return None
    root = os.environ.get("NMGUARD_CACHE_DIR")
    if not root:
        from platformdirs import user_cache_dir

        root = user_cache_dir("nmguard", appauthor=False)
    return Path(root) / "kernels"


#: modules whose code decides a kernel's numbers
_GENERATORS = (
    "nmguard.dosimetry.dvk",
    "nmguard.dosimetry.point_kernels",
    "nmguard.dosimetry.electron_spectra",
    "nmguard.reference.kernel_data",
)


@lru_cache(maxsize=1)
def _code_digest() -> str:
    h = hashlib.sha256()
    for module in _GENERATORS:
        spec = find_spec(module)
        h.update(Path(spec.origin).read_bytes() if spec is not None and spec.origin else module.encode())
    return h.hexdigest()


def cache_key(parts: dict) -> str:
    """A stable hex key over ``parts`` (JSON with sorted keys) and the data and software versions."""
    from importlib.metadata import PackageNotFoundError, version

    from nmguard.reference.manifest import data_version

    try:
        software = version("nmguard")
    except PackageNotFoundError:
        software = "unknown"
    text = json.dumps(
        {**parts, "format": FORMAT, "reference_data": data_version(), "nmguard": software, "code": _code_digest()},
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def _read(path: Path, key: str, shape: tuple[int, ...] | None) -> dict[str, np.ndarray] | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: np.array(data[name]) for name in data.files}
    except Exception:  # noqa: BLE001 - a truncated or foreign file is a cache miss, whatever the error
        return None
    if str(arrays.get("key", "")) != key:
        return None
    if shape is not None and arrays.get("values", np.empty(0)).shape != shape:
        return None
    return arrays


def _write(path: Path, arrays: dict[str, np.ndarray]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, **arrays)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return  # read-only or full disk: the cache is an optimisation only


def cached_arrays(
    name: str, key: str, make: Callable[[], dict[str, np.ndarray]], shape: tuple[int, ...] | None = None
) -> dict[str, np.ndarray]:
    """The arrays stored under ``name``-``key``, or ``make()`` (then stored). ``make`` must return a
    ``values`` array (checked against ``shape`` when given) and may return others (0-d arrays for scalars)."""
    folder = cache_dir()
    path = folder / f"{name}-{key}.npz" if folder is not None else None
    if path is not None and path.is_file():
        found = _read(path, key, shape)
        if found is not None:
            found.pop("key")
            return found
    arrays = make()
    if path is not None:
        _write(path, {**arrays, "key": np.array(key)})
    return arrays
