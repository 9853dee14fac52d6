"""DICOM network: a storage SCP that keeps every object it receives and routes it to the part of
NMGuard that reads it (dose reports, QC, dosimetry inbox), plus the record of what came in.

``routing`` and ``store`` are plain Python (no Django); ``scp`` holds the pynetdicom application
entity; ``dose_reports`` is the one module that talks to the database.
"""
