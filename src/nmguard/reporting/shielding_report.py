"""A shielding room's design as a PDF: the workload, each point's result, and every step with its citation.

The tables use the QC report's layout (:mod:`nmguard.reporting.qc_report`: cells wrapped to their column, rows
moved whole, "page N of M"); this module only chooses the columns and the rows. The results are passed in
(computed by the app from the pure layer when the report is asked for), so nothing is recomputed here.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402

from nmguard.physics.display import format_sig  # noqa: E402
from nmguard.reporting.qc_report import PAGE_H, PAGE_W, TABLE_TOP, draw_table, page_header, paginate_rows  # noqa: E402

SECTION_GAP = 22.0  # points between the page header and a section's heading line
WORKLOAD_COLUMNS = (("Workload", 0.4), ("Value", 0.6))
RESULT_COLUMNS = (
    ("Barrier · beyond", 0.17),
    ("d (m) · T", 0.08),
    ("Area · goal P", 0.12),
    ("Weekly dose, unshielded", 0.11),
    ("B required", 0.08),
    ("Lead · concrete · iron", 0.19),
    ("Existing barrier", 0.25),
)
STEP_COLUMNS = (("Point", 0.16), ("Step", 0.34), ("Value", 0.14), ("Formula", 0.20), ("Source", 0.16))


def _f(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else format_sig(value, digits)


def workload_rows(room: Any) -> list[tuple[str, str]]:
    rows = [
        ("Kind", room.get_kind_display()),
        ("Nuclide", room.nuclide),
        ("Activity per patient or source", f"{_f(room.activity_MBq, 4)} MBq"),
        ("Patients or sources per week", str(room.per_week)),
    ]
    if room.is_pet:
        rows.append(("Uptake", f"{_f(room.uptake_min, 4)} min"))
        if room.imaging_min is not None:
            rows.append(("Scan", f"{_f(room.imaging_min, 4)} min" + (", voids first" if room.voiding else "")))
    else:
        rows.append(("Stay per source", f"{_f(room.stay_min, 4)} min after {_f(room.delay_min or 0.0, 3)} min"))
    return rows


def result_rows(results: Sequence[Any]) -> list[tuple[str, ...]]:
    rows = []
    for r in results:
        p, res = r.point, r.result
        beyond = p.location + (f" (also {p.other_room.name} at {_f(p.other_distance_m)} m)" if p.other_room else "")
        thick = r.thickness_note or " · ".join(f"{_f(res.thickness_mm[m])} mm" for m in ("lead", "concrete", "iron"))
        if r.passes is not None:
            verdict = "meets the goal" if r.passes else "EXCEEDS the goal"
            existing = (
                f"{_f(p.thickness_mm)} mm {p.material}: B_x {_f(r.barrier_transmission)}, "
                f"T × D × B_x = {_f(r.shielded_uSv_week)} µSv/week, {verdict}"
            )
        else:
            existing = r.barrier_note or "none entered"
        rows.append(
            (
                f"{p.barrier} · {beyond}",
                f"{_f(p.distance_m)} · {_f(r.occupancy_step.value)}",
                f"{p.get_area_display()} · {_f(r.goal.weekly_uSv.value)} µSv/week",
                f"{_f(res.weekly_dose_uSv, 4)} µSv/week",
                _f(res.transmission_required) + ("" if res.shielding_needed else " (none needed)"),
                thick,
                existing,
            )
        )
    return rows


def step_rows(results: Sequence[Any]) -> list[tuple[str, ...]]:
    rows = []
    for r in results:
        label = f"{r.point.barrier} · {r.point.location}"
        rows.append(
            (label, f"P: {r.goal.wording}", f"{_f(r.goal.weekly_uSv.value)} µSv/week", "", r.goal.weekly_uSv.note or "")
        )
        for s in r.steps:
            source = f"{s.source} ({s.status})" if s.source else ""
            unit = "" if s.unit == "1" else f" {s.unit}"
            rows.append((label, f"{s.symbol}: {s.name}", f"{_f(s.value, 4)}{unit}", s.formula, source))
    return rows


def shielding_report_pdf(room: Any, results: Sequence[Any], profile: str, data_version: str) -> bytes:
    """The room's report: workload, results per point, then the steps; every page numbered."""
    title = f"Shielding design · {room.name}"
    subtitle = (
        f"Profile {profile.upper()} · reference data {data_version} · AAPM TG-108 method; results computed "
        "from the stored inputs when this report was made"
    )
    sections = [
        ("Workload", WORKLOAD_COLUMNS, workload_rows(room)),
        ("Points of interest", RESULT_COLUMNS, result_rows(results)),
        ("The calculation, step by step, with the source of every value", STEP_COLUMNS, step_rows(results)),
    ]
    top = TABLE_TOP - SECTION_GAP
    laid_out = [
        (heading, columns, paginate_rows(rows, columns, top) if rows else [[]]) for heading, columns, rows in sections
    ]
    total = sum(len(pages) for _, _, pages in laid_out)
    buffer = io.BytesIO()
    number = 0
    with PdfPages(buffer, metadata={"Title": title, "Creator": "NMGuard"}) as pdf:
        for heading, columns, pages in laid_out:
            for blocks in pages:
                number += 1
                fig = plt.figure(figsize=(PAGE_W / 72, PAGE_H / 72))
                page_header(fig, title, subtitle, number, total)
                fig.text(0.06, (TABLE_TOP - SECTION_GAP / 2) / PAGE_H, heading, fontsize=10, weight="bold")
                if blocks:
                    draw_table(fig, blocks, columns, top)
                else:
                    fig.text(0.06, (top - 14) / PAGE_H, "No point of interest entered yet.", fontsize=9)
                pdf.savefig(fig)
                plt.close(fig)
    return buffer.getvalue()
