"""The incident taxonomy's data (``incident_taxonomy.toml``): what is verified, against which read text, and what
stays NMGuard policy.

Verified rows were checked on 2026-12-06 against the IAEA guidance's abstract (J. Radiol. Prot. 39 (2019) 665,
PubMed 30991380: "in-house radionuclide production, radiopharmaceutical preparation, administration to patients,
and following a procedure, as well as aspects in management of radioactive materials") and the IAEA Human Health
Campus page "Prevention of incidents in nuclear medicine" (conditions of past misadministrations: "communication
problems, busy environment, distraction, not following local rules, lack of training in emergency situations,
undefined responsibilities or inefficient or missing quality assurance"). The words below are those sources', typed
here from the reading, not from the data file."""

from __future__ import annotations

from nmguard.reference.citations import Status
from nmguard.reference.incident_taxonomy import incident_taxonomy

POLICY = "nmguard-policy-incident-taxonomy"

# code -> (citation id, the source's own words that the row renders)
VERIFIED = {
    "production": ("iaea-nm-incident-prevention-2019", "production"),
    "preparation": ("iaea-nm-incident-prevention-2019", "preparation"),
    "administration": ("iaea-nm-incident-prevention-2019", "administration"),
    "waste": ("iaea-nm-incident-prevention-2019", "management of radioactive materials"),
    "communication": ("iaea-hhw-nm-incident-prevention", "communication problems"),
    "workload": ("iaea-hhw-nm-incident-prevention", "busy environment, distraction"),
    "responsibilities": ("iaea-hhw-nm-incident-prevention", "undefined responsibilities"),
    "quality_assurance": ("iaea-hhw-nm-incident-prevention", "missing quality"),
}


def _rows():
    tax = incident_taxonomy()
    return [*tax.stages, *tax.severities, *tax.factors]


def test_exactly_the_rows_read_in_a_source_are_verified():
    verified = {t.code: t for t in _rows() if t.status is Status.VERIFIED}
    assert set(verified) == set(VERIFIED)
    for code, (cid, words) in VERIFIED.items():
        term = verified[code]
        assert term.source.id == cid, code
        # the citation records the wording it was checked against (whitespace as in the TOML's continued lines)
        assert words in " ".join(term.source.text.split()), (code, words)


def test_policy_rows_are_never_verified_and_the_severity_scale_is_policy():
    tax = incident_taxonomy()
    for term in _rows():
        if term.source.id == POLICY:
            assert term.status is Status.UNVERIFIED, term.code
    assert [(s.code, s.rank, s.source.id, s.status) for s in tax.severities] == [
        (code, rank, POLICY, Status.UNVERIFIED)
        for rank, code in enumerate(("near_miss", "no_harm", "minor", "moderate", "severe"), start=1)
    ]
    assert {s.code for s in tax.stages if s.source.id == POLICY} == {"ordering", "scheduling", "imaging", "reporting"}


def test_the_published_scales_sought_are_cited_with_what_was_not_read():
    """The AAPM consensus scale and SAFRON's classification were looked for and not read: their citations say so,
    and no row takes a value from them."""
    from nmguard.reference.citations import citations

    cited = citations()
    for cid in ("aapm-ford-2012-incident-learning", "iaea-safron-rnt", "astro-ro-ils-data-elements"):
        assert "not read" in cited[cid].text and cited[cid].url.startswith("https://"), cid
    assert "10-level medical severity scale" in " ".join(cited["aapm-ford-2012-incident-learning"].text.split())
    used = {t.source.id for t in _rows()}
    assert used.isdisjoint({"aapm-ford-2012-incident-learning", "iaea-safron-rnt", "astro-ro-ils-data-elements"})


def test_codes_fit_the_records_and_the_process_order():
    tax = incident_taxonomy()
    stages = [s.code for s in tax.stages]
    assert stages.index("production") < stages.index("preparation") < stages.index("administration")
    for term in _rows():
        assert 1 <= len(term.code) <= 24 and term.code.isidentifier(), term.code
    assert [(s.after_days, s.to) for s in tax.escalation] == [(0, "owner"), (7, "owner"), (30, "quality_manager")]


def test_a_scale_without_near_miss_is_refused(monkeypatch):
    """A department replacing the severity scale must keep ``near_miss``: the report ties its near-miss answer to it,
    so without it every near miss would be refused."""
    import pytest

    from nmguard.reference import incident_taxonomy as module
    from nmguard.reference._files import ReferenceDataError, read_toml

    data = read_toml(module.TAXONOMY_FILE)
    replaced = {**data, "severities": [row for row in data["severities"] if row["code"] != "near_miss"]}
    monkeypatch.setattr(module, "read_toml", lambda name: replaced)
    with pytest.raises(ReferenceDataError, match="near_miss"):
        module.incident_taxonomy.__wrapped__()
    monkeypatch.setattr(module, "read_toml", lambda name: data)
    assert module.incident_taxonomy.__wrapped__().severities[0].code == "near_miss"
