"""SVG plot of peer-review discrepancy rates per reader (as codes) over calendar quarters. Pure (no Django)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from nmguard.apps.quality.peer_review_sampling import rate_text
from nmguard.reporting.svg_histogram import legend_svg, nice_ticks, svg_open

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 26, 80
COLOURS = ("#0b6e75", "#b5512a", "#5a4fa0", "#7a7a00", "#a0306a", "#2d6bb5", "#555555")


def discrepancy_svg(quarters: Sequence[str], series: Mapping[str, Mapping[str, tuple[int, int]]]) -> str:
    """One line per reader code: discrepancies / reviewed (%) per quarter; a point's title gives the counts.
    ``series`` = code -> quarter -> (reviewed, discrepancies)."""
    out = svg_open("Peer-review discrepancy rate per reader (%)", WIDTH, HEIGHT)
    rates = [100 * d / n for q in series.values() for n, d in q.values() if n]
    ticks = nice_ticks(0.0, max(rates + [10.0]) * 1.1)
    high = ticks[-1]
    plot_h, plot_w = HEIGHT - TOP - BOTTOM, WIDTH - LEFT - RIGHT
    axis_y = TOP + plot_h
    step = plot_w / max(len(quarters), 1)

    def sx(i: int) -> float:
        return LEFT + step * (i + 0.5)

    def sy(v: float) -> float:
        return TOP + plot_h - v / high * plot_h

    out.append(f'<path d="M{LEFT} {TOP}V{axis_y}H{WIDTH - RIGHT}" stroke="#1d2733" fill="none"/>')
    for t in ticks:
        out.append(f'<text x="{LEFT - 6}" y="{sy(t) + 4:.1f}" text-anchor="end">{t:g}</text>')
    for i, q in enumerate(quarters):
        out.append(f'<text x="{sx(i):.1f}" y="{axis_y + 14}" text-anchor="middle">{escape(q)}</text>')
    legend = []
    for k, (code, per_quarter) in enumerate(sorted(series.items())):
        colour = COLOURS[k % len(COLOURS)]
        points = [(i, per_quarter[q]) for i, q in enumerate(quarters) if q in per_quarter and per_quarter[q][0]]
        if not points:
            continue
        path = " ".join(
            f"{'M' if j == 0 else 'L'}{sx(i):.1f} {sy(100 * d / n):.1f}" for j, (i, (n, d)) in enumerate(points)
        )
        out.append(f'<path d="{path}" stroke="{colour}" stroke-width="1.5" fill="none"/>')
        for i, (n, d) in points:
            out.append(
                f'<circle cx="{sx(i):.1f}" cy="{sy(100 * d / n):.1f}" r="3" fill="{colour}">'
                f"<title>{escape(code)} {escape(quarters[i])}: {d} of {n} ({rate_text(d / n)})</title></circle>"
            )
        legend.append((colour, "", code))
    out += legend_svg(legend, LEFT, axis_y + 36, 185)
    out.append("</svg>")
    return "".join(out)
