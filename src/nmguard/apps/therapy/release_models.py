"""The release of a patient after a therapy cycle: the assessment, its stored result, and the signed decision.

What the record keeps and why (10 CFR 35.75(c)-(d) and 35.2075):

* 35.2075(a): the *basis* for authorising the release when the dose was computed from the retained activity, an
  occupancy factor below 0.25 at 1 m, a biological or effective half-life, or tissue shielding: ``inputs`` of
  ``result`` (activity and whether it is retained, occupancy, half-life, measured dose rate with its instrument
  and time) and ``result["basis"]`` (rule, citations, statuses of the reference values used).
* 35.2075(b): that instructions were given to a *breast-feeding* patient (``breastfeeding_patient`` and the
  advice in ``result["breastfeeding"]``, signed with the release).
* 35.2075(c): kept 3 years after the release (``retain_until``); NMGuard deletes nothing anyway.

``result`` is :meth:`nmguard.protection.release.ReleaseDecision.as_dict` as computed at the assessment, so the
record shows what was decided then even after the reference data changes. A re-assessment supersedes the
current decision (``superseded_by``, with its ``reason``); nothing is overwritten or deleted.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from nmguard.apps.core.records import AuditedModel


class ReleaseDecision(AuditedModel):
    """One assessment of whether the patient of a therapy cycle may go home; signed by the physician on release."""

    SIGNATURE_EXCLUDED_FIELDS = ("signature_id", "superseded_by_id")

    class Method(models.TextChoices):
        TABLE = "table", "By table (NUREG-1556 Vol. 9 App. U Table U.1)"
        PATIENT_SPECIFIC = "patient-specific", "Patient-specific calculation"

    class Basis(models.TextChoices):
        ACTIVITY = "activity", "Activity in the patient"
        DOSE_RATE = "dose-rate", "Dose rate measured at 1 m"
        UPTAKE = "uptake-model", "I-131 uptake model (RG 8.39 Eq. B-5)"

    class Condition(models.TextChoices):
        NONE = "", "—"
        HYPERTHYROID = "hyperthyroid", "Hyperthyroidism"
        THYROID_CANCER = "thyroid-cancer", "Thyroid cancer (post-thyroidectomy)"

    cycle = models.ForeignKey("therapy.TherapyCycle", on_delete=models.PROTECT, related_name="release_decisions")
    profile = models.CharField(max_length=8, help_text="nrc or iaea: the department's profile at the assessment")
    nuclide = models.CharField(max_length=16)
    radiopharmaceutical = models.CharField(max_length=40, blank=True, help_text="catalogue id (breast-feeding row)")
    activity_Bq = models.FloatField(help_text="activity in the patient on which the decision rests")
    activity_from_administration = models.BooleanField(default=False)
    administered_at = models.DateTimeField(null=True, blank=True)
    retained_activity = models.BooleanField(default=False, help_text="measured/decayed, not the administered")
    method = models.CharField(max_length=20, choices=Method.choices)
    basis = models.CharField(max_length=16, choices=Basis.choices, default=Basis.ACTIVITY)
    condition = models.CharField(max_length=16, choices=Condition.choices, blank=True, default="")
    dose_rate_1m_uSv_h = models.FloatField(null=True, blank=True)
    dose_rate_instrument = models.CharField(max_length=120, blank=True)
    dose_rate_measured_at = models.DateTimeField(null=True, blank=True)
    occupancy = models.FloatField(null=True, blank=True)
    effective_half_life_d = models.FloatField(null=True, blank=True)
    breastfeeding_patient = models.BooleanField(default=False, help_text="10 CFR 35.2075(b)")
    result = models.JSONField(help_text="the pure decision's dict as computed at the assessment")
    releasable = models.BooleanField()
    dose_to_others_mSv = models.FloatField(null=True, blank=True)
    instructions_required = models.BooleanField()
    reason = models.TextField(blank=True, help_text="why this assessment supersedes the earlier one")
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )
    signature = models.ForeignKey("core.Signature", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cycle", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Release decision {self.pk} for cycle {self.cycle_id}"

    @property
    def is_current(self) -> bool:
        return self.superseded_by_id is None

    @property
    def is_released(self) -> bool:
        return self.released_at is not None and self.signature_id is not None

    @property
    def retain_until(self) -> dt.date | None:
        """10 CFR 35.2075(c): three years (``patient_release.toml`` [records]) after the date of release, in the
        department's days (29 February → 28 February)."""
        from nmguard.reference.patient_release import patient_release_data

        if self.released_at is None:
            return None
        years = int(patient_release_data().value("records.retention_years").value)
        day = timezone.localdate(self.released_at)
        try:
            return day.replace(year=day.year + years)
        except ValueError:
            return day.replace(year=day.year + years, day=28)
