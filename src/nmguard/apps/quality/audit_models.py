"""Audits: checklists as data, audit runs with their answers and evidence, findings; clinical audits."""

from __future__ import annotations
