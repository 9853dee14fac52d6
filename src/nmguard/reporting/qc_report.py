"""The monthly QC report of one device as a PDF (matplotlib's PDF backend: no system libraries)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402

from nmguard.reporting.plots import _control_chart_axes  # noqa: E402


@dataclass(frozen=True)
class ReportRow:
    when: str
    test: str
    value: str
    outcome: str
    performed_by: str
    approved_by: str


@dataclass(frozen=True)
class ReportSeries:
    test: str
    unit: str
    times: Sequence
    values: Sequence[float]
    outcomes: Sequence[str]
    bands: dict[str, float | None]


def monthly_report_pdf(title: str, subtitle: str, rows: Sequence[ReportRow], series: Sequence[ReportSeries]) -> bytes:
    """Page 1: every result of the month with outcome and reviewer; then one control chart per test."""
    buffer = io.BytesIO()
    with PdfPages(buffer, metadata={"Title": title, "Creator": "NMGuard"}) as pdf:
        per_page = 32
        chunks = [rows[i : i + per_page] for i in range(0, len(rows), per_page)] or [[]]
        for n, chunk in enumerate(chunks, start=1):
            fig = plt.figure(figsize=(8.27, 11.69))  # A4 portrait
            fig.text(0.06, 0.96, title, fontsize=14, weight="bold")
            fig.text(0.06, 0.935, f"{subtitle} — page {n} of {len(chunks)}", fontsize=9, color="#5b6775")
            ax = fig.add_axes((0.06, 0.05, 0.88, 0.86))
            ax.axis("off")
            if chunk:
                table = ax.table(
                    cellText=[[r.when, r.test, r.value, r.outcome, r.performed_by, r.approved_by] for r in chunk],
                    colLabels=["When", "Test", "Result", "Outcome", "By", "Approved"],
                    loc="upper left",
                    cellLoc="left",
                    colWidths=[0.15, 0.27, 0.14, 0.14, 0.15, 0.15],
                )
                table.auto_set_font_size(False)
                table.set_fontsize(7)
                table.scale(1, 1.3)
            else:
                ax.text(0, 0.95, "No QC results in this month.", fontsize=10)
            pdf.savefig(fig)
            plt.close(fig)
        for s in series:
            fig, ax = plt.subplots(figsize=(8.27, 4.0))
            _control_chart_axes(ax, s.test, s.times, s.values, s.unit, s.bands, s.outcomes)
            fig.tight_layout()
            pdf.savefig(fig)
            plt.close(fig)
    return buffer.getvalue()
