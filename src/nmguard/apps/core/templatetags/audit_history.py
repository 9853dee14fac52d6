"""The link from a record's page to its events in the audit trail."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.db import models
from django.urls import reverse

register = template.Library()


@register.simple_tag
def history_url(record: models.Model) -> str:
    """The audit trail filtered to ``record`` (its model label and primary key)."""
    return f"{reverse('audit')}?{urlencode({'model': record._meta.label, 'object': str(record.pk)})}"
