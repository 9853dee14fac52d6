"""Protection events (a contamination, an unplanned exposure) and the investigations of dose alerts."""

from __future__ import annotations
