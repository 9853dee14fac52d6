"""``python -m nmguard`` runs the CLI."""

from nmguard.cli import run

run()
