"""Chroma storage: memories and their history, both in Chroma and nowhere else.

Three collections per store:

* ``<prefix>_memories``: the active memories (cosine distance, one vector each).
  Default reads and every search touch only this collection, so their filter
  is the scope alone: no status clause for Chroma to evaluate on every row.
* ``<prefix>_archive``: superseded and deleted memories, with their vectors,
  moved here by the write that retires them (restorable, and read when history
  or inactive memories are asked for).
* ``<prefix>_history``: one entry per event, with a constant one-dimensional
  vector, since history is read by metadata only.

A Chroma server therefore gives every process the same complete state.

All Chroma calls go through :meth:`ChromaStore._call`, which turns Chroma's
and the transport's exceptions into :class:`StoreError` with a hint.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from ..config import StoreConfig
from ..deadline import bounded, committing
from ..errors import ConfigurationError, Mem0IntegrationsError, StoreError
from ..models import HistoryEntry, MemoryRecord, MemoryStatus
from .codec import (
    META_PREFIX,
    history_from_chroma,
    history_to_chroma,
    iso,
    record_from_chroma,
    record_to_chroma,
)
from .journal import Journal, NoJournal, Op
from .local_index import LocalIndex

__all__ = ["ChromaStore", "LazyCollection", "Where", "Write", "check_folder", "open_client"]

log = logging.getLogger("mem0_integrations")

T = TypeVar("T")
Where = dict[str, Any]

_SCHEMA_VERSION = 1
_PAGE = 1_000
_HISTORY_VECTOR = [1.0]


def open_client(config: StoreConfig) -> Any:
    """A Chroma client for a resolved :class:`StoreConfig` (embedded or server)."""
    try:
        import chromadb
        from chromadb.config import Settings
    except ImportError as e:  # pragma: no cover - chromadb is a hard dependency
        raise ConfigurationError("chromadb is missing: pip install mem0-integrations.") from e
    settings = Settings(anonymized_telemetry=False)
    if config.chroma_host is not None:
        try:
            client = chromadb.HttpClient(
                host=config.chroma_host,
                port=config.chroma_port or 8000,
                ssl=config.chroma_ssl,
                headers=config.chroma_headers or None,
                settings=settings,
            )
            client.heartbeat()
        except Exception as e:
            raise StoreError(
                f"Cannot reach the Chroma server at {config.chroma_host}:{config.chroma_port}: "
                f"{e}. Start one with `chroma run --path DIR --host 127.0.0.1 --port "
                f"{config.chroma_port}` or fix chroma_host/chroma_port."
            ) from e
        return client
    assert config.path is not None, "resolve the StoreConfig first"
    check_folder(config.path)
    try:
        return chromadb.PersistentClient(path=str(config.path), settings=settings)
    except Exception as e:
        raise StoreError(f"Cannot open the embedded store at {config.path}: {e}.") from e


def check_folder(path: Path) -> None:
    """Raise :class:`ConfigurationError` if ``path`` exists and is not a folder."""
    if path.exists() and not path.is_dir():
        raise ConfigurationError(f"path={str(path)!r} is a file; pass a folder.")


class LazyCollection:
    """A side collection of a store (transcripts, quarantine) created on its first write,
    so a store that never needed it has none. Thread-safe."""

    def __init__(self, client: Any, name: str, what: str) -> None:
        self._client = client
        self.name = name
        self._what = what
        self._collection: Any = None
        self._lock = threading.Lock()

    def opened(self, *, create: bool) -> Any:
        """The collection; None when it does not exist and ``create`` is False."""
        with self._lock:
            if self._collection is None:
                self._collection = chroma_call(
                    f"open the {self._what} collection ({self.name})",
                    self._create if create else self._existing,
                )
            return self._collection

    def _create(self) -> Any:
        return self._client.get_or_create_collection(
            self.name, metadata={"mem0i_schema": 1}, embedding_function=None
        )

    def _existing(self) -> Any:
        from chromadb.errors import NotFoundError

        try:
            return self._client.get_collection(self.name, embedding_function=None)
        except NotFoundError:
            return None

    def pages(self, where: Mapping[str, Any] | None, include: list[str]) -> Iterator[Any]:
        """Chroma's ``get`` results for ``where`` (None: every row), page by page; none
        when the collection does not exist."""
        collection = self.opened(create=False)
        if collection is None:
            return
        offset = 0
        while True:
            page = functools.partial(
                collection.get, where=where, limit=_PAGE, offset=offset, include=include
            )
            res = chroma_call(f"read the {self._what} ({self.name})", page)
            yield res
            if len(res["ids"]) < _PAGE:
                return
            offset += _PAGE

    def delete_where(self, where: Mapping[str, Any] | None) -> int:
        """Delete the rows ``where`` matches (None: every row); how many."""
        ids = [i for res in self.pages(where, []) for i in res["ids"]]  # all, then delete
        collection = self.opened(create=False)
        for start in range(0, len(ids), _PAGE):
            chunk = ids[start : start + _PAGE]
            delete = functools.partial(collection.delete, ids=chunk)
            chroma_call(f"delete from the {self._what} ({self.name})", delete)
        return len(ids)


@dataclass(frozen=True)
class Write:
    """One memory write: the record after it, and what to restore if a later step fails."""

    record: MemoryRecord
    embedding: list[float] | None
    """New vector, or None when text and vector are unchanged (metadata-only update)."""
    previous: MemoryRecord | None = None
    """The stored record before the write; None for a new record."""
    previous_embedding: list[float] | None = None


def chroma_call(what: str, fn: Callable[[], T], after: str = "") -> T:
    """``fn()``, with a failure of Chroma's raised as :class:`StoreError` that says what
    failed and how to check (``after`` adds what the caller knows of the state)."""
    try:
        return fn()
    except Mem0IntegrationsError:
        raise
    except Exception as e:
        raise _failure(what, e, after) from e


def _failure(what: str, error: Exception, after: str = "") -> StoreError:
    return StoreError(
        f"Chroma failed to {what}: {type(error).__name__}: {error}. If this is a server, "
        f"check that it is running{'; ' + after if after else '.'}"
    )


#: Pauses before retrying a read that failed with a Chroma server's transient internal
#: error (a segment another client is creating: "Nothing found on disk").
_READ_RETRIES = (0.05, 0.2, 0.5)


def _read(what: str, fn: Callable[[], T]) -> T:
    """A read, retried when Chroma reports an internal error: reads change nothing, and a
    server answers one while another client's first write to a collection creates its
    vector segment (seen with four processes superseding through one server)."""
    pauses = iter(_READ_RETRIES)
    while True:
        try:
            return fn()
        except Mem0IntegrationsError:
            raise
        except Exception as e:
            pause = next(pauses, None) if type(e).__name__ == "InternalError" else None
            if pause is None:
                raise _failure(what, e) from e
            log.debug("retrying a Chroma read in %.2f s after %s: %s", pause, type(e).__name__, e)
        time.sleep(pause)


class ChromaStore:
    """Typed access to the two Chroma collections of one store."""

    def __init__(self, client: Any, *, prefix: str, embedder_name: str) -> None:
        self._client = client
        self._prefix = prefix
        self._embedder_name = embedder_name
        self.memories: Any = None
        self.archive: Any = None
        self.history: Any = None
        self.closed = False
        """Set when the owning Memory closed the client: every call then fails clearly."""
        self.shared = True
        """Other processes may write this store (a server, an injected client); False for
        an embedded folder this process holds the lock of."""
        self.journal: Journal = NoJournal()
        """Where multi-call changes are recorded first (a file journal when embedded)."""
        self.index: LocalIndex | None = None
        """Kept current with every write and delete when set (see :mod:`.local_index`)."""
        self._width: int | None = None
        self._open_collections()

    @property
    def client(self) -> Any:
        """The underlying Chroma client."""
        return self._client

    def _call(self, what: str, fn: Callable[[], T], *, read: bool = False) -> T:
        """A Chroma call; a ``read`` gives up at the call's deadline (:mod:`.deadline`)."""
        if self.closed:
            raise StoreError(
                f"Cannot {what}: this Memory was closed, and with it the Chroma client it "
                "opened. Open a new Memory (call flush(), not close(), to wait for "
                "background writes)."
            )
        if read:
            return bounded(what, lambda: _read(what, fn))
        return chroma_call(what, fn, "nothing beyond this step was written.")

    def _open(self, suffix: str, vectors: bool) -> Any:
        metadata: dict[str, Any] = {"mem0i_schema": _SCHEMA_VERSION}
        kwargs: dict[str, Any] = {}
        if vectors:
            metadata["mem0i_embedder"] = self._embedder_name
            kwargs["configuration"] = {"hnsw": {"space": "cosine"}}
        name = f"{self._prefix}_{suffix}"
        return self._call(
            f"open the {name} collection",
            lambda: self._client.get_or_create_collection(
                name, metadata=metadata, embedding_function=None, **kwargs
            ),
        )

    def _open_collections(self) -> None:
        self.memories = self._open("memories", vectors=True)
        stored = (self.memories.metadata or {}).get("mem0i_embedder")
        if stored is not None and stored != self._embedder_name:
            raise ConfigurationError(
                f"This store's memories were embedded with {stored!r}, but the configured "
                f"embedder is {self._embedder_name!r}; vectors of two models cannot be "
                "compared. Use the same embedder, or another path/collection_prefix."
            )
        self.archive = self._open("archive", vectors=True)
        self.history = self._open("history", vectors=False)

    def _home(self, record: MemoryRecord) -> Any:
        """The collection a record lives in: active ones in memories, others in archive."""
        return self.memories if record.status is MemoryStatus.ACTIVE else self.archive

    # --- memories -----------------------------------------------------------------------

    def query(
        self, embedding: Sequence[float], *, where: Where, limit: int
    ) -> list[tuple[MemoryRecord, float]]:
        """Nearest memories to ``embedding`` under ``where``, as (record, cosine distance)."""
        return self.query_many([embedding], where=where, limit=limit)[0]

    def query_many(
        self,
        embeddings: Sequence[Sequence[float]],
        *,
        where: Where,
        limit: int,
        archived: bool = False,
    ) -> list[list[tuple[MemoryRecord, float]]]:
        """:meth:`query` for several vectors in one round trip, one list per vector.

        ``archived=True`` searches the archive collection instead of the active one.
        """
        collection = self.archive if archived else self.memories
        res = self._call(
            "search memories",
            read=True,
            fn=lambda: collection.query(
                query_embeddings=[list(e) for e in embeddings],
                n_results=limit,
                where=where,
                include=["documents", "metadatas", "distances"],
            ),
        )
        return [
            [
                (record_from_chroma(i, d, m), float(x))
                for i, d, m, x in zip(ids, docs, metas, dists, strict=True)
            ]
            for ids, docs, metas, dists in zip(
                res["ids"], res["documents"], res["metadatas"], res["distances"], strict=True
            )
        ]

    def scope_rows(
        self, where: Where, *, vectors: bool
    ) -> list[tuple[MemoryRecord, Sequence[float] | None]]:
        """The active memories under ``where`` with their vectors (None unless
        ``vectors``; as Chroma returns them, numpy rows), read in pages: what
        :class:`.LocalIndex` loads for a scope."""
        include = ["documents", "metadatas", *(["embeddings"] if vectors else [])]
        rows: list[tuple[MemoryRecord, Sequence[float] | None]] = []
        for res in self._pages(self.memories, where, include):
            embeddings = res["embeddings"] if vectors else [None] * len(res["ids"])
            for i, d, m, e in zip(
                res["ids"], res["documents"], res["metadatas"], embeddings, strict=True
            ):
                rows.append((record_from_chroma(i, d, m), e))
        return rows

    def get_with_embeddings(
        self, ids: Sequence[str], *, where: Where | None = None
    ) -> list[tuple[MemoryRecord, list[float]]]:
        """Active records with their vectors, for those of ``ids`` that match ``where``."""
        if not ids:
            return []
        include = ["documents", "metadatas", "embeddings"]
        res = self._call(
            "read memories",
            lambda: self.memories.get(ids=list(ids), where=where, include=include),
            read=True,
        )
        return [
            (record_from_chroma(i, d, m), [float(x) for x in e])
            for i, d, m, e in zip(
                res["ids"], res["documents"], res["metadatas"], res["embeddings"], strict=True
            )
        ]

    def get_records(self, ids: Sequence[str]) -> dict[str, MemoryRecord]:
        """The stored records with these ids, active or archived (missing ids are absent)."""
        found: dict[str, MemoryRecord] = {}
        for collection in (self.archive, self.memories):
            if ids:
                res = self._get(collection, ids, ["documents", "metadatas"])
                for i, d, m in zip(res["ids"], res["documents"], res["metadatas"], strict=True):
                    record = record_from_chroma(i, d, m)
                    if i not in found or record.updated_at >= found[i].updated_at:
                        found[i] = record
        return found

    def vector_width(self) -> int | None:
        """The width of the vectors stored (None while the store holds none), read from
        one stored vector once, then kept."""
        if self._width is None:
            for collection in (self.memories, self.archive):
                peek = functools.partial(collection.get, limit=1, include=["embeddings"])
                res = self._call("read memories", peek, read=True)
                if len(res["embeddings"]):
                    self._width = len(res["embeddings"][0])
                    break
        return self._width

    def get_embeddings(self, ids: Sequence[str]) -> dict[str, list[float]]:
        """Stored vectors for ``ids``, active or archived."""
        vectors: dict[str, list[float]] = {}
        for collection in (self.archive, self.memories):
            if ids:
                res = self._get(collection, ids, ["embeddings"])
                for i, e in zip(res["ids"], res["embeddings"], strict=True):
                    vectors[i] = [float(x) for x in e]
        return vectors

    def find(self, where: Where, *, archived: bool = False) -> list[MemoryRecord]:
        """Active records matching ``where`` (and archived ones if asked), read in pages."""
        found = list(self._paged(self.memories, where, record_from_chroma))
        if archived:
            found += self._paged(self.archive, where, record_from_chroma)
        return found

    def write(self, writes: Sequence[Write], history: Sequence[HistoryEntry]) -> None:
        """Apply memory writes, then history, as one journaled change (:mod:`.journal`);
        on failure, restore what was there before.

        Chroma has no transactions across calls, so a failed step is compensated:
        new records are deleted and changed records rewritten as they were. A crash
        is finished from the journal when the store is next opened.
        """
        known = self._moved_vectors(writes)
        ops = self._memory_ops(writes, known) + self._history_ops(history)
        self._apply(ops, lambda: self._undo(writes))
        if self.index is not None:
            self.index.changed((w.record, w.embedding or known.get(w.record.id)) for w in writes)

    @committing()  # once writing, a change finishes: no deadline cuts it off
    def _apply(self, ops: Sequence[Op], undo: Callable[[], None]) -> None:
        """Run ``ops`` as one journaled change; ``undo`` restores the state before them."""
        token = self.journal.begin(ops)
        try:
            for op in ops:
                self._run(op)
        except StoreError:
            if self.index is not None:
                self.index.clear()  # whatever the undo leaves, the next search reloads
            try:
                undo()
            except StoreError:
                log.exception(
                    "mem0-integrations could not undo a failed change; it is kept in the "
                    "journal and completed when the store is next opened"
                )
                raise
            self.journal.end(token)
            raise
        self.journal.end(token)

    def recover(self) -> int:
        """Finish the changes a crashed process began (see :mod:`.journal`); how many."""
        pending = self.journal.pending()
        for token, ops in pending:
            for op in ops:
                self._run(op)
            self.journal.end(token)
        if pending and self.index is not None:
            self.index.clear()
        return len(pending)

    def _collection(self, name: str) -> Any:
        found = {"memories": self.memories, "archive": self.archive, "history": self.history}
        return found[name]

    def _run(self, op: Op) -> None:
        """One idempotent Chroma call."""
        collection = self._collection(op.collection)
        if op.kind == "delete":
            self._delete(collection, op.ids)
        elif op.kind == "update":
            assert op.metadatas is not None
            self._update(collection, op.ids, op.metadatas)
        else:
            what = "write history" if op.collection == "history" else "write memories"
            self._call(
                what,
                lambda: collection.upsert(
                    ids=op.ids,
                    embeddings=op.embeddings,
                    documents=op.documents,
                    metadatas=op.metadatas,
                ),
            )

    def _name(self, collection: Any) -> str:
        return "memories" if collection is self.memories else "archive"

    def _moved_vectors(self, writes: Sequence[Write]) -> dict[str, list[float]]:
        """Vectors of the records this change moves between memories and archive without
        a new vector (an upsert needs the vector): stored ones, or the vector an earlier
        write of this same change gives the record (one add that states two values of a
        key creates the first and supersedes it at once)."""
        moved = [
            w.record.id
            for w in writes
            if w.embedding is None
            and (w.previous is None or self._home(w.previous) is not self._home(w.record))
        ]
        given = {w.record.id: w.embedding for w in writes if w.embedding is not None}
        known = {i: given[i] for i in moved if i in given}
        known.update(self.get_embeddings([i for i in moved if i not in given]))
        missing = [i for i in moved if i not in known]
        if missing:
            raise StoreError(f"Cannot move memories {missing}: their vectors are not stored.")
        return known

    def _memory_ops(self, writes: Sequence[Write], known: Mapping[str, list[float]]) -> list[Op]:
        """Upsert each record into its home collection and remove it from the other.

        Writing first and deleting second means a failure in between leaves the
        record in both places; :meth:`get_records` then keeps the newer one.
        """
        ops: list[Op] = []
        for collection in (self.memories, self.archive):
            name = self._name(collection)
            mine = [w for w in writes if self._home(w.record) is collection]
            full = [w for w in mine if w.embedding is not None or w.record.id in known]
            in_place = [w for w in mine if w.embedding is None and w.record.id not in known]
            if full:
                rows = [_row(w) for w in full]
                ops.append(
                    Op(
                        "upsert",
                        name,
                        [w.record.id for w in full],
                        embeddings=[_floats(w.embedding or known[w.record.id]) for w in full],
                        documents=[r[0] for r in rows],
                        metadatas=[r[1] for r in rows],
                    )
                )
            if in_place:
                metadatas = [_row(w)[1] for w in in_place]
                ops.append(Op("update", name, [w.record.id for w in in_place], metadatas=metadatas))
            elsewhere = [
                w.record.id
                for w in mine
                if w.previous is not None and self._home(w.previous) is not collection
            ]
            if elsewhere:
                ops.append(Op("delete", self._name(self._other(collection)), elsewhere))
        return ops

    def _history_ops(self, entries: Sequence[HistoryEntry]) -> list[Op]:
        if not entries:
            return []
        rows = [history_to_chroma(e) for e in entries]
        return [
            Op(
                "upsert",
                "history",
                [e.id for e in entries],
                embeddings=[_HISTORY_VECTOR] * len(entries),
                documents=[r[0] for r in rows],
                metadatas=[r[1] for r in rows],
            )
        ]

    def _write_memories(self, writes: Sequence[Write]) -> None:
        """Apply ``writes`` without the journal (an undo, itself inside a change)."""
        for op in self._memory_ops(writes, self._moved_vectors(writes)):
            self._run(op)

    def _get(self, collection: Any, ids: Sequence[str], include: list[str]) -> Any:
        return self._call(
            "read memories", lambda: collection.get(ids=list(ids), include=include), read=True
        )

    def _update(self, collection: Any, ids: list[str], metadatas: list[dict[str, Any]]) -> None:
        self._call("update memories", lambda: collection.update(ids=ids, metadatas=metadatas))

    def _other(self, collection: Any) -> Any:
        return self.archive if collection is self.memories else self.memories

    def _undo(self, writes: Sequence[Write]) -> None:
        for collection in (self.memories, self.archive):
            new_ids = [
                w.record.id
                for w in writes
                if w.previous is None and self._home(w.record) is collection
            ]
            if new_ids:
                self._delete(collection, new_ids)
        restore = [
            Write(
                w.previous,
                w.previous_embedding if w.embedding is not None else None,
                previous=w.record,
            )
            for w in writes
            if w.previous is not None
        ]
        if restore:
            self._write_memories(restore)

    def record_access(self, records: Sequence[MemoryRecord]) -> None:
        """Write only the access time and count of ``records``.

        Only those two columns are sent (Chroma merges metadata on update), so
        a concurrent edit or delete of the same memory is never reverted; ids
        deleted meanwhile are ignored by Chroma.
        """
        if not records:
            return
        metadatas: list[dict[str, Any]] = [
            {"last_accessed_at": iso(r.last_accessed_at), "access_count": r.access_count}
            for r in records
        ]
        self._update(self.memories, [r.id for r in records], metadatas)
        if self.index is not None:
            self.index.accessed(records)

    def count(self) -> int:
        """Number of stored memory records, active and archived."""
        return sum(
            int(self._call("count memories", c.count, read=True))
            for c in (self.memories, self.archive)
        )

    # --- history ------------------------------------------------------------------------

    def add_history(self, entries: Sequence[HistoryEntry]) -> None:
        """Append (or idempotently re-write) history entries."""
        for op in self._history_ops(entries):
            self._run(op)

    def find_history(self, where: Where) -> list[HistoryEntry]:
        """History entries matching ``where``, oldest first."""
        entries = list(self._paged(self.history, where, history_from_chroma))
        return sorted(entries, key=lambda e: (e.created_at, e.seq, e.id))

    # --- maintenance --------------------------------------------------------------------

    def reset(self) -> None:
        """Delete every memory and history entry, keeping the collections.

        The collections themselves stay, so other clients of the same folder or
        server keep working against them.
        """
        for collection in (self.memories, self.archive, self.history):
            while ids := self._ids(collection):
                self._delete(collection, ids)
        self._width = None
        if self.index is not None:
            self.index.clear()

    def scan(self, where: Where | None = None) -> Iterator[MemoryRecord]:
        """Active records under ``where`` (every active record for None), read in pages."""
        offset = 0
        while True:
            res = self._call(
                "read memories",
                functools.partial(
                    self.memories.get,
                    where=where,
                    limit=_PAGE,
                    offset=offset,
                    include=["documents", "metadatas"],
                ),
            )
            for i, d, m in zip(res["ids"], res["documents"], res["metadatas"], strict=True):
                yield record_from_chroma(i, d, m)
            if len(res["ids"]) < _PAGE:
                return
            offset += _PAGE

    def delete_memories(
        self,
        records: Sequence[MemoryRecord],
        history: Sequence[HistoryEntry] = (),
        *,
        erase_history: Where | None = None,
    ) -> None:
        """Hard-delete ``records`` from both memory collections, whatever their status,
        and append ``history`` (their ``FORGET`` entries) or delete the history entries
        under ``erase_history``, as one journaled change.

        On failure, what was already removed is written back (with its vector) and the
        new entries are removed, so the call either removes every record or none (erased
        history entries are not written back: erasure was asked for).
        """
        ids = [r.id for r in records]
        if not ids:
            return
        vectors = self.get_embeddings(ids)

        def undo() -> None:
            self._write_memories([Write(r, vectors[r.id]) for r in records if r.id in vectors])
            self.delete_history_ids([e.id for e in history])

        ops = self._history_ops(history)
        erased = [] if erase_history is None else self._history_ids(erase_history)
        if erased:
            ops.append(Op("delete", "history", erased))
        ops += [Op("delete", "archive", ids), Op("delete", "memories", ids)]
        self._apply(ops, undo)
        if self.index is not None:
            self.index.removed(ids)

    def delete_history(self, where: Where) -> int:
        """Delete every history entry matching ``where``; returns how many."""
        ids = self._history_ids(where)
        for start in range(0, len(ids), _PAGE):
            self._delete(self.history, ids[start : start + _PAGE])
        return len(ids)

    def _history_ids(self, where: Where) -> list[str]:
        # read to the end before deleting: offsets shift under deletes
        return [i for res in self._pages(self.history, where, []) for i in res["ids"]]

    def delete_history_ids(self, ids: Sequence[str]) -> None:
        """Delete the history entries with these ids (unknown ids are ignored)."""
        if ids:
            self._delete(self.history, list(ids))

    def _ids(self, collection: Any) -> list[str]:
        res = self._call("list ids", lambda: collection.get(limit=_PAGE, include=[]))
        return list(res["ids"])

    def _delete(self, collection: Any, ids: list[str]) -> None:
        self._call("delete records", lambda: collection.delete(ids=ids))
        if self.index is not None and collection is self.memories:
            self.index.removed(ids)

    def _paged(
        self,
        collection: Any,
        where: Where,
        decode: Callable[[str, str, Any], T],
        include: Sequence[str] = ("documents", "metadatas"),
    ) -> Iterator[T]:
        for res in self._pages(collection, where, list(include)):
            metadatas = res["metadatas"] or [None] * len(res["ids"])
            for i, d, m in zip(res["ids"], res["documents"], metadatas, strict=True):
                yield decode(i, d, m)

    def _pages(self, collection: Any, where: Where, include: list[str]) -> Iterator[Any]:
        """Chroma's ``get`` results for ``where``, page by page, to the last one."""
        offset = 0
        while True:
            page = functools.partial(
                collection.get, where=where, limit=_PAGE, offset=offset, include=include
            )
            res = self._call("read", page, read=True)
            yield res
            if len(res["ids"]) < _PAGE:
                return
            offset += _PAGE

    def set_expiry(self, expiries: Mapping[str, datetime | None]) -> None:
        """Write only the ``expires_at`` column of these active memories (a TTL refresh).

        No other column is sent, so a concurrent edit of the same memory is never
        reverted; ids deleted meanwhile are ignored by Chroma.
        """
        if expiries:
            metadatas: list[dict[str, Any]] = [{"expires_at": iso(v)} for v in expiries.values()]
            self._update(self.memories, list(expiries), metadatas)
            if self.index is not None:
                self.index.expiring(expiries)


def _floats(vector: Sequence[float]) -> list[float]:
    return [float(x) for x in vector]


def _row(write: Write) -> tuple[str, dict[str, Any]]:
    """(document, metadata) of a write; caller metadata the previous version had and
    this one lacks is set to None, which makes Chroma drop the column."""
    document, meta = record_to_chroma(write.record)
    if write.previous is not None:
        for key in write.previous.metadata:
            meta.setdefault(META_PREFIX + key, None)
    return document, meta
