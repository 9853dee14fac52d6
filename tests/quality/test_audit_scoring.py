"""Checklists as data: the shipped sample loads, scoring matches hand calculations (N/A and unanswered items
excluded), the overall rule is configurable, comparison per item, and imports report errors by row."""

from __future__ import annotations

import dataclasses

import pytest

from nmguard.errors import InputError
from nmguard.reference import audit_checklists as ac
from nmguard.reference.citations import citations

# Section 1: 4, 3, 2, N/A; section 2: 4 x 4; section 3: 0, 1, N/A; section 4: all N/A; section 5: 3, 3, 2.
LEVELS = {
    "1.1": 4, "1.2": 3, "1.3": 2, "1.4": None,
    "2.1": 4, "2.2": 4, "2.3": 4, "2.4": 4,
    "3.1": 0, "3.2": 1, "3.3": None,
    "4.1": None, "4.2": None, "4.3": None,
    "5.1": 3, "5.2": 3, "5.3": 2,
}  # fmt: skip


@pytest.fixture
def sample() -> ac.Checklist:
    return ac.shipped_checklists()["nmguard-sample"]


def test_sample_checklist_shape_and_source(sample):
    assert len(sample.sections) == 5 and len(sample.items()) == 17
    assert set(sample.levels) == {0, 1, 2, 3, 4} and sample.finding_below == 3
    assert sample.source in citations() and sample.status == "secondary"
    assert all(s.follows.startswith("QUANUM 2.0") for s in sample.sections)


def test_section_and_pooled_scores_by_hand(sample):
    result = ac.score(sample, LEVELS)
    by_id = {s.section_id: s for s in result.sections}
    assert by_id["1"].percent == pytest.approx(100 * 9 / 12)  # 75 %: 4+3+2 over 3 applicable items
    assert by_id["2"].percent == pytest.approx(100.0)
    assert by_id["3"].percent == pytest.approx(100 * 1 / 8)  # 12.5 %
    assert by_id["4"].percent is None and by_id["4"].applicable == 0 and by_id["4"].answered == 3
    assert by_id["5"].percent == pytest.approx(100 * 8 / 12)
    assert result.overall_percent == pytest.approx(100 * 34 / 48, abs=1e-9)  # 70.83 %


def test_sections_rule_is_the_weighted_mean_of_sections(sample):
    equal = dataclasses.replace(sample, overall="sections")
    assert ac.score(equal, LEVELS).overall_percent == pytest.approx((75 + 100 + 12.5 + 200 / 3) / 4)
    weighted = dataclasses.replace(
        equal, sections=tuple(dataclasses.replace(s, weight=3.0) if s.id == "2" else s for s in sample.sections)
    )
    assert ac.score(weighted, LEVELS).overall_percent == pytest.approx((75 + 300 + 12.5 + 200 / 3) / 6)


def test_unanswered_items_count_in_neither(sample):
    assert ac.score(sample, {"1.1": 2}).overall_percent == pytest.approx(50.0)
    assert ac.score(sample, {}).overall_percent is None


def test_levels_checked():
    assert ac.check_level("na") is None and ac.check_level(None) is None and ac.check_level("3") == 3
    for bad in (5, -1, "x", 2.5):
        with pytest.raises(InputError) as err:
            ac.check_level(bad)
        assert err.value.field == "level"


def test_compare_per_item():
    assert ac.compare({"a": 3, "b": 1, "c": 2, "d": None, "e": 4}, {"a": 2, "b": 2, "c": 2, "d": 1}) == {
        "a": "better", "b": "worse", "c": "same", "d": "n/a", "e": "new",
    }  # fmt: skip


CSV = """section_id,section_title,item_id,text,follows
1,Management,1.1,Organisation chart current,QUANUM 2.0 management
1,Management,1.2,Quality manual approved,
2,Safety,2.1,RPO appointed,
"""


def test_csv_import_builds_sections():
    checklist = ac.parse_csv(CSV, checklist_id="dept", title="Department audit")
    assert [s.id for s in checklist.sections] == ["1", "2"]
    assert [i.id for i in checklist.sections[0].items] == ["1.1", "1.2"]
    assert checklist.sections[0].follows == "QUANUM 2.0 management"


def test_csv_import_reports_every_bad_row():
    bad = CSV + "2,Safety,,no id\n2,Other title,2.2,text\n1,Management,1.1,repeated\n"
    with pytest.raises(InputError) as err:
        ac.parse_csv(bad, checklist_id="dept", title="Department audit")
    message = err.value.message
    assert err.value.field == "file"
    assert "row 5: item_id is empty" in message
    assert "row 6: section 2 has another title" in message
    assert "row 7: item id 1.1 repeated" in message
    with pytest.raises(InputError, match="missing column"):
        ac.parse_csv("a,b\n1,2\n", checklist_id="dept", title="x")


def test_toml_import_errors_name_the_place():
    with pytest.raises(InputError, match="not valid TOML"):
        ac.parse_toml("id = ")
    with pytest.raises(InputError, match="section 1 item 2: text is empty"):
        ac.parse_toml('id="d"\ntitle="t"\n[[sections]]\nid="1"\ntitle="s"\nitems=[{id="a",text="x"},{id="b"}]\n')
    with pytest.raises(InputError, match="scoring.overall"):
        ac.parse_toml('id="d"\ntitle="t"\n[scoring]\noverall="max"\n')
