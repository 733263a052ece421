"""Purge: remove deleted memories' bytes from an embedded store's files.

Deleting a record in Chroma removes it from what is read, but its text and
metadata stay inside ``chroma.sqlite3``: Chroma's write log keeps the original
ADD row, and SQLite keeps freed pages. Erasure that must be real (a user asked
to be forgotten) therefore needs one more step after ``Memory.delete_all(...)``
or ``Memory.forget(..., erase_history=True)``, with no process using the folder:

    mem0i purge --path ./memories        # or: mem0_integrations.purge("./memories")

It rebuilds every collection of the store (memories, archive, history, chat,
quarantine)
from its live rows, then checkpoints SQLite's WAL and runs ``VACUUM``, which
rewrites the file without freed pages. Nothing live changes: same ids, texts,
metadata and vectors. Two details matter, both found by searching the raw files
for a deleted user's words:

* Chroma writes its vector-index files from buffers it does not zero, so they
  carry whatever the writing process had in memory; a process that read the old
  collections (Chroma replays their log, deleted rows included) wrote a deleted
  memory's history JSON into a new index file. So the rebuild runs in two fresh
  child processes: ``export`` reads the live rows into a staging folder and drops
  the old collections (their log rows go with them); ``import``, which never
  sees deleted data, creates the collections again from the staging folder.
* A dropped collection's index folder can stay behind: folders that no segment
  of ``chroma.sqlite3`` names are removed.

The staging folder (``<store>/mem0i-purge``) makes it crash-safe: until its
``READY`` marker is written the old collections are intact and a leftover
staging folder is discarded; after it, the staged rows are the truth and the
import is finished (by the next purge, or by the next ``Memory`` that opens the
folder: :func:`settle_purge`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ..config import StoreConfig
from ..errors import ConfigurationError, StoreError
from ..store.folder_lock import acquire

__all__ = ["STAGE_DIR", "PurgeReport", "purge", "settle_purge"]

STAGE_DIR = "mem0i-purge"
_SUFFIXES = ("memories", "archive", "history", "chat", "quarantine")
_PAGE = 1_000
_READY = "READY"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class PurgeReport:
    """What :func:`purge` did."""

    collections: dict[str, int]
    """Rows kept per rebuilt collection."""
    bytes_before: int
    bytes_after: int


def purge(path: str | Path, *, collection_prefix: str = "mem0i") -> PurgeReport:
    """Rewrite the embedded store at ``path`` without the bytes of deleted records."""
    config = StoreConfig(path=Path(path), collection_prefix=collection_prefix).resolved()
    assert config.path is not None
    folder = config.path
    database = folder / "chroma.sqlite3"
    if not database.is_file():
        raise ConfigurationError(f"No embedded store at {folder} (no chroma.sqlite3).")
    lease = acquire(folder)
    try:
        if lease.references > 1:
            raise ConfigurationError(
                f"A Memory of this process has {folder} open; close it before purging."
            )
        before = _size(folder)
        if not (folder / STAGE_DIR / _READY).exists():
            _child("export", folder, collection_prefix)
        kept: dict[str, int] = _child("import", folder, collection_prefix)
        _remove_orphan_segments(folder, database)
        _vacuum(database)
        return PurgeReport(kept, before, _size(folder))
    finally:
        lease.release()


def settle_purge(client: Any, folder: Path, prefix: str) -> None:
    """Finish or discard a purge a crash interrupted (see the module docstring)."""
    stage = folder / STAGE_DIR
    if not stage.is_dir():
        return
    if (stage / _READY).exists():
        _import(client, stage, prefix)
    else:
        shutil.rmtree(stage)


def _child(step: str, folder: Path, prefix: str) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-m", "mem0_integrations.core.lifecycle.purge", step, str(folder), prefix],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise StoreError(
            f"The purge of {folder} failed in its {step} step (exit code {done.returncode}): "
            f"{done.stderr.strip()[-2000:]}. The store is consistent; run the purge again."
        )
    result: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _names(client: Any) -> set[str]:
    return {c if isinstance(c, str) else c.name for c in client.list_collections()}


def _export(client: Any, stage: Path, prefix: str) -> dict[str, int]:
    """Stage every collection's live rows, mark them READY, drop the old collections.

    A collection is staged as JSON lines, its settings first and then one line per
    page of rows, so no more than a page is held in memory whatever the store's size.
    """
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir()
    counts: dict[str, int] = {}
    present = _names(client)
    include = ["embeddings", "documents", "metadatas"]
    for name in (f"{prefix}_{s}" for s in _SUFFIXES):
        if name not in present:
            continue
        old = client.get_collection(name, embedding_function=None)
        config = getattr(old, "configuration_json", None) or {}
        space = (config.get("hnsw") or {}).get("space") if isinstance(config, dict) else None
        count = 0
        with _durable(stage / f"{name}.jsonl") as f:
            f.write(json.dumps({"metadata": old.metadata, "space": space}) + "\n")
            while True:
                page = old.get(limit=_PAGE, offset=count, include=include)
                if not page["ids"]:
                    break
                rows = {
                    "ids": page["ids"],
                    "embeddings": [[float(x) for x in e] for e in page["embeddings"]],
                    "documents": page["documents"],
                    "metadatas": page["metadatas"],
                }
                f.write(json.dumps(rows) + "\n")
                count += len(page["ids"])
        if count != old.count():
            raise StoreError(f"Read {count} rows of {name}, which has {old.count()}.")
        counts[name] = count
    with _durable(stage / _READY) as f:
        json.dump(counts, f)
    for name in counts:
        client.delete_collection(name)
    return counts


def _import(client: Any, stage: Path, prefix: str) -> dict[str, int]:
    """Create the staged collections again (replacing any half-made one); drop the stage."""
    counts: dict[str, int] = json.loads((stage / _READY).read_text(encoding="utf-8"))
    present = _names(client)
    for name, count in counts.items():
        if name in present:  # an import a crash interrupted, or an export that did not drop it
            client.delete_collection(name)
        with open(stage / f"{name}.jsonl", encoding="utf-8") as f:
            settings = json.loads(f.readline())
            extra: dict[str, Any] = {}
            if settings["space"]:
                extra["configuration"] = {"hnsw": {"space": settings["space"]}}
            new = client.create_collection(
                name, metadata=settings["metadata"], embedding_function=None, **extra
            )
            for line in f:
                new.add(**json.loads(line))
        if new.count() != count:
            raise StoreError(f"Restored {new.count()} rows of {name}; {count} were staged.")
    shutil.rmtree(stage)
    return counts


@contextlib.contextmanager
def _durable(path: Path) -> Iterator[TextIO]:
    """A new file to write, flushed and fsynced when the block ends."""
    with open(path, "w", encoding="utf-8") as f:
        yield f
        f.flush()
        os.fsync(f.fileno())


def _remove_orphan_segments(folder: Path, database: Path) -> None:
    """Delete index folders (named by a UUID) that no segment of the database names."""
    connection = sqlite3.connect(database)
    try:
        live = {row[0] for row in connection.execute("SELECT id FROM segments")}
    finally:
        connection.close()
    for child in folder.iterdir():
        if child.is_dir() and _UUID.fullmatch(child.name) and child.name not in live:
            shutil.rmtree(child)


def _vacuum(database: Path) -> None:
    try:
        connection = sqlite3.connect(database)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.execute("VACUUM")
        finally:
            connection.close()
    except sqlite3.Error as e:
        raise StoreError(
            f"The purge rebuilt the collections of {database.parent} but SQLite could not "
            f"compact {database}: {e}. Run `mem0i purge` again with no process using the folder."
        ) from e


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _worker(step: str, folder: Path, prefix: str) -> dict[str, int]:
    """One step in a fresh process (``python -m mem0_integrations.core.lifecycle.purge``)."""
    from ..store.store import open_client

    client = open_client(StoreConfig(path=folder, collection_prefix=prefix).resolved())
    try:
        stage = folder / STAGE_DIR
        return (
            _export(client, stage, prefix) if step == "export" else _import(client, stage, prefix)
        )
    finally:
        client.close()  # the last client of the folder: Chroma writes and lets go


if __name__ == "__main__":
    print(json.dumps(_worker(sys.argv[1], Path(sys.argv[2]), sys.argv[3])))
