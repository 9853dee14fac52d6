"""Integrity of the administration-safety data files: sources resolve, statuses valid, ids in the catalogue."""

import csv
import io
import tomllib
from importlib import resources

import pytest

from nmguard.errors import InputError
from nmguard.reference import (
    Status,
    all_radiopharmaceuticals,
    effective_dose_coefficient,
    get_profile,
    get_radiopharmaceutical,
    profiles,
    therapy_organ_doses,
)
from nmguard.reference.citations import citations
from nmguard.reference.paediatric_cards import eanm_band_for, eanm_weight_bands

DATA = resources.files("nmguard.reference.data")
STATUSES = {s.value for s in Status}
REQUIRED_IDS = [
    "f18-fdg",
    "f18-fluoride",
    "tc99m-mdp",
    "tc99m-maa",
    "tc99m-dmsa",
    "tc99m-mag3",
    "tc99m-dtpa",
    "tc99m-sestamibi-rest",
    "tc99m-sestamibi-stress",
    "tc99m-tetrofosmin-rest",
    "tc99m-tetrofosmin-stress",
    "tc99m-pertechnetate",
    "tc99m-colloid",
    "tc99m-hmpao",
    "tc99m-ida",
    "tc99m-rbc",
    "ga68-dotatate",
    "ga68-psma-11",
    "ga67-citrate",
    "i123-ioflupane",
    "i123-mibg",
    "i123-iodide",
    "in111-pentetreotide",
    "tl201-chloride",
    "n13-ammonia",
    "rb82-chloride",
    "o15-water",
    "i131-iodide",
    "lu177-psma-617",
    "lu177-dotatate",
    "ra223-dichloride",
]
THERAPY = {"i131-iodide", "lu177-psma-617", "lu177-dotatate", "ra223-dichloride"}

# file -> (id column, [(source column, status column)])
FILES = {
    "radiopharmaceuticals.csv": ("id", [("typical_activity_source", "typical_activity_status")]),
    "effective_dose_coefficients.csv": ("radiopharmaceutical_id", [("source", "status")]),
    "organ_dose_coefficients.csv": ("radiopharmaceutical_id", [("source", "status")]),
    "therapy_organ_doses.csv": ("radiopharmaceutical_id", [("source", "status")]),
    "eanm_card_2016_multiples.csv": (None, [("source", "status")]),
    "eanm_card_2016_baselines.csv": ("radiopharmaceutical_id", [("source", "status")]),
    "na_consensus_2016.csv": ("radiopharmaceutical_id", [("source", "status")]),
    "breastfeeding.csv": (
        "applies_to",
        [("interruption_source", "interruption_status"), ("threshold_source", "threshold_status")],
    ),
}


def rows(name):
    return list(csv.DictReader(io.StringIO(DATA.joinpath(name).read_text(encoding="utf-8"))))


@pytest.mark.parametrize("name", sorted(FILES))
def test_rows_have_resolving_source_valid_status_and_known_ids(name):
    ids = set(citations())
    catalogue = {rp.id for rp in all_radiopharmaceuticals()}
    id_col, pairs = FILES[name]
    data = rows(name)
    assert data
    for i, row in enumerate(data, start=2):
        assert None not in row, f"{name} line {i}: too many cells"
        for src, st in pairs:
            if name == "breastfeeding.csv" and src == "threshold_source" and not row["instructions_above_MBq"]:
                assert not row[src] and not row[st], f"{name} line {i}: threshold source without thresholds"
                continue
            assert row[src].strip() in ids, f"{name} line {i}: unknown source {row[src]!r}"
            assert row[st].strip() in STATUSES, f"{name} line {i}: bad status {row[st]!r}"
        if id_col and not row[id_col].startswith("nuclide:"):
            assert row[id_col] in catalogue, f"{name} line {i}: {row[id_col]!r} not in the catalogue"


def test_catalogue_has_exactly_the_agreed_ids_and_therapy_flags():
    got = [rp.id for rp in all_radiopharmaceuticals()]
    assert set(REQUIRED_IDS) <= set(got)
    assert len(got) == len(set(got))
    assert {rp.id for rp in all_radiopharmaceuticals() if rp.therapy} == THERAPY


@pytest.mark.parametrize(
    "text,expected",
    [
        ("18F-FDG", "f18-fdg"),
        ("FDG", "f18-fdg"),
        ("F-18 FDG", "f18-fdg"),
        ("fdg", "f18-fdg"),
        ("f18-fdg", "f18-fdg"),
        ("99mTc-MDP", "tc99m-mdp"),
        ("MDP", "tc99m-mdp"),
        ("HDP", "tc99m-mdp"),
        ("Tc-99m HDP", "tc99m-mdp"),
        ("177Lu-PSMA-617", "lu177-psma-617"),
        ("Lutathera", "lu177-dotatate"),
        ("Ra-223", "ra223-dichloride"),
        ("99mTc-MAA", "tc99m-maa"),
        ("Tc99m DMSA", "tc99m-dmsa"),
        ("¹²³I-ioflupane", "i123-ioflupane"),
    ],
)
def test_lookup_ignores_case_spaces_and_hyphens(text, expected):
    assert get_radiopharmaceutical(text).id == expected


def test_unknown_name_is_input_error_with_hint():
    with pytest.raises(InputError) as exc:
        get_radiopharmaceutical("sestamibi")
    assert exc.value.field == "radiopharmaceutical"
    assert "tc99m-sestamibi-rest" in exc.value.message and "tc99m-sestamibi-stress" in exc.value.message
    with pytest.raises(InputError) as exc:
        get_radiopharmaceutical("no-such-thing")
    assert exc.value.field == "radiopharmaceutical"


def test_every_catalogue_nuclide_resolves():
    from nmguard.reference import get_nuclide

    for rp in all_radiopharmaceuticals():
        assert get_nuclide(rp.nuclide).name == rp.nuclide


def test_one_default_edition_per_product_and_age():
    seen = {}
    for row in rows("effective_dose_coefficients.csv"):
        key = (row["radiopharmaceutical_id"], row["age_group"])
        seen.setdefault(key, 0)
        seen[key] += row["default"] == "true"
        assert row["age_group"] in {"adult", "15", "10", "5", "1"}
        assert 0 < float(row["mSv_per_MBq"]) < 100
    assert all(v == 1 for v in seen.values()), [k for k, v in seen.items() if v != 1]


def test_mdp_conflict_names_both_editions():
    # REFERENCE_DATA 2.1: the NMP transcription's "ICRP 128" 0.0049 vs ICRP 80 0.0057 (V). Issue 11: ICRP 128
    # says it compiles its phosphonate data from ICRP 80, so the 0.0049 attribution is unconfirmed
    # (unverified) and the default is the ICRP 80 row
    default = effective_dose_coefficient("tc99m-mdp", "adult")
    icrp128 = effective_dose_coefficient("tc99m-mdp", "adult", edition="ICRP 128")
    assert default.value == pytest.approx(0.0057) and default.status is Status.VERIFIED
    assert icrp128.value == pytest.approx(0.0049) and icrp128.status is Status.UNVERIFIED


def test_statuses_are_not_upgraded():
    # section 2.2 values are placeholders (M) -> unverified; the NMP age table -> secondary
    assert effective_dose_coefficient("tc99m-maa", "adult").status is Status.UNVERIFIED
    assert effective_dose_coefficient("tc99m-sestamibi-rest", "5").status is Status.UNVERIFIED
    assert effective_dose_coefficient("f18-fdg", "5").status is Status.SECONDARY
    assert effective_dose_coefficient("f18-fdg", "adult").status is Status.VERIFIED
    for rp in all_radiopharmaceuticals():
        assert rp.typical_adult_activity_MBq is None or rp.typical_adult_activity_MBq.status is Status.UNVERIFIED


def test_therapy_organ_doses_shipped_for_lu_and_i131():
    assert {t.organ for t in therapy_organ_doses("lu177-psma-617")} >= {"lacrimal glands", "salivary glands"}
    assert any(t.organ == "spleen" for t in therapy_organ_doses("lu177-dotatate"))
    wb = [t for t in therapy_organ_doses("i131-iodide") if t.organ == "whole body"][0]
    assert wb.dose_per_activity.value == pytest.approx(0.05 / 1.1, rel=0.01)  # 0.05 Gy / 1.1 GBq
    assert therapy_organ_doses("ra223-dichloride") == ()


def test_eanm_bands_are_contiguous_steps():
    bands = eanm_weight_bands()
    assert bands[0].band_from_kg == 3 and bands[-1].card_row_kg == 68
    for a, b in zip(bands, bands[1:], strict=False):
        assert a.band_to_kg == b.band_from_kg
    assert eanm_band_for(53).card_row_kg == 52  # '52-54' row
    assert eanm_band_for(55).card_row_kg == 52  # gap before the 56-58 row: lower row
    assert eanm_band_for(56).card_row_kg == 56
    assert eanm_band_for(2.9) is None and eanm_band_for(70) is None


def test_profiles_and_thresholds():
    assert {p.id for p in profiles()} == {"nrc", "euratom", "iaea"}
    nrc = get_profile("NRC")
    assert nrc.diagnostic_tolerance_percent.value == 20 and nrc.diagnostic_tolerance_percent.status is Status.VERIFIED
    assert nrc.threshold("effective_dose_Sv").value == 0.05
    assert nrc.threshold("organ_dose_Sv").value == 0.5
    assert nrc.threshold("embryo_fetus_Sv").value == 0.05
    assert get_profile("euratom").diagnostic_tolerance_percent.value == 10
    for pid in ("euratom", "iaea"):
        p = get_profile(pid)
        assert p.threshold("diagnostic_excess_percent").status is Status.UNVERIFIED
        assert "PLACEHOLDER" in p.threshold("diagnostic_excess_percent").note
        assert p.pregnancy_ask_age_min.status is Status.UNVERIFIED
    with pytest.raises(InputError) as exc:
        get_profile("mars")
    assert exc.value.field == "profile"


def test_jurisdiction_sources_resolve():
    table = tomllib.loads(DATA.joinpath("jurisdictions.toml").read_text(encoding="utf-8"))
    ids = set(citations())
    for pid, prof in table.items():
        for section in ("tolerance", "medical_event", "unintended_exposure", "pregnancy"):
            for key, entry in prof.get(section, {}).items():
                assert entry["source"] in ids, (pid, section, key)
                assert entry["status"] in STATUSES
        for step in prof["reporting_steps"]:
            assert step["source"] in ids and step["status"] in STATUSES
