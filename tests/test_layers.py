"""The layering of shared/DESIGN.md: the pure packages (physics, reference, rules, dosimetry, imaging, qc,
exchange, ...) never import Django, a Django-based library, or the layers above them (``apps``, ``web``,
``cli``). DESIGN.md says a test enforces it; this is that test. Imports inside functions count too: a lazy
import still ties the calculation to the web framework.

Within the pure layer the packages are stacked (:data:`LAYERS`, the map of docs/architecture.md): a package
imports only packages of its own floor or below, and no two modules import each other, directly or round a
circle. A new package must be given its floor here, or the test fails.

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


#: floors of the house, lowest first; a package may import its own floor and those below (see architecture.md)
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"errors", "analysis", "input_bounds", "physics", "integrity", "__init__"}),
    frozenset({"reference"}),
    frozenset({"imaging", "hotlab", "rules", "qc", "protection"}),
    frozenset({"dosimetry"}),
    frozenset({"exchange"}),
    frozenset({"reporting"}),
    frozenset({"outputs", "calculators", "synthetic", "compute", "dicomnet", "backup"}),
    frozenset({"apps", "web", "cli", "__main__"}),
)


def _floor(package: str) -> int | None:
    return next((i for i, floor in enumerate(LAYERS) if package in floor), None)


def _package(path: Path) -> str:
    return path.relative_to(SRC).parts[0].removesuffix(".py")


def _module_name(path: Path) -> str:
    parts = ("nmguard", *path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _upward(package: str, module: str) -> bool:
    """Does ``module``, imported from ``package``, live on a higher floor?"""
    parts = module.split(".")
    if parts[0] != "nmguard" or len(parts) < 2:
        return False
    own, target = _floor(package), _floor(parts[1])
    return own is not None and target is not None and target > own


def upward_imports(paths: list[Path]) -> list[str]:
    """Each import of a higher floor's package, as 'file:line imports module'."""
    return [
        f"{path.relative_to(SRC)}:{line} imports {module}"
        for path in paths
        for line, module in _imports(path)
        if _upward(_package(path), module)
    ]


def import_circles(paths: list[Path]) -> list[list[str]]:
    """Groups of modules that import each other round a circle (strongly connected, more than one module).

    A module importing its own package's ``__init__`` is not counted: a package re-exporting its modules is
    the usual shape, not a circle in the design."""
    names = {_module_name(p): p for p in paths}
    graph: dict[str, set[str]] = {name: set() for name in names}
    for name, path in names.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            graph[name].update(t for t in targets if t in names and t != name and not name.startswith(t + "."))
    return _strongly_connected(graph)


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (the module graph is deep enough to trouble recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        circles.append(sorted(group))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return circles


def test_every_package_has_a_floor():
    packages = {_package(p) for p in SRC.rglob("*.py")}
    assert not sorted(p for p in packages if _floor(p) is None), "give the new package its floor in LAYERS"


def test_no_pure_package_imports_a_higher_floor():
    offences = upward_imports(_pure_modules())
    assert not offences, "\n".join(offences)


def test_no_import_circles_in_the_pure_layer():
    circles = import_circles(_pure_modules())
    assert not circles, "\n".join(" <-> ".join(c) for c in circles)


@pytest.mark.parametrize(
    ("package", "module", "upward"),
    [
        ("dosimetry", "nmguard.reporting.plots", True),
        ("rules", "nmguard.dosimetry.bed", True),
        ("qc", "nmguard.exchange.dicom.rrdsr", True),
        ("reporting", "nmguard.dosimetry.dose_stats", False),
        ("outputs", "nmguard.reporting.dosimetry_report", False),
        ("imaging", "nmguard.qc.nm", False),  # same floor
        ("dosimetry", "numpy", False),
    ],
)
def test_the_floor_rule_catches_an_upward_import(package, module, upward):
    assert _upward(package, module) is upward


def test_the_circle_finder_finds_a_circle_and_only_it():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _strongly_connected(graph) == [["a", "b", "c"]]
