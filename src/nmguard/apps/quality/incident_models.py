"""Incidents and near misses: report, classification, investigation, links, lessons."""

from __future__ import annotations
