"""Putting restored files in place so that a failed restore can be undone: each file replaced or moved out
of the way is kept under a folder of its own, and :meth:`Swap.undo` puts everything back. Renames within
one file system only (the staging and keeping folders live inside the data folder). Pure."""

from __future__ import annotations

import os
from pathlib import Path


class Swap:
    """Moves into ``root``, keeping what they replace under ``keep`` (same relative path)."""

    def __init__(self, root: Path, keep: Path) -> None:
        self.root, self.keep = Path(root), Path(keep)
        self._done: list[tuple[Path, Path | None, Path | None]] = []  # (target, kept copy, staged source)

    def _keep(self, target: Path) -> Path | None:
        if not target.exists():
            return None
        kept = self.keep / target.relative_to(self.root)
        kept.parent.mkdir(parents=True, exist_ok=True)
        os.replace(target, kept)
        return kept

    def place(self, staged: Path, target: Path) -> None:
        """Put ``staged`` at ``target``; what was there is kept."""
        target.parent.mkdir(parents=True, exist_ok=True)
        kept = self._keep(target)
        self._done.append((target, kept, staged))
        os.replace(staged, target)

    def remove(self, target: Path) -> None:
        """Move ``target`` out of the way (kept)."""
        kept = self._keep(target)
        if kept is not None:
            self._done.append((target, kept, None))

    def undo(self) -> None:
        """Put back what was there before, newest change first."""
        for target, kept, staged in reversed(self._done):
            if staged is not None and target.exists():
                os.replace(target, staged)
            if kept is not None:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(kept, target)
        self._done.clear()

    @property
    def kept_anything(self) -> bool:
        return any(kept is not None for _, kept, _ in self._done)
