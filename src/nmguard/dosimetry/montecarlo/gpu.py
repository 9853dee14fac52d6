"""CUDA backend (numba.cuda): one thread per history, xoroshiro128+ streams, integer atomic tallies.

The physics is the CPU's: the Python functions of ``physics.py`` are recompiled here as CUDA
device functions with two globals swapped — ``uniform`` draws from the thread's xoroshiro128+
state and ``deposit`` adds with an atomic. (CuPy, named in the design, is not a dependency; numba
is, and it can share the physics source.) Tested on the CPU with the CUDA simulator
(``NUMBA_ENABLE_CUDASIM=1``).
"""

from __future__ import annotations

import time
import types
from collections.abc import Callable
from functools import cache

import numpy as np

from nmguard.dosimetry.montecarlo import physics
from nmguard.dosimetry.montecarlo.tally import CHUNK, RawRun, add_batch
from nmguard.errors import InputError

THREADS_PER_BLOCK = 128
#: physics functions recompiled for the device, leaves first.
SHARED = (
    "bisect_right",
    "energy_bin",
    "voxel_of",
    "klein_nishina_ratio",
    "thomson_cosine",
    "rotate",
    "isotropic",
    "sample_start",
    "track_photon",
)


def cuda_problem() -> str | None:
    """Why no CUDA device can be used here, or None when one can."""
    try:
        from numba import cuda
    except ImportError as exc:  # pragma: no cover - numba ships the cuda module
        return f"numba.cuda cannot be imported ({exc})"
    try:
        if not cuda.is_available():
            return "no CUDA driver or GPU was found"
    except Exception as exc:  # noqa: BLE001 - any driver failure means "not usable"
        return f"the CUDA driver failed ({exc})"
    return None


def _uniform(states, tid):
    return xoroshiro128p_uniform_float64(states, tid)  # noqa: F821 - bound in the device namespace


def _deposit(tally, row, voxel, amount):
    cuda.atomic.add(tally, (row, voxel), amount)  # noqa: F821


def _kernel_py(
    n, states, source_cdf, line_cdf, line_keV, density, material, nx, ny, nz, dx, dy, dz,
    xs, majorant, log_e0, inv_dlog, e_cut, quantum, tally, sums, first_counts,
):  # fmt: skip
    tid = cuda.grid(1)  # noqa: F821
    if tid >= n:
        return
    x, y, z, u, v, w, e = sample_start(source_cdf, line_cdf, line_keV, nx, ny, dx, dy, dz, states, tid)  # noqa: F821
    escaped, first = track_photon(  # noqa: F821
        x, y, z, u, v, w, e, density, material, nx, ny, nz, dx, dy, dz,
        xs, majorant, log_e0, inv_dlog, e_cut, quantum, tally, 0, states, tid,
    )  # fmt: skip
    cuda.atomic.add(sums, 0, int(e / quantum + 0.5))  # noqa: F821
    cuda.atomic.add(sums, 1, escaped)  # noqa: F821
    cuda.atomic.add(first_counts, first + 1, 1)  # noqa: F821


def _clone(fn: types.FunctionType, namespace: dict) -> types.FunctionType:
    """``fn`` with its global names looked up in ``namespace`` (how the device physics is rebound)."""
    return types.FunctionType(fn.__code__, namespace, fn.__name__, fn.__defaults__, fn.__closure__)


@cache
def _kernel():
    """Compile the device physics and the kernel (once per process).

    The functions are cloned into one namespace whose ``cuda`` is the numba.cuda module, so the
    CUDA simulator can swap in its fake module as it does for ordinary kernels.
    """
    from numba import cuda
    from numba.cuda.random import xoroshiro128p_uniform_float64

    namespace = dict(vars(physics))
    namespace.update(cuda=cuda, xoroshiro128p_uniform_float64=xoroshiro128p_uniform_float64)
    namespace["uniform"] = cuda.jit(device=True)(_clone(_uniform, namespace))
    namespace["deposit"] = cuda.jit(device=True)(_clone(_deposit, namespace))
    for name in SHARED:
        namespace[name] = cuda.jit(device=True)(_clone(getattr(physics, name).py_func, namespace))
    return cuda.jit(_clone(_kernel_py, namespace))


def run_batches(
    problem,
    n_histories: int,
    seed: int,
    batches,
    quantum: float,
    progress: Callable[[float], None] | None,
    regions=None,
):
    """Run the batches on the GPU; same batch split (in histories) as the CPU so uncertainties compare."""
    reason = cuda_problem()
    if reason is not None:
        raise InputError(f"device='gpu' needs a usable CUDA GPU: {reason}; use device='cpu'", "device")
    from numba import cuda
    from numba.cuda.random import create_xoroshiro128p_states

    p = problem
    nz, ny, nx = p.shape
    dz, dy, dx = p.spacing_cm
    nvox = nz * ny * nx
    kernel = _kernel()
    host = (p.source_cdf, p.line_cdf, p.line_keV, p.density, p.material, p.xs, p.majorant)
    source_cdf, line_cdf, line_keV, density, material, xs, majorant = (cuda.to_device(a) for a in host)
    tally = cuda.device_array((1, nvox), dtype=np.int64)
    acc = RawRun(np.zeros(nvox, np.int64), np.zeros(nvox), len(batches), 0, 0, np.zeros(5, np.int64), 0.0)
    acc.regions = regions or {}
    sizes = [min((c0 + nc) * CHUNK, n_histories) - c0 * CHUNK for c0, nc in batches]
    states = create_xoroshiro128p_states(max(sizes), seed=seed)  # each batch continues the streams
    args = (source_cdf, line_cdf, line_keV, density, material, nx, ny, nz, dx, dy, dz, xs, majorant,
            p.log_e0, p.inv_dlog, p.e_cut_keV, quantum, tally)  # fmt: skip
    sums = cuda.to_device(np.zeros(2, np.int64))
    counts = cuda.to_device(np.zeros(5, np.int64))
    kernel[1, 1](0, states, *args, sums, counts)  # compile before the clock starts (no history runs)
    cuda.synchronize()
    start = time.perf_counter()
    for b, n in enumerate(sizes):
        tally[:] = 0
        sums = cuda.to_device(np.zeros(2, np.int64))
        counts = cuda.to_device(np.zeros(5, np.int64))
        kernel[-(-n // THREADS_PER_BLOCK), THREADS_PER_BLOCK](n, states, *args, sums, counts)
        s = sums.copy_to_host()
        add_batch(acc, tally.copy_to_host()[0], int(s[0]), int(s[1]), counts.copy_to_host())
        if progress is not None:
            progress((b + 1) / len(batches))
    cuda.synchronize()
    acc.seconds = time.perf_counter() - start
    return acc
