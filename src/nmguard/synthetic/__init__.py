"""Synthetic data with known truth, written as real DICOM: a patient SPECT/CT series, NM QC images, a PET phantom.

Used by the demo department, the tests and the benchmarks, so each writer lives here once.
"""
