"""Curated, versioned reference data with a citation and a status code per value.

Pure Python (no Django). Data files live in ``nmguard/reference/data/`` and are loaded lazily and
cached. See ``data/MANIFEST.toml`` for the data version and changelog.
"""

from nmguard.errors import InputError, UnknownNuclideError
from nmguard.reference.air_kerma import air_kerma_rate_constant, mu_en_over_rho_air
from nmguard.reference.breastfeeding import BreastfeedingAdvice, breastfeeding_advice
from nmguard.reference.citations import Citation, SourcedValue, Status
from nmguard.reference.dose_coefficients import (
    EffectiveDoseCoefficient,
    OrganDoseCoefficient,
    TherapyOrganDose,
    effective_dose_coefficient,
    effective_dose_coefficients,
    organ_dose_coefficients,
    therapy_organ_doses,
)
from nmguard.reference.jurisdictions import JurisdictionProfile, ReportingStep, get_profile, profiles
from nmguard.reference.manifest import changelog, data_version
from nmguard.reference.nuclides import (
    DecayBranch,
    Nuclide,
    PhotonLine,
    all_nuclides,
    get_nuclide,
    normalize_nuclide_name,
)
from nmguard.reference.paediatric_cards import (
    EanmBaseline,
    EanmWeightBand,
    NaConsensusEntry,
    eanm_band_for,
    eanm_baseline,
    eanm_weight_bands,
    na_consensus_entry,
)
from nmguard.reference.radiopharmaceuticals import (
    Radiopharmaceutical,
    all_radiopharmaceuticals,
    get_radiopharmaceutical,
)

__all__ = [
    "BreastfeedingAdvice",
    "breastfeeding_advice",
    "EffectiveDoseCoefficient",
    "OrganDoseCoefficient",
    "TherapyOrganDose",
    "effective_dose_coefficient",
    "effective_dose_coefficients",
    "organ_dose_coefficients",
    "therapy_organ_doses",
    "JurisdictionProfile",
    "ReportingStep",
    "get_profile",
    "profiles",
    "EanmBaseline",
    "EanmWeightBand",
    "NaConsensusEntry",
    "eanm_band_for",
    "eanm_baseline",
    "eanm_weight_bands",
    "na_consensus_entry",
    "Radiopharmaceutical",
    "all_radiopharmaceuticals",
    "get_radiopharmaceutical",
    "Citation",
    "DecayBranch",
    "InputError",
    "Nuclide",
    "PhotonLine",
    "SourcedValue",
    "Status",
    "UnknownNuclideError",
    "air_kerma_rate_constant",
    "all_nuclides",
    "changelog",
    "data_version",
    "get_nuclide",
    "mu_en_over_rho_air",
    "normalize_nuclide_name",
]
