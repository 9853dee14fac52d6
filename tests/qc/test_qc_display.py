"""QC analysis values reach the pages as people read them: no exponent notation (issue 10, item 7)."""

from __future__ import annotations

import datetime as dt

from nmguard.qc.activity_meter import linearity_decay
from nmguard.reference import get_nuclide


def test_linearity_range_of_a_high_activity_run_has_no_exponent():
    t0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    half_life_s = get_nuclide("Tc-99m").half_life_s
    times = [t0 + dt.timedelta(hours=6 * i) for i in range(12)]
    readings = [35e9 * 0.5 ** ((t - t0).total_seconds() / half_life_s) for t in times]  # 35 GBq down to ~0.7 MBq
    result = linearity_decay(times, readings, "Tc-99m")
    text = result.values["range_MBq"].value
    assert "e+" not in text and "e-" not in text
    assert text.endswith(" to 35000")  # 35 GBq = 35000 MBq, 4 significant figures
