"""Filters of the therapy pages."""

from __future__ import annotations

from django import template

from nmguard.physics.display import format_sig

register = template.Library()


@register.filter
def percent(fraction, digits: int = 3) -> str:
    """A fraction 0-1 as a percentage to ``digits`` significant figures (``–`` for none)."""
    if fraction in (None, ""):
        return "–"
    try:
        return format_sig(100.0 * float(fraction), int(digits))
    except (TypeError, ValueError):
        return "–"
