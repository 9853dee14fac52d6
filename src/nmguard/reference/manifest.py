"""Version and changelog of the shipped reference data (``data/MANIFEST.toml``)."""

from __future__ import annotations

from functools import cache
from typing import Any

from nmguard.reference._files import read_toml


@cache
def _manifest() -> dict[str, Any]:
    return read_toml("MANIFEST.toml")


def data_version() -> str:
    """The data version, e.g. ``"2026.11.1"``; bumped whenever a shipped value changes."""
    return str(_manifest()["data_version"])


def changelog() -> tuple[dict[str, Any], ...]:
    """Changelog entries, newest first, each with ``version``, ``date`` and ``changes``."""
    return tuple(_manifest().get("changelog", ()))
