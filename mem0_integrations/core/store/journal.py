"""A write-ahead journal, so a change spanning several Chroma calls is all or nothing.

Chroma has no transaction across calls, and one change of ours can need several:
an update writes the new text into ``memories``, moves the superseded record to
``archive`` and appends to ``history``. A process killed between two of those
calls would leave a mix. So :class:`~.store.ChromaStore` first turns a change
into a list of :class:`Op` (each an idempotent Chroma call with all of its data:
upserts carry their vectors, deletes their ids), writes the list durably to the
journal, runs it, and then removes the entry. If the process dies in between,
the next process to open the store runs the entry again before anything else
(:func:`replay`): every op is idempotent, so the store ends in the new state.

:class:`FileJournal` keeps entries as files in ``<folder>/mem0i-journal/``: an
entry is written to a temporary file, ``fsync``-ed and renamed into place; its
removal is made durable too (a stale entry replayed after later changes would
undo them). It is used for embedded folders, which one process owns (see
:mod:`.folder_lock`), so an entry found at open time belongs to a dead process.
Through a Chroma server other live processes write too, and there is no such
certainty: :class:`NoJournal` is used and each Chroma call is atomic on its own.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from ..errors import StoreError

__all__ = ["JOURNAL_DIR", "FileJournal", "Journal", "NoJournal", "Op"]

JOURNAL_DIR = "mem0i-journal"
_VERSION = 1


@dataclass(frozen=True)
class Op:
    """One idempotent Chroma call on one of the store's collections."""

    kind: Literal["upsert", "update", "delete"]
    collection: str
    """The collection's suffix: ``memories``, ``archive`` or ``history``."""
    ids: list[str]
    embeddings: list[list[float]] | None = None
    documents: list[str] | None = None
    metadatas: list[dict[str, Any]] | None = field(default=None)


class Journal(Protocol):
    """Where changes are recorded before they are applied."""

    def begin(self, ops: Sequence[Op]) -> str:
        """Record ``ops`` durably; returns a token for :meth:`end`."""
        ...

    def end(self, token: str) -> None:
        """The change is fully applied (or fully undone): forget it, durably."""
        ...

    def pending(self) -> list[tuple[str, list[Op]]]:
        """Changes begun and never ended, oldest first."""
        ...


class NoJournal:
    """No journal: for stores other live processes write (a Chroma server)."""

    def begin(self, ops: Sequence[Op]) -> str:
        return ""

    def end(self, token: str) -> None:
        return None

    def pending(self) -> list[tuple[str, list[Op]]]:
        return []


class FileJournal:
    """Journal entries as files in ``folder``; see the module docstring."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def begin(self, ops: Sequence[Op]) -> str:
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex}.json"
        # vars(), not dataclasses.asdict: asdict deep-copies every float of every vector
        # (at 256 memories per call it took longer than the Chroma writes themselves)
        data = json.dumps({"version": _VERSION, "ops": [vars(op) for op in ops]})
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self.folder / f".{name}.tmp"
            with open(temporary, "w", encoding="utf-8") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temporary, self.folder / name)
            _sync_folder(self.folder)
        except OSError as e:
            raise StoreError(
                f"Cannot write the change journal in {self.folder}: {e}. Check the disk "
                "(space, permissions); nothing was written."
            ) from e
        return name

    def end(self, token: str) -> None:
        try:
            (self.folder / token).unlink(missing_ok=True)
            _sync_folder(self.folder)
        except OSError as e:
            raise StoreError(
                f"Cannot remove journal entry {self.folder / token}: {e}. The change itself "
                "is complete; check the disk."
            ) from e

    def pending(self) -> list[tuple[str, list[Op]]]:
        if not self.folder.is_dir():
            return []
        out = []
        for path in sorted(self.folder.glob("*.json")):
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
                ops = [Op(**op) for op in raw["ops"]]
            except (OSError, ValueError, KeyError, TypeError) as e:
                raise StoreError(
                    f"The journal entry {path} cannot be read ({e}). It records a change a "
                    "crashed process did not finish; move it away to open the store without "
                    "finishing that change."
                ) from e
            out.append((path.name, ops))
        for stale in self.folder.glob(".*.tmp"):  # never renamed: its change never began
            stale.unlink(missing_ok=True)
        return out


def _sync_folder(folder: Path) -> None:
    """Make renames and removals in ``folder`` durable."""
    if os.name != "posix":  # pragma: no cover - Windows cannot open folders
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
