"""Element ids of an inline SVG made unique on the page that shows it.

matplotlib names the parts of every figure alike (``figure_1``, ``axes_1``, the glyphs ``DejaVuSans-30``,
...); a page with two plots inline then repeats ids, and a reference (``url(#...)``, ``href="#..."``)
may resolve to the other plot's element. Prefixing each plot's ids keeps them apart.
"""

from __future__ import annotations

import re

_ID = re.compile(r'\bid="([^"]+)"')
_HREF = re.compile(r'\b((?:xlink:)?href)="#([^"]+)"')
_URL = re.compile(r"url\(#([^)]+)\)")


def prefix_svg_ids(svg: str, prefix: str) -> str:
    """``svg`` with every ``id`` and every reference to one of its own ids prefixed by ``prefix``."""
    if not re.fullmatch(r"[A-Za-z][\w-]*", prefix):
        raise ValueError(f"an id prefix is a letter then letters, digits, '-' or '_': {prefix!r}")
    own = set(_ID.findall(svg))
    svg = _ID.sub(lambda m: f'id="{prefix}{m[1]}"', svg)
    svg = _HREF.sub(lambda m: f'{m[1]}="#{prefix}{m[2]}"' if m[2] in own else m[0], svg)
    return _URL.sub(lambda m: f"url(#{prefix}{m[1]})" if m[1] in own else m[0], svg)
