"""Where NMGuard keeps its data: one folder per installation (database, secret key, uploads)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from platformdirs import user_data_dir


def data_dir() -> Path:
    """The data folder: ``NMGUARD_DATA_DIR`` if set, else the per-user data folder."""
    folder = Path(os.environ.get("NMGUARD_DATA_DIR") or user_data_dir("nmguard", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def secret_key(folder: Path) -> str:
    """``NMGUARD_SECRET_KEY`` if set, else a random key kept in the data folder (made once)."""
    if key := os.environ.get("NMGUARD_SECRET_KEY"):
        return key
    path = folder / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()
