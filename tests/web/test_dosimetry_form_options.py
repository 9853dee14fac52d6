"""The dosimetry run form offers every TIA model the pipeline has (bi_clearance and the single-time-point
methods included) and the --nuclide and --injection-time stand-ins, refusing bad ones next to the field."""

from __future__ import annotations

import pytest

from nmguard.apps.therapy.forms import DosimetryJobForm
from nmguard.dosimetry.run_options import SINGLE_POINT_MODELS
from nmguard.dosimetry.tia import MODELS

pytestmark = pytest.mark.django_db

BASE = {"title": "t", "method": "ld", "device": "cpu", "tia_model": "auto", "mc_histories": 1000, "seed": 0}


def _form(**data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return DosimetryJobForm({**BASE, **data}, {"study_zip": SimpleUploadedFile("s.zip", b"PK")})


def test_every_tia_model_is_offered():
    offered = {value for value, _ in DosimetryJobForm().fields["tia_model"].choices}
    assert offered == set(MODELS) | set(SINGLE_POINT_MODELS)


def test_nuclide_and_injection_time_reach_the_options():
    form = _form(tia_model="physical", nuclide="99mTc", injection_time="2020-12-22T12:05")
    assert form.is_valid(), form.errors
    options = form.options().checked()
    assert (options.tia_model, options.nuclide, options.injection_time) == ("physical", "Tc-99m", "2020-12-22T12:05")


@pytest.mark.parametrize(
    ("field", "value"), [("nuclide", "Zz-999"), ("injection_time", "22.12.2020 12:05"), ("tia_model", "guess")]
)
def test_bad_values_are_refused_next_to_their_field(field, value):
    form = _form(**{field: value})
    assert not form.is_valid() and field in form.errors
