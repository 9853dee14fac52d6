"""NM camera QC from DICOM (NEMA NU 1): uniformity, resolution, linearity, COR, sensitivity, SPECT uniformity."""
