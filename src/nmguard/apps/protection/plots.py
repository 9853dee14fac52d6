"""Plots of staff doses as SVG text: bars per worker or year, and one strip of points (with its box) per group,
each with the limit and the investigation level as horizontal lines.

Why not matplotlib: the pages draw these on every request (the reason for
:mod:`nmguard.reporting.svg_histogram`, whose opening, tick rule and legend are shared here); a few dozen bars
need no plotting library. Pure: no Django.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from html import escape

from nmguard.physics.display import format_sig
from nmguard.reporting.svg_histogram import dash_attr, legend_svg, nice_ticks, svg_open

HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 26, 74
BAR_SLOT = 36  # px per bar; the plot widens with the number of bars (at least 600 px)
GROUP_SLOT = 90  # px per group of the strip plot
Line = tuple[float, str, str, str]  # (y, label, colour, dash)


def _frame(title: str, width: int, top_value: float, lines: Sequence[Line], y_label: str):
    """The opening, the axes with round ticks and the axis label; returns (parts, y -> px, axis y)."""
    top = max([top_value] + [y for y, *_ in lines] + [1e-3])
    ticks = nice_ticks(0.0, top * 1.08)
    high = max(ticks[-1], top * 1.08)
    plot_h = HEIGHT - TOP - BOTTOM
    axis_y = TOP + plot_h

    def sy(v: float) -> float:
        return TOP + plot_h - v / high * plot_h

    out = svg_open(title, width, HEIGHT)
    out.append(f'<path d="M{LEFT} {TOP}V{axis_y}H{width - RIGHT}" stroke="#1d2733" fill="none"/>')
    for t in ticks:
        out.append(
            f'<path d="M{LEFT - 4} {sy(t):.1f}h4" stroke="#1d2733"/>'
            f'<text x="{LEFT - 6}" y="{sy(t) + 4:.1f}" text-anchor="end">{format_sig(t, 4)}</text>'
        )
    out.append(
        f'<text x="12" y="{TOP + plot_h / 2:.0f}" transform="rotate(-90 12 {TOP + plot_h / 2:.0f})"'
        f' text-anchor="middle">{escape(y_label)}</text>'
    )
    return out, sy, axis_y


def _lines_and_legend(out: list[str], width: int, sy, axis_y: float, first: tuple[str, str, str], lines) -> None:
    legend = [first]
    for y, label, colour, dash in lines:
        out.append(
            f'<path d="M{LEFT} {sy(y):.1f}H{width - RIGHT}" stroke="{colour}" stroke-width="1.5"{dash_attr(dash)}/>'
        )
        legend.append((colour, dash, label))
    out += legend_svg(legend, LEFT, axis_y + 52, 185)  # three a row: fits the narrowest plot
    out.append("</svg>")


def _x_label(out: list[str], mid: float, axis_y: float, label: str) -> None:
    out.append(
        f'<text x="{mid:.1f}" y="{axis_y + 14}" text-anchor="end" transform="rotate(-35 {mid:.1f} {axis_y + 14})">'
        f"{escape(label[:16])}</text>"
    )


def bars_svg(
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    lines: Sequence[Line] = (),
    y_label: str = "mSv",
) -> str:
    """One bar per label (None: not measured, drawn as an empty slot marked "n.m."); ``lines`` as
    (y, label, colour, dash) horizontal lines in the values' unit."""
    if len(labels) != len(values):
        raise ValueError("one value per label")
    width = max(600, LEFT + RIGHT + BAR_SLOT * max(len(labels), 1))
    out, sy, axis_y = _frame(title, width, max([v for v in values if v is not None], default=0.0), lines, y_label)
    slot = (width - LEFT - RIGHT) / max(len(labels), 1)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = LEFT + i * slot
        mid = x + slot / 2
        if value is None:
            out.append(f'<text x="{mid:.1f}" y="{axis_y - 4}" text-anchor="middle" fill="#5b6670">n.m.</text>')
        else:
            out.append(
                f'<rect x="{x + slot * 0.15:.1f}" y="{sy(value):.1f}" width="{slot * 0.7:.1f}"'
                f' height="{axis_y - sy(value):.1f}" fill="#0b6e75" fill-opacity="0.7">'
                f"<title>{escape(label)}: {format_sig(value, 4)} {escape(y_label)}</title></rect>"
            )
        _x_label(out, mid, axis_y, label)
    _lines_and_legend(out, width, sy, axis_y, ("#0b6e75", "", "annual dose"), lines)
    return "".join(out)


def strip_svg(
    title: str,
    groups: Sequence[tuple[str, Sequence[tuple[str, float]]]],
    lines: Sequence[Line] = (),
    y_label: str = "mSv",
) -> str:
    """One column per group: a point per (label, value), spread sideways so equal doses stay visible, and the
    box of the quartiles with the median where a group has three values or more."""
    width = max(600, LEFT + RIGHT + GROUP_SLOT * max(len(groups), 1))
    top = max((v for _, points in groups for _, v in points), default=0.0)
    out, sy, axis_y = _frame(title, width, top, lines, y_label)
    slot = (width - LEFT - RIGHT) / max(len(groups), 1)
    for i, (name, points) in enumerate(groups):
        mid = LEFT + i * slot + slot / 2
        values = sorted(v for _, v in points)
        if len(values) >= 3:
            q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
            half = slot * 0.3
            out.append(
                f'<rect x="{mid - half:.1f}" y="{sy(q3):.1f}" width="{2 * half:.1f}" height="{sy(q1) - sy(q3):.1f}"'
                f' fill="none" stroke="#5b6670"/><path d="M{mid - half:.1f} {sy(median):.1f}h{2 * half:.1f}"'
                f' stroke="#1d2733" stroke-width="2" data-median="{median:g}"/>'
            )
        for j, (label, value) in enumerate(points):
            dx = ((j % 7) - 3) * slot * 0.06  # a fixed spread, not random: the same plot for the same doses
            out.append(
                f'<circle cx="{mid + dx:.1f}" cy="{sy(value):.1f}" r="3.5" fill="#0b6e75" fill-opacity="0.75">'
                f"<title>{escape(label)}: {format_sig(value, 4)} {escape(y_label)}</title></circle>"
            )
        chars = max(int(slot / 6.5), 6)  # ~6.5 px a character at 11 px: the name fits its column
        short = name if len(name) <= chars else name[: chars - 1] + "…"
        out.append(
            f'<text x="{mid:.1f}" y="{axis_y + 16}" text-anchor="middle">{escape(short)}<title>{escape(name)}</title>'
            f'</text><text x="{mid:.1f}" y="{axis_y + 30}" text-anchor="middle" fill="#5b6670">n = {len(points)}</text>'
        )
    _lines_and_legend(out, width, sy, axis_y, ("#0b6e75", "", "a worker's annual dose"), lines)
    return "".join(out)
