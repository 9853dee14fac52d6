"""The report of a dosimetry run: one self-contained HTML page (tables, dose-map slices, DVHs, TACs).

Self-contained (figures inline as SVG, no external CSS or scripts) so it can be filed, e-mailed or opened
on an isolated network, and shown inside the web page of the job as it is.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np

from nmguard.physics.display import format_sig
from nmguard.reporting.plots import _svg, dvh_svg, plt

METHOD_NAMES = {
    "ld": "local deposition of the electron energy (photons ignored)",
    "dvk": "dose voxel kernel convolution (electrons and photons in water), scaled by CT density",
    "mc": "electrons deposited locally + Monte Carlo photon transport in the CT density map",
}


def dose_slices_svg(dose_Gy: np.ndarray, masks: dict[str, np.ndarray], spacing_mm: Sequence[float]) -> str:
    """Axial, coronal and sagittal slices through the hottest voxel, with VOI outlines."""
    dose = np.asarray(dose_Gy)
    z, y, x = np.unravel_index(int(np.argmax(dose)), dose.shape)
    dz, dy, dx = spacing_mm
    views = [
        ("Axial", dose[z], [m[z] for m in masks.values()], dy / dx),
        ("Coronal", dose[::-1, y, :], [m[::-1, y, :] for m in masks.values()], dz / dx),
        ("Sagittal", dose[::-1, :, x], [m[::-1, :, x] for m in masks.values()], dz / dy),
    ]
    fig, axes = plt.subplots(1, 3, figsize=(9.0, 3.4))
    vmax = float(dose.max()) or 1.0
    image = None
    for ax, (title, img, outlines, aspect) in zip(axes, views, strict=True):
        image = ax.imshow(img, cmap="inferno", vmin=0, vmax=vmax, aspect=aspect, interpolation="nearest")
        for mask in outlines:
            if mask.any() and not mask.all():
                ax.contour(mask.astype(float), levels=[0.5], colors="cyan", linewidths=0.6)
        ax.set_title(title, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(image, ax=list(axes), shrink=0.8, label="Absorbed dose (Gy)")
    return _svg(fig)


def tac_svg(vois) -> str:
    """Measured VOI time-activity points (MBq) against time (h), log scale."""
    fig, ax = plt.subplots(figsize=(6.0, 3.2))
    for v in vois:
        ax.plot(v.times_h, v.activities_MBq, "o-", linewidth=1.0, markersize=3.5, label=f"{v.name} ({v.tia_model})")
    ax.set_yscale("log")
    ax.set_xlabel("Time after administration (h)")
    ax.set_ylabel("Activity in VOI (MBq)")
    ax.grid(True, linewidth=0.4, alpha=0.5)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _svg(fig)


def _f(x: float | None, digits: int = 3) -> str:
    return "—" if x is None else format_sig(x, digits)


def html_page(title: str, body: str) -> str:
    """A self-contained report page (inline style only: it is shown in a sandboxed frame with a strict CSP)."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:64rem;margin:1rem auto;color:#222}}
table{{border-collapse:collapse;font-size:.9rem}}td,th{{border:1px solid #ccc;padding:.2rem .45rem;text-align:right}}
th[scope=row]{{text-align:left}}figure{{margin:0}}svg{{max-width:100%;height:auto}}</style></head><body>
{body}
</body></html>"""


def versions_text(versions: dict[str, str]) -> str:
    """Software and reference-data versions, escaped, on one line."""
    return ", ".join(f"{html.escape(k)} {html.escape(v)}" for k, v in versions.items())


def report_html(run, masks: dict[str, np.ndarray] | None = None) -> str:
    """The whole report as an HTML document."""
    e = html.escape
    o = run.options
    rows = "".join(
        f"<tr><th scope='row'>{e(v.name)}</th><td>{v.volume_mL:.1f}</td><td>{v.mass_g:.1f}</td>"
        f"<td>{_f(v.tia_MBq_h, 4)}</td><td>{_f(v.tia_uncertainty_percent, 2)}</td><td>{e(v.tia_model)}</td>"
        f"<td><strong>{_f(v.mean_Gy, 3)}</strong></td><td>{_f(v.mean_uncertainty_percent, 2)}</td>"
        f"<td>{_f(v.max_Gy, 3)}</td><td>{_f(v.D2_Gy, 3)}</td><td>{_f(v.D98_Gy, 3)}</td><td>{_f(v.sphere_model_Gy)}</td>"
        f"<td>{_f(v.bed_Gy)}</td></tr>"
        for v in run.vois
    )
    reasons = "".join(
        f"<li><strong>{e(v.name)}</strong> ({e(v.source) or 'VOI'}): {e(v.tia_model)} — {e(v.tia_model_reason)}"
        + "".join(f"<br><em>{e(w)}</em>" for w in v.tia_warnings)
        + (f"<br>voxel TIAs scaled by {v.voxel_scale_factor:.3f} to match the VOI fit" if v.voxel_scale_factor else "")
        + "</li>"
        for v in run.vois
    )
    energy = "".join(
        f"<tr><th scope='row'>{e(k)}</th><td>{format_sig(val, 4)}</td></tr>" for k, val in run.energy.items()
    )
    versions = versions_text(run.versions)
    warnings = "".join(f"<li>{e(w)}</li>" for w in run.warnings) or "<li>none</li>"
    figures = ""
    if masks is not None:
        figures += f"<h2>Dose map</h2><figure>{dose_slices_svg(run.dose_Gy, masks, run.spacing_mm)}</figure>"
    figures += f"<h2>Time-activity</h2><figure>{tac_svg(run.vois)}</figure>"
    figures += "<h2>Dose-volume histograms</h2><figure>" + dvh_svg({v.name: v.dvh for v in run.vois}) + "</figure>"
    mc = (
        f"<li>Monte Carlo: {o.mc_histories:,} photon histories on {e(o.device)}, seed {o.seed}</li>"
        if o.method == "mc"
        else ""
    )
    return html_page(
        f"Dosimetry — {run.patient_id}",
        f"""<h1>Therapy dosimetry report</h1>
<p>Patient <strong>{e(run.patient_id)}</strong> {e(run.patient_name)} · {e(run.nuclide)},
{format_sig(run.injected_activity_MBq, 5)} MBq administered {e(run.injection_time)} ·
time points {", ".join(f"{format_sig(t, 4)} h" for t in run.times_h)}</p>
<h2>Results per VOI</h2>
<table><thead><tr><th>VOI</th><th>Volume (mL)</th><th>Mass (g)</th><th>TIA (MBq·h)</th><th>u(TIA) %</th>
<th>Model</th><th>Mean dose (Gy)</th><th>u %</th><th>Max (Gy)</th><th>D2 (Gy)</th><th>D98 (Gy)</th>
<th>Sphere model (Gy)</th><th>BED (Gy)</th></tr></thead>
<tbody>{rows}</tbody></table>
<p>Uncertainties are relative standard uncertainties (k = 1) of the TIA fit (and the Monte Carlo statistics);
the S-value/kernel, calibration, registration and segmentation uncertainties are not included.
"Sphere model" is the organ-level (MIRD schema) self-dose: the VOI's TIA times the S-value of a sphere
of the VOI's CT mass and density, without cross dose from other VOIs.</p>
{figures}
<h2>Method</h2><ul>
<li>Absorbed dose: {e(METHOD_NAMES[o.method])}</li>{mc}
<li>TIA per VOI: {e(o.tia_model)} (AICc model choice when auto); voxel TIAs: trapezoid + mono-exponential tail
{"scaled to the VOI fits" if o.scale_voxel_tia_to_voi else "not scaled"}</li>
<li>Registration: rigid{" + deformable" if o.deformable_registration else ""}</li></ul>
<h3>Model choice per VOI</h3><ul>{reasons}</ul>
<h2>Energy balance (J)</h2><table><tbody>{energy}</tbody></table>
<h2>Warnings</h2><ul>{warnings}</ul>
<h2>Reproducibility</h2><p>Input SHA-256 {e(run.input_digest)}<br>{versions}</p>""",
    )
