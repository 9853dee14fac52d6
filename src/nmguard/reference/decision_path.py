"""The reference values that decide something (a band, a limit, a threshold, a deadline), with their status.

A rule that locks a device, refuses a release or reports a medical event is only as good as the number
it compares with. This module lists every such number that the rules read, so that the department can
see which ones are not ``verified`` (read verbatim in the cited source) and check them first. Physical
constants and coefficients that only feed calculations (decay data, kernels, dose coefficients) are not
on this list: they change a reported number, not a decision.

The list is found by walking the loaders' own dataclasses: a :class:`SourcedValue`, an object with
``source`` and ``status`` (a band, a frequency, a reporting step, a release test), or a pair of fields
``<x>_source``/``<x>_status`` is one entry. New fields of those loaders therefore appear without
changing this module. Pure: no Django.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from nmguard.reference.citations import Citation, SourcedValue, Status


@dataclass(frozen=True)
class DecisionValue:
    """One number (or statement) a rule decides with: where it lives, what it decides, its source and status."""

    area: str
    rule: str  # what the value decides
    name: str  # path inside the loader's data, e.g. "am-constancy.action.high"
    value: str  # the value as text, with its unit where it has one
    source: Citation
    status: Status
    note: str | None = None

    @property
    def verified(self) -> bool:
        return self.status == Status.VERIFIED


def _text(value: Any) -> str:
    if isinstance(value, SourcedValue):  # a dimensionless "1" unit is not printed
        return f"{value.value:g} {'' if value.unit == '1' else value.unit}".strip()
    return str(value)


def _describe(obj: Any) -> str:
    """A short value text for an object that carries a source and status (a band, a limit, a step)."""
    if hasattr(obj, "low") and hasattr(obj, "high"):
        low, high = obj.low, obj.high
        unit = getattr(obj, "unit", "")
        return f"{'' if low is None else f'{low:g}'} … {'' if high is None else f'{high:g}'} {unit}".strip()
    if hasattr(obj, "limit_low") and hasattr(obj, "limit_high"):
        low, high = obj.limit_low, obj.limit_high
        return f"{'' if low is None else f'{low:g}'} … {'' if high is None else f'{high:g}'} {obj.unit}".strip()
    for attr in ("deadline", "value", "rule", "action"):
        if hasattr(obj, attr):
            extra = getattr(obj, "deadline_value", None) if attr == "deadline" else None
            return f"{getattr(obj, attr)}{'' if extra is None else f' {extra:g}'}"
    return ""


def _walk(obj: Any, path: str) -> Iterator[tuple[str, str, Citation, Status, str | None]]:
    """(name, value text, source, status, note) for every sourced item inside ``obj``."""
    if isinstance(obj, SourcedValue):
        yield path, _text(obj), obj.source, obj.status, obj.note
        return
    if isinstance(obj, dict):
        for key, item in obj.items():
            yield from _walk(item, f"{path}.{key}" if path else str(key))
        return
    if isinstance(obj, (tuple, list)):
        for i, item in enumerate(obj):
            label = getattr(item, "id", None) or getattr(item, "value", None) or i
            yield from _walk(item, f"{path}[{label}]")
        return
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        return
    fields = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    if isinstance(fields.get("source"), Citation) and isinstance(fields.get("status"), Status):
        yield path, _describe(obj), fields["source"], fields["status"], fields.get("note")
    for name, value in fields.items():
        if name.endswith("_source") and isinstance(value, Citation):
            status = fields.get(name[: -len("_source")] + "_status")
            if isinstance(status, Status):
                stem = name[: -len("_source")]
                shown = next((fields[k] for k in (stem, f"{stem}_note", f"{stem}_citation") if fields.get(k)), None)
                yield f"{path}.{stem}", "" if shown is None else _text(shown), value, status, None
        elif not isinstance(value, (Citation, Status)):
            yield from _walk(value, f"{path}.{name}" if path else name)


def _roots() -> list[tuple[str, str, Callable[[], Iterable[tuple[str, Any]]]]]:
    """(area, what the values decide, loader of (name, data)) for every decision-path data set."""
    from nmguard.reference import (
        administration_plausibility,
        breakthrough,
        breastfeeding,
        earl,
        hotlab_plausibility,
        jurisdictions,
        paediatric_cards,
        patient_release,
        qc_drift_rules,
        qc_tests,
        release_specs,
        shielding,
        therapy_dosimetry,
        waste_rules,
    )

    return [
        (
            "Equipment QC",
            "QC frequency, tolerance and action bands (an action-level result takes the device out of use)",
            lambda: [(t.id, t) for t in qc_tests.qc_tests()],
        ),
        (
            "Equipment QC",
            "QC drift rules (warn while a trend still passes)",
            lambda: [("drift", qc_drift_rules.drift_rules())],
        ),
        (
            "Equipment QC",
            "EARL PET bands (pass or fail of the phantom analysis)",
            lambda: [
                (f"{b.standard}.{b.metric}" + (f".{b.sphere_diameter_mm}mm" if b.sphere_diameter_mm else ""), b)
                for s in earl.STANDARDS
                for b in (*earl.earl_rc_bands(s), earl.suv_calibration_band(s))
            ],
        ),
        (
            "Administrations",
            "Prescription and override plausibility limits",
            lambda: [("administration", administration_plausibility.administration_plausibility())],
        ),
        (
            "Administrations",
            "Jurisdiction profiles: tolerances, medical-event thresholds, reporting deadlines, dose limits",
            lambda: [(p.id, p) for p in jurisdictions.profiles()],
        ),
        (
            "Administrations",
            "Paediatric activities (EANM card and North American consensus: the activity a protocol gives a child)",
            lambda: [
                *((f"eanm.{b.label}", b) for b in paediatric_cards.eanm_weight_bands()),
                *((f"eanm.{b.radiopharmaceutical_id}.{b.indication}", b) for b in paediatric_cards.eanm_baselines()),
                *(
                    (f"na.{e.radiopharmaceutical_id}.{e.indication}", e)
                    for e in paediatric_cards.na_consensus_entries()
                ),
            ],
        ),
        (
            "Administrations",
            "Breast-feeding interruption and instruction thresholds",
            lambda: [(b.applies_to, b) for b in breastfeeding.breastfeeding_entries()],
        ),
        ("Hot lab", "Hot-lab plausibility limits", lambda: [("hotlab", hotlab_plausibility.hotlab_plausibility())]),
        (
            "Hot lab",
            "Generator breakthrough limits (an eluate above the limit is refused)",
            lambda: [(f"{b.profile}.{b.parent}.{b.product}", b) for b in breakthrough.breakthrough_limits()],
        ),
        (
            "Hot lab",
            "Batch release specifications and physical ranges",
            lambda: [
                *((f"{s.product_id}.{s.specification}.{s.test}", s) for s in release_specs.all_release_specs()),
                *((f"range.{k}", r) for k, r in release_specs.physical_ranges().items()),
            ],
        ),
        (
            "Hot lab",
            "Waste decay-in-storage and clearance rules",
            lambda: [(p, waste_rules.waste_rule(p)) for p in waste_rules.PROFILES],
        ),
        (
            "Therapy",
            "Therapy dosimetry: cycle window and time-activity model selection thresholds",
            lambda: [
                ("cycle_window", therapy_dosimetry.cycle_window()),
                ("tia_selection", therapy_dosimetry.tia_selection()),
            ],
        ),
        (
            "Protection",
            "Patient release after therapy: release and instruction criteria, table values, I-131 models",
            lambda: [("release", patient_release.patient_release_data())],
        ),
        (
            "Protection",
            "Shielding design: source terms, transmission fits, design goals",
            lambda: [("shielding", shielding.shielding_data())],
        ),
    ]


@cache
def decision_values() -> tuple[DecisionValue, ...]:
    """Every decision-path value with its source and status (loaded once; the data files are read-only)."""
    out: list[DecisionValue] = []
    for area, rule, load in _roots():
        for root_name, data in load():
            for name, value, source, status, note in _walk(data, root_name):
                out.append(DecisionValue(area, rule, name, value, source, status, note))
    return tuple(out)


def unverified_decision_values() -> tuple[DecisionValue, ...]:
    """The decision-path values whose status is not ``verified`` (derived, secondary or unverified)."""
    return tuple(v for v in decision_values() if not v.verified)
