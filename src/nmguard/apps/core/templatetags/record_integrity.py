"""Template tags that say when a record no longer is what was audited or signed.

``{% record_integrity obj %}`` shows a warning when the stored record differs from its audited state (a direct
database edit: :func:`nmguard.apps.core.audit.record_differences`); ``sig|signature_holds:obj`` is False when
the record changed after the signature (:func:`nmguard.apps.core.signatures.signature_still_valid`), so that a
page never shows "released by …" for a record that is no longer what was released.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()

_CACHE = "_nmguard_record_differences"


def _differences(instance) -> list:
    """The record's differences from its audited state, computed once per page: the warning and every
    signature shown for the same record ask the same question."""
    from nmguard.apps.core.audit import record_differences

    if not hasattr(instance, _CACHE):
        setattr(instance, _CACHE, list(record_differences(instance)))
    return getattr(instance, _CACHE)


@register.simple_tag
def record_integrity(instance) -> str:
    if instance is None or getattr(instance, "pk", None) is None:
        return ""
    diffs = _differences(instance)
    if not diffs:
        return ""
    items = format_html_join("", "<li>{}</li>", ((str(d),) for d in diffs))
    return format_html(
        '<div class="bad" role="alert" data-testid="integrity-warning"><strong>This record was changed outside '
        "NMGuard</strong> (not through its pages, not audited): its signatures no longer hold. Tell the "
        "administrator and the RPO.<ul>{}</ul></div>",
        items,
    )


@register.filter
def signature_holds(signature, instance) -> bool:
    from nmguard.apps.core.signatures import signature_still_valid

    if signature is None or instance is None:
        return False
    return signature_still_valid(signature, instance) and not _differences(instance)
