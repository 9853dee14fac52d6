"""Document control (SOPs, protocols: versions, reviews, approval, read-and-acknowledge) and peer review of reports."""

from __future__ import annotations
