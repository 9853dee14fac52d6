"""Peer-review sampling (issue 16 item 6), pure: the rate per reader holds statistically, the draw is fixed by
its seed (same seed, same sample, whatever the order or later studies), and reader codes are stable and secret."""

from __future__ import annotations

import math
import random

import pytest

from nmguard.apps.quality.peer_review_sampling import check_rate, draw, draw_number, reader_code
from nmguard.errors import InputError


def _binomial_band(n: int, p: float, k: float = 4.0) -> tuple[float, float]:
    """Mean ± k standard deviations of a binomial count (k = 4: a false failure about 6 in 100 000 runs)."""
    mean, sd = n * p, math.sqrt(n * p * (1 - p))
    return mean - k * sd, mean + k * sd


def test_rate_per_reader_within_four_binomial_sigmas():
    studies = [(i, 1 if i % 2 else 2) for i in range(1, 40_001)]  # 20 000 studies per reader
    drawn = set(draw(studies, "seed-2026", 0.05, {1: 0.20}))
    of_1 = sum(1 for sid, reader in studies if reader == 1 and sid in drawn)
    of_2 = sum(1 for sid, reader in studies if reader == 2 and sid in drawn)
    low, high = _binomial_band(20_000, 0.20)  # 4000 ± 226
    assert low < of_1 < high
    low, high = _binomial_band(20_000, 0.05)  # 1000 ± 123
    assert low < of_2 < high


def test_draw_numbers_are_uniform():
    """Kolmogorov-Smirnov distance of 10 000 draw numbers from U(0, 1) below the 0.1 % critical value 1.95/sqrt(n)."""
    values = sorted(draw_number("ks", i) for i in range(10_000))
    n = len(values)
    distance = max(max((i + 1) / n - v, v - i / n) for i, v in enumerate(values))
    assert distance < 1.95 / math.sqrt(n)


def test_same_seed_same_sample_whatever_the_order_and_later_studies():
    studies = [(i, i % 7) for i in range(1, 5001)]
    first = draw(studies, "abc", 0.1)
    shuffled = studies[:]
    random.Random(3).shuffle(shuffled)
    assert draw(shuffled, "abc", 0.1) == first
    more = draw(studies + [(i, 1) for i in range(5001, 6001)], "abc", 0.1)
    assert [s for s in more if s <= 5000] == first  # a study added later changes no earlier draw
    assert draw(studies, "abd", 0.1) != first  # another seed, another sample
    assert draw(studies, "abc", 0.0) == [] and len(draw(studies, "abc", 1.0)) == 5000


def test_reader_codes_stable_distinct_and_keyed():
    codes = {reader_code("secret", i) for i in range(1, 201)}
    assert len(codes) == 200 and all(c.startswith("R-") and len(c) == 8 for c in codes)
    assert reader_code("secret", 5) == reader_code("secret", 5) != reader_code("other secret", 5)


@pytest.mark.parametrize("bad", [-0.01, 1.01, float("nan"), "0.1", True, None])
def test_rate_outside_zero_one_refused(bad):
    with pytest.raises(InputError) as refused:
        check_rate(bad, "default_rate")
    assert refused.value.field == "default_rate"
