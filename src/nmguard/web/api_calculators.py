"""Calculator endpoints: the same computations as the CLI (:mod:`nmguard.calculators`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from nmguard import calculators

router = Router(tags=["calculators"])


@router.get("/nuclides/{name}")
def nuclide(request: HttpRequest, name: str) -> dict[str, Any]:
    """Half-life, decay modes, energies, photon lines and air-kerma rate constant, with sources."""
    return calculators.nuclide_info(name)


class DecayIn(Schema):
    nuclide: str = Field(examples=["Tc-99m"])
    activity: str = Field(examples=["740 MBq"])
    start: str = Field(alias="from", examples=["2026-03-02T08:00:00+01:00"])
    end: str = Field(alias="to", examples=["2026-03-02T14:00:00+01:00"])


@router.post("/decay")
def decay(request: HttpRequest, payload: DecayIn) -> dict[str, Any]:
    """Decay an activity between two ISO 8601 instants (with UTC offsets), forwards or backwards."""
    return calculators.decay(payload.nuclide, payload.activity, payload.start, payload.end)
