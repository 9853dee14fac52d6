"""Sealed sources: the register, leak tests and the six-monthly inventory."""

from __future__ import annotations
