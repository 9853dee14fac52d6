"""The released patient's written instructions as a PDF (matplotlib's PDF backend, the QC report's table layout).

The text above the table (patient, release, breast-feeding, basis) is wrapped with the same measuring function
as the table cells, so nothing is cut; the restrictions are a table of :mod:`nmguard.reporting.qc_report`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402

from nmguard.protection.release_instructions import InstructionLine, equation_text  # noqa: E402
from nmguard.reporting.qc_report import (  # noqa: E402
    LINE_H,
    MARGIN_X,
    PAGE_H,
    PAGE_W,
    TABLE_TOP,
    TABLE_W,
    draw_table,
    page_header,
    paginate_rows,
    wrap,
)

COLUMNS = (("Restriction", 0.34), ("For", 0.16), ("Until (end of the day)", 0.20), ("Why", 0.30))
TEXT_SIZE = 9.0


def _cells(line: InstructionLine) -> list[str]:
    if line.days is None:
        days = "ask the department"
    elif line.days == 0:
        days = "no restriction needed"
    else:
        days = f"{line.days} day{'s' if line.days != 1 else ''}"
    return [line.label, days, line.until.isoformat() if line.until else "–", line.why]


def _paragraphs(fig, paragraphs: Sequence[str], top: float) -> float:
    """Wrapped paragraphs from ``top`` (points from the bottom); returns where they end."""
    step = TEXT_SIZE * 1.35
    for text in paragraphs:
        for line in wrap(text, TABLE_W, size=TEXT_SIZE):
            fig.text(MARGIN_X / PAGE_W, top / PAGE_H, line, fontsize=TEXT_SIZE, va="top")
            top -= step
        top -= step * 0.5
    return top


def instructions_pdf(
    *,
    patient: str,
    decision: Mapping[str, object],
    lines: Sequence[InstructionLine],
    breastfeeding: str,
    released: dt.datetime | None,
    signed_by: str,
    zone: str,
) -> bytes:
    """The instructions: who, when released, the restrictions with their end dates, breast-feeding, the basis."""
    inputs = dict(decision.get("inputs") or {})  # type: ignore[call-overload]
    when = f"{released:%Y-%m-%d %H:%M} ({zone})" if released else "not yet released: dates count from the printing"
    intro = [
        f"Patient: {patient}",
        f"Treatment: {inputs.get('nuclide')} {float(inputs.get('activity_Bq', 0.0)) / 1e9:.3g} GBq. Released: {when}.",
        "Your body still holds some radioactivity. To keep the dose to others low, follow each restriction from "
        "the moment you leave the department to the end of the date given.",
    ]
    basis = dict(decision.get("basis") or {})  # type: ignore[call-overload]
    after = [
        f"Breast-feeding: {breastfeeding}",
        f"Basis of the release: {basis.get('rule', '')} {equation_text(decision)}".strip(),
        "Sources: " + ", ".join(str(c) for c in basis.get("citations", [])),
        "Durations: NMGuard's model (docs/patient-release.md), status unverified.",
        f"Signed by: {signed_by}" if signed_by else "Not signed.",
    ]
    rows = [_cells(line) for line in lines] or [["No restriction needed", "", "", ""]]
    first_top = TABLE_TOP - (len(intro) + 2) * TEXT_SIZE * 2.2
    pages = paginate_rows(rows, COLUMNS, top=first_top)
    title = "Instructions after your treatment"
    buffer = io.BytesIO()
    with PdfPages(buffer, metadata={"Title": title, "Creator": "NMGuard"}) as pdf:
        for n, blocks in enumerate(pages, start=1):
            fig = plt.figure(figsize=(PAGE_W / 72, PAGE_H / 72))
            page_header(fig, title, patient, n, len(pages))
            top = TABLE_TOP
            if n == 1:
                _paragraphs(fig, intro, top)
                top = first_top
            bottom = draw_table(fig, blocks, COLUMNS, top)
            if n == len(pages):
                _paragraphs(fig, after, bottom - 2 * LINE_H)
            pdf.savefig(fig)
            plt.close(fig)
    return buffer.getvalue()
