"""``{% current_sop "task-id" %}``: a link to the current approved version of the SOP for a task, put on the pages
where the task is done so that staff read the procedure in force (or a line saying there is none)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def current_sop(task: str) -> str:
    from nmguard.apps.quality.document_services import current_for_task

    version = current_for_task(task)
    if version is None:
        return format_html('<p class="sop-link" data-testid="current-sop">No approved SOP for {}.</p>', task)
    return format_html(
        '<p class="sop-link" data-testid="current-sop">SOP in force: <a href="{}">{} {} (version {})</a></p>',
        reverse("quality-document-version", args=[version.pk]),
        version.document.number,
        version.document.title,
        version.number,
    )
