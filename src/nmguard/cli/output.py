"""Printing results: one JSON object for machines, an aligned table for people."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any


def emit_json(result: dict[str, Any]) -> None:
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))


def emit_table(rows: Iterable[tuple[str, str]], title: str | None = None) -> None:
    rows = list(rows)
    if title:
        print(title)
        print("-" * len(title))
    width = max((len(k) for k, _ in rows), default=0)
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")
