"""The annual dose report of one worker as a PDF, and the sectioned table document it shares with the
department's annual radiation-protection report (:mod:`nmguard.reporting.protection_annual_report`).

The tables are laid out by :mod:`nmguard.reporting.qc_report` (cells wrapped to their column, rows whole on a
page, "page N of M"); a document here is a list of sections, each a heading, an optional note and one table,
each starting on a new page so that its table header heads every page it covers. Pure: no Django.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from nmguard.reporting.qc_report import (  # noqa: E402
    FONT_SIZE,
    PAGE_H,
    PAGE_W,
    TABLE_TOP,
    draw_table,
    page_header,
    paginate_rows,
    wrap,
)

NOTE_LINE_H = 11.0  # points per line of a section's note (8 pt text)
HEADING_GAP = 24.0  # points from the top of the heading (11 pt) to the table, without a note


@dataclass(frozen=True)
class Section:
    """A heading, an optional note (wrapped, above the table) and a table: columns as (header, width share,
    the shares summing to 1) and rows of cell texts; ``empty`` is printed when there is no row."""

    heading: str
    columns: Sequence[tuple[str, float]]
    rows: Sequence[Sequence[str]]
    note: str = ""
    empty: str = "None."


def _note_lines(note: str) -> list[str]:
    return wrap(note, PAGE_W * 0.88, size=8) if note else []


def _table_top(section: Section) -> float:
    notes = len(_note_lines(section.note))
    return TABLE_TOP - HEADING_GAP - notes * NOTE_LINE_H - (4 if notes else 0)


def sections_pdf(
    title: str,
    subtitle: str,
    sections: Sequence[Section],
    *,
    mark: str = "",
    first_page: Callable[[Figure], None] | None = None,
) -> bytes:
    """One document of ``sections`` (each from a new page; a long table continues over pages with its header
    repeated); every page says "page N of M". ``mark`` (e.g. a draft's "not finalised") is printed at the foot of
    every page; ``first_page`` draws a page of its own (a summary, a chart) before the sections."""
    laid = [
        (s, paginate_rows([list(r) for r in s.rows], s.columns, _table_top(s)) if s.rows else [[]]) for s in sections
    ]
    total = sum(len(pages) for _, pages in laid) + (1 if first_page else 0)
    buffer = io.BytesIO()
    number = 0

    def new_page() -> Figure:
        nonlocal number
        number += 1
        fig = plt.figure(figsize=(PAGE_W / 72, PAGE_H / 72))
        page_header(fig, title, subtitle, number, total)
        if mark:
            fig.text(0.06, 0.025, mark, fontsize=10, weight="bold", color="#b3261e")
        return fig

    with PdfPages(buffer, metadata={"Title": title, "Creator": "NMGuard"}) as pdf:
        if first_page is not None:
            fig = new_page()
            first_page(fig)
            pdf.savefig(fig)
            plt.close(fig)
        for section, pages in laid:
            for i, blocks in enumerate(pages):
                fig = new_page()
                heading = section.heading + (" (continued)" if i else "")
                fig.text(0.06, TABLE_TOP / PAGE_H, heading, fontsize=11, weight="bold", va="top")
                y = TABLE_TOP - 18
                for line in _note_lines(section.note):
                    fig.text(0.06, y / PAGE_H, line, fontsize=8, va="top", color="#1d2733")
                    y -= NOTE_LINE_H
                if section.rows:
                    draw_table(fig, blocks, section.columns, _table_top(section))
                else:
                    fig.text(0.06, (_table_top(section) - FONT_SIZE) / PAGE_H, section.empty, fontsize=9)
                pdf.savefig(fig)
                plt.close(fig)
    return buffer.getvalue()


def number(value: float) -> str:
    """A dose as the reports print it: at most three decimals (dosimetry services report to 0.01 mSv), no
    trailing zeros."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


def mSv(value: float | None) -> str:
    """A dose with its unit (None: "not measured", never 0)."""
    return "not measured" if value is None else f"{number(value)} mSv"


def worker_dose_report_pdf(worker: str, year: int, profile: str, sections: Sequence[Section]) -> bytes:
    """The annual dose report of ``worker``: the sections the app assembles (sums by month and year, the
    five-year sums, the profile's limits, the status, the investigations)."""
    return sections_pdf(
        f"Annual dose report {year}: {worker}", f"Profile {profile.upper()} · NMGuard staff dosimetry", sections
    )
