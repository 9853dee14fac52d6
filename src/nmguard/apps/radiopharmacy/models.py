"""The radiopharmaceutical catalogue (its dose coefficients and protocols come with later issues)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from nmguard.apps.core.records import AuditedModel
from nmguard.errors import InputError
from nmguard.reference import normalize_nuclide_name
from nmguard.reference.radiopharmaceuticals import get_radiopharmaceutical


def validate_nuclide(value: str) -> None:
    try:
        canonical = normalize_nuclide_name(value)
    except InputError as exc:
        raise ValidationError(exc.message) from None
    if canonical != value:
        raise ValidationError(f"write the nuclide as {canonical}")


def validate_catalogue_id(value: str) -> None:
    try:
        found = get_radiopharmaceutical(value)
    except InputError as exc:
        raise ValidationError(exc.message) from None
    if found.id != value:
        raise ValidationError(f"use the catalogue id {found.id}")


class Route(models.TextChoices):
    """Routes of administration (the catalogue's route values; DICOM CID 11 codes map from these)."""

    IV = "iv", "Intravenous"
    ORAL = "oral", "Oral"
    INHALATION = "inhalation", "Inhalation"
    INTRADERMAL = "intradermal", "Intradermal"
    SUBCUTANEOUS = "subcutaneous", "Subcutaneous"
    INTRA_ARTERIAL = "intra_arterial", "Intra-arterial"


class Radiopharmaceutical(AuditedModel):
    """A product the department uses, linked to the reference catalogue (dose coefficients etc.)."""

    Route = Route

    name = models.CharField(max_length=120, unique=True)
    catalogue_id = models.CharField(
        max_length=40,
        blank=True,
        validators=[validate_catalogue_id],
        help_text="Reference catalogue id (e.g. f18-fdg): dose coefficients, paediatric cards, codes",
    )
    nuclide = models.CharField(max_length=16, validators=[validate_nuclide])
    route = models.CharField(max_length=20, choices=Route.choices, default=Route.IV)
    is_therapy = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def reference(self):
        """The reference catalogue entry, or None when the product is not linked."""
        return get_radiopharmaceutical(self.catalogue_id) if self.catalogue_id else None
