"""The monthly QC report of one device as a PDF (matplotlib's PDF backend: no system libraries).

Why the table is laid out here and not with ``Axes.table``: a matplotlib table cell holds one line and
cuts or overruns long text, so a comment or a long test name was lost on paper. Each cell is wrapped
to its column width (measured with the font that is drawn), rows grow to fit, a row moves whole to
the next page (one taller than a page is continued), and every page, charts included, says
"page N of M" with M counted after the layout.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_agg import RendererAgg  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from nmguard.reporting.plots import _control_chart_axes  # noqa: E402


@dataclass(frozen=True)
class ReportRow:
    when: str
    test: str
    value: str
    outcome: str
    performed_by: str
    approved_by: str
    comment: str = ""


@dataclass(frozen=True)
class ReportSeries:
    test: str
    unit: str
    times: Sequence
    values: Sequence[float]
    outcomes: Sequence[str]
    bands: dict[str, float | None]


PAGE_W, PAGE_H = 8.27 * 72, 11.69 * 72  # A4 portrait, points
MARGIN_X = 0.06 * PAGE_W
TABLE_TOP = PAGE_H - 0.085 * PAGE_H
TABLE_BOTTOM = 0.06 * PAGE_H
FONT_SIZE = 7.0
LINE_H = FONT_SIZE * 1.3
PAD = 2.5  # points inside a cell, each side
COLUMNS = (  # header, share of the table width
    ("When", 0.17),
    ("Test", 0.16),
    ("Result", 0.10),
    ("Outcome", 0.09),
    ("By", 0.12),
    ("Approved", 0.12),
    ("Comment", 0.24),
)
TABLE_W = PAGE_W - 2 * MARGIN_X


_MEASURE_DPI = 720  # a tenth of a point: at low resolutions hinting shrinks the advances


@lru_cache(maxsize=1)
def _renderer() -> RendererAgg:
    return RendererAgg(8, 8, _MEASURE_DPI)  # only measures: the canvas size does not matter


@lru_cache(maxsize=20000)
def text_width(text: str, size: float = FONT_SIZE, weight: str = "normal") -> float:
    """Width in points of ``text`` in the report's font (the font the PDF draws)."""
    width, _, _ = _renderer().get_text_width_height_descent(text, FontProperties(size=size, weight=weight), False)
    return width * 72 / _MEASURE_DPI


def wrap(text: str, width: float, size: float = FONT_SIZE, weight: str = "normal") -> list[str]:
    """``text`` in lines no wider than ``width`` points: broken at spaces, a word wider than a line broken
    inside it; line breaks in the text are kept. Nothing is dropped. A line is measured as its words
    plus spaces (each word once, cached), with 3 % kept free for the kerning between words."""
    room = 0.97 * width
    space = text_width(" ", size, weight)
    lines: list[str] = []
    for paragraph in str(text).splitlines() or [""]:
        line, used = "", 0.0
        for word in paragraph.split():
            w = text_width(word, size, weight)
            if line and used + space + w <= room:
                line, used = f"{line} {word}", used + space + w
                continue
            if line:
                lines.append(line)
            while w > room and len(word) > 1:
                cut = max([n for n in range(1, len(word)) if text_width(word[:n], size, weight) <= room] or [1])
                lines.append(word[:cut])
                word = word[cut:]
                w = text_width(word, size, weight)
            line, used = word, w
        lines.append(line)
    return lines


def _cells(row: ReportRow) -> list[str]:
    return [row.when, row.test, row.value, row.outcome, row.performed_by, row.approved_by, row.comment]


@dataclass(frozen=True)
class _Block:
    """A row (or the part of a row) on one page: the lines of each cell."""

    lines: tuple[tuple[str, ...], ...]

    @property
    def height(self) -> float:
        return max(len(c) for c in self.lines) * LINE_H + 2 * PAD


Columns = Sequence[tuple[str, float]]  # header, share of the table width


def _wrapped(values: Sequence[str], weight: str = "normal", columns: Columns = COLUMNS) -> tuple[tuple[str, ...], ...]:
    return tuple(
        tuple(wrap(v, share * TABLE_W - 2 * PAD, weight=weight)) for v, (_, share) in zip(values, columns, strict=True)
    )


def paginate_rows(
    rows: Sequence[ReportRow] | Sequence[Sequence[str]], columns: Columns = COLUMNS, top: float = TABLE_TOP
) -> list[list[_Block]]:
    """The table's pages: rows in order, each whole on a page unless it is taller than a page.

    Other reports pass their own ``columns`` and rows as cell texts; ``top`` is where the table starts."""
    header = _Block(_wrapped([h for h, _ in columns], "bold", columns))
    room = top - TABLE_BOTTOM - header.height
    max_lines = int((room - 2 * PAD) // LINE_H)
    pages: list[list[_Block]] = [[]]
    used = 0.0
    for row in rows:
        cells = _wrapped(_cells(row) if isinstance(row, ReportRow) else list(row), columns=columns)
        pieces = [cells]
        if _Block(cells).height > room:  # continue a very tall row over pages, line by line
            n = max(len(c) for c in cells)
            pieces = [tuple(c[i : i + max_lines] for c in cells) for i in range(0, n, max_lines)]
        for piece in pieces:
            block = _Block(piece)
            if used + block.height > room and pages[-1]:
                pages.append([])
                used = 0.0
            pages[-1].append(block)
            used += block.height
    return pages


def _draw_block(
    fig, block: _Block, top: float, weight: str = "normal", shade: bool = False, columns: Columns = COLUMNS
) -> float:
    """Draw ``block`` with its top at ``top`` (points from the bottom); return its bottom."""
    bottom = top - block.height
    if shade:
        fig.patches.append(
            Rectangle(
                (MARGIN_X / PAGE_W, bottom / PAGE_H),
                TABLE_W / PAGE_W,
                block.height / PAGE_H,
                transform=fig.transFigure,
                facecolor="#e8edf2",
                edgecolor="none",
            )
        )
    x = MARGIN_X
    for lines, (_, share) in zip(block.lines, columns, strict=True):
        for i, line in enumerate(lines):
            if line:
                y = top - PAD - i * LINE_H
                fig.text(x / PAGE_W + PAD / PAGE_W, y / PAGE_H, line, fontsize=FONT_SIZE, weight=weight, va="top")
        x += share * TABLE_W
    fig.add_artist(
        Line2D(
            [MARGIN_X / PAGE_W, (MARGIN_X + TABLE_W) / PAGE_W],
            [bottom / PAGE_H] * 2,
            transform=fig.transFigure,
            color="#9aa5b1",
            linewidth=0.4,
        )
    )
    return bottom


def draw_table(fig, blocks: Sequence[_Block], columns: Columns = COLUMNS, top: float = TABLE_TOP) -> float:
    """The shaded header row and one page's blocks of :func:`paginate_rows`; returns the table's bottom."""
    top = _draw_block(fig, _Block(_wrapped([h for h, _ in columns], "bold", columns)), top, "bold", True, columns)
    for block in blocks:
        top = _draw_block(fig, block, top, columns=columns)
    return top


def page_header(fig, title: str, subtitle: str, number: int, total: int) -> None:
    fig.text(0.06, 0.96, title, fontsize=14, weight="bold")
    fig.text(0.06, 0.935, subtitle, fontsize=9, color="#5b6775")
    fig.text(0.94, 0.025, f"page {number} of {total}", fontsize=8, color="#5b6775", ha="right")


def monthly_report_pdf(title: str, subtitle: str, rows: Sequence[ReportRow], series: Sequence[ReportSeries]) -> bytes:
    """The results of the month (every cell wrapped, nothing cut), then one control chart per test;
    every page numbered "page N of M"."""
    pages = paginate_rows(rows)
    total = len(pages) + len(series)
    buffer = io.BytesIO()
    with PdfPages(buffer, metadata={"Title": title, "Creator": "NMGuard"}) as pdf:
        for n, blocks in enumerate(pages, start=1):
            fig = plt.figure(figsize=(PAGE_W / 72, PAGE_H / 72))
            page_header(fig, title, subtitle, n, total)
            if rows:
                draw_table(fig, blocks)
            else:
                fig.text(0.06, 0.88, "No QC results in this month.", fontsize=10)
            pdf.savefig(fig)
            plt.close(fig)
        for n, s in enumerate(series, start=len(pages) + 1):
            fig = plt.figure(figsize=(PAGE_W / 72, PAGE_H / 72))
            page_header(fig, title, subtitle, n, total)
            ax = fig.add_axes((0.1, 0.58, 0.68, 0.3))
            _control_chart_axes(ax, s.test, s.times, s.values, s.unit, s.bands, s.outcomes)
            pdf.savefig(fig)
            plt.close(fig)
    return buffer.getvalue()
