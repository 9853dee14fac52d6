"""The monthly QC report PDF keeps every word of a long cell (wrapped, not cut) and numbers its pages
"page N of M" with the true total, charts included.

The text is read back from the PDF itself (its content streams, decompressed with zlib), not from the
layout code: matplotlib writes each drawn line as one text object placed with a ``cm`` operator."""

from __future__ import annotations

import datetime as dt
import re
import zlib

import pytest

from nmguard.reporting.qc_report import COLUMNS, MARGIN_X, PAD, TABLE_W, ReportRow, ReportSeries, monthly_report_pdf

_STRING = re.compile(rb"\((?:\\.|[^\\)])*\)")
_PLACED = re.compile(rb"1 0 -?0 1 ([-\d.]+) ([-\d.]+) cm\s*BT(.*?)ET", re.S)


def _unescape(raw: bytes) -> str:
    body = raw[1:-1]
    body = re.sub(rb"\\([0-7]{1,3})", lambda m: bytes([int(m.group(1), 8)]), body)
    body = re.sub(rb"\\(.)", rb"\1", body)
    return body.decode("cp1252", "replace")


def pdf_pages(pdf: bytes) -> list[list[tuple[float, float, str]]]:
    """Per page, the placed text lines (x, y in points, text), in drawing order."""
    pages = []
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:  # decompress from the stream's start to the zlib end: compressed bytes may end in \r or hold "endstream"
            data = zlib.decompressobj().decompress(pdf[m.start(1) :])
        except zlib.error:
            data = m.group(1)
        if b"BT" not in data:
            continue  # glyph procedures and markers, not a page
        lines = [
            (float(x), float(y), "".join(_unescape(s) for s in _STRING.findall(body)))
            for x, y, body in _PLACED.findall(data)
        ]
        pages.append(lines)
    assert len(pages) == len(re.findall(rb"/Type /Page\b", pdf)), "one content stream per page"
    return pages


def _words(text: str) -> str:
    return " ".join(text.split())


LONG = (
    "Flood acquired after the photomultiplier retune; the integral uniformity of the UFOV rose from "
    "2.1 to 3.4 per cent, within tolerance, but the service engineer asked for a repeat with a fresh "
    "Co-57 sheet source next week, serial CS-2231-X, before the camera returns to SPECT/CT work on "
    "Monday; the physicist was told by phone and agreed. Supercalifragilisticexpialidociousunbrokenword"
    "thatislongerthanthecolumnitself."
)


def _row(i: int, comment: str = "") -> ReportRow:
    return ReportRow(f"2026-03-{1 + i % 28:02d} 08:{i % 60:02d} CET", "Intrinsic uniformity (UFOV, CFOV)",
                     "3.4 %", "Tolerance", "Technologist A", "Physicist B", comment)  # fmt: skip


def test_a_long_comment_is_wrapped_in_its_column_and_every_word_kept():
    pdf = monthly_report_pdf("QC report - Camera 1", "March 2026", [_row(0, LONG)], [])
    (page,) = pdf_pages(pdf)
    comment_x = MARGIN_X + sum(share for _, share in COLUMNS[:-1]) * TABLE_W + PAD
    comment_lines = [t for x, _, t in page if x == pytest.approx(comment_x, abs=0.01) and t != "Comment"]
    assert len(comment_lines) > 5  # wrapped over several lines
    assert _words(" ".join(comment_lines)).replace(" ", "") == LONG.replace(" ", "")
    assert _words(" ".join(comment_lines[:-2])) in _words(LONG)  # broken at spaces where it can be
    # the long test name is kept whole as well, in its own column
    test_x = MARGIN_X + sum(share for _, share in COLUMNS[:1]) * TABLE_W + PAD
    test_text = " ".join(t for x, _, t in page if x == pytest.approx(test_x, abs=0.01) and t != "Test")
    assert _words(test_text) == "Intrinsic uniformity (UFOV, CFOV)"


def test_pages_say_n_of_the_true_total_charts_included():
    rows = [_row(i, LONG if i % 3 == 0 else "") for i in range(90)]
    start = dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC)
    series = [
        ReportSeries(
            name,
            "%",
            [start + dt.timedelta(days=d) for d in range(5)],
            [3.0, 3.1, 3.4, 2.9, 3.0],
            ["ok"] * 5,
            {"tolerance_high": 5.0, "action_high": 7.0},
        )  # fmt: skip
        for name in ("Uniformity", "Constancy")
    ]
    pages = pdf_pages(monthly_report_pdf("QC report - Camera 1", "March 2026", rows, series))
    total = len(pages)
    assert total >= 5  # 90 rows, a third of them seven lines tall, do not fit on two pages; + 2 charts
    for n, page in enumerate(pages, start=1):
        numbers = [t for _, _, t in page if t.startswith("page ")]
        assert numbers == [f"page {n} of {total}"]
    # every row is printed once, in order, none lost between pages
    whens = [t for page in pages[:-2] for x, _, t in page if x == pytest.approx(MARGIN_X + PAD, abs=0.01)]
    assert [w for w in whens if w != "When"] == [_row(i).when for i in range(90)]
    assert "Uniformity" in {t for _, _, t in pages[-2]} and "Constancy" in {t for _, _, t in pages[-1]}


def test_a_row_taller_than_a_page_continues_on_the_next():
    huge = " ".join(f"word{i}" for i in range(2500))
    pages = pdf_pages(monthly_report_pdf("QC report", "March 2026", [_row(0, huge)], []))
    assert len(pages) >= 2
    comment_x = MARGIN_X + sum(share for _, share in COLUMNS[:-1]) * TABLE_W + PAD
    text = " ".join(t for page in pages for x, _, t in page if x == pytest.approx(comment_x, abs=0.01))
    assert _words(text).replace("Comment ", "") == huge


def test_an_empty_month_is_one_page_saying_so():
    (page,) = pdf_pages(monthly_report_pdf("QC report", "March 2026", [], []))
    texts = [t for _, _, t in page]
    assert "No QC results in this month." in texts and "page 1 of 1" in texts


@pytest.mark.django_db
def test_the_qc_report_route_prints_a_stored_results_whole_comment(client, dept):
    from django.utils import timezone
    from tests.department import now_minute

    from nmguard.apps.core.actor import acting_as
    from nmguard.apps.equipment import qc_entry, qc_services
    from nmguard.apps.equipment.models import CheckSource

    with acting_as(dept["physicist"], reason="fixture"):
        source = CheckSource.objects.create(
            name="Cs-137 vial", nuclide="Cs-137", certified_activity_Bq=7.4e6, certified_at=timezone.now()
        )
    schedule = qc_services.schedule_test(dept["meter"], "am-constancy", dept["physicist"], check_source=source)
    at = now_minute()
    data = {"performed_at": at, "reading": 7.4e6, "comment": LONG}
    qc_entry.record_from_form(schedule, data, dept["technologist"])
    client.force_login(dept["technologist"])
    local = timezone.localtime(at)
    response = client.get(f"/equipment/{dept['meter'].pk}/report/{local.year}-{local.month}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = pdf_pages(response.content)
    comment_x = MARGIN_X + sum(share for _, share in COLUMNS[:-1]) * TABLE_W + PAD
    text = " ".join(t for x, _, t in pages[0] if x == pytest.approx(comment_x, abs=0.01) and t != "Comment")
    assert _words(text).replace(" ", "") == LONG.replace(" ", "")
    assert [t for _, _, t in pages[-1] if t.startswith("page ")] == [f"page {len(pages)} of {len(pages)}"]
