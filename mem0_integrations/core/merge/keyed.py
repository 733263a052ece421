"""Caller-keyed records: memories addressed by a namespace and a key, values kept exactly.

Key-value stores (LangGraph's ``BaseStore``) address an item by a hierarchical
``namespace`` (a tuple of labels) and a ``key``. :class:`KeyedRecords` keeps each
item as one ordinary memory of a scope, so every reader of that scope (search,
``get_all``, the prompt adapters) sees it too:

* id: ``uuid5`` of namespace and key, so a read by address is a read by id, and
  two writers of one address write one record;
* ``text``: what the item is about, given by the caller (embedded and searched);
* ``value``: the caller's dict, stored as JSON and returned equal;
* ``key``: ``"kv:" + JSON [namespace, key]``; ``consolidate()`` never folds a keyed
  memory into another one, so an item stays an item;
* metadata: ``kv_namespace`` (the labels), ``kv_key``, ``kv_depth``, ``kv_prefixes``
  (every leading part of the namespace as JSON, so a prefix is one ``$contains``
  clause), ``kv_indexed`` (False: left out of ranked search) and ``kv_ttl`` (minutes).

A put writes an ``ADD`` or ``UPDATE`` history entry (``created_at`` is kept,
``updated_at`` moves); a delete soft-deletes like :meth:`Memory.delete`. A TTL
sets ``expires_at`` (expired items are never returned; reads that refresh move
it; :meth:`KeyedRecords.sweep` hard-deletes the expired ones). Items do not fade
from keyed reads, but they remain memories: an ``add()`` that retracts or
supersedes their fact retires them (history kept), and ``Memory.update()``
replaces their text and clears their value, which then reads back as
``{"content": text}``.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..adding import checked_now
from ..deadline import in_thread
from ..errors import InvalidInputError, ScopeError
from ..extract.dates import event_span
from ..lifecycle.lifecycle import hard_delete
from ..models import EventType, MemoryRecord, MemoryStatus, Scope, content_hash
from ..rank.keywords import KeywordScore, idf, term_weight, terms
from ..rank.ranking import score
from ..store.codec import META_PREFIX, dumps
from ..store.filters import and_, read_where
from ..store.store import Where, Write
from .consolidation import history_entry
from .keyed_ops import (
    KeyedGet,
    KeyedItem,
    KeyedNamespaces,
    KeyedOp,
    KeyedPut,
    KeyedResult,
    KeyedSearch,
    Match,
    Namespace,
    address,
    check_page,
    item_of,
    keyed_id,
    namespace_path,
    value_json,
)

if TYPE_CHECKING:
    from ..memory import Memory

__all__ = ["KeyedRecords"]

_MAX_POOL = 20_000


def _bm25(
    query: str, records: Sequence[MemoryRecord], k1: float, b: float
) -> dict[str, KeywordScore]:
    """BM25 (:mod:`.keywords`) of ``records`` for ``query``, with the candidates' statistics."""
    wanted = list(dict.fromkeys(terms(query)))
    words = {r.id: terms(r.text) for r in records}
    if not wanted or not words:
        return {}
    counts = {i: Counter(w) for i, w in words.items()}
    avglen = sum(len(w) for w in words.values()) / len(words) or 1.0
    weights = {t: idf(len(words), sum(t in c for c in counts.values())) for t in wanted}
    mass = sum(weights[t] for t in wanted if any(t in c for c in counts.values()))
    found: dict[str, KeywordScore] = {}
    for doc_id, count in counts.items():
        matched = tuple(t for t in wanted if t in count)
        if matched:
            value = sum(
                term_weight(weights[t], count[t], len(words[doc_id]), avglen, k1, b)
                for t in matched
            )
            found[doc_id] = KeywordScore(min(1.0, value / mass), value, matched)
    return found


class KeyedRecords:
    """Namespace-and-key items over one :class:`Memory` (its store, embedder, lock, clock)."""

    def __init__(self, memory: Memory) -> None:
        self._memory = memory
        self._store = memory._store
        self._lock = memory._lock

    def _now(self) -> datetime:
        return checked_now(self._memory._clock)

    # --- one batch ------------------------------------------------------------------------

    def execute(self, ops: Sequence[KeyedOp]) -> list[KeyedResult]:
        """Run a batch: reads see the store as it was before the batch; then the writes
        run, the last one per address winning (as LangGraph's ``InMemoryStore`` does)."""
        now = self._now()
        results: list[KeyedResult] = [None] * len(ops)
        refresh: dict[str, MemoryRecord] = {}
        gets = {i: op for i, op in enumerate(ops) if isinstance(op, KeyedGet)}
        found = self._store.get_records([keyed_id(op.namespace, op.key) for op in gets.values()])
        for i, op in gets.items():
            record = found.get(keyed_id(op.namespace, op.key))
            if record is not None and self._live(record, now, (op.namespace, op.key)):
                results[i] = item_of(record)
                if op.refresh_ttl:
                    refresh[record.id] = record
        puts: dict[tuple[Namespace, str], KeyedPut] = {}
        for i, other in enumerate(ops):
            if isinstance(other, KeyedSearch):
                items = self._search(other, now)
                results[i] = items
                if other.refresh_ttl:
                    refresh.update((it.record.id, it.record) for it in items)
            elif isinstance(other, KeyedNamespaces):
                results[i] = self._namespaces(other.prefix, now)
            elif isinstance(other, KeyedPut):
                puts[(other.namespace, other.key)] = other
        written = {keyed_id(*at) for at in puts}
        self._refresh([r for r in refresh.values() if r.id not in written])
        if puts:
            self._write(list(puts.values()))
        return results

    async def aexecute(self, ops: Sequence[KeyedOp]) -> list[KeyedResult]:
        """Async twin of :meth:`execute` (same logic, in a worker thread)."""
        return await in_thread(self.execute, ops)

    # --- reads ----------------------------------------------------------------------------

    @staticmethod
    def _live(record: MemoryRecord, now: datetime, at: tuple[Namespace, str]) -> bool:
        return (
            record.status is MemoryStatus.ACTIVE
            and not record.expired(now)
            and address(record) == at
        )

    @staticmethod
    def _where(prefix: Namespace, scope: Scope | None) -> Where:
        clause: Where = (
            {META_PREFIX + "kv_prefixes": {"$contains": namespace_path(prefix)}}
            if prefix
            else {META_PREFIX + "kv_depth": {"$gte": 1}}
        )
        return and_(read_where(scope), clause) if scope is not None else clause

    def _listed(self, where: Where, now: datetime, match: Match | None) -> list[MemoryRecord]:
        """Live items under ``where`` that ``match`` accepts, most recently updated first."""
        records = [
            r
            for r in self._store.find(where)
            if address(r) is not None
            and not r.expired(now)
            and (match is None or match(item_of(r).value))
        ]
        records.sort(key=lambda r: (r.updated_at, r.id), reverse=True)
        return records

    def _search(self, op: KeyedSearch, now: datetime) -> list[KeyedItem]:
        check_page(op.limit, op.offset)
        where = self._where(op.prefix, op.scope)
        need = op.offset + op.limit
        if not op.query:
            return [item_of(r) for r in self._listed(where, now, op.match)[op.offset : need]]
        ranked = self._ranked(op, where, now, need)
        if len(ranked) < need:
            unindexed = and_(where, {META_PREFIX + "kv_indexed": {"$eq": False}})
            ranked += [item_of(r) for r in self._listed(unindexed, now, op.match)]
        return ranked[op.offset : need]

    def _ranked(self, op: KeyedSearch, where: Where, now: datetime, need: int) -> list[KeyedItem]:
        """The indexed items under ``where`` scored by the core's ranking, best first."""
        assert op.query
        (vector,) = self._memory.embedder.embed([op.query])
        ranking = self._memory.config.ranking
        indexed = and_(where, {META_PREFIX + "kv_indexed": {"$eq": True}})
        pool = max(ranking.candidates, 2 * need, 1)
        while True:
            rows = self._store.query(vector, where=indexed, limit=pool)
            kept = [
                (r, 1.0 - d)
                for r, d in rows
                if address(r) is not None
                and not r.expired(now)
                and (op.match is None or op.match(item_of(r).value))
            ]
            if len(kept) >= need or len(rows) < pool or pool >= _MAX_POOL:
                break
            pool *= 4  # the filter or expired items took places: look further
        words: dict[str, KeywordScore] = (
            _bm25(op.query, [r for r, _ in kept], ranking.bm25_k1, ranking.bm25_b)
            if ranking.keyword_weight > 0
            else {}
        )
        scored = [
            (score(r, similarity=s, keyword=words.get(r.id), now=now, ranking=ranking), r)
            for r, s in kept
        ]
        scored.sort(key=lambda x: (-x[0], x[1].id))
        return [item_of(r, value) for value, r in scored]

    def _namespaces(self, prefix: Namespace, now: datetime) -> list[Namespace]:
        found: set[Namespace] = set()
        for record in self._listed(self._where(prefix, None), now, None):
            where = address(record)
            if where is not None:
                found.add(where[0])
        return sorted(found)

    def _refresh(self, records: Sequence[MemoryRecord]) -> None:
        """Move the expiry of items with a TTL to now + TTL (only that column is written)."""
        now = self._now()
        expiries = {
            r.id: now + timedelta(minutes=float(r.metadata["kv_ttl"]))
            for r in records
            if isinstance(r.metadata.get("kv_ttl"), (int, float))
        }
        if expiries:
            self._store.set_expiry(expiries)

    # --- writes ---------------------------------------------------------------------------

    def _record(
        self, op: KeyedPut, live: MemoryRecord | None, now: datetime, max_chars: int
    ) -> MemoryRecord:
        if op.scope is None:
            raise ScopeError(
                f"No scope for the item at {op.namespace!r}/{op.key!r}. Each item belongs to a "
                "user, agent or session: map its namespace to one (e.g. user_id='alice')."
            )
        value = value_json(op.value or {})
        text = self._text(op, max_chars)
        depth = len(op.namespace)
        metadata: dict[str, Any] = {
            "kv_namespace": list(op.namespace),
            "kv_key": op.key,
            "kv_depth": depth,
            "kv_prefixes": [namespace_path(op.namespace[:n]) for n in range(1, depth + 1)],
            "kv_indexed": bool(op.indexed),
        }
        if op.ttl is not None:
            if not op.ttl > 0:
                raise InvalidInputError(f"ttl must be a positive number of minutes, got {op.ttl}.")
            metadata["kv_ttl"] = float(op.ttl)
        span = event_span(text, now.date())
        return MemoryRecord(
            id=keyed_id(op.namespace, op.key),
            text=text,
            scope=op.scope,
            key="kv:" + dumps([list(op.namespace), op.key]),
            value=value,
            created_at=live.created_at if live else now,
            updated_at=now,
            stated_at=now,
            last_accessed_at=live.last_accessed_at if live else None,
            access_count=live.access_count if live else 0,
            importance=live.importance if live else 0.5,
            expires_at=now + timedelta(minutes=op.ttl) if op.ttl is not None else None,
            event_start=span[0] if span else None,
            event_end=span[1] if span else None,
            hash=content_hash(text),
            metadata=metadata,
        )

    @staticmethod
    def _text(op: KeyedPut, max_chars: int) -> str:
        return (op.text.strip() or dumps(value_json(op.value or {})))[:max_chars]

    @staticmethod
    def _needs_vector(record: MemoryRecord, old: MemoryRecord | None) -> bool:
        """True for a new or revived record, or new text; else the stored vector stays."""
        return record.status is MemoryStatus.ACTIVE and (
            old is None or old.status is not MemoryStatus.ACTIVE or old.text != record.text
        )

    def _embed(self, texts: Sequence[str]) -> dict[str, list[float]]:
        unique = sorted(set(texts))
        return dict(zip(unique, self._memory.embedder.embed(unique), strict=True)) if unique else {}

    def _write(self, puts: Sequence[KeyedPut]) -> None:
        """Apply puts and deletes in one store write, with one history entry each."""
        max_chars = self._memory.config.limits.max_text_chars
        for op in puts:
            if not isinstance(op.key, str) or not op.namespace:
                raise InvalidInputError("An item needs a non-empty namespace and a string key.")
        ids = [keyed_id(op.namespace, op.key) for op in puts]
        # Embed outside the lock what the stored records do not hold yet (as Memory.add does).
        stored = self._store.get_records(ids)
        have = {r.text for r in stored.values() if r.status is MemoryStatus.ACTIVE}
        texts = [self._text(op, max_chars) for op in puts if op.value is not None]
        vectors = self._embed([t for t in texts if t not in have])
        with self._lock:
            now = self._now()
            stored = self._store.get_records(ids)
            plans: list[tuple[MemoryRecord, MemoryRecord | None]] = []
            for op, memory_id in zip(puts, ids, strict=True):
                previous = stored.get(memory_id)
                live = previous if previous and previous.status is MemoryStatus.ACTIVE else None
                if live is not None and address(live) != (op.namespace, op.key):
                    live = None
                if op.value is None:
                    if live is not None:
                        gone = live.model_copy(
                            update={"status": MemoryStatus.DELETED, "updated_at": now}
                        )
                        plans.append((gone, live))
                    continue
                plans.append((self._record(op, live, now, max_chars), previous))
            self._commit(plans, now, vectors)

    def _commit(
        self,
        plans: Sequence[tuple[MemoryRecord, MemoryRecord | None]],
        now: datetime,
        vectors: dict[str, list[float]],
    ) -> None:
        fresh = [(r, old) for r, old in plans if self._needs_vector(r, old)]
        vectors.update(self._embed([r.text for r, _ in fresh if r.text not in vectors]))
        old_vectors = self._store.get_embeddings([old.id for _, old in fresh if old is not None])
        writes, history = [], []
        seq = time.time_ns()
        for i, (record, old) in enumerate(plans):
            vector = vectors[record.text] if self._needs_vector(record, old) else None
            writes.append(
                Write(record, vector, previous=old, previous_embedding=old_vectors.get(record.id))
            )
            if record.status is MemoryStatus.DELETED:
                event, reason = EventType.DELETE, "store: delete"
            elif old is not None and old.status is MemoryStatus.ACTIVE:
                event, reason = EventType.UPDATE, "store: put"
            else:
                event, reason = EventType.ADD, "store: put"
            history.append(history_entry(event, old, record, now=now, seq=seq + i, reason=reason))
        if writes:
            self._store.write(writes, history)

    # --- maintenance ----------------------------------------------------------------------

    def sweep(self) -> int:
        """Hard-delete the items whose TTL expired (a ``FORGET`` history entry each).

        Returns how many were deleted.
        """
        with self._lock:
            now = self._now()
            where: Where = {META_PREFIX + "kv_ttl": {"$gt": 0}}
            expired = [r for r in self._store.find(where) if r.expired(now)]
            if not expired:
                return 0
            hard_delete(self._store, expired, now=now, reason="store: ttl")
            return len(expired)

    async def asweep(self) -> int:
        """Async twin of :meth:`sweep` (same logic, in a worker thread)."""
        return await in_thread(self.sweep)
