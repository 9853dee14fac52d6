"""``own_ids``: an inline plot's element ids prefixed, for pages that show several plots."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from nmguard.reporting.svg_ids import prefix_svg_ids

register = template.Library()


@register.filter
def own_ids(svg: str, key) -> SafeString:
    """``{{ plot|own_ids:forloop.counter }}``: the SVG (our own markup) with ids prefixed ``svg<key>-``."""
    return mark_safe(prefix_svg_ids(str(svg), f"svg{key}-"))  # noqa: S308 (the SVG is made by NMGuard's plots)
