"""Curated, versioned reference data with a citation and a status code per value.

Pure Python (no Django). Data files live in ``nmguard/reference/data/`` and are loaded lazily and
cached. See ``data/MANIFEST.toml`` for the data version and changelog.
"""

from nmguard.errors import InputError, UnknownNuclideError
from nmguard.reference.air_kerma import air_kerma_rate_constant, mu_en_over_rho_air
from nmguard.reference.citations import Citation, SourcedValue, Status
from nmguard.reference.manifest import changelog, data_version
from nmguard.reference.nuclides import (
    DecayBranch,
    Nuclide,
    PhotonLine,
    all_nuclides,
    get_nuclide,
    normalize_nuclide_name,
)

__all__ = [
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
