"""The layering of shared/DESIGN.md: the pure packages (physics, reference, rules, dosimetry, imaging, qc,
exchange, ...) never import Django, a Django-based library, or the layers above them (``apps``, ``web``,
``cli``). DESIGN.md says a test enforces it; this is that test. Imports inside functions count too: a lazy
import still ties the calculation to the web framework.

Two modules outside ``apps/`` are Django's side by design, each saying so in its docstring: the backup
service (it reads the database through Django's connection) and the DICOM listener's database adapter. The rest
of their packages (archive, state, routing, the storage SCP, the import queue) stays pure and is checked.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "nmguard"
UPPER_LAYERS = ("apps", "web", "cli")
DJANGO_SIDE = {
    "backup/service.py": "backup and restore through Django's database connection and the audit module",
    "dicomnet/dose_reports.py": "the DICOM listener's database side: imports dose reports, looks up devices",
    "__main__.py": "`python -m nmguard` starts the CLI",
}
FORBIDDEN_TOP = {"django", "ninja", "simple_history", "axes"}  # Django and libraries built on it
FORBIDDEN_NMGUARD = tuple(f"nmguard.{layer}" for layer in UPPER_LAYERS)


def _pure_modules() -> list[Path]:
    return [
        p
        for p in sorted(SRC.rglob("*.py"))
        if p.relative_to(SRC).parts[0] not in UPPER_LAYERS and p.relative_to(SRC).as_posix() not in DJANGO_SIDE
    ]


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def _forbidden(module: str) -> bool:
    return module.split(".")[0] in FORBIDDEN_TOP or any(
        module == layer or module.startswith(layer + ".") for layer in FORBIDDEN_NMGUARD
    )


def test_the_pure_packages_import_neither_django_nor_the_layers_above():
    offences = [
        f"{path.relative_to(SRC)}:{line} imports {module}"
        for path in _pure_modules()
        for line, module in _imports(path)
        if _forbidden(module)
    ]
    assert not offences, "\n".join(offences)


def test_the_check_sees_the_whole_pure_layer():
    """Guards the guard: the design's pure packages are all walked, and the exceptions still exist."""
    walked = {p.relative_to(SRC).parts[0] for p in _pure_modules()}
    assert {"physics", "reference", "rules", "dosimetry", "imaging", "qc", "exchange"} <= walked
    assert all((SRC / name).is_file() for name in DJANGO_SIDE)


@pytest.mark.parametrize("module", ["django.db", "ninja", "nmguard.apps.core.audit", "nmguard.web.settings"])
def test_the_rule_catches_what_it_should(module):
    assert _forbidden(module)


@pytest.mark.parametrize("module", ["numpy", "nmguard.physics.decay", "nmguard.webcolors", "djangoish"])
def test_the_rule_lets_other_imports_through(module):
    assert not _forbidden(module)
