"""Backup and restore of an NMGuard installation: its database and its data folder, in one checked archive.

``archive``, ``state``, ``sqlite_db``, ``postgres`` and ``swap`` are plain Python (no Django); ``service``
wires them to the configured database and the audit verification.
"""
