"""The hand-written SVG histogram of the DRL page: well-formed, one bar per non-empty bin with heights in
proportion to the counts, round ticks, a line per reference value, the title escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from nmguard.reporting.svg_histogram import histogram_svg, nice_ticks

NS = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (0, 10, [0, 2, 4, 6, 8, 10]),
        (253.0, 447.0, [300, 350, 400]),
        (0.013, 0.041, [0.02, 0.03, 0.04]),
    ],
)
def test_nice_ticks_are_round_and_inside(low, high, ticks):
    assert nice_ticks(low, high) == pytest.approx(ticks)


def test_bars_heights_lines_and_escaped_title():
    svg = histogram_svg(
        "FDG <PET> & co",
        [100.0, 200.0, 300.0, 400.0],
        [4, 0, 2],
        [(250.0, "median 250 MBq", "#1d2733", ""), (400.0, "DRL 400 MBq", "#a4262c", "6 4")],
        (150.0, 350.0, "interquartile range"),
        "Administered activity (MBq)",
    )
    root = ET.fromstring(svg)  # well-formed XML
    assert root.find(f"{NS}title").text == "FDG <PET> & co"
    rects = root.findall(f"{NS}rect")
    bars = [r for r in rects if r.get("fill") == "#0b6e75"]
    assert len(bars) == 2  # the empty bin draws nothing
    assert float(bars[0].get("height")) == pytest.approx(2 * float(bars[1].get("height")), rel=1e-2)
    assert 'stroke-dasharray="6 4"' in svg and "DRL 400 MBq" in svg and "median 250 MBq" in svg


def test_edges_must_frame_the_counts():
    with pytest.raises(ValueError, match="one more edge"):
        histogram_svg("x", [0.0, 1.0], [1, 2])
