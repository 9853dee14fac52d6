"""Therapy courses and dosimetry."""
