"""Is an administration a reportable event under the jurisdiction profile?

US NRC (``event_model = "nrc-35.3045"``), 10 CFR 35.3045(a)(1), read as follows:

(i)  right patient, drug and route: a medical event when the dose DIFFERS from the dose the
     prescribed dosage would have given by more than 0.05 Sv effective (or 0.5 Sv to an organ or
     tissue, or 0.5 Sv shallow dose to the skin) AND the dosage differs by 20 % or more or falls
     outside the prescribed range. Both parts are needed: a 30 % FDG over-dosage (370 -> 481 MBq)
     breaks the 35.63 tolerance but adds only 111 MBq x 0.019 mSv/MBq = 2.1 mSv, so it is not a
     medical event; 7.4 GBq of 131I instead of 5.55 GBq adds 1850 MBq x 430 mGy/MBq = 796 Gy to the
     thyroid, so it is one.
(ii) wrong radioactive drug, wrong route or wrong individual: a medical event only when the DOSE
     FROM that administration EXCEEDS the same thresholds (there is no percentage condition). 370
     MBq FDG to the wrong patient gives 7.0 mSv effective and 48 mGy to the bladder wall: not a
     medical event (it is still an error to record and investigate locally).
(iii) dose to a site other than the treatment site (>= 0.5 Sv and >= 50 % above expected) needs
     site-specific doses that this rule does not have; it is listed as not evaluated.
35.3047: embryo/fetus dose > 50 mSv (unless approved in advance by the AU), nursing child > 50 mSv:
     a separate report with its own steps, evaluated when those doses are given.

Organ absorbed doses (mGy) are taken as equivalent dose (mSv) with w_R = 1 (photons, electrons);
for an alpha emitter this understates the organ dose and a warning says so. Where a dose criterion
needs a coefficient that is not shipped, the evaluation says so (``needs_dose_assessment``) instead
of answering "no".

Other profiles (``unintended-exposure``: IAEA GSR Part 3 para. 3.180, Euratom Art. 63): wrong
individual, wrong radiopharmaceutical, wrong route, a therapy activity differing from the
prescription by the configured percent (over or under), a diagnostic activity above the prescription
by the configured percent, or an inadvertent embryo/fetus exposure make an event. The percent values
are national and ship as unverified placeholders.

Why one module of about 470 lines: the event rules of each jurisdiction profile side by side, so that a reviewer
compares them in one place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from nmguard.errors import InputError
from nmguard.physics.display import format_sig
from nmguard.reference.citations import SourcedValue, Status
from nmguard.reference.dose_coefficients import (
    effective_dose_coefficient_entry,
    normalize_age_group,
    organ_dose_coefficients,
    therapy_organ_doses,
)
from nmguard.reference.jurisdictions import JurisdictionProfile, get_profile
from nmguard.reference.radiopharmaceuticals import get_radiopharmaceutical
from nmguard.rules.tolerance import check_range, check_tolerance

_ALPHA_NUCLIDES = frozenset({"Ra-223", "Ac-225"})


@dataclass(frozen=True)
class Criterion:
    id: str
    description: str
    citation: str
    source: str
    status: str
    value: float | None = None
    threshold: float | None = None
    unit: str | None = None


@dataclass(frozen=True)
class DueStep:
    id: str
    action: str
    citation: str
    deadline: str
    due: dt.datetime | None
    source: str
    status: str


@dataclass(frozen=True)
class OrganDoseEstimate:
    organ: str
    mGy_per_MBq: float
    source: str
    status: str


@dataclass(frozen=True)
class MedicalEventEvaluation:
    profile_id: str
    event_term: str
    medical_event: bool
    criteria: tuple[Criterion, ...]  # the criteria met, each with its citation
    not_evaluated: tuple[str, ...]
    needs_dose_assessment: bool
    deviation_percent: float
    tolerance_percent: float
    outside_tolerance: bool
    outside_prescribed_range: bool
    wrong_radiopharmaceutical: bool
    wrong_route: bool
    wrong_individual: bool
    therapy: bool
    age_group: str
    effective_dose_mSv: float | None
    effective_dose_difference_mSv: float | None
    organ_dose_difference_mGy: float | None
    organ: str | None
    reporting_steps: tuple[DueStep, ...]
    inputs: dict
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        out = asdict(self)
        for step in out["reporting_steps"]:
            if step["due"] is not None:
                step["due"] = step["due"].isoformat()
        out["warnings"] = list(self.warnings)
        return out


def _norm_route(route: str | None) -> str | None:
    if route is None or not str(route).strip():
        return None
    return str(route).strip().lower().replace("-", "_").replace(" ", "_").replace("intravenous", "iv")


def _criterion(
    cid: str,
    description: str,
    sv: SourcedValue | None,
    citation: str,
    value: float | None = None,
    threshold: float | None = None,
    unit: str | None = None,
) -> Criterion:
    return Criterion(
        cid, description, citation, sv.source.id if sv else "", sv.status.value if sv else "", value, threshold, unit
    )


def _organ_coefficients(rp_id: str, age: str, therapy: bool) -> list[OrganDoseEstimate]:
    """Organ mGy/MBq for the age group: reference organ coefficients, and for therapy products the
    largest published label/literature value per organ (conservative)."""
    out = [
        OrganDoseEstimate(r.organ, r.coefficient.value, r.coefficient.source.id, r.coefficient.status.value)
        for r in organ_dose_coefficients(rp_id, age)
    ]
    if therapy and age == "adult":
        best: dict[str, OrganDoseEstimate] = {}
        for t in therapy_organ_doses(rp_id):
            v = t.maximum_Gy_per_GBq or t.dose_per_activity.value
            if t.organ not in best or v > best[t.organ].mGy_per_MBq:
                best[t.organ] = OrganDoseEstimate(
                    t.organ, v, t.dose_per_activity.source.id, t.dose_per_activity.status.value
                )
        out += best.values()
    return out


def _effective_coefficient(rp_id: str, age: str):
    try:
        return effective_dose_coefficient_entry(rp_id, age).coefficient
    except InputError:
        return None


def evaluate_administration(
    profile: str | JurisdictionProfile,
    *,
    prescribed_rp: str,
    administered_rp: str,
    prescribed_activity_Bq: float,
    administered_activity_Bq: float,
    prescribed_route: str | None = None,
    administered_route: str | None = None,
    right_patient: bool = True,
    age_group: str = "adult",
    prescribed_range: tuple[float, float] | None = None,
    embryo_fetus_dose_mSv: float | None = None,
    embryo_fetus_dose_approved: bool = False,
    nursing_child_dose_mSv: float | None = None,
    embryo_fetus_exposed: bool = False,
    discovered_at: dt.datetime | None = None,
) -> MedicalEventEvaluation:
    prof = get_profile(profile)
    presc = get_radiopharmaceutical(prescribed_rp)
    given = get_radiopharmaceutical(administered_rp)
    age = normalize_age_group(age_group)
    therapy = presc.therapy or given.therapy
    tol = check_tolerance(
        prof,
        prescribed_activity_Bq,
        administered_activity_Bq,
        therapy=therapy,
        prescribed_range=check_range(prescribed_range),
    )
    a_presc = float(prescribed_activity_Bq) / 1e6  # MBq
    a_given = float(administered_activity_Bq) / 1e6
    wrong_rp = presc.id != given.id
    r_presc = _norm_route(prescribed_route) or presc.route
    r_given = _norm_route(administered_route) or r_presc
    wrong_route = r_presc != r_given
    wrong_individual = not bool(right_patient)
    warnings = list(tol.warnings)
    not_evaluated: list[str] = []
    if given.nuclide in _ALPHA_NUCLIDES:
        warnings.append(
            f"{given.nuclide} is an alpha emitter: organ mGy are not weighted (w_R = 20); "
            "a physicist must assess organ equivalent doses"
        )
    if wrong_route:
        warnings.append(
            f"dose coefficients are for the catalogue route ({given.route}); the dose by route "
            f"{r_given} needs a physicist's assessment"
        )

    # Doses: administered, and what the prescribed administration would have given.
    e_given_c = _effective_coefficient(given.id, age)
    e_presc_c = _effective_coefficient(presc.id, age)
    e_given = None if e_given_c is None else e_given_c.value * a_given
    e_presc = None if e_presc_c is None else e_presc_c.value * a_presc
    organs_given = {o.organ: o for o in _organ_coefficients(given.id, age, given.therapy)}
    for src in (e_given_c, e_presc_c):
        if src is not None and src.status is not Status.VERIFIED:
            warnings.append(f"effective-dose coefficient status {src.status.value} ({src.source.id})")
    for o in organs_given.values():
        if o.status != Status.VERIFIED.value:
            warnings.append(f"organ coefficient for {o.organ} has status {o.status} ({o.source})")

    if wrong_rp or wrong_individual or wrong_route:
        # (ii): the whole dose from the wrong administration counts
        e_diff = e_given
        organ_diffs = {k: o.mGy_per_MBq * a_given for k, o in organs_given.items()}
    else:
        e_diff = None if e_given is None or e_presc is None else abs(e_given - e_presc)
        organ_diffs = {k: o.mGy_per_MBq * abs(a_given - a_presc) for k, o in organs_given.items()}
    organ, organ_diff = max(organ_diffs.items(), key=lambda kv: kv[1]) if organ_diffs else (None, None)

    met: list[Criterion] = []
    needs_assessment = False
    if prof.event_model == "nrc-35.3045":
        needs_assessment = _nrc(
            prof, met, not_evaluated, tol, wrong_rp, wrong_route, wrong_individual, e_diff, organ_diffs
        )
        _nrc_3047(prof, met, embryo_fetus_dose_mSv, embryo_fetus_dose_approved, nursing_child_dose_mSv)
    else:
        _unintended(prof, met, tol, therapy, wrong_rp, wrong_route, wrong_individual, embryo_fetus_exposed)
        warnings.append(
            f"{prof.id}: event thresholds are national; the shipped values are placeholders "
            "(status unverified) until configured"
        )
    event = any(c.id != "nrc-35.3047" for c in met)
    fetal = any(c.id == "nrc-35.3047" for c in met)
    steps = []
    for s in prof.reporting_steps:
        if (s.applies_to == "event" and event) or (s.applies_to == "embryo-fetus-nursing-child" and fetal):
            steps.append(
                DueStep(
                    s.id,
                    s.action,
                    s.citation,
                    s.deadline_text,
                    s.due(discovered_at) if discovered_at is not None else None,
                    s.source.id,
                    s.status.value,
                )
            )
    if needs_assessment:
        warnings.append(
            "a dose criterion could not be evaluated from shipped coefficients: a physicist must "
            "assess the dose before this is closed"
        )
    return MedicalEventEvaluation(
        profile_id=prof.id,
        event_term=prof.event_term,
        medical_event=event or fetal,
        criteria=tuple(met),
        not_evaluated=tuple(not_evaluated),
        needs_dose_assessment=needs_assessment,
        deviation_percent=tol.deviation_percent,
        tolerance_percent=tol.tolerance_percent,
        outside_tolerance=not tol.within_tolerance,
        outside_prescribed_range=tol.outside_prescribed_range,
        wrong_radiopharmaceutical=wrong_rp,
        wrong_route=wrong_route,
        wrong_individual=wrong_individual,
        therapy=therapy,
        age_group=age,
        effective_dose_mSv=e_given,
        effective_dose_difference_mSv=e_diff,
        organ_dose_difference_mGy=organ_diff,
        organ=organ,
        reporting_steps=tuple(steps),
        inputs=dict(
            prescribed_rp=presc.id,
            administered_rp=given.id,
            prescribed_activity_Bq=float(prescribed_activity_Bq),
            administered_activity_Bq=float(administered_activity_Bq),
            prescribed_route=r_presc,
            administered_route=r_given,
            right_patient=bool(right_patient),
            age_group=age,
            prescribed_range=None if prescribed_range is None else list(prescribed_range),
        ),
        warnings=tuple(dict.fromkeys(warnings)),
    )


def _dose_criteria(prof, met, not_evaluated, e_diff, organ_diffs, label: str, citation: str) -> tuple[bool, bool]:
    """Checks the 0.05 Sv effective / 0.5 Sv organ thresholds; returns (any met, could not evaluate)."""
    e_thr = prof.threshold("effective_dose_Sv")
    o_thr = prof.threshold("organ_dose_Sv")
    hit = False
    unknown = False
    if e_diff is None:
        not_evaluated.append(f"{label}: effective dose (no coefficient shipped)")
        unknown = True
    elif e_diff > e_thr.value * 1000.0:
        hit = True
        met.append(
            _criterion(
                "effective-dose",
                f"{label}: effective dose {format_sig(e_diff, 4)} mSv exceeds {e_thr.value * 1000:g} mSv",
                e_thr,
                citation,
                e_diff,
                e_thr.value * 1000,
                "mSv",
            )
        )
    if not organ_diffs:
        not_evaluated.append(f"{label}: organ dose (no organ coefficient shipped)")
        unknown = True
    for organ_name, d in organ_diffs.items():
        if d > o_thr.value * 1000.0:
            hit = True
            met.append(
                _criterion(
                    f"organ-dose:{organ_name}",
                    f"{label}: {organ_name} dose {format_sig(d, 4)} mGy exceeds {o_thr.value * 1000:g} mSv",
                    o_thr,
                    citation,
                    d,
                    o_thr.value * 1000,
                    "mGy",
                )
            )
    not_evaluated.append(f"{label}: shallow dose to the skin (no skin coefficients shipped)")
    return hit, unknown and not hit


def _nrc(prof, met, not_evaluated, tol, wrong_rp, wrong_route, wrong_individual, e_diff, organ_diffs) -> bool:
    if wrong_rp or wrong_route or wrong_individual:
        reasons = [
            n
            for n, f in (
                ("wrong radioactive drug", wrong_rp),
                ("wrong route", wrong_route),
                ("wrong individual", wrong_individual),
            )
            if f
        ]
        label = " / ".join(reasons)
        hit, unknown = _dose_criteria(prof, met, not_evaluated, e_diff, organ_diffs, label, "10 CFR 35.3045(a)(1)(ii)")
        if hit:
            thr = prof.threshold("effective_dose_Sv")
            for flag, cid, text, para in (
                (wrong_rp, "wrong-radiopharmaceutical", "wrong radioactive drug", "(A)"),
                (wrong_route, "wrong-route", "wrong route of administration", "(B)"),
                (wrong_individual, "wrong-individual", "wrong individual", "(C)"),
            ):
                if flag:
                    met.append(_criterion(cid, text, thr, f"10 CFR 35.3045(a)(1)(ii){para}"))
        not_evaluated.append("35.3045(a)(1)(iii): dose to sites other than the treatment site")
        return unknown
    # (i): the dose part AND the dosage part
    d_thr = prof.threshold("dosage_difference_percent")
    dosage_part = abs(tol.deviation_percent) >= d_thr.value - 1e-9 or tol.outside_prescribed_range
    scratch: list = []
    scratch_ne: list = []
    hit, unknown = _dose_criteria(
        prof, scratch, scratch_ne, e_diff, organ_diffs, "dose difference", "10 CFR 35.3045(a)(1)(i)"
    )
    if dosage_part:
        not_evaluated.extend(scratch_ne)
        if hit:
            met.extend(scratch)
            text = f"dosage differs from the prescription by {tol.deviation_percent:+.1f} % (>= {d_thr.value:g} %)"
            if tol.outside_prescribed_range:
                text = "dosage outside the prescribed range"
            met.append(
                _criterion(
                    "dosage-difference",
                    text,
                    d_thr,
                    "10 CFR 35.3045(a)(1)(i)(B)",
                    tol.deviation_percent,
                    d_thr.value,
                    "%",
                )
            )
    not_evaluated.append("35.3045(a)(1)(iii): dose to sites other than the treatment site")
    return unknown and dosage_part


def _nrc_3047(prof, met, fetus_mSv, approved, child_mSv) -> None:
    for value, name, key in (
        (fetus_mSv, "embryo/fetus", "embryo_fetus_Sv"),
        (child_mSv, "nursing child", "nursing_child_Sv"),
    ):
        if value is None:
            continue
        if value < 0:
            raise InputError(f"the {name} dose cannot be negative", field=key)
        thr = prof.threshold(key)
        if value > thr.value * 1000.0 and not (name == "embryo/fetus" and approved):
            met.append(
                _criterion(
                    "nrc-35.3047",
                    f"{name} dose {format_sig(value, 4)} mSv exceeds {thr.value * 1000:g} mSv",
                    thr,
                    "10 CFR 35.3047",
                    value,
                    thr.value * 1000.0,
                    "mSv",
                )
            )


def _unintended(prof, met, tol, therapy, wrong_rp, wrong_route, wrong_individual, fetus) -> None:
    for flag, key, text in (
        (wrong_individual, "wrong_individual", "wrong individual"),
        (wrong_rp, "wrong_radiopharmaceutical", "wrong radiopharmaceutical"),
        (wrong_route, "wrong_route", "wrong route"),
        (fetus, "embryo_fetus", "inadvertent exposure of the embryo or fetus"),
    ):
        thr = prof.thresholds.get(key)
        if flag and thr is not None and thr.value:
            met.append(_criterion(key.replace("_", "-"), text, thr, thr.note or prof.name))
    if therapy:
        thr = prof.threshold("therapy_deviation_percent")
        if abs(tol.deviation_percent) >= thr.value - 1e-9:
            met.append(
                _criterion(
                    "activity-deviation",
                    f"therapy activity differs by {tol.deviation_percent:+.1f} % (configured {thr.value:g} %)",
                    thr,
                    thr.note or prof.name,
                    tol.deviation_percent,
                    thr.value,
                    "%",
                )
            )
    else:
        thr = prof.threshold("diagnostic_excess_percent")
        if tol.deviation_percent >= thr.value - 1e-9:
            met.append(
                _criterion(
                    "activity-excess",
                    f"diagnostic activity {tol.deviation_percent:+.1f} % above the "
                    f"prescription (configured {thr.value:g} %)",
                    thr,
                    thr.note or prof.name,
                    tol.deviation_percent,
                    thr.value,
                    "%",
                )
            )
