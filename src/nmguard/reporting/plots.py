"""Plots as SVG text for pages and PDFs (matplotlib, non-interactive backend)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from nmguard.errors import InputError  # noqa: E402
from nmguard.physics.display import format_sig  # noqa: E402
from nmguard.rules.therapy_course import OrganCourse  # noqa: E402


def _svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def drl_plot(title: str, activities_MBq: Sequence[float], median_MBq: float, drl_MBq: float | None) -> str:
    """Administered activities (points and box) against the median and the DRL line."""
    fig, ax = plt.subplots(figsize=(6.0, 1.9))
    ax.boxplot(activities_MBq, orientation="horizontal", widths=0.5, showfliers=False)
    jitter = [1 + 0.12 * ((i * 7919) % 13 - 6) / 6 for i in range(len(activities_MBq))]
    ax.scatter(activities_MBq, jitter, s=10, alpha=0.5, color="#0b6e75", label="administered")
    ax.axvline(
        median_MBq, color="#1d2733", linestyle="-", linewidth=1.5, label=f"median {format_sig(median_MBq, 4)} MBq"
    )
    if drl_MBq:
        ax.axvline(drl_MBq, color="#a4262c", linestyle="--", linewidth=1.5, label=f"DRL {format_sig(drl_MBq, 4)} MBq")
    ax.set_yticks([])
    ax.set_xlabel("Administered activity (MBq)")
    ax.set_title(title, fontsize=10, loc="left")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.45), ncol=3, fontsize=8, frameon=False)
    return _svg(fig)


def _control_chart_axes(ax, title, times, values, unit, bands, outcomes=None):
    colours = {"ok": "#1e7b34", "tolerance": "#c77c02", "action": "#a4262c"}
    ax.plot(times, values, color="#1d2733", linewidth=1, zorder=1)
    ax.scatter(times, values, s=18, zorder=2, c=[colours.get(o, "#0b6e75") for o in (outcomes or ["ok"] * len(values))])
    styles = {"tolerance": ("#c77c02", ":"), "action": ("#a4262c", "--")}
    for key, value in (bands or {}).items():
        if value is None:
            continue
        kind = key.split("_")[0]
        colour, style = styles.get(kind, ("#5b6775", "-"))
        ax.axhline(
            value, color=colour, linestyle=style, linewidth=1, label=f"{key.replace('_', ' ')} {format_sig(value, 6)}"
        )
    ax.set_title(title, fontsize=10, loc="left")
    ax.set_ylabel(unit)
    if bands:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.figure.autofmt_xdate()


def control_chart(
    title: str,
    times: Sequence,
    values: Sequence[float],
    unit: str,
    bands: dict[str, float | None] | None = None,
    outcomes: Sequence[str] | None = None,
) -> str:
    """A QC control chart: results over time, coloured by outcome, with tolerance and action bands."""
    fig, ax = plt.subplots(figsize=(7.0, 2.6))
    _control_chart_axes(ax, title, times, values, unit, bands, outcomes)
    return _svg(fig)


def dvh_svg(curves: Mapping[str, tuple[Sequence[float], Sequence[float]]], title: str = "Cumulative DVH") -> str:
    """Several VOIs' cumulative DVHs (name -> (dose levels Gy, volume %)) as SVG text."""
    if not curves:
        raise InputError("no DVH to plot", field="curves")
    fig, ax = plt.subplots(figsize=(6.0, 3.2))
    for name, (levels, percent) in curves.items():
        ax.step(np.asarray(levels), np.asarray(percent), where="post", linewidth=1.3, label=str(name))
    ax.set_xlabel("Absorbed dose (Gy)")
    ax.set_ylabel("Volume (%)")
    ax.set_ylim(0, 102)
    ax.set_xlim(left=0)
    ax.grid(True, linewidth=0.4, alpha=0.5)
    ax.set_title(title, fontsize=10, loc="left")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _svg(fig)


def course_plot(courses: Sequence[OrganCourse], title: str) -> str:
    """Cumulative organ dose per cycle with each organ's constraint (SVG)."""
    fig, ax = plt.subplots(figsize=(6.5, 3.0))
    for course in courses:
        if not course.cumulative_Gy:
            continue
        cycles = list(range(1, len(course.cumulative_Gy) + 1))
        line = ax.plot(cycles, course.cumulative_Gy, marker="o", label=course.organ)[0]
        if course.limit_Gy:
            ax.axhline(
                course.limit_Gy,
                color=line.get_color(),
                linestyle="--",
                linewidth=1,
                label=f"{course.organ} constraint {course.limit_Gy:g} Gy",
            )
    ax.set_xlabel("cycle")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # cycles are whole numbers
    ax.set_ylabel("cumulative absorbed dose (Gy)")
    ax.set_title(title, fontsize=10, loc="left")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _svg(fig)
