"""The conformance chart of an audit: one bar per section (0-100 %), the previous audit's bar beside it, and
the overall conformance of each as a horizontal line. SVG text with the shared opening and legend
(:mod:`nmguard.reporting.svg_histogram`); pure, no Django."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from nmguard.reporting.svg_histogram import dash_attr, legend_svg, svg_open

HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 26, 70
SLOT = 70  # px per section
NOW, BEFORE = "#2b6cb0", "#a0aec0"

Bar = tuple[str, float | None, float | None]  # (section label, this audit %, previous audit %)


def conformance_svg(
    title: str, bars: Sequence[Bar], overall: float | None, previous_overall: float | None = None
) -> str:
    """Bars per section (None: no applicable item, no bar, "n/a" written); the y axis is 0-100 %."""
    width = max(600, LEFT + RIGHT + SLOT * len(bars))
    plot_h = HEIGHT - TOP - BOTTOM
    base = TOP + plot_h

    def y(p: float) -> float:
        return base - plot_h * p / 100.0

    parts = svg_open(title, width, HEIGHT)
    for tick in (0, 25, 50, 75, 100):
        parts.append(
            f'<path d="M{LEFT} {y(tick):.1f}H{width - RIGHT}" stroke="#e2e8f0"/>'
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    parts.append(
        f'<text transform="translate(12 {TOP + plot_h / 2}) rotate(-90)" text-anchor="middle">conformance (%)</text>'
    )
    bar_w = (SLOT - 16) / 2
    for i, (label, now, before) in enumerate(bars):
        x0 = LEFT + i * SLOT + 8
        for j, (value, colour, who) in enumerate(((before, BEFORE, "previous"), (now, NOW, "this audit"))):
            x = x0 + j * bar_w
            if value is None:
                parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{base - 4}" text-anchor="middle">n/a</text>')
                continue
            parts.append(
                f'<rect x="{x:.1f}" y="{y(value):.1f}" width="{bar_w - 2:.1f}" height="{base - y(value):.1f}" '
                f'fill="{colour}"><title>{escape(label)}, {who}: {value:.1f} %</title></rect>'
            )
        short = label if len(label) <= 11 else label[:10] + "…"
        parts.append(
            f'<text x="{x0 + bar_w:.1f}" y="{base + 14}" text-anchor="middle"><title>{escape(label)}</title>'
            f"{escape(short)}</text>"
        )
    legend = [(BEFORE, "", "previous audit"), (NOW, "", "this audit")]
    for value, colour, dash, name in ((overall, NOW, "6 4", "overall, this audit"),
                                      (previous_overall, BEFORE, "2 3", "overall, previous")):  # fmt: skip
        if value is not None:
            parts.append(
                f'<path d="M{LEFT} {y(value):.1f}H{width - RIGHT}" stroke="{colour}" stroke-width="2"'
                f"{dash_attr(dash)}/>"
            )
            legend.append((colour, dash, f"{name} {value:.1f} %"))
    parts += legend_svg(legend, LEFT, HEIGHT - 30, 170)
    parts.append("</svg>")
    return "".join(parts)
