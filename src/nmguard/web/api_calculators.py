"""Calculator endpoints: the same computations as the CLI (:mod:`nmguard.calculators.nuclides`,
:mod:`nmguard.calculators.administration`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router

from nmguard.apps.core.models import Department
from nmguard.calculators import administration as administration_calculators
from nmguard.calculators import nuclides as calculators
from nmguard.web.input_bounds import BoundedSchema

router = Router(tags=["calculators"])


@router.get("/nuclides/{name}")
def nuclide(request: HttpRequest, name: str) -> dict[str, Any]:
    """Half-life, decay modes, energies, photon lines and air-kerma rate constant, with sources."""
    return calculators.nuclide_info(name)


class DecayIn(BoundedSchema):
    nuclide: str = Field(examples=["Tc-99m"])
    activity: str = Field(examples=["740 MBq"])
    start: str = Field(alias="from", examples=["2026-03-02T08:00:00+01:00"])
    end: str = Field(alias="to", examples=["2026-03-02T14:00:00+01:00"])


@router.post("/decay")
def decay(request: HttpRequest, payload: DecayIn) -> dict[str, Any]:
    """Decay an activity between two ISO 8601 instants (with UTC offsets), forwards or backwards."""
    return calculators.decay(payload.nuclide, payload.activity, payload.start, payload.end)


@router.get("/radiopharmaceuticals")
def radiopharmaceuticals(request: HttpRequest) -> dict[str, Any]:
    """The radiopharmaceutical catalogue: id, name, nuclide, route, therapy, aliases, typical activity."""
    return administration_calculators.radiopharmaceuticals()


class EffectiveDoseIn(BoundedSchema):
    radiopharmaceutical: str = Field(examples=["18F-FDG"])
    activity: str = Field(examples=["370 MBq"])
    age: str = Field("adult", examples=["adult", "15", "10", "5", "1"])
    publication: str | None = Field(None, examples=["ICRP 128", "ICRP 80"])


@router.post("/effective-dose")
def effective_dose(request: HttpRequest, payload: EffectiveDoseIn) -> dict[str, Any]:
    """Patient effective dose: coefficient for the age group x administered activity, from the publication
    asked for or else the one the department follows (``edition`` names the publication used)."""
    publication = payload.publication or Department.effective_dose_publication_in_force()
    return administration_calculators.effective_dose(
        payload.radiopharmaceutical, payload.activity, payload.age, publication
    )


class PaediatricActivityIn(BoundedSchema):
    radiopharmaceutical: str = Field(examples=["99mTc-DMSA"])
    weight: float | str = Field(examples=[10])
    card: str = Field("eanm-2016", examples=["eanm-2016", "na-2016"])
    indication: str | None = None


@router.post("/paediatric-activity")
def paediatric_activity(request: HttpRequest, payload: PaediatricActivityIn) -> dict[str, Any]:
    """Paediatric activity from the EANM dosage card 2016 or the North American consensus 2016."""
    return administration_calculators.paediatric_activity(
        payload.radiopharmaceutical, payload.weight, payload.card, payload.indication
    )


class MedicalEventIn(BoundedSchema):
    radiopharmaceutical: str = Field(examples=["18F-FDG"])
    prescribed_activity: str = Field(examples=["370 MBq"])
    administered_activity: str = Field(examples=["481 MBq"])
    profile: str = Field("nrc", examples=["nrc", "euratom", "iaea"])
    administered_radiopharmaceutical: str | None = None
    route: str | None = None
    administered_route: str | None = None
    wrong_patient: bool = False
    age: str = "adult"


@router.post("/medical-event")
def medical_event(request: HttpRequest, payload: MedicalEventIn) -> dict[str, Any]:
    """Deviation, tolerance and the profile's medical-event / unintended-exposure criteria met."""
    return administration_calculators.medical_event(
        payload.radiopharmaceutical,
        payload.prescribed_activity,
        payload.administered_activity,
        payload.profile,
        administered_radiopharmaceutical=payload.administered_radiopharmaceutical,
        route=payload.route,
        administered_route=payload.administered_route,
        wrong_patient=payload.wrong_patient,
        age=payload.age,
    )
