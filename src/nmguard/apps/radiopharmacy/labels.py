"""Printable syringe labels (PDF, 100 × 50 mm) from a dispensing record."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from django.utils import timezone  # noqa: E402

from nmguard.physics.units import format_activity  # noqa: E402


def dispensing_label_pdf(d) -> bytes:
    """Patient, product, activity at the stated time, volume, batch, expiry, who dispensed."""
    batch = d.batch
    product = batch.recipe.radiopharmaceutical
    patient = d.prescription.patient if d.prescription else None
    who = (
        (
            f"{patient.family_name.upper()}, {patient.given_name}  ·  {patient.mrn}  ·  "
            f"born {patient.birth_date:%Y-%m-%d}"
        )
        if patient
        else "Not for a named patient"
    )
    lines = [
        who,
        f"{product.name}  ({product.nuclide})",
        f"{format_activity(d.wanted_activity_Bq)} at {timezone.localtime(d.wanted_at):%Y-%m-%d %H:%M %Z}"
        f"  ·  {d.volume_mL:.2f} mL",
        f"Measured {format_activity(d.measured_activity_Bq)} at {timezone.localtime(d.measured_at):%Y-%m-%d %H:%M %Z}"
        f" on {d.activity_meter}",
        f"Batch {batch.number}  ·  expires {timezone.localtime(batch.expires_at):%Y-%m-%d %H:%M %Z}",
        f"Dispensed by {d.dispensed_by or '—'}",
    ]
    fig = plt.figure(figsize=(100 / 25.4, 50 / 25.4))
    fig.text(0.04, 0.9, "RADIOACTIVE ☢", fontsize=9, weight="bold", color="#a4262c")
    for i, text in enumerate(lines):
        fig.text(0.04, 0.76 - i * 0.13, text, fontsize=6.5, weight="bold" if i in (0, 2) else "normal")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="pdf")
    plt.close(fig)
    return buffer.getvalue()
