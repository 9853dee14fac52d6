"""The staff dose bar plot: bar heights proportional to the doses, lines at their values, "n.m." for not
measured, everything inside the drawing."""

from __future__ import annotations

import re

import pytest

from nmguard.apps.protection.plots import bars_svg


def test_bars_scale_with_the_doses_and_lines_sit_at_their_values():
    svg = bars_svg("t", ["A", "B", "C"], [2.0, 4.0, None], [(6.0, "investigation 6 mSv", "#b26a00", "5 3")])
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([0-9.]+)"', svg)]
    assert len(heights) == 2 and heights[1] / heights[0] == pytest.approx(2.0, rel=0.01)  # 0.1 px rounding
    tops = [float(y) for y in re.findall(r'<rect [^>]*\sy="([0-9.]+)"', svg)]
    base = tops[0] + heights[0]
    line_y = float(re.search(r'<path d="M48 ([0-9.]+)H', svg).group(1))
    assert base - line_y == pytest.approx(heights[0] * 3, rel=0.01)  # 6 mSv is three times the 2 mSv bar
    assert "n.m." in svg and "investigation 6 mSv" in svg


def test_everything_inside_the_view_box_and_bad_input_refused():
    svg = bars_svg("t", ["a"], [1.0], [(50, "l1", "#000", ""), (20, "l2", "#000", ""), (6, "l3", "#000", "")])
    width, height = (int(v) for v in re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups())
    for x, y in re.findall(r'<text x="([0-9.]+)" y="([0-9.]+)"', svg):
        assert 0 <= float(x) < width - 100 and 0 < float(y) <= height
    with pytest.raises(ValueError):
        bars_svg("t", ["a", "b"], [1.0], [])


def test_strip_plot_points_box_and_labels():
    """Group A 1, 2, 3, 4 mSv: quartiles (inclusive) 1.75, 2.5, 3.25; group B one point (no box); every point
    at its dose (0 mSv on the axis, the 6 mSv line twice as high as the 3 mSv point); long names shortened
    with the whole name kept as the label's title."""
    from nmguard.apps.protection.plots import strip_svg

    name = "Radiopharmacist / qualified person"
    svg = strip_svg(
        "t",
        [("A", [("a1", 1.0), ("a2", 2.0), ("a3", 3.0), ("a4", 4.0)]), (name, [("b", 0.0)])],
        [(6.0, "i", "#000", "")],
    )
    cys = [float(y) for y in re.findall(r'<circle [^>]*cy="([0-9.]+)"', svg)]
    assert len(cys) == 5
    axis = cys[4]  # the 0 mSv point sits on the axis
    line_y = float(re.search(r'<path d="M48 ([0-9.]+)H', svg).group(1))
    assert (axis - line_y) == pytest.approx(2 * (axis - cys[2]), rel=0.01)
    assert [m for m in re.findall(r'data-median="([0-9.]+)"', svg)] == ["2.5"]
    box = re.search(r'<rect [^>]*y="([0-9.]+)" width="[0-9.]+" height="([0-9.]+)"', svg)
    top, height = float(box.group(1)), float(box.group(2))
    per_mSv = (axis - cys[0]) / 1.0
    assert (axis - top) / per_mSv == pytest.approx(3.25, abs=0.02) and height / per_mSv == pytest.approx(1.5, abs=0.02)
    assert f"<title>{name}</title>" in svg and "n = 4" in svg and "n = 1" in svg
