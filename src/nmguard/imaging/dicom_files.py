"""Opening and writing single DICOM files.

Writing: a temporary file, then a rename, so that a reader never sees half a file. Opening: an
error a person can act on. pydicom's own words ("File is missing DICOM File Meta Information header
… Use force=True to force reading") reached pages and the CLI; every reader of a single file opens
it with :func:`read_dicom`, whose message says which file, what is wrong and what to do.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

from nmguard.errors import InputError


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


def read_dicom(path: str | os.PathLike, *, field: str = "file", what: str = "DICOM file", **options) -> Dataset:
    """``pydicom.dcmread(path, **options)``; an :class:`InputError` on ``field`` if it is not a readable DICOM file."""
    name = Path(path).name
    if not Path(path).is_file():
        raise InputError(f"{what} not found: {path}", field)
    try:
        return pydicom.dcmread(path, **options)
    except InvalidDicomError:
        raise InputError(
            f"{name} is not a DICOM file (it has no DICOM header): give the {what} as exported from the "
            "camera, the workstation or the PACS in DICOM format",
            field,
        ) from None
    except (OSError, EOFError, ValueError, KeyError, IndexError, TypeError):
        raise InputError(f"{name} is a damaged or incomplete DICOM file: export the {what} again", field) from None
