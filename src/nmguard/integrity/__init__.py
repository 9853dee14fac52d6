"""Integrity primitives (pure Python): canonical JSON, record hashes and the audit hash chain."""
