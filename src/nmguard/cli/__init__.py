"""The ``nmguard`` command: calculators (``--json`` for one JSON object) and service commands.

Bad input never shows a traceback: it prints one ``error:`` line on stderr and exits 2.
"""

from __future__ import annotations

import os
import sys

import typer

from nmguard.cli import (
    administration,
    backup,
    calculators,
    dicomnet,
    dosimetry,
    hotlab,
    qc,
    quality,
    release,
    service,
    shielding,
    staff_dose,
    training,
    waste,
)
from nmguard.errors import InputError

app = typer.Typer(
    name="nmguard",
    help="NMGuard: radiation protection, safety and quality for nuclear medicine.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
)
calculators.register(app)
service.register(app)
administration.register(app)
qc.register(app)
hotlab.register(app)
waste.register(app)
dosimetry.register(app)
backup.register(app)
dicomnet.register(app)
staff_dose.register(app)
release.register(app)
shielding.register(app)
training.register(app)
quality.register(app)


def _fail(message: str, code: int = 2) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _usage_error(exc: Exception) -> int | None:
    """Typer's (vendored click's) usage errors carry ``exit_code`` and ``format_message``."""
    fmt, code = getattr(exc, "format_message", None), getattr(exc, "exit_code", None)
    if not (callable(fmt) and isinstance(code, int)):
        return None
    if type(exc).__name__ == "NoArgsIsHelpError":
        print(fmt())
        return 0
    lines = [line for line in str(fmt()).splitlines() if line.strip()]
    return _fail(lines[0] if lines else type(exc).__name__, code)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 2 bad input, 1 other failure)."""
    try:
        result = app(args=argv, standalone_mode=False, prog_name="nmguard")
    except InputError as exc:
        return _fail(exc.message)
    except typer.Exit as exc:
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        return _fail("interrupted", 130)
    except Exception as exc:  # noqa: BLE001 - the CLI's last line of defence
        handled = _usage_error(exc)
        if handled is not None:
            return handled
        if os.environ.get("NMGUARD_DEBUG") == "1":
            raise
        return _fail(f"{type(exc).__name__}: {exc}", 1)
    return result if isinstance(result, int) else 0


def run() -> None:
    sys.exit(main())
