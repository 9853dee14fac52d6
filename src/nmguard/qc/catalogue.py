"""The QC test catalogue as the QC package sees it (types and loaders live in :mod:`nmguard.reference.qc_tests`)."""

from __future__ import annotations

from nmguard.reference.qc_tests import (
    BASES,
    EQUIPMENT_KINDS,
    FREQUENCIES,
    Band,
    Frequency,
    QCTest,
    get_qc_test,
    qc_tests,
    qc_tests_for_kind,
)

__all__ = [
    "BASES",
    "EQUIPMENT_KINDS",
    "FREQUENCIES",
    "Band",
    "Frequency",
    "QCTest",
    "get_qc_test",
    "qc_tests",
    "qc_tests_for_kind",
    "resolve",
]


def resolve(test: QCTest | str) -> QCTest:
    """A catalogue test from itself or its id."""
    return test if isinstance(test, QCTest) else get_qc_test(test)
