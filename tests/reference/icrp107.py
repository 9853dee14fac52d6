"""ICRP-107 numbers used ONLY as an independent cross-check (never shipped).

Source: REFERENCE_DATA.md section 6.1, "ICRP-107 (Endo & Eckerman 2008) index data"
(ICRP Publication 107, Ann. ICRP 38(3), 2008; ICRP-07.NDX as shipped in the Python package
decaychain 0.7.1). Columns: E_e (MeV per decay), E_gamma (MeV per decay), air-kerma coefficient
converted to uGy m2 MBq-1 h-1. ICRP-107 data are licensed for non-commercial use only: they stay
in the tests.
"""

# nuclide: (E_e MeV, E_gamma MeV, air-kerma uGy m2 MBq-1 h-1 or None)
ICRP107 = {
    "Tc-99m": (0.01618, 0.12659, 0.0184),
    "F-18": (0.24160, 0.98858, 0.135),
    "I-131": (0.19184, 0.38275, 0.0523),
    "Lu-177": (0.14792, 0.03509, 0.00475),
    "Ga-68": (0.73794, 0.94869, 0.129),
    "Y-90": (0.93310, 0.00000, 6.0e-6),
    "I-123": (0.02818, 0.17303, 0.0387),
    "In-111": (0.03481, 0.40611, 0.0769),
    "Tl-201": (0.04469, 0.09381, 0.0415),
    "Ra-223": (0.07809, 0.14126, 0.0473),
    "Ga-67": (0.03633, 0.15954, 0.0190),
    "Sm-153": (0.26987, 0.06425, 0.0112),
    "Sr-89": (0.58453, 0.00008, 1.14e-5),
    "I-125": (0.01923, 0.04283, 0.0355),
    "Rb-82": (1.41123, 1.10830, 0.154),
    "N-13": (0.49085, 1.01999, 0.139),
    "O-15": (0.73468, 1.02098, 0.139),
    "C-11": (0.38472, 1.01961, 0.139),
    "Mo-99": (0.39288, 0.14841, 0.0216),
    "Cu-64": (0.12475, 0.18548, 0.0250),
    "Zr-89": (0.10194, 1.15808, 0.195),
    "Ac-225": (0.02476, 0.01708, 0.0244),
    "Cr-51": (0.00382, 0.03289, 0.00422),
    "P-32": (0.69477, 0.0, 0.0),
}

# L X-rays at or above 10 keV (the air-kerma cut-off), photons per decay: the sum over the X lines between the
# L1 edge region and 10 keV of the ICRP-107 emission lists as packaged in JSON by the OpenGATE Python package
# icrp107-database 0.0.3 (icrp107/<nuclide>.json, emissions "X"), the repackaging REFERENCE_DATA 6.3 cites
# (status S there). Summed by us (DERIVED); tests only, as above.
ICRP107_L_XRAYS_ABOVE_10_KEV = {
    "Tl-201": 0.21319,  # Hg, all X lines 10-15.5 keV
    "Lu-177": 0.0023917,  # Hf, 10-11.5 keV
    "Re-188": 0.01769,  # Os, 10-13.5 keV
    "W-188": 0.00061814,  # Re, 10-13 keV
}
