"""Random sampling of reported studies for a second reading, reproducible from a recorded seed.

Pure (no Django): each study is drawn when a number derived from SHA-256 of the seed and the study's id lies
below its reader's rate. The draw of one study depends on nothing else (not the order, not the other
studies), so the same seed over the same studies always gives the same sample, and a study added later does
not change whether the others were drawn. The reader codes that anonymise the statistics are an HMAC of the
reader's id under the installation's secret, so nobody can compute them without the server.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from nmguard.errors import InputError


def draw_number(seed: str, study_id: int) -> float:
    """A number uniform in [0, 1) fixed by ``seed`` and ``study_id`` (the first 64 bits of SHA-256)."""
    digest = hashlib.sha256(f"{seed}:{study_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def check_rate(rate: float, field: str = "rate") -> float:
    """A sampling rate is a fraction in [0, 1]."""
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0.0 <= float(rate) <= 1.0:
        raise InputError(f"{field}: a fraction from 0 to 1 expected (0.05 = 5 %)", field)
    return float(rate)


def draw(
    studies: Iterable[tuple[int, int]], seed: str, default_rate: float, rates: Mapping[int, float] | None = None
) -> list[int]:
    """The ids drawn from ``studies`` = (study id, reader id) pairs, each at its reader's rate (sorted)."""
    rates = rates or {}
    return sorted(sid for sid, reader in studies if draw_number(seed, sid) < rates.get(reader, default_rate))


def rate_text(fraction: float) -> str:
    """A rate or discrepancy fraction as every peer-review page, table and plot prints it: at most two
    decimals, half up, no trailing zeros (0.025 → "2.5 %"; the overview's integer rounding said "2 %")."""
    value = Decimal(repr(100 * float(fraction))).quantize(Decimal("0.01"), ROUND_HALF_UP)
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} %"


def reader_code(secret: str, reader_id: int) -> str:
    """The code a reader is shown as to others ("R-" and six hex digits)."""
    mac = hmac.new(secret.encode(), f"peer-review-reader:{reader_id}".encode(), hashlib.sha256).hexdigest()
    return f"R-{mac[:6].upper()}"
