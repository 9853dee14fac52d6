"""Workplace monitoring records: instruments, survey locations and schedules, surveys, wipe tests and
decontamination follow-up."""

from __future__ import annotations
