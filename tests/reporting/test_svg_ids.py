"""Two matplotlib plots inline on one page: after prefixing, no id repeats and every reference
(``url(#...)``, ``xlink:href="#..."``) names an element of its own plot."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from nmguard.reporting.plots import drl_plot
from nmguard.reporting.svg_ids import prefix_svg_ids


def _ids(svg: str) -> list[str]:
    return re.findall(r'\bid="([^"]+)"', svg)


def _references(svg: str) -> list[str]:
    return re.findall(r'href="#([^"]+)"', svg) + re.findall(r"url\(#([^)]+)\)", svg)


def test_two_plots_on_one_page_have_their_own_ids():
    first = drl_plot("FDG", [300.0, 320.0, 350.0], 320.0, 400.0)
    second = drl_plot("MDP", [500.0, 610.0, 640.0], 610.0, 600.0)
    assert set(_ids(first)) & set(_ids(second))  # matplotlib's own names collide
    page = prefix_svg_ids(first, "svg1-") + prefix_svg_ids(second, "svg2-")
    assert [name for name, n in Counter(_ids(page)).items() if n > 1] == []
    for n, svg in ((1, prefix_svg_ids(first, "svg1-")), (2, prefix_svg_ids(second, "svg2-"))):
        own = set(_ids(svg))
        assert _references(svg) and all(ref in own and ref.startswith(f"svg{n}-") for ref in _references(svg))


def test_references_to_other_documents_are_kept():
    svg = '<svg><a href="#top"></a><g id="a" clip-path="url(#a)"/><use xlink:href="#a"/></svg>'
    assert (
        prefix_svg_ids(svg, "p-")
        == '<svg><a href="#top"></a><g id="p-a" clip-path="url(#p-a)"/><use xlink:href="#p-a"/></svg>'
    )


def test_a_prefix_that_is_no_id_start_is_refused():
    with pytest.raises(ValueError, match="id prefix"):
        prefix_svg_ids("<svg/>", "1 x")
