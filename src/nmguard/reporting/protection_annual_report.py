"""The department's annual radiation-protection report as a PDF: the sections the protection app assembles
(doses per worker and group against the limits, the limits, investigations, protection events), laid out by
:func:`nmguard.reporting.staff_dose_report.sections_pdf`. Pure: no Django."""

from __future__ import annotations

from collections.abc import Sequence

from nmguard.reporting.staff_dose_report import Section, sections_pdf


def annual_protection_report_pdf(department: str, year: int, profile: str, sections: Sequence[Section]) -> bytes:
    """Every page titled with the department and the year, "page N of M" at its foot."""
    return sections_pdf(
        f"Annual radiation-protection report {year}",
        f"{department} · profile {profile.upper()} · NMGuard",
        sections,
    )
