"""The management review as a PDF: per indicator one page with its definition, its chart and its table.

The table uses the QC report's one table layout (:func:`nmguard.reporting.qc_report.paginate_rows`,
``draw_table``, ``page_header``); a table longer than the room under the chart continues on the next page.
Every page is numbered "page N of M". Pure: the indicators come in as plain values (no Django).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Protocol

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402

from nmguard.physics.display import format_sig  # noqa: E402
from nmguard.reporting.qc_report import PAGE_H, PAGE_W, TABLE_W, draw_table, page_header, paginate_rows, wrap  # noqa: E402

COLUMNS = (("Period", 0.3), ("Value", 0.35), ("Unit", 0.35))
MINUTES_COLUMNS = (("Item", 0.25), ("Record", 0.75))
CHART_TOP, CHART_H = 0.62, 0.22  # the chart's axes, in figure fractions
TABLE_TOP_BELOW_CHART = 0.52 * PAGE_H


class Indicator(Protocol):
    title: str
    unit: str
    definition: str
    labels: Sequence[str]
    values: Sequence[float | None]


def value_text(value: float | None) -> str:
    """A value as printed in the tables: three significant figures, "not measured" for None."""
    return "not measured" if value is None else format_sig(value, 3)


def _rows(ind: Indicator) -> list[list[str]]:
    return [[p, value_text(v), ind.unit] for p, v in zip(ind.labels, ind.values, strict=True)]


def _chart(fig, ind: Indicator) -> None:
    ax = fig.add_axes((0.1, CHART_TOP - CHART_H / 2, 0.84, CHART_H))
    xs = range(len(ind.labels))
    ax.bar(xs, [0 if v is None else v for v in ind.values], color="#0b6e75", alpha=0.75)
    for x, v in zip(xs, ind.values, strict=True):
        if v is None:
            ax.text(x, 0, "n.m.", ha="center", va="bottom", fontsize=6, color="#5b6670")
    ax.set_xticks(list(xs), list(ind.labels), rotation=45, ha="right", fontsize=6)
    measured = [v for v in ind.values if v is not None]
    ax.set_ylim(0, max(measured) * 1.1 if measured and max(measured) > 0 else 1)
    ax.set_ylabel(ind.unit, fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_title(ind.title, fontsize=10)


def _new_page(title: str, subtitle: str, number: int, total: int, mark: str):
    fig = plt.figure(figsize=(PAGE_W / 72, PAGE_H / 72))
    page_header(fig, title, subtitle, number, total)
    if mark:  # e.g. "DRAFT" on every page of unsigned minutes
        fig.text(0.5, 0.5, mark, fontsize=72, color="#c0392b", alpha=0.25, ha="center", va="center", rotation=35)
        fig.text(0.94, 0.96, mark, fontsize=12, color="#c0392b", weight="bold", ha="right")
    return fig


def management_review_pdf(
    title: str,
    subtitle: str,
    indicators: Sequence[Indicator],
    minutes: Sequence[Sequence[str]] = (),
    mark: str = "",
) -> bytes:
    """One chart page per indicator (definition, chart, the start of its table), continuation pages for the rest
    of a long table; "page N of M" on every page. ``minutes``: (item, text) rows of a meeting's minutes, printed
    first as a table; ``mark``: a word stamped on every page (DRAFT for unsigned minutes)."""
    minute_pages = paginate_rows([list(r) for r in minutes], MINUTES_COLUMNS) if minutes else []
    plans = []
    for ind in indicators:
        first = paginate_rows(_rows(ind), COLUMNS, top=TABLE_TOP_BELOW_CHART)
        rest_rows = _rows(ind)[sum(1 for _ in first[0]) :] if len(first) > 1 else []
        plans.append((ind, first[0], paginate_rows(rest_rows, COLUMNS) if rest_rows else []))
    total = len(minute_pages) + max(1, sum(1 + len(rest) for _, _, rest in plans))
    buffer = io.BytesIO()
    number = 0
    with PdfPages(buffer, metadata={"Title": title, "Creator": "NMGuard"}) as pdf:
        for blocks in minute_pages:
            number += 1
            fig = _new_page(title, subtitle, number, total, mark)
            draw_table(fig, blocks, MINUTES_COLUMNS)
            pdf.savefig(fig)
            plt.close(fig)
        if not plans:
            number += 1
            fig = _new_page(title, subtitle, number, total, mark)
            fig.text(0.06, 0.88, "No indicators.", fontsize=10)
            pdf.savefig(fig)
            plt.close(fig)
        for ind, first_blocks, rest in plans:
            number += 1
            fig = _new_page(title, subtitle, number, total, mark)
            for i, line in enumerate(wrap(f"Definition: {ind.definition}", TABLE_W, size=8)):
                fig.text(0.06, 0.9 - i * 0.016, line, fontsize=8)
            _chart(fig, ind)
            draw_table(fig, first_blocks, COLUMNS, top=TABLE_TOP_BELOW_CHART)
            pdf.savefig(fig)
            plt.close(fig)
            for blocks in rest:
                number += 1
                fig = _new_page(title, f"{ind.title} (continued)", number, total, mark)
                draw_table(fig, blocks, COLUMNS)
                pdf.savefig(fig)
                plt.close(fig)
    return buffer.getvalue()
