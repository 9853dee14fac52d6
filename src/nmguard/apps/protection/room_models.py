"""Shielding design records: rooms, their workload and the points of interest behind each barrier."""

from __future__ import annotations
