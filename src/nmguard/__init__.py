"""NMGuard: radiation protection, safety and quality for nuclear medicine departments."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nmguard")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+source"
