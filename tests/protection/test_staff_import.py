"""The staff dose import and correction services (issue 15 item 2): all-or-nothing, skip-invalid,
idempotent re-import, corrections that supersede with the reason, new workers listed, attribution."""

from __future__ import annotations

import datetime as dt

import pytest

from nmguard.errors import InputError

HEADER = "worker_id,name,dosimeter,period_start,period_end,hp10_mSv,hp007_mSv,hp3_mSv\n"
GOOD = (
    HEADER
    + "W1,Ann Lee,whole_body,2026-01-01,2026-01-31,0.20,0.25,\n"
    + "W1,Ann Lee,extremity,2026-01-01,2026-01-31,,3.5,\n"
    + "W2,Bo Chan,whole_body,2026-01-01,2026-01-31,0.10,,\n"
)
BAD = (
    HEADER
    + "W1,Ann Lee,whole_body,2026-01-01,2026-01-31,0.20,0.25,\n"  # row 2 good
    + "W3,Cy Diaz,whole_body,2026-02-01,2026-01-31,0.10,,\n"  # row 3: end before start
    + "W2,Bo Chan,whole_body,2026-01-01,2026-01-31,-1,,\n"  # row 4: negative
    + "W2,Bo Chan,eye,2026-01-01,2026-01-31,,,abc\n"  # row 5: not a number
)


def monthly_file(doses: dict[str, float], year: int, ring: float | None = None) -> str:
    """A year of monthly whole-body badges (Hp(10) = ``doses[worker]`` each month), and rings if ``ring``."""
    lines = [HEADER.rstrip("\n")]
    for wid, dose in doses.items():
        for m in range(1, 13):
            start = dt.date(year, m, 1)
            end = (dt.date(year + (m == 12), m % 12 + 1, 1)) - dt.timedelta(days=1)
            lines.append(f"{wid},Worker {wid},whole_body,{start},{end},{dose},,")
            if ring is not None:
                lines.append(f"{wid},Worker {wid},extremity,{start},{end},,{ring},")
    return "\n".join(lines) + "\n"


@pytest.fixture
def rpo(make_user):
    return make_user("rpo", "rpo1")


def _counts():
    from nmguard.apps.protection.models import DoseImport, DoseReading, Worker

    return DoseReading.objects.count(), Worker.objects.count(), DoseImport.objects.count()


def test_import_stores_readings_workers_and_names_the_importer(rpo):
    from nmguard.apps.core.models import AuditEvent
    from nmguard.apps.protection.dose_import import import_readings
    from nmguard.apps.protection.models import DoseReading, Worker

    result = import_readings(GOOD, "jan.csv", rpo)
    assert (result.imported, result.duplicates, result.new_workers, result.rejected) == (3, 0, ["W1", "W2"], [])
    assert _counts() == (3, 2, 1)
    ring = DoseReading.objects.get(worker__worker_id="W1", dosimeter="extremity")
    assert ring.hp10_mSv is None and ring.hp007_mSv == 3.5 and ring.hp3_mSv is None  # empty = not measured
    assert Worker.objects.get(worker_id="W2").name == "Bo Chan"
    events = AuditEvent.objects.filter(model_label="protection.DoseReading")
    assert events.count() == 3 and {e.actor_username for e in events} == {"rpo1"}


def test_a_bad_row_stores_nothing_and_every_bad_row_is_listed(rpo):
    from nmguard.apps.protection.dose_import import ImportRefused, import_readings

    with pytest.raises(ImportRefused) as refused:
        import_readings(BAD, "bad.csv", rpo)
    assert [r["row"] for r in refused.value.result.rejected] == [3, 4, 5]
    assert [r["field"] for r in refused.value.result.rejected] == ["period_end", "hp10_mSv", "hp3_mSv"]
    assert _counts() == (0, 0, 0)


def test_skip_invalid_stores_the_good_rows_and_keeps_the_rejected(rpo):
    from nmguard.apps.protection.dose_import import import_readings
    from nmguard.apps.protection.models import DoseImport

    result = import_readings(BAD, "bad.csv", rpo, skip_invalid=True)
    assert result.imported == 1 and result.new_workers == ["W1"] and len(result.rejected) == 3
    assert _counts() == (1, 1, 1)
    batch = DoseImport.objects.get()
    assert batch.skip_invalid and [r["row"] for r in batch.rejected] == [3, 4, 5] and batch.imported_by == rpo


def test_reimporting_the_same_file_changes_nothing(rpo):
    from nmguard.apps.core.models import AuditEvent
    from nmguard.apps.protection.dose_import import import_readings

    import_readings(GOOD, "jan.csv", rpo)
    before, events = _counts(), AuditEvent.objects.count()
    again = import_readings(GOOD, "jan.csv", rpo)
    assert (again.imported, again.duplicates, again.new_workers, again.stored) == (0, 3, [], False)
    assert _counts() == before and AuditEvent.objects.count() == events


def test_a_changed_value_is_refused_by_import_and_made_by_correction_with_reason(rpo):
    from nmguard.apps.protection.dose_import import ImportRefused, correct_reading, held_readings, import_readings
    from nmguard.apps.protection.models import DoseReading

    import_readings(GOOD, "jan.csv", rpo)
    changed = GOOD.replace(
        "W2,Bo Chan,whole_body,2026-01-01,2026-01-31,0.10", "W2,Bo Chan,whole_body,2026-01-01,2026-01-31,0.30"
    )
    with pytest.raises(ImportRefused) as refused:
        import_readings(changed, "jan-v2.csv", rpo)
    assert refused.value.result.rejected[0]["row"] == 4 and "correction" in refused.value.result.rejected[0]["reason"]
    old = DoseReading.objects.get(worker__worker_id="W2")
    with pytest.raises(InputError, match="reason"):
        correct_reading(old, {"hp10_mSv": 0.30}, "  ", rpo)
    new = correct_reading(old, {"hp10_mSv": 0.30}, "service re-read the badge", rpo)
    old.refresh_from_db()
    assert old.superseded_by == new and old.supersede_reason == "service re-read the badge"
    assert old.hp10_mSv == 0.10 and new.hp10_mSv == 0.30 and DoseReading.objects.count() == 4  # nothing deleted
    held = [r for r in held_readings() if r.worker_id == "W2"]
    assert [r.hp10_mSv for r in held] == [0.30]
    with pytest.raises(InputError, match="already corrected"):
        correct_reading(old, {"hp10_mSv": 0.4}, "again", rpo)
    with pytest.raises(InputError, match="negative"):
        correct_reading(new, {"hp10_mSv": -0.4}, "typo", rpo)
    # the corrected file now imports as duplicates only
    assert import_readings(changed, "jan-v2.csv", rpo).duplicates == 3


@pytest.mark.parametrize("role", ["technologist", "read_only", "quality_manager"])
def test_a_role_that_may_not_write_protection_is_refused(make_user, role):
    from nmguard.apps.protection.dose_import import import_readings

    with pytest.raises(InputError, match="may not write"):
        import_readings(GOOD, "jan.csv", make_user(role, f"u-{role}"))
    assert _counts() == (0, 0, 0)


def test_physicist_may_import(physicist):
    from nmguard.apps.protection.dose_import import import_readings

    assert import_readings(GOOD, "jan.csv", physicist).imported == 3


def test_year_sums_and_status_follow_the_profile(rpo):
    """W1: 12 monthly whole-body readings of 1.75 mSv = 21 mSv in 2026. IAEA GSR3: 20 mSv/y averaged over
    5 years, 50 in any one year -> not over any limit but over the investigation level; Euratom 2013/59
    Art. 9(2): 20 mSv in a single year -> limit exceeded (values from reference/data/dose_limits.toml)."""
    from nmguard.apps.protection.dose_import import import_readings
    from nmguard.apps.protection.staff_sums import evaluate_year

    import_readings(monthly_file({"W1": 1.75}, 2026), "year.csv", rpo)
    iaea = evaluate_year(2026, "iaea")[0].row
    euratom = evaluate_year(2026, "euratom")[0].row
    assert iaea["effective_mSv_year"] == pytest.approx(21.0, abs=1e-9) and iaea["status"] == "investigation"
    assert euratom["status"] == "limit_exceeded" and euratom["reasons"]
    with pytest.raises(InputError, match="profile"):
        evaluate_year(2026, "mars")
