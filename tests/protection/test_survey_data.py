"""The workplace-monitoring reference data: every level with a source and status, converted from the
source's unit once (dpm/100 cm2 -> Bq/cm2 by /6000; mR/h -> µSv/h by x10), and the loader refusing broken
tables."""

from __future__ import annotations

import copy

import pytest

from nmguard.errors import InputError
from nmguard.reference._files import ReferenceDataError, read_toml
from nmguard.reference.workplace_monitoring import (
    MONITORING_FILE,
    get_monitoring_levels,
    parse_monitoring_levels,
)


def test_nrc_trigger_levels_are_converted_from_the_source_units():
    nrc = get_monitoring_levels("nrc")
    assert nrc.dose_rate_level("controlled").value == pytest.approx(50.0)  # 5 mR/h
    assert nrc.dose_rate_level("public").value == pytest.approx(1.0)  # 0.1 mR/h
    level, group = nrc.contamination_level("Tc-99m", "controlled")
    assert group == "short_lived" and level.value == pytest.approx(20000 / 6000)
    assert "20000 dpm/100cm2 in the source" in level.note
    level, group = nrc.contamination_level("I-131", "public")
    assert group == "restrictive" and level.value == pytest.approx(200 / 6000)
    assert nrc.removal_fraction.value == 1.0


def test_iaea_levels_and_unknown_nuclide_takes_the_restrictive_group():
    iaea = get_monitoring_levels("iaea")
    assert iaea.contamination_level("F-18", "controlled")[0].value == 4.0
    assert iaea.contamination_level("Ra-223", "controlled")[0].value == 0.4
    assert iaea.removal_fraction.value == 0.1 and iaea.removal_fraction.status.value == "secondary"
    # a nuclide in the reference data but in no group: the default (most restrictive) group
    assert iaea.contamination_level("Mo-99", "controlled")[1] == iaea.default_group == "alpha_other"
    assert iaea.contamination_level("", "public")[0].value == 0.04  # no nuclide named: the restrictive group


def test_every_value_has_a_source_and_status():
    for profile in ("iaea", "euratom", "nrc"):
        levels = get_monitoring_levels(profile)
        values = [levels.removal_fraction, *levels.dose_rate.values(), *levels.constancy_tolerance.values()]
        values += [v for g in levels.groups.values() for v in g.levels.values()]
        for v in values:
            assert v.source.id and v.status.value in ("verified", "derived", "secondary", "unverified")


def test_profile_switch_changes_the_level():
    assert (
        get_monitoring_levels("nrc").dose_rate_level("controlled").value
        != get_monitoring_levels("iaea").dose_rate_level("controlled").value
    )
    with pytest.raises(InputError):
        get_monitoring_levels("mars")
    with pytest.raises(InputError) as err:
        get_monitoring_levels("iaea").dose_rate_level("garden")
    assert err.value.field == "area_kind"


@pytest.mark.parametrize(
    "breaking",
    [
        lambda d: d["nrc"]["dose_rate"].pop("public"),
        lambda d: d["nrc"]["dose_rate"]["public"].update(unit="Gy"),
        lambda d: d["iaea"].update(default_group="nope"),
        lambda d: d["iaea"]["removal_fraction"].update(value=1.5),
        lambda d: d.pop("euratom"),
        lambda d: d["common"]["grace_days"].pop("weekly"),
    ],
)
def test_broken_tables_are_refused(breaking):
    data = copy.deepcopy(read_toml(MONITORING_FILE))
    breaking(data)
    with pytest.raises(ReferenceDataError):
        parse_monitoring_levels(data)
