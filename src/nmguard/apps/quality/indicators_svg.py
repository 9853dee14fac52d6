"""An indicator as an SVG bar chart, one bar per period (None drawn as "n.m.", not as zero).

Why not :func:`nmguard.apps.protection.plots.bars_svg`: its legend names the bars "annual dose" and its labels
are workers; the opening, the tick rule and the number format are the shared ones of
:mod:`nmguard.reporting.svg_histogram`.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from nmguard.physics.display import format_sig
from nmguard.reporting.svg_histogram import nice_ticks, svg_open

HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 200, 52, 12, 22, 48
SLOT = 30  # px per period


def indicator_svg(title: str, labels: Sequence[str], values: Sequence[float | None], unit: str) -> str:
    """Bars of ``values`` over ``labels`` with round ticks in ``unit``; each bar's value in its tooltip."""
    if len(labels) != len(values):
        raise ValueError("one value per label")
    width = max(480, LEFT + RIGHT + SLOT * max(len(labels), 1))
    # With nothing measured, or only zeros (no overdue action), the axis runs to 1: a floor of 1e-3 drew ticks of
    # 0.0005 % and 0.0005 actions. Small positive values (mSv) keep their own scale.
    top_value = max([v for v in values if v is not None] + [0.0]) or 1.0
    ticks = nice_ticks(0.0, top_value * 1.08)
    high = max(ticks[-1], top_value * 1.08)
    plot_h = HEIGHT - TOP - BOTTOM
    axis_y = TOP + plot_h

    def sy(v: float) -> float:
        return axis_y - v / high * plot_h

    out = svg_open(title, width, HEIGHT)
    out.append(f'<path d="M{LEFT} {TOP}V{axis_y}H{width - RIGHT}" stroke="#1d2733" fill="none"/>')
    for t in ticks:
        out.append(
            f'<path d="M{LEFT - 4} {sy(t):.1f}h4" stroke="#1d2733"/>'
            f'<text x="{LEFT - 6}" y="{sy(t) + 4:.1f}" text-anchor="end">{format_sig(t, 4)}</text>'
        )
    out.append(
        f'<text x="12" y="{TOP + plot_h / 2:.0f}" transform="rotate(-90 12 {TOP + plot_h / 2:.0f})"'
        f' text-anchor="middle">{escape(unit)}</text>'
    )
    slot = (width - LEFT - RIGHT) / max(len(labels), 1)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        mid = LEFT + (i + 0.5) * slot
        if value is None:
            out.append(f'<text x="{mid:.1f}" y="{axis_y - 4}" text-anchor="middle" fill="#5b6670">n.m.</text>')
        else:
            out.append(
                f'<rect x="{mid - slot * 0.35:.1f}" y="{sy(value):.1f}" width="{slot * 0.7:.1f}"'
                f' height="{axis_y - sy(value):.1f}" fill="#0b6e75" fill-opacity="0.7" data-value="{value:g}">'
                f"<title>{escape(label)}: {format_sig(value, 4)} {escape(unit)}</title></rect>"
            )
        out.append(
            f'<text x="{mid:.1f}" y="{axis_y + 12}" text-anchor="end" transform="rotate(-40 {mid:.1f} {axis_y + 12})"'
            f' font-size="10">{escape(label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)
