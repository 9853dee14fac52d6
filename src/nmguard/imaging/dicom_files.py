"""Writing DICOM files so that a reader never sees half a file: a temporary file, then a rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pydicom.dataset import Dataset


def save_atomically(ds: Dataset, path: str | os.PathLike, prefix: str = ".dicom-") -> Path:
    """Save ``ds`` (DICOM file format enforced) at ``path`` via a temporary file in the same folder."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".dcm", dir=target.parent)
    os.close(fd)
    try:
        ds.save_as(tmp, enforce_file_format=True)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
