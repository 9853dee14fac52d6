"""Patients and administrations: worklist, safety checks, patient dose."""
