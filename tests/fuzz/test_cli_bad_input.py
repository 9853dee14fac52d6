"""Every CLI calculator with bad input exits 2 with one ``error:`` line (issue 12 item 3): no exit 1 (an
unhandled exception), no NaN or infinite result with exit 0. The bad values are those the API fuzzer uses:
overflowing years, lone surrogates, NUL, 100 000 characters, 5e-324, NaN, infinity, negative zero.
An empty --age, --efficiency or --hold-half-lives means "not given" (adult, none, none) by design: not bad."""

from __future__ import annotations

import pytest

from nmguard.cli import main

T = "2026-03-02T08:00:00+01:00"
LATER = "2026-03-02T14:00:00+01:00"
BAD_ACTIVITIES = ["5e-324 MBq", "nan MBq", "inf MBq", "1e308 GBq", "\ud800 MBq", "740 MBq\x00", "x" * 100_000]
BAD_INSTANTS = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00Z", "\ud800", ""]
BAD_TEXT = ["", "\x00", "\ud800", "x" * 100_000]

# (command with a placeholder {} for the bad value, the bad values)
CASES: list[tuple[list[str], list[str]]] = [
    (["nuclide", "{}"], BAD_TEXT),
    (["decay", "Tc-99m", "{}", "--from", T, "--to", LATER], BAD_ACTIVITIES),
    (["decay", "Tc-99m", "740 MBq", "--from", "{}", "--to", LATER], BAD_INSTANTS),
    (["decay", "Tc-99m", "740 MBq", "--from", "2200-12-31T00:00:00Z", "--to", "{}"], ["1900-01-01T00:00:00Z"]),
    (["decay", "{}", "740 MBq", "--from", T, "--to", LATER], BAD_TEXT),
    (["effective-dose", "18F-FDG", "{}"], BAD_ACTIVITIES),
    (["effective-dose", "{}", "370 MBq"], BAD_TEXT),
    (["effective-dose", "18F-FDG", "370 MBq", "--age", "{}"], ["nan", "-1", "1e309", "\x00", "\ud800", "x" * 100_000]),
    (
        ["paediatric-activity", "99mTc-DMSA", "--weight", "{}"],
        ["5e-324", "-0.0", "nan", "inf", "1e309", "0", *BAD_TEXT],
    ),
    (
        ["medical-event", "--radiopharmaceutical", "18F-FDG", "--prescribed", "{}", "--administered", "481 MBq"],
        BAD_ACTIVITIES,
    ),
    (
        ["medical-event", "--radiopharmaceutical", "18F-FDG", "--prescribed", "370 MBq", "--administered", "{}"],
        BAD_ACTIVITIES,
    ),
    (
        [
            "breakthrough",
            "--parent",
            "Mo-99",
            "--parent-activity",
            "{}",
            "--daughter-activity",
            "740 MBq",
            "--measured-at",
            T,
        ],
        BAD_ACTIVITIES,
    ),
    (
        [
            "breakthrough",
            "--parent",
            "Mo-99",
            "--parent-activity",
            "37 kBq",
            "--daughter-activity",
            "{}",
            "--measured-at",
            T,
        ],
        BAD_ACTIVITIES,
    ),
    (
        [
            "breakthrough",
            "--parent",
            "Mo-99",
            "--parent-activity",
            "37 kBq",
            "--daughter-activity",
            "740 MBq",
            "--measured-at",
            "{}",
        ],
        BAD_INSTANTS,
    ),
    (
        [
            "draw-volume",
            "--nuclide",
            "Tc-99m",
            "--stock-activity",
            "{}",
            "--stock-volume",
            "5 mL",
            "--calibrated-at",
            T,
            "--want",
            "740 MBq",
            "--at",
            LATER,
        ],
        BAD_ACTIVITIES,
    ),
    (
        [
            "draw-volume",
            "--nuclide",
            "Tc-99m",
            "--stock-activity",
            "10 GBq",
            "--stock-volume",
            "{}",
            "--calibrated-at",
            T,
            "--want",
            "740 MBq",
            "--at",
            LATER,
        ],
        ["5e-324 mL", "nan mL", "inf mL", "0 mL", *BAD_TEXT],
    ),
    (
        [
            "draw-volume",
            "--nuclide",
            "Tc-99m",
            "--stock-activity",
            "10 GBq",
            "--stock-volume",
            "5 mL",
            "--calibrated-at",
            "{}",
            "--want",
            "740 MBq",
            "--at",
            LATER,
        ],
        BAD_INSTANTS,
    ),
    (
        ["elution-yield", "--generator-activity", "{}", "--calibrated-at", T, "--eluted", "15 GBq", "--at", LATER],
        BAD_ACTIVITIES,
    ),
    (
        [
            "elution-yield",
            "--generator-activity",
            "20 GBq",
            "--calibrated-at",
            "{}",
            "--eluted",
            "15 GBq",
            "--at",
            LATER,
        ],
        [*BAD_INSTANTS, "2036-03-02T08:00:00+01:00"],
    ),
    (
        [
            "elution-yield",
            "--generator-activity",
            "20 GBq",
            "--calibrated-at",
            T,
            "--eluted",
            "15 GBq",
            "--at",
            LATER,
            "--efficiency",
            "{}",
        ],
        ["nan", "inf", "-0.0", "1e309", "\x00", "\ud800", "x" * 100_000],
    ),
    (
        ["waste", "release-date", "--nuclide", "I-131", "--activity", "{}", "--at", T, "--limit", "1 MBq"],
        BAD_ACTIVITIES,
    ),
    (
        ["waste", "release-date", "--nuclide", "I-131", "--activity", "1 GBq", "--at", T, "--limit", "{}"],
        BAD_ACTIVITIES,
    ),
    (
        ["waste", "release-date", "--nuclide", "I-131", "--activity", "1 GBq", "--at", "{}", "--limit", "1 MBq"],
        BAD_INSTANTS,
    ),
    (
        [
            "waste",
            "release-date",
            "--nuclide",
            "I-131",
            "--activity",
            "1 GBq",
            "--at",
            T,
            "--limit",
            "1 MBq",
            "--hold-half-lives",
            "{}",
        ],
        ["nan", "inf", "-1", "1e309", "\x00", "\ud800", "x" * 100_000],
    ),
    (["qc", "suv-calibration", "/nonexistent", "--volume-ml", "{}"], ["nan", "inf", "-1"]),
]


def _params():
    for command, values in CASES:
        for value in values:
            label = " ".join(command).replace("{}", repr(value)[:24])
            yield pytest.param([a.replace("{}", value) for a in command], id=label)


@pytest.mark.parametrize("argv", list(_params()))
def test_bad_input_exits_2_with_one_line(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, f"exit {code}: {err.strip()[:300]} {out[:200]}"
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), err[:300]
    assert "nan" not in out.lower() and "inf" not in out.lower()
