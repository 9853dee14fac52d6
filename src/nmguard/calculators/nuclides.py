"""Calculators shared by the CLI and the API: text in (as a person types it), a result dict out.

Each returns plain JSON-ready values, including the sources of the reference values used, so the
CLI's ``--json``, its table and the API's response are one computation.
"""

from __future__ import annotations

from typing import Any

from nmguard import input_bounds as bounded
from nmguard.errors import InputError
from nmguard.input_bounds import finite_result
from nmguard.physics.decay import decay_activity
from nmguard.reference import Citation, Nuclide, SourcedValue, get_nuclide


def _citation(c: Citation) -> dict[str, Any]:
    return {"id": c.id, "text": c.text, "url": c.url}


def _sourced(v: SourcedValue) -> dict[str, Any]:
    return {
        "value": v.value,
        "unit": v.unit,
        "uncertainty": v.uncertainty,
        "source": v.source.id,
        "status": v.status.value,
        "note": v.note,
    }


def _nuclide(name: str) -> Nuclide:
    try:
        return get_nuclide(name)
    except InputError as exc:
        raise InputError(exc.message, "nuclide") from None


@finite_result
def nuclide_info(name: str) -> dict[str, Any]:
    """Everything NMGuard holds on one nuclide, each value with its source and status."""
    n = _nuclide(name)
    return {
        "name": n.name,
        "half_life_s": n.half_life_s,
        "half_life_h": n.half_life_s / 3600.0,
        "decay_constant_per_s": n.decay_constant_per_s,
        "decay_modes": [
            {
                "mode": b.mode,
                "fraction": b.fraction,
                "daughter": b.daughter,
                "source": b.source.id,
                "status": b.status.value,
            }
            for b in n.decay_branches
        ],
        "mean_electron_energy_MeV": n.mean_electron_energy.value,
        "mean_photon_energy_MeV": n.mean_photon_energy.value,
        "air_kerma_rate_constant_uGy_m2_per_MBq_h": n.air_kerma_rate_constant.value,
        "photon_lines": [
            {"energy_keV": p.energy_keV, "yield_per_decay": p.yield_per_decay, "kind": p.kind, "source": p.source.id}
            for p in n.photon_lines
        ],
        "values": {
            "half_life": _sourced(n.half_life),
            "mean_electron_energy": _sourced(n.mean_electron_energy),
            "mean_photon_energy": _sourced(n.mean_photon_energy),
            "air_kerma_rate_constant": _sourced(n.air_kerma_rate_constant),
        },
        "sources": [_citation(c) for c in n.sources()],
    }


@finite_result
def decay(nuclide: str, activity: str, start: str, end: str) -> dict[str, Any]:
    """Decay ``activity`` of ``nuclide`` from ``start`` to ``end`` (either direction)."""
    n = _nuclide(nuclide)
    activity_Bq = bounded.parse_activity(activity, "activity", allow_zero=True)
    t0 = bounded.parse_instant(start, "from")
    t1 = bounded.parse_instant(end, "to")
    try:
        result = decay_activity(activity_Bq, n.half_life_s, t0, t1)
    except OverflowError:
        result = None
    if result is None or result.activity_Bq > bounded.QUANTITY_BOUNDS["activity"][1]:
        raise InputError(f"to: decaying {activity} back to {end} gives an activity beyond any real source", "to")
    return {
        "nuclide": n.name,
        "half_life_s": n.half_life_s,
        "half_life_source": n.half_life.source.id,
        "half_life_status": n.half_life.status.value,
        "initial_activity_Bq": activity_Bq,
        "from": t0.isoformat(),
        "to": t1.isoformat(),
        "elapsed_s": result.elapsed_s,
        "decay_factor": result.decay_factor,
        "activity_Bq": result.activity_Bq,
        "activity_MBq": result.activity_Bq / 1e6,
    }
