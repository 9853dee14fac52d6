"""Reading paceENSDF ``ENSDF_JSON`` decay data sets: intensities per decay of the parent.

Kept apart from the CSV writer so the ENSDF conventions live in one place. ENSDF gives relative
intensities and an N record: photons per 100 parent decays = RI x NR x BR, beta/EC feedings per
100 parent decays = IB x NB x BR. The paceENSDF JSON keeps RI but drops the TI field (total
transition intensity), so a transition given only by TI appears with RI = 0; see
:func:`transition_intensities` for how such transitions are filled in from the level balance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: a level whose own half-life exceeds this is a separate (isomer) decay: its de-excitation is not
#: counted in this data set (e.g. Tc-99m, 142.68 keV, in the Mo-99 data set).
ISOMER_MIN_HALF_LIFE_S = 1.0
SHELLS = ("K", "L", "M", "N", "O", "P", "Q")


@dataclass(frozen=True, eq=False)  # identity hash: used as dict key
class Gamma:
    energy_keV: float
    level_from_keV: float
    level_to_keV: float
    ri: float  # relative photon intensity as in the JSON (0 when ENSDF gives only TI)
    alpha: float  # total conversion coefficient (calculated, else experimental; 0 if none)
    shell_alpha: dict[str, float]  # K, L, M, ... partial coefficients (may be empty)


@dataclass
class DataSet:
    """One ENSDF decay data set (parent ground state -> daughter)."""

    path: Path
    parent: str
    daughter: str
    mode: str
    daughter_z: int
    nr: float
    nb: float
    br: float
    beta_minus: list[tuple[float, float, float]] = field(default_factory=list)  # level, I/100, <E> keV
    beta_plus: list[tuple[float, float, float]] = field(default_factory=list)  # level, I/100, <E> keV
    ec: list[tuple[float, float, dict[str, float]]] = field(default_factory=list)  # level, I, shell fr.
    gammas: list[Gamma] = field(default_factory=list)
    long_lived_levels: set[float] = field(default_factory=set)

    @property
    def photon_factor(self) -> float:
        """RI -> photons per decay of the parent (NR x BR / 100)."""
        return self.nr * self.br / 100.0

    @property
    def lepton_factor(self) -> float:
        """IB -> beta/EC per decay of the parent (NB x BR / 100)."""
        return self.nb * self.br / 100.0


def _num(x: Any) -> float:
    return float(x) if isinstance(x, (int, float)) else 0.0


def _shells(records: list[dict[str, Any]], key_prefix: str) -> dict[str, float]:
    if not records:
        return {}
    rec = records[0]
    out = {s: _num(rec.get(f"{key_prefix}{s}")) for s in SHELLS}
    return {s: v for s, v in out.items() if v > 0}


def load(path: Path) -> DataSet:
    """Parse one ``j_input_*.json`` file."""
    d = json.loads(path.read_text(encoding="utf-8"))
    norm = d["decaySchemeNormalization"][0]["normalizationRecord"][0]
    nr = _num(norm.get("multiplerPhotonIntensity")) if norm.get("recordExistsNR") else 1.0
    br = _num(norm.get("multiplerBranchingRatio")) if norm.get("recordExistsBR") else 1.0
    # ENSDF manual: NB left blank means 1/BR (feedings already per 100 decays of the parent).
    nb = _num(norm.get("multiplerLeptonIntensity")) if norm.get("recordExistsNB") else 1.0 / br
    ds = DataSet(
        path=path,
        parent=str(d["parentID"]),
        daughter=str(d["daughterID"]),
        mode=str(d["decayMode"]),
        daughter_z=int(d["daughterAtomicNumber"]),
        nr=nr or 1.0,
        nb=nb,
        br=br,
    )
    for lev in d["levelScheme"]:
        e_lev = float(lev["levelEnergy"])
        hl = lev.get("isomerDecay") or []
        if e_lev > 0 and hl and _num(hl[0].get("halfLifeConverted")) > ISOMER_MIN_HALF_LIFE_S:
            ds.long_lived_levels.add(e_lev)
        for b in lev.get("betaMinusDecay") or []:
            ds.beta_minus.append((e_lev, _num(b.get("betaMinusIntensity")), _num(b.get("averageBetaMinusEnergy"))))
        for b in lev.get("betaPlusDecay") or []:
            if _num(b.get("betaPlusIntensity")) > 0:
                ds.beta_plus.append((e_lev, _num(b.get("betaPlusIntensity")), _num(b.get("averageBetaPlusEnergy"))))
            if _num(b.get("electronCaptureIntensity")) > 0:
                fr = _shells(
                    b.get("calculatedAtomicShellElectronCaptureFractions") or [],
                    "calculatedElectronCaptureFractionAtomicShell",
                )
                ds.ec.append((e_lev, _num(b.get("electronCaptureIntensity")), fr))
        for g in lev.get("gammaDecay") or []:
            alpha = _num(g.get("calculatedTotalInternalConversionCoefficient")) or _num(
                g.get("experimentalTotalInternalConversionCoefficient")
            )
            ds.gammas.append(
                Gamma(
                    energy_keV=float(g["gammaEnergy"]),
                    level_from_keV=float(g["levelEnergyInitial"]),
                    level_to_keV=float(g["levelEnergyFinal"]),
                    ri=_num(g.get("gammaIntensity")),
                    alpha=alpha,
                    shell_alpha=_shells(
                        g.get("calculatedAtomicShellConversionCoefficients") or [],
                        "calculatedInternalConversionCoefficientAtomicShell",
                    ),
                )
            )
    return ds


def feeding_per_decay(ds: DataSet) -> dict[float, float]:
    """Direct beta/EC feeding of each level, per decay of the parent."""
    out: dict[float, float] = {}
    for lev, i, _ in ds.beta_minus + ds.beta_plus:
        out[lev] = out.get(lev, 0.0) + i * ds.lepton_factor
    for lev, i, _ in ds.ec:
        out[lev] = out.get(lev, 0.0) + i * ds.lepton_factor
    return out


def transition_intensities(ds: DataSet) -> tuple[dict[Gamma, float], list[str]]:
    """Total transition intensity (gamma + CE) per decay of the parent, for each prompt gamma.

    With RI given: TI = RI x NR x BR x (1 + alpha). A transition with RI = 0 (ENSDF gave TI only,
    which the JSON lacks) is filled in from the level balance when it is the only RI-less
    transition out of its level: TI = (feeding + transitions in) - (transitions out with RI).
    Transitions out of long-lived levels (separate isomer decays) are excluded. Returns the
    intensities and notes ``"balanced: ..."`` (filled in) or ``"dropped: ..."`` (left out).
    """
    notes: list[str] = []
    ti: dict[Gamma, float] = {}
    prompt = [g for g in ds.gammas if g.level_from_keV not in ds.long_lived_levels]
    for g in prompt:
        if g.ri > 0:
            ti[g] = g.ri * ds.photon_factor * (1.0 + g.alpha)
    feed = feeding_per_decay(ds)
    missing = [g for g in prompt if g.ri <= 0]
    # highest levels first so that feeding from above is known before a level is balanced
    for g in sorted(missing, key=lambda x: -x.level_from_keV):
        lev = g.level_from_keV
        siblings = [m for m in missing if m.level_from_keV == lev]
        if len(siblings) != 1:
            notes.append(f"dropped: {g.energy_keV:g} keV")
            continue
        inflow = feed.get(lev, 0.0) + sum(v for k, v in ti.items() if abs(k.level_to_keV - lev) < 1e-3)
        outflow = sum(v for k, v in ti.items() if abs(k.level_from_keV - lev) < 1e-3)
        ti[g] = max(inflow - outflow, 0.0)
        notes.append(f"balanced: {g.energy_keV:g} keV TI {ti[g]:.3g}")
    return ti, notes
