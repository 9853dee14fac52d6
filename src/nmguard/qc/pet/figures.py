"""SVG figures for the PET QC analyses (matplotlib, non-interactive backend)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Circle  # noqa: E402


def svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def iq_figure(plane, extent, spheres, background_rois, lung_roi, diameters, rcs) -> str:
    """Central slice with the sphere, background and lung ROIs; RC against sphere diameter."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10.0, 4.2))
    ax1.imshow(plane, cmap="gray_r", extent=extent, origin="upper")
    for (x, y), d in spheres:
        ax1.add_patch(Circle((x, y), d / 2.0, fill=False, color="#a4262c", linewidth=1))
        ax1.annotate(f"{d}", (x, y), color="#a4262c", fontsize=7, ha="center", va="center")
    for x, y in background_rois:
        ax1.add_patch(Circle((x, y), 18.5, fill=False, color="#0b6e75", linewidth=0.8))
    if lung_roi is not None:
        ax1.add_patch(Circle(lung_roi, 15.0, fill=False, color="#5c2d91", linewidth=0.8))
    ax1.set_xlabel("x (mm)")
    ax1.set_ylabel("y (mm)")
    ax1.set_title("sphere plane: spheres, background ROIs (37 mm), lung ROI", fontsize=9, loc="left")
    for name, values in rcs.items():
        ax2.plot(diameters, values, marker="o", label=name)
    ax2.set_xlabel("sphere diameter (mm)")
    ax2.set_ylabel("recovery coefficient")
    ax2.axhline(1.0, color="#888888", linewidth=0.8, linestyle=":")
    ax2.legend(fontsize=8)
    return svg(fig)


def earl_figure(title, diameters, metrics) -> str:
    """RC against sphere diameter with the EARL bands; ``metrics`` maps name -> (values, lows, highs)."""
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.6 * len(metrics), 3.4), squeeze=False)
    for ax, (name, (values, lows, highs)) in zip(axes[0], metrics.items(), strict=True):
        ax.fill_between(diameters, lows, highs, color="#0b6e75", alpha=0.2, label="EARL band")
        ax.plot(diameters, lows, color="#0b6e75", linewidth=0.8)
        ax.plot(diameters, highs, color="#0b6e75", linewidth=0.8)
        inside = [lo <= v <= hi for v, lo, hi in zip(values, lows, highs, strict=True)]
        ax.plot(diameters, values, color="#1d2733", linewidth=1)
        ax.scatter(diameters, values, c=["#107c10" if ok else "#a4262c" for ok in inside], zorder=3, label="measured")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("sphere diameter (mm)")
        ax.set_ylabel("RC")
    axes[0][0].legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    return svg(fig)


def profile_figure(positions_mm, profile, mean, tolerance_band) -> str:
    fig, ax = plt.subplots(figsize=(6.0, 3.0))
    ax.plot(positions_mm, profile, marker=".", color="#1d2733", label="slice mean in VOI")
    ax.axhline(mean, color="#0b6e75", label="VOI mean")
    if tolerance_band is not None:
        ax.axhspan(tolerance_band[0], tolerance_band[1], color="#0b6e75", alpha=0.12, label="expected ± tolerance")
    ax.set_xlabel("axial position (mm)")
    ax.set_ylabel("Bq/mL")
    ax.legend(fontsize=8)
    return svg(fig)
