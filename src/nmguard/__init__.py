"""NMGuard: radiation protection, safety and quality for nuclear medicine departments."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """``__version__`` is looked up on first use: importlib.metadata (email, zipfile, ...) costs a
    tenth of a second that a calculator run from the command line should not pay."""
    if name != "__version__":
        raise AttributeError(f"module 'nmguard' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version("nmguard")
    except PackageNotFoundError:  # running from a source tree without installation
        value = "0.0.0+source"
    globals()["__version__"] = value
    return value
