"""The report of a Y-90 microsphere (SIRT) plan: one self-contained HTML page, like the dosimetry report
(:mod:`nmguard.reporting.dosimetry_report`, whose page frame, dose-map slices and DVH plot it uses)."""

from __future__ import annotations

import html
from typing import Any

from nmguard.reporting.dosimetry_report import _f, dose_slices_svg, html_page, versions_text
from nmguard.reporting.plots import dvh_svg

METHOD_NAMES = {
    "ld": "local deposition of the Y-90 electron energy in the voxel of decay, divided by the CT density",
    "dvk": "Y-90 dose voxel kernel convolution, divided by the CT density",
}


def _pct(x: float | None, digits: int = 3) -> str:
    return "—" if x is None else _f(100.0 * x, digits)


def _source(limit: Any) -> str:
    """A reference-data limit's value, source id and status (or the text the plan gives instead)."""
    if isinstance(limit, dict):
        e = html.escape
        return f"{_f(limit['value'])} {e(limit['unit'])} [{e(limit['source'])}, {e(limit['status'])}]"
    return html.escape(str(limit))


def _voi_rows(vois: list[dict[str, Any]]) -> str:
    e = html.escape
    return "".join(
        f"<tr><th scope='row'>{e(v['name'])}</th><td>{_f(v['volume_mL'], 4)}</td><td>{_f(v['mass_g'], 4)}</td>"
        f"<td>{_pct(v['count_fraction'])}</td><td><strong>{_f(v['mean_Gy'])}</strong></td>"
        f"<td>{_f(v['mean_uncertainty_percent'], 2)}</td><td>{_f(v['mean_Gy_per_GBq'])}</td>"
        f"<td>{_f(v['d98_Gy'])}</td><td>{_f(v['d50_Gy'])}</td><td>{_f(v['d2_Gy'])}</td><td>{_f(v['max_Gy'])}</td></tr>"
        for v in vois
    )


def _partition(plan) -> str:
    p = plan.partition
    if not p:
        return "<p>Not computed: it needs a whole-liver VOI and a lung shunt fraction (lung VOIs or a given LSF).</p>"
    e = html.escape

    def row(name: str, mass: str, share: str, dose: float | None, u: float | None) -> str:
        return (
            f"<tr><th scope='row'>{name}</th><td>{mass}</td><td>{share}</td>"
            f"<td><strong>{_f(dose)}</strong></td><td>{_f(u, 2)}</td></tr>"
        )

    rows = ""
    if p.get("tumour_Gy") is not None:
        share = f"{_pct(p['tumour_share_of_liver'])} % of the liver's counts"
        rows += row("Tumour", _f(p["tumour_mass_kg"], 4), share, p["tumour_Gy"], p["tumour_uncertainty_percent"])
    rows += row(
        "Normal liver",
        _f(p["normal_liver_mass_kg"], 4),
        f"{_f(p['liver_GBq'], 4)} GBq to the liver",
        p["normal_liver_Gy"],
        p["normal_liver_uncertainty_percent"],
    )
    rows += row(
        "Lungs",
        f"{_f(p['lung_mass_kg'], 4)} ({e(p['lung_mass_source'])})",
        f"{_f(p['lung_GBq'], 4)} GBq to the lungs",
        p["lung_Gy"],
        p["lung_uncertainty_percent"],
    )
    cumulative = (
        f"<p>Cumulative lung dose with earlier sessions: {_f(p['cumulative_lung_Gy'])} Gy.</p>"
        if p.get("cumulative_lung_Gy") is not None
        else ""
    )
    head = "<tr><th>Compartment</th><th>Mass (kg)</th><th>Share</th><th>Dose (Gy)</th><th>u %</th></tr>"
    return f"<table><thead>{head}</thead><tbody>{rows}</tbody></table><p>{e(p['formula'])}</p>{cumulative}"


def _planning(plan) -> str:
    planning = plan.planning
    if not planning:
        return "<p>Not computed (no partition model).</p>"
    e = html.escape
    rows = "".join(
        f"<tr><th scope='row'>{e(s['label'])}</th>"
        f"<td>{_f(s['tumour_target_Gy'])} ({_source(s['tumour_target_source'])})</td>"
        f"<td>{_source(s['normal_liver_limit'])}</td><td>{_f(s['activity_for_tumour_target_GBq'], 4)}</td>"
        f"<td>{_f(s['activity_at_normal_liver_limit_GBq'], 4)}</td><td>{_f(s['activity_at_lung_limit_GBq'], 4)}</td>"
        f"<td>{_f(s['activity_at_cumulative_lung_limit_GBq'], 4)}</td>"
        f"<td><strong>{_f(s['proposed_activity_GBq'], 4)}</strong></td><td>{e(s['limited_by'] or '—')}</td></tr>"
        for s in planning["microspheres"].values()
    )
    out = f"""<table><thead><tr><th>Microspheres</th><th>Tumour target (Gy)</th><th>Normal-liver limit</th>
<th>A for target (GBq)</th><th>A at normal-liver limit</th><th>A at lung limit</th><th>A at cumulative lung limit</th>
<th>Proposed (GBq)</th><th>Limited by</th></tr></thead><tbody>{rows}</tbody></table>
<p>Lung limits: {_source(planning["lung_limit_per_session"])} per session,
{_source(planning["lung_limit_cumulative"])} cumulative. The proposed activity is the smallest of the activities
in its row: the tumour target's unless a limit allows less.</p>"""
    bsa = planning.get("resin_bsa_method")
    if bsa:
        rule = f"; {e(bsa['lsf_rule'])}" if bsa.get("lsf_rule") else ""
        out += (
            f"<p>Resin BSA method ({e(bsa['formula'])}): BSA {_f(bsa['bsa_m2'])} m², tumour involvement "
            f"{_pct(bsa['tumour_involvement'])} %, {_f(bsa['activity_GBq'], 4)} GBq{rule}"
            f"{' — not treated' if bsa.get('not_treated') else ''}.</p>"
        )
    return out


def sirt_report_html(result) -> str:
    """The whole report of a :class:`~nmguard.outputs.sirt_plan.SirtResult` as an HTML document."""
    e = html.escape
    plan = result.plan
    doc = plan.to_dict()
    o = plan.options
    spheres = o.microspheres or "glass and resin"
    lsf = (
        f"{_pct(plan.lung_shunt_fraction)} % ({e(plan.lsf_source or '')})"
        if plan.lung_shunt_fraction is not None
        else "not computed"
    )
    figures = ""
    if result.masks and plan.dose_Gy is not None and float(plan.dose_Gy.max()) > 0:
        figures += f"<h2>Dose map</h2><figure>{dose_slices_svg(plan.dose_Gy, result.masks, result.spacing_mm)}</figure>"
    if plan.vois:
        curves = {v["name"]: (v["dvh"]["dose_Gy"], v["dvh"]["volume_percent"]) for v in plan.vois}
        figures += f"<h2>Dose-volume histograms</h2><figure>{dvh_svg(curves)}</figure>"
    u = doc["uncertainty"]
    k = doc["gy_kg_per_GBq"]
    counts = doc["counts"]
    warnings = "".join(f"<li>{e(w)}</li>" for w in plan.warnings) or "<li>none</li>"
    body = f"""<h1>Y-90 microsphere plan</h1>
<p>Patient <strong>{e(result.patient_id)}</strong> {e(result.patient_name)} · {_f(o.activity_GBq, 4)} GBq Y-90
({e(spheres)} microspheres) · planned from the {e(str(result.facts.get("mapping_nuclide") or ""))} MAA SPECT
{e(str(result.facts.get("spect_series") or ""))}</p>
<h2>Results per VOI</h2>
<table><thead><tr><th>VOI</th><th>Volume (mL)</th><th>Mass (g)</th><th>Counts (%)</th><th>Mean dose (Gy)</th>
<th>u %</th><th>Gy/GBq</th><th>D98 (Gy)</th><th>D50 (Gy)</th><th>D2 (Gy)</th><th>Max (Gy)</th></tr></thead>
<tbody>{_voi_rows(plan.vois)}</tbody></table>
<p>Mean dose: mass-weighted (energy / mass, the MIRD organ mean) for {_f(o.activity_GBq, 4)} GBq.</p>
<h2>Lung shunt and tumour-to-normal ratio</h2>
<p>Lung shunt fraction: {lsf}. T/N: {_f(plan.tumour_to_normal)}.</p>
<h2>Partition model</h2>{_partition(plan)}
<h2>Planning per microsphere</h2>{_planning(plan)}
{figures}
<h2>Warnings</h2><ul>{warnings}</ul>
<h2>Assumptions</h2><ul>{"".join(f"<li>{e(a)}</li>" for a in doc["assumptions"])}
<li>Counts outside the body: {_pct(counts["outside_body_fraction"])} % of the total, negative values
{_pct(counts["negative_fraction"])} %</li></ul>
<h2>Uncertainty</h2>
<p>Relative standard uncertainties (k = {u["coverage_factor_k"]}), combined in quadrature, of
{e(", ".join(u["included"]))}. Not included: {e(", ".join(u["not_included"]))}.</p>
<h2>Method</h2><ul><li>Absorbed dose: {e(METHOD_NAMES[o.method])}</li>
<li>K = {_f(k["value"], 5)} {e(k["unit"])} ({e(k["formula"])}; {e(", ".join(k["sources"]))})</li></ul>
<h2>Reproducibility</h2><p>Input SHA-256 {e(result.input_digest)}<br>{versions_text(result.versions)}</p>"""
    return html_page(f"SIRT plan — {result.patient_id}", body)
