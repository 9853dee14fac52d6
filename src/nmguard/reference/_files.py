"""Access to the packaged data files (importlib.resources, so it works from a wheel or zip)."""

from __future__ import annotations

import csv
import io
import tomllib
from importlib import resources
from typing import Any

_PACKAGE = "nmguard.reference.data"


class ReferenceDataError(RuntimeError):
    """A packaged data file is malformed (a bug in the shipped data, not bad user input)."""


def read_text(name: str) -> str:
    return resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8")


def read_csv(name: str) -> list[dict[str, str]]:
    """Rows of a packaged CSV file as dicts; ``#`` comment lines are not allowed (plain CSV)."""
    return list(csv.DictReader(io.StringIO(read_text(name))))


def read_toml(name: str) -> dict[str, Any]:
    return tomllib.loads(read_text(name))
