"""A histogram with reference lines, written as SVG text directly.

Why not matplotlib: the DRL page draws one such plot per protocol on every request, and matplotlib takes
tens to hundreds of milliseconds a figure on a loaded machine (most of the page's time at a million
administrations once the statistics come from the database). A few dozen rectangles and lines need no
plotting library; the output is a few kilobytes whatever the number of administrations.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from nmguard.physics.display import format_sig

WIDTH, HEIGHT = 600, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 26, 70


def nice_ticks(low: float, high: float, target: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten apart) covering [low, high]."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low]
    raw = (high - low) / target
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step + 1e-9) + 1)]


def svg_open(title: str, width: int, height: int) -> list[str]:
    """The opening of a plot: the svg element with its accessible title, and the title printed on top."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' role="img" font-family="sans-serif" font-size="11"><title>{escape(title)}</title>',
        f'<text x="{LEFT}" y="14" font-size="12">{escape(title)}</text>',
    ]


def dash_attr(dash: str) -> str:
    return f' stroke-dasharray="{dash}"' if dash else ""


def legend_svg(entries: Sequence[tuple[str, str, str]], x0: float, y0: float, column_w: float) -> list[str]:
    """(colour, dash, label) entries three a row from (x0, y0): a short thick line and its label."""
    out = []
    for i, (colour, dash, label) in enumerate(entries):
        x, y = x0 + (i % 3) * column_w, y0 + (i // 3) * 14
        out.append(
            f'<path d="M{x} {y - 4}h18" stroke="{colour}" stroke-width="3"{dash_attr(dash)}/>'
            f'<text x="{x + 24}" y="{y}">{escape(label)}</text>'
        )
    return out


def histogram_svg(
    title: str,
    edges: Sequence[float],
    counts: Sequence[int],
    lines: Sequence[tuple[float, str, str, str]] = (),
    band: tuple[float, float, str] | None = None,
    x_label: str = "",
) -> str:
    """Bars of ``counts`` between ``edges``; ``lines`` as (x, label, colour, dash) vertical lines; ``band``
    as (from, to, label) a shaded interval. Every x is in the edges' unit."""
    if len(edges) != len(counts) + 1 or not counts:
        raise ValueError("a histogram needs one more edge than counts, and at least one count")
    xs = [*edges, *(x for x, *_ in lines), *(band[:2] if band else ())]
    lo, hi = min(xs), max(xs)
    pad = (hi - lo) * 0.03 or max(abs(hi) * 0.05, 1.0)
    lo, hi = lo - pad, hi + pad
    top = max(max(counts), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def sx(x: float) -> float:
        return LEFT + (x - lo) / (hi - lo) * plot_w

    def sy(c: float) -> float:
        return TOP + plot_h - c / top * plot_h

    out = svg_open(title, WIDTH, HEIGHT)
    if band:
        out.append(
            f'<rect x="{sx(band[0]):.1f}" y="{TOP}" width="{max(sx(band[1]) - sx(band[0]), 0.5):.1f}"'
            f' height="{plot_h}" fill="#1d2733" fill-opacity="0.08"/>'
        )
    for a, b, c in zip(edges[:-1], edges[1:], counts, strict=True):
        if c:
            out.append(
                f'<rect x="{sx(a):.1f}" y="{sy(c):.1f}" width="{max(sx(b) - sx(a) - 0.5, 0.5):.1f}"'
                f' height="{sy(0) - sy(c):.1f}" fill="#0b6e75" fill-opacity="0.6"/>'
            )
    axis_y = TOP + plot_h
    out.append(f'<path d="M{LEFT} {TOP}V{axis_y}H{WIDTH - RIGHT}" stroke="#1d2733" fill="none"/>')
    for t in nice_ticks(lo, hi):
        out.append(
            f'<path d="M{sx(t):.1f} {axis_y}v4" stroke="#1d2733"/>'
            f'<text x="{sx(t):.1f}" y="{axis_y + 16}" text-anchor="middle">{format_sig(t, 4)}</text>'
        )
    for t in nice_ticks(0, top, 3):
        if t == int(t):
            out.append(f'<text x="{LEFT - 4}" y="{sy(t) + 4:.1f}" text-anchor="end">{int(t)}</text>')
    out.append(f'<text x="{LEFT + plot_w / 2:.0f}" y="{axis_y + 32}" text-anchor="middle">{escape(x_label)}</text>')
    legend = [("#0b6e75", "", "n per bin")]
    if band:
        legend.append(("#c7cacd", "", band[2]))
    for x, label, colour, dash in lines:
        out.append(f'<path d="M{sx(x):.1f} {TOP}V{axis_y}" stroke="{colour}" stroke-width="1.5"{dash_attr(dash)}/>')
        legend.append((colour, dash, label))
    out += legend_svg(legend, LEFT, axis_y + 48, 180)
    out.append("</svg>")
    return "".join(out)
