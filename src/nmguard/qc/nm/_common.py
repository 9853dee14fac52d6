"""Helpers shared by the NM QC analyses: SVG output, the NEMA 9-point kernel, Michelson-type uniformity."""

from __future__ import annotations

import io

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from scipy import ndimage  # noqa: E402

# NEMA NU 1 nine-point smoothing kernel, weights 1-2-1 / 2-4-2 / 1-2-1, normalised to a sum of 1
NEMA_KERNEL = np.array([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]) / 16.0


def svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def new_figure(ncols: int, width: float = 9.0, height: float = 3.6):
    return plt.subplots(1, ncols, figsize=(width, height))


def smooth9(image: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Nine-point smoothing. With a mask, a normalised convolution over the masked pixels only.

    Inside a region wider than the kernel this is exactly the NEMA filter; at the edge of the mask the weights
    of the pixels that take part are renormalised to 1, so excluded (zeroed) pixels do not pull the edge down.
    Pixels outside the mask are returned as 0.
    """
    image = np.asarray(image, dtype=np.float64)
    if mask is None:
        return ndimage.correlate(image, NEMA_KERNEL, mode="nearest")
    m = mask.astype(np.float64)
    num = ndimage.correlate(image * m, NEMA_KERNEL, mode="constant", cval=0.0)
    den = ndimage.correlate(m, NEMA_KERNEL, mode="constant", cval=0.0)
    out = np.zeros_like(image)
    np.divide(num, den, out=out, where=mask & (den > 0))
    return out


def michelson_percent(maximum: float, minimum: float) -> float:
    total = maximum + minimum
    return float(100.0 * (maximum - minimum) / total) if total > 0 else float("nan")


def integral_uniformity(image: np.ndarray, mask: np.ndarray) -> tuple[float, tuple[int, int], tuple[int, int]]:
    """100·(max−min)/(max+min) over ``mask``, with the positions of max and min."""
    values = np.where(mask, image, np.nan)
    if not np.any(mask):
        return float("nan"), (0, 0), (0, 0)
    imax = np.unravel_index(int(np.nanargmax(values)), image.shape)
    imin = np.unravel_index(int(np.nanargmin(values)), image.shape)
    return (
        michelson_percent(float(image[imax]), float(image[imin])),
        (int(imax[0]), int(imax[1])),
        (
            int(imin[0]),
            int(imin[1]),
        ),
    )


def differential_uniformity(
    image: np.ndarray, mask: np.ndarray, window: int = 5
) -> tuple[float, tuple[str, int, int] | None]:
    """Max over every row and column of ``window`` contiguous pixels, all inside ``mask``, of 100·(max−min)/(max+min).

    Vectorised with sliding-window views; a window touching an excluded pixel is NaN and ignored. Returns the
    value and where it was found: ("row"|"column", row, column of the window's first pixel).
    """
    values = np.where(mask, image, np.nan)
    best = float("nan")
    where: tuple[str, int, int] | None = None
    for axis, name in ((1, "row"), (0, "column")):
        if values.shape[axis] < window:
            continue
        view = np.lib.stride_tricks.sliding_window_view(values, window, axis=axis)
        mx = view.max(axis=-1)  # NaN propagates: windows leaving the mask drop out
        mn = view.min(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            du = 100.0 * (mx - mn) / (mx + mn)
        if np.all(np.isnan(du)):
            continue
        k = int(np.nanargmax(du))
        r, c = np.unravel_index(k, du.shape)
        if not (best >= du[r, c]):
            best = float(du[r, c])
            where = (name, int(r), int(c))
    return best, where
