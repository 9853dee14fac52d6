"""Bar plots of staff doses with the limit and the investigation level as horizontal lines, as SVG text.

Why not matplotlib: the overview draws one plot per request (the reason for
:mod:`nmguard.reporting.svg_histogram`, whose tick rule is reused); a few dozen bars need no plotting library.
Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from nmguard.physics.display import format_sig
from nmguard.reporting.svg_histogram import nice_ticks

HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 26, 74
BAR_SLOT = 36  # px per bar; the plot widens with the number of bars (at least 600 px)


def bars_svg(
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    lines: Sequence[tuple[float, str, str, str]] = (),
    y_label: str = "mSv",
) -> str:
    """One bar per label (None: not measured, drawn as an empty slot marked "n.m."); ``lines`` as
    (y, label, colour, dash) horizontal lines in the values' unit."""
    if len(labels) != len(values):
        raise ValueError("one value per label")
    width = max(600, LEFT + RIGHT + BAR_SLOT * max(len(labels), 1))
    top = max([v for v in values if v is not None] + [y for y, *_ in lines] + [1e-3])
    ticks = nice_ticks(0.0, top * 1.08)
    high = max(ticks[-1], top * 1.08)
    plot_w, plot_h = width - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)

    def sy(v: float) -> float:
        return TOP + plot_h - v / high * plot_h

    axis_y = TOP + plot_h
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {HEIGHT}" width="{width}" height="{HEIGHT}"'
        f' role="img" font-family="sans-serif" font-size="11"><title>{escape(title)}</title>',
        f'<text x="{LEFT}" y="14" font-size="12">{escape(title)}</text>',
        f'<path d="M{LEFT} {TOP}V{axis_y}H{width - RIGHT}" stroke="#1d2733" fill="none"/>',
    ]
    for t in ticks:
        out.append(
            f'<path d="M{LEFT - 4} {sy(t):.1f}h4" stroke="#1d2733"/>'
            f'<text x="{LEFT - 6}" y="{sy(t) + 4:.1f}" text-anchor="end">{format_sig(t, 4)}</text>'
        )
    out.append(
        f'<text x="12" y="{TOP + plot_h / 2:.0f}" transform="rotate(-90 12 {TOP + plot_h / 2:.0f})"'
        f' text-anchor="middle">{escape(y_label)}</text>'
    )
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
        out.append(
            f'<text x="{mid:.1f}" y="{axis_y + 14}" text-anchor="end" transform="rotate(-35 {mid:.1f} {axis_y + 14})">'
            f"{escape(label[:16])}</text>"
        )
    legend = [("#0b6e75", "", "annual dose")]
    for y, label, colour, dash in lines:
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<path d="M{LEFT} {sy(y):.1f}H{width - RIGHT}" stroke="{colour}" stroke-width="1.5"{dashed}/>')
        legend.append((colour, dash, label))
    for i, (colour, dash, label) in enumerate(legend):
        x, y = LEFT + (i % 3) * 185, axis_y + 52 + (i // 3) * 14  # three a row: fits the narrowest plot
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<path d="M{x} {y - 4}h18" stroke="{colour}" stroke-width="3"{dashed}/>'
            f'<text x="{x + 24}" y="{y}">{escape(label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)
