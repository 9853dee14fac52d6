"""Errors that mean "the input was wrong", shared by the CLI, the API and forms.

Every layer maps an :class:`InputError` the same way: the CLI exits 2 with one ``error:`` line,
the API answers 422 naming ``field``, a form shows the message next to ``field``.
"""

from __future__ import annotations


class InputError(ValueError):
    """Bad input from a person or a file; ``field`` names what was wrong when known."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class UnknownNuclideError(InputError):
    """A nuclide name that the reference data does not hold."""
