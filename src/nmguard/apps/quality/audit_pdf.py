"""The audit report as a PDF (``/quality/audits/<pk>/pdf``), the record an auditor takes away.

It holds what the audit page shows, from the same functions: the checklist and its citation, the audit's facts,
the conformance per section and overall from :func:`audit_services.audit_score` (the scoring rule named), the
section chart (the page's bars, :func:`audit_pages.chart_bars`, drawn with matplotlib since the page's SVG cannot
go into a PDF), the comparison with the previous audit, each item's level, comment and evidence, the findings
with their corrective action, and the e-signature once finalised. A draft says "DRAFT — not finalised" at the
foot of every page. Times are in the department's local time zone (``TIME_ZONE``). Read-only: every role that
reads audits may download it.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence

from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import floatformat
from django.utils import timezone
from matplotlib.figure import Figure

from nmguard.apps.core.permissions import requires
from nmguard.apps.quality import audit_services as s
from nmguard.apps.quality.audit_models import Audit
from nmguard.apps.quality.audit_pages import VIEW, chart_bars
from nmguard.apps.quality.audit_plots import BEFORE, NOW, Bar
from nmguard.apps.quality.audit_services import percent_text as percent
from nmguard.reference.citations import citations
from nmguard.reporting.qc_report import TABLE_W, wrap
from nmguard.reporting.staff_dose_report import Section, sections_pdf
from nmguard.web.input_bounds import object_or_404

DRAFT_MARK = "DRAFT — not finalised"
RULES = {
    "pooled": "pooled: the sum of the applicable levels over 4 × the number of applicable items",
    "sections": "sections: the mean of the section percentages weighted by the sections' weights",
}


def local_time(at: dt.datetime) -> str:
    return f"{timezone.localtime(at):%Y-%m-%d %H:%M %Z}"


def _citation(checklist) -> str:
    found = citations().get(checklist.source) if checklist.source else None
    if found is None:
        return f"source {checklist.source!r} ({checklist.status})" if checklist.source else "no source given"
    return f"{found.id} ({checklist.status}): {found.text}"


def facts(audit: Audit, checklist, score, comparison: s.Comparison) -> list[tuple[str, str]]:
    """The summary lines of the first page, label and text."""
    if comparison.previous:
        before = comparison.previous_score.overall_percent
        change = "" if before is None or score.overall_percent is None else (
            f", change {'+' if score.overall_percent >= before else ''}{floatformat(score.overall_percent - before, 1)}"
            " percentage points")  # fmt: skip
        previous = (f"{comparison.previous.reference} of {comparison.previous.audited_on:%Y-%m-%d}: "
                    f"{percent(before)}{change}")  # fmt: skip
    else:
        previous = "none of this checklist"
    if audit.status == Audit.Status.FINAL and audit.signature:
        status = f"finalised {local_time(audit.signature.signed_at)} by {audit.signature.signer_name}"
    else:
        status = DRAFT_MARK
    return [
        ("Checklist", f"{checklist.title}, version {checklist.version} ({checklist.id})"),
        ("Citation", _citation(checklist)),
        ("Mode", audit.get_mode_display()),
        ("Audit date", f"{audit.audited_on:%Y-%m-%d}"),
        ("Auditors", audit.auditors),
        ("Scope", audit.scope or "–"),
        ("Overall conformance", f"{percent(score.overall_percent)} (N/A excluded)"),
        ("Scoring rule", RULES.get(score.rule, score.rule)),
        ("Previous audit", previous),
        ("Status", status),
        ("Printed", local_time(timezone.now())),
    ]


def draw_chart(ax, bars: Sequence[Bar], overall: float | None, previous_overall: float | None) -> None:
    """The page's chart (:func:`audit_plots.conformance_svg`) on matplotlib axes: per section this audit's bar
    and the previous one beside it, "n/a" where a section has no applicable item, the overall values as lines."""
    width = 0.38
    has_previous = any(before is not None for _, _, before in bars) or previous_overall is not None
    series = ((-width / 2, 2, BEFORE, "previous audit"), (width / 2, 1, NOW, "this audit"))
    for offset, index, colour, name in series if has_previous else series[1:]:
        values = [bar[index] for bar in bars]
        xs = [i + offset for i, v in enumerate(values) if v is not None]
        ax.bar(xs, [v for v in values if v is not None], width * 0.95, color=colour, label=name)
        for i, v in enumerate(values):
            if v is None:
                ax.text(i + offset, 1, "n/a", ha="center", va="bottom", fontsize=6)
    for value, colour, style, name in ((overall, NOW, "--", "overall, this audit"),
                                       (previous_overall, BEFORE, ":", "overall, previous")):  # fmt: skip
        if value is not None:
            ax.axhline(value, color=colour, linestyle=style, linewidth=1.5, label=f"{name} {value:.1f} %")
    labels = [textwrap.fill(label, 16) for label, _, _ in bars]
    ax.set_xticks(range(len(bars)), labels, fontsize=6)
    ax.set_ylim(0, 105)
    ax.set_ylabel("conformance (%)", fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    ax.legend(fontsize=6, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, frameon=False)


def _first_page(lines: list[tuple[str, str]], bars: Sequence[Bar], overall, previous_overall):
    def draw(fig: Figure) -> None:
        y = 0.9
        for label, text in lines:
            for i, line in enumerate(wrap(text, TABLE_W * 0.78, size=8)):
                if i == 0:
                    fig.text(0.06, y, label, fontsize=8, weight="bold")
                fig.text(0.24, y, line, fontsize=8)
                y -= 0.016
            y -= 0.004
        height = max(0.15, min(0.3, y - 0.17))  # the room left under the facts
        fig.text(0.06, 0.1 + height + 0.04, "Conformance per section", fontsize=10, weight="bold")
        draw_chart(fig.add_axes((0.1, 0.1, 0.84, height)), bars, overall, previous_overall)

    return draw


def _sections(audit: Audit, checklist, score, comparison: s.Comparison) -> list[Section]:
    before = {x.section_id: x.percent for x in comparison.previous_score.sections} if comparison.previous else {}
    section_rows = [
        [f"{x.section_id}. {x.title}", str(x.applicable), str(x.answered), str(x.level_sum), percent(x.percent),
         percent(before.get(x.section_id)) if comparison.previous else "–"]
        for x in score.sections
    ]  # fmt: skip
    levels = "; ".join(f"{k} {v}" for k, v in checklist.levels.items())
    answers = {a.item_id: a for a in audit.answers.prefetch_related("evidence")}
    previous = s.levels_of(comparison.previous) if comparison.previous else {}

    def level(value) -> str:
        return "N/A" if value is None else str(value)

    item_rows = []
    for _, item in checklist.items():
        answer = answers.get(item.id)
        evidence = "; ".join(e.display_name() for e in answer.evidence.all()) if answer else ""
        item_rows.append([
            f"{item.id} {item.text}", level(answer.level) if answer else "not answered",
            answer.comment if answer else "", evidence or "–",
            level(previous[item.id]) if item.id in previous else "–", comparison.per_item.get(item.id, "–"),
        ])  # fmt: skip
    finding_rows = [
        [f.item_id or "auditor's note", f.note, f"CAPA {f.action.pk}: {f.action.title}" if f.action else "–",
         str(f.action.owner) if f.action else "–", f"{f.action.due_on:%Y-%m-%d}" if f.action else "–",
         f.action.get_status_display() if f.action else "–"]
        for f in audit.findings.select_related("action", "action__owner")
    ]  # fmt: skip
    sig = audit.signature if audit.status == Audit.Status.FINAL else None
    signature_rows = (
        [["Signed by", sig.signer_name], ["Signed at", local_time(sig.signed_at)],
         ["Meaning", sig.meaning], ["Statement", sig.statement or "–"], ["Record hash", sig.record_hash]]
        if sig else []
    )  # fmt: skip
    return [
        Section("Conformance per section",
                (("Section", 0.36), ("Applicable items", 0.12), ("Answered", 0.1), ("Sum of levels", 0.12),
                 ("Conformance", 0.15), ("Previous audit", 0.15)),
                section_rows, note=f"Overall {percent(score.overall_percent)}; rule "
                f"{RULES.get(score.rule, score.rule)}; N/A and unanswered items count in neither sum."),
        Section("Items: level, comment and evidence",
                (("Item", 0.3), ("Level", 0.08), ("Comment", 0.22), ("Evidence (linked record)", 0.22),
                 ("Previous", 0.08), ("Trend", 0.1)),
                item_rows, note=f"Levels: {levels}; N/A not applicable. Items below level {checklist.finding_below} "
                "are findings."),
        Section("Findings and corrective actions",
                (("Item", 0.1), ("Finding", 0.3), ("Corrective action", 0.26), ("Owner", 0.12), ("Due", 0.1),
                 ("Status", 0.12)),
                finding_rows, empty="None raised."),
        Section("E-signature", (("", 0.2), ("", 0.8)), signature_rows,
                empty=f"{DRAFT_MARK}: not signed."),
    ]  # fmt: skip


def audit_report_pdf(audit: Audit) -> bytes:
    """The report of ``audit`` (see the module's docstring)."""
    checklist = s.checklist_of(audit)
    score = s.audit_score(audit)
    comparison = s.comparison(audit)
    bars = chart_bars(score, comparison)
    previous_overall = comparison.previous_score.overall_percent if comparison.previous else None
    first = _first_page(facts(audit, checklist, score, comparison), bars, score.overall_percent, previous_overall)
    return sections_pdf(
        f"Audit report {audit.reference}",
        f"{checklist.title} · {audit.get_mode_display()} {audit.audited_on:%Y-%m-%d} · NMGuard",
        _sections(audit, checklist, score, comparison),
        mark="" if audit.status == Audit.Status.FINAL else DRAFT_MARK,
        first_page=first,
    )


@requires(VIEW, "the audit report PDF")
def audit_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    audit = object_or_404(Audit.objects.select_related("checklist", "signature"), pk=pk)
    response = HttpResponse(audit_report_pdf(audit), content_type="application/pdf")
    state = "final" if audit.status == Audit.Status.FINAL else "draft"
    response["Content-Disposition"] = f'attachment; filename="{audit.reference}-{state}.pdf"'
    return response
