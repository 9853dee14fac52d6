"""The radiopharmaceutical catalogue (its dose coefficients and protocols come with later issues)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from nmguard.apps.core.records import AuditedModel
from nmguard.errors import InputError
from nmguard.reference import normalize_nuclide_name


def validate_nuclide(value: str) -> None:
    try:
        canonical = normalize_nuclide_name(value)
    except InputError as exc:
        raise ValidationError(exc.message) from None
    if canonical != value:
        raise ValidationError(f"write the nuclide as {canonical}")


class Radiopharmaceutical(AuditedModel):
    class Route(models.TextChoices):
        IV = "iv", "Intravenous"
        ORAL = "oral", "Oral"
        INHALATION = "inhalation", "Inhalation"
        INTRADERMAL = "intradermal", "Intradermal"
        SUBCUTANEOUS = "subcutaneous", "Subcutaneous"
        INTRA_ARTERIAL = "intra_arterial", "Intra-arterial"

    name = models.CharField(max_length=120, unique=True)
    nuclide = models.CharField(max_length=16, validators=[validate_nuclide])
    route = models.CharField(max_length=20, choices=Route.choices, default=Route.IV)
    is_therapy = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
