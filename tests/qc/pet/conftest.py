import datetime as dt

import pytest

from nmguard.synthetic import pet_phantom as synthetic

SCAN = dt.datetime(2026, 3, 2, 10, 0, 0)
FILL = dt.datetime(2026, 3, 2, 9, 0, 0)


def write(tmp_path, ph, name="series", **kw):
    facts = dict(series_datetime=SCAN, injection_datetime=FILL, injected_activity_Bq=100e6)
    facts.update(kw)
    return synthetic.write_pet_series(ph.volume, ph.spacing_mm, ph.origin_mm, tmp_path / name, **facts)


@pytest.fixture(scope="session")
def earl_pass_dir(tmp_path_factory):
    """2 mm voxels, FWHM 8 mm: inside every EARL 1 band (noise-free)."""
    ph = synthetic.iec_phantom(voxel_mm=2.0, fwhm_mm=8.0, angle_deg=75.0, ring_centre_mm=(4.0, -12.0, 30.0))
    write(tmp_path_factory.mktemp("earl8"), ph)
    return tmp_path_factory.getbasetemp(), ph
