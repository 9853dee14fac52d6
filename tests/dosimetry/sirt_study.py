"""A small synthetic Tc-99m MAA SPECT/CT (liver with a lesion, lungs, body) for the SIRT tests.

The phantom of :mod:`nmguard.synthetic.patient` with one time point, no blur (so the counts in each
region are known exactly) and an RTSTRUCT. The NM header's RadionuclideTotalDose is written in MBq, as the
NM IOD defines it (PS3.3 C.8.4.10.1.7), whatever the shared writer does; the SIRT plan uses only relative
counts, so the value does not change any SIRT number.
"""

from __future__ import annotations

from pathlib import Path

import pydicom

from nmguard.synthetic.patient import SyntheticTruth, write_synthetic_study

MAA_MBQ = 150.0


def write_maa_study(folder: Path, *, shape=(24, 40, 40), voxel_mm: float = 6.0) -> SyntheticTruth:
    truth = write_synthetic_study(
        folder,
        nuclide="Tc-99m",
        injected_MBq=MAA_MBQ,
        times_h=(1.0,),
        shape=shape,
        voxel_mm=voxel_mm,
        spect_fwhm_mm=0.0,
        write_seg=False,
    )
    for path in truth.files["spect"]:
        ds = pydicom.dcmread(path)
        for item in ds.get("RadiopharmaceuticalInformationSequence") or []:
            item.RadionuclideTotalDose = MAA_MBQ
        ds.save_as(path)
    return truth
