"""Every row of every data file: source resolves, status valid, units as declared."""

import csv
import io
import tomllib
from importlib import resources

import pytest

from nmguard.reference import Status, all_nuclides, changelog, data_version
from nmguard.reference.citations import citations

DATA = resources.files("nmguard.reference.data")
STATUSES = {s.value for s in Status}


def rows(name):
    return list(csv.DictReader(io.StringIO(DATA.joinpath(name).read_text(encoding="utf-8"))))


def source_ids():
    return set(tomllib.loads(DATA.joinpath("sources.toml").read_text(encoding="utf-8")))


# (file, [(source column, status column), ...])
FILES = {
    "nuclides.csv": [
        ("half_life_source", "half_life_status"),
        ("mean_electron_energy_source", "mean_electron_energy_status"),
    ],
    "decay_branches.csv": [("source", "status")],
    "photon_lines.csv": [("source", "status")],
    "air_mass_energy_absorption.csv": [("source", "status")],
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_row_has_resolvable_source_and_valid_status(name):
    ids = source_ids()
    data = rows(name)
    assert data, f"{name} is empty"
    for i, row in enumerate(data, start=2):
        for src_col, status_col in FILES[name]:
            assert row[src_col].strip(), f"{name} line {i}: empty {src_col}"
            assert row[src_col].strip() in ids, f"{name} line {i}: unknown source {row[src_col]!r}"
            assert row[status_col].strip() in STATUSES, f"{name} line {i}: bad status"


def test_sources_have_text_and_only_seen_urls():
    for cid, c in citations().items():
        assert len(c.text) > 40, cid
        if cid.startswith("intended-"):  # nothing was read: no URL may be claimed
            assert c.url is None, cid
        if c.url is not None:
            assert c.url.startswith("https://"), cid


def test_units_as_declared():
    for row in rows("nuclides.csv"):
        assert row["half_life_unit"] in {"s", "min", "h", "d", "a"}, row["name"]
        assert row["mean_electron_energy_unit"] == "MeV", row["name"]
        assert float(row["air_kerma_cutoff_keV"]) > 0
    for row in rows("photon_lines.csv"):
        assert row["kind"] in {"gamma", "xray", "annihilation"}
        assert 0 < float(row["yield_per_decay"]) <= 2.0
        if row["kind"] == "annihilation":
            assert float(row["energy_keV"]) == pytest.approx(511.0, abs=0.01)
    air = rows("air_mass_energy_absorption.csv")
    energies = [float(r["energy_MeV"]) for r in air]
    assert energies == sorted(energies)
    assert energies[0] == pytest.approx(1e-3) and energies[-1] == pytest.approx(20.0)


def test_loaded_values_carry_units_and_status():
    for n in all_nuclides():
        assert n.half_life.unit == "s"
        assert n.mean_electron_energy.unit == "MeV"
        assert n.mean_photon_energy.unit == "MeV"
        assert n.air_kerma_rate_constant.unit == "uGy m2 MBq-1 h-1"
        assert n.mean_photon_energy.status is Status.DERIVED
        assert n.air_kerma_rate_constant.status is Status.DERIVED
        assert "delta = " in n.air_kerma_rate_constant.note
        for b in n.decay_branches:
            assert b.mode in {"IT", "B-", "B+", "EC", "B+/EC", "A", "SF"}
        for c in n.sources():
            assert c.id in citations()


def test_branch_fractions_sum_to_one():
    for n in all_nuclides():
        assert n.decay_branches, n.name
        assert sum(b.fraction for b in n.decay_branches) == pytest.approx(1.0, abs=1e-6), n.name


def test_derived_rows_name_their_derivation():
    for name in ("decay_branches.csv", "photon_lines.csv"):
        for row in rows(name):
            if row["status"] == "derived":
                assert row["note"].strip(), f"{name}: derived row without derivation"


def test_data_version_and_changelog():
    import re

    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+", data_version())
    versions = [entry["version"] for entry in changelog()]
    assert versions[0] == data_version()  # the newest changelog entry is the version in force
    assert len(set(versions)) == len(versions)


def test_every_csv_row_has_a_resolving_source_and_a_valid_status():
    """Every value column group `<x>_source`/`<x>_status` (or plain source/status) in every data file."""
    import tomllib

    sources = set(tomllib.loads(DATA.joinpath("sources.toml").read_text(encoding="utf-8")))
    statuses = {"verified", "derived", "secondary", "unverified"}
    checked = 0
    for path in sorted(p for p in DATA.iterdir() if p.name.endswith(".csv")):
        table = rows(path.name)
        pairs = [(c, c[: -len("source")] + "status") for c in table[0] if c.endswith("source")]
        assert pairs, f"{path.name} has no source column"
        for i, row in enumerate(table, start=2):
            for source_col, status_col in pairs:
                if not row[source_col] and not row.get(status_col) and source_col != "source":
                    continue  # an optional value left empty (e.g. no threshold given)
                assert row[source_col] in sources, f"{path.name}:{i} {source_col}={row[source_col]!r}"
                assert row[status_col] in statuses, f"{path.name}:{i} {status_col}={row[status_col]!r}"
                checked += 1
    assert checked > 1000
