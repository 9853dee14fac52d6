"""Run the CLI in the test's own process (fast; pytest's ``capsys`` catches the output). The subprocess
runner for whole-program checks is ``tests.cli.test_cli.run``."""

from __future__ import annotations

import json
from collections.abc import Callable

from nmguard.cli import main


def in_process(*prefix: str) -> tuple[Callable, Callable]:
    """``run(capsys, *args)`` → (exit code, stdout, stderr) and ``run_json(capsys, *args)`` → the parsed
    ``--json`` object (asserting exit 0), both for ``nmguard <prefix> <args>``."""

    def run(capsys, *args: str) -> tuple[int, str, str]:
        code = main([*prefix, *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    def run_json(capsys, *args: str) -> dict:
        code, out, err = run(capsys, *args, "--json")
        assert code == 0, err
        return json.loads(out)

    return run, run_json
