"""``nmguard staff-dose import`` and ``staff-dose report`` on a fresh data folder (issue 15 item 2): the JSON
keys, all-or-nothing with exit 2, --skip-invalid, idempotent re-import, --as refused for a role that may not
write (nothing stored), and the profile switching the status."""

from __future__ import annotations

import json
import sqlite3

import pytest
from tests.cli.test_cli import run
from tests.protection.test_staff_import import BAD, monthly_file

PASSWORD = "a-long-enough-passphrase-42\n"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("staffdose")
    assert run("migrate", data_dir=d).returncode == 0
    for name, role in (("rpo1", "rpo"), ("tech1", "technologist")):
        r = run("createuser", name, "--role", role, "--password-stdin", data_dir=d, stdin=PASSWORD)
        assert r.returncode == 0, r.stderr
    return d


def _readings(d) -> int:
    with sqlite3.connect(d / "nmguard.sqlite3") as db:
        return db.execute("SELECT count(*) FROM protection_dosereading").fetchone()[0]


def test_import_report_and_reimport(data_dir, tmp_path):
    """W1: 12 x 1.75 = 21 mSv in 2026 (IAEA: investigation level 6 mSv, 3/10 of 20 mSv; no limit passed;
    Euratom: over the 20 mSv single-year limit). W2: 12 x 0.1 = 1.2 mSv, ok under both."""
    f = tmp_path / "service-2026.csv"
    f.write_text(monthly_file({"W1": 1.75, "W2": 0.1}, 2026, ring=2.0))
    r = run("staff-dose", "import", str(f), "--as", "rpo1", "--json", data_dir=data_dir)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert (doc["imported"], doc["duplicates"], doc["new_workers"], doc["rejected"]) == (48, 0, ["W1", "W2"], [])
    again = json.loads(run("staff-dose", "import", str(f), "--as", "rpo1", "--json", data_dir=data_dir).stdout)
    assert (again["imported"], again["duplicates"], again["new_workers"]) == (0, 48, [])
    assert _readings(data_dir) == 48
    with sqlite3.connect(data_dir / "nmguard.sqlite3") as db:
        actors = {
            a for (a,) in db.execute("SELECT actor_username FROM core_auditevent WHERE model_label LIKE 'protection.%'")
        }
    assert actors == {"rpo1"}

    rep = run("staff-dose", "report", "--year", "2026", "--profile", "iaea", "--json", data_dir=data_dir)
    assert rep.returncode == 0, rep.stderr
    workers = {w["worker_id"]: w for w in json.loads(rep.stdout)["workers"]}
    w1 = workers["W1"]
    assert set(w1) == {"worker_id", "status", "reasons"} | {
        f"{q}_mSv_{p}" for q, p in (("effective", "year"), ("effective", "5y"), ("lens", "year"), ("extremity", "year"))
    }
    assert w1["effective_mSv_year"] == pytest.approx(21.0, abs=1e-9) and w1["effective_mSv_5y"] == pytest.approx(21.0)
    assert w1["extremity_mSv_year"] == pytest.approx(24.0) and w1["lens_mSv_year"] is None
    assert w1["status"] == "investigation" and workers["W2"]["status"] == "ok"
    eu = run("staff-dose", "report", "--year", "2026", "--profile", "euratom", "--json", data_dir=data_dir)
    eu_w1 = next(w for w in json.loads(eu.stdout)["workers"] if w["worker_id"] == "W1")
    assert eu_w1["status"] == "limit_exceeded" and any("exceeds 20" in x for x in eu_w1["reasons"])


def test_bad_rows_store_nothing_unless_skip_invalid(data_dir, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text(BAD.replace("W1,", "B1,").replace("W2,", "B2,").replace("W3,", "B3,"))
    before = _readings(data_dir)
    r = run("staff-dose", "import", str(f), "--as", "rpo1", "--json", data_dir=data_dir)
    assert r.returncode == 2 and r.stderr.startswith("error: 3 bad rows") and len(r.stderr.strip().splitlines()) == 1
    assert [x["row"] for x in json.loads(r.stdout)["rejected"]] == [3, 4, 5] and _readings(data_dir) == before
    ok = run("staff-dose", "import", str(f), "--as", "rpo1", "--skip-invalid", "--json", data_dir=data_dir)
    assert ok.returncode == 0, ok.stderr
    doc = json.loads(ok.stdout)
    assert doc["imported"] == 1 and doc["new_workers"] == ["B1"] and [x["row"] for x in doc["rejected"]] == [3, 4, 5]
    assert all(set(x) >= {"row", "reason"} for x in doc["rejected"]) and _readings(data_dir) == before + 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as", "tech1"], "error: tech1 may not write staff dose records"),
        (["--as", "nobody"], "error: --as: no user 'nobody'"),
    ],
)
def test_a_user_who_may_not_write_is_refused_and_nothing_is_stored(data_dir, tmp_path, args, message):
    f = tmp_path / "x.csv"
    f.write_text(monthly_file({"T9": 0.1}, 2026))
    before = _readings(data_dir)
    r = run("staff-dose", "import", str(f), *args, "--json", data_dir=data_dir)
    assert r.returncode == 2 and r.stderr.startswith(message) and len(r.stderr.strip().splitlines()) == 1
    assert r.stdout == "" and _readings(data_dir) == before


@pytest.mark.parametrize(
    ("args", "field"),
    [(["--year", "2026", "--profile", "mars"], "error: profile"), (["--year", "99999"], "error: year")],
)
def test_report_bad_input_is_one_line(data_dir, args, field):
    r = run("staff-dose", "report", *args, "--json", data_dir=data_dir)
    assert r.returncode == 2 and r.stderr.startswith(field) and len(r.stderr.strip().splitlines()) == 1


def test_missing_file_is_one_line(data_dir, tmp_path):
    r = run("staff-dose", "import", str(tmp_path / "none.csv"), "--as", "rpo1", data_dir=data_dir)
    assert r.returncode == 2 and r.stderr.startswith("error: FILE: cannot read")


def test_tables_without_json(data_dir, tmp_path):
    f = tmp_path / "t.csv"
    f.write_text(monthly_file({"TB1": 0.7}, 2025))
    imp = run("staff-dose", "import", str(f), "--as", "rpo1", data_dir=data_dir)
    assert imp.returncode == 0 and "Imported" in imp.stdout and "TB1" in imp.stdout
    rep = run("staff-dose", "report", "--year", "2025", "--profile", "iaea", data_dir=data_dir)
    # 12 x 0.7 = 8.4 mSv: over the IAEA investigation level of 6 mSv (30 % of 20)
    assert rep.returncode == 0 and "TB1" in rep.stdout and "E 8.4 mSv" in rep.stdout and "investigation" in rep.stdout
