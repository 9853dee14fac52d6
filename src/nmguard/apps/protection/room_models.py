"""Shielding design records: rooms, their workload and the points of interest behind each barrier.

Only the inputs are stored; the results (weekly dose, transmission, thicknesses) are computed when shown by
:mod:`nmguard.apps.protection.shielding_results` from the pure :mod:`nmguard.protection.shielding`, so a
reference-data update or a change of the department's profile shows at once (docs/shielding.md).
"""

from __future__ import annotations

from django.db import models

from nmguard.apps.core.records import AuditedModel


class ShieldingRoom(AuditedModel):
    """A room whose patients (or vials) are the source, with its weekly workload."""

    class Kind(models.TextChoices):
        PET_UPTAKE = "pet_uptake", "PET uptake room"
        PET_IMAGING = "pet_imaging", "PET imaging room"
        SPECT = "spect", "SPECT / gamma camera room"
        HOT_LAB = "hot_lab", "Hot lab"
        THERAPY = "therapy", "Therapy patient room"

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    nuclide = models.CharField(max_length=16, help_text="PET rooms: F-18 (TG-108)")
    activity_MBq = models.FloatField(help_text="Per patient (PET: administered) or per source handled")
    per_week = models.PositiveIntegerField(help_text="Patients (or sources handled) a week in this room")
    uptake_min = models.FloatField(null=True, blank=True, help_text="PET: uptake time from injection")
    imaging_min = models.FloatField(null=True, blank=True, help_text="PET imaging room: scan time")
    voiding = models.BooleanField(default=True, help_text="PET imaging room: the patient voids before the scan")
    stay_min = models.FloatField(null=True, blank=True, help_text="SPECT, hot lab, therapy: minutes per source")
    delay_min = models.FloatField(default=0.0, help_text="SPECT, hot lab, therapy: minutes before the stay")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_pet(self) -> bool:
        return self.kind in (self.Kind.PET_UPTAKE, self.Kind.PET_IMAGING)


class PointOfInterest(AuditedModel):
    """A place behind a barrier of ``room`` (optionally also reached by one other room's source: TG-108 sums)."""

    class Area(models.TextChoices):
        CONTROLLED = "controlled", "Controlled"
        UNCONTROLLED = "uncontrolled", "Uncontrolled"

    class Material(models.TextChoices):
        NONE = "", "None entered"
        LEAD = "lead", "Lead"
        CONCRETE = "concrete", "Concrete"
        IRON = "iron", "Iron / steel"

    room = models.ForeignKey(ShieldingRoom, on_delete=models.PROTECT, related_name="points")
    barrier = models.CharField(max_length=60, help_text="e.g. wall N, door, floor, ceiling")
    location = models.CharField(max_length=120, help_text="What lies beyond the barrier (e.g. office, corridor)")
    distance_m = models.FloatField(help_text="Source position to the point, metres")
    occupancy_choice = models.CharField(max_length=32, help_text="A key of the suggested factors, or 'other'")
    occupancy = models.FloatField(help_text="Occupancy factor T used (0 < T <= 1)")
    area = models.CharField(max_length=16, choices=Area.choices)
    material = models.CharField(max_length=16, choices=Material.choices, blank=True, default="")
    thickness_mm = models.FloatField(null=True, blank=True, help_text="Existing barrier thickness")
    other_room = models.ForeignKey(
        ShieldingRoom, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Also reaches it"
    )
    other_distance_m = models.FloatField(null=True, blank=True, help_text="Other room's source to the point")

    class Meta:
        ordering = ["room", "barrier", "location"]
        constraints = [
            models.UniqueConstraint(fields=["room", "barrier", "location"], name="protection_point_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.room.name}: {self.barrier} ({self.location})"
