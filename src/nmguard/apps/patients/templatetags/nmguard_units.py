"""Template filters that print SI values in the units people read."""

from django import template

from nmguard.physics.units import format_activity

register = template.Library()


@register.filter
def mbq(value_Bq) -> str:
    """Bq → '740 MBq' (or GBq/kBq as fits)."""
    if value_Bq in (None, ""):
        return "–"
    return format_activity(float(value_Bq))
