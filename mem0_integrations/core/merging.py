"""Candidate facts + what is already stored -> ADD / UPDATE / DELETE / NONE.

Pure functions: the caller passes the existing records, the time and an id
factory, and gets back the memory writes and history entries to apply. The
rules here are the deterministic layer that runs with or without an LLM:

* exact duplicate (same scope, same normalised text) -> ``NONE``;
* same scope and same structured key, new value -> ``UPDATE``: a new record
  replaces the old one, which becomes ``superseded`` (kept, with history);
* anything else -> ``ADD``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .extraction import Candidate
from .models import EventType, HistoryEntry, MemoryRecord, MemoryStatus, Scope, content_hash
from .store import Write

__all__ = ["Change", "Plan", "new_id", "plan_add", "plan_delete", "plan_edit"]


def new_id() -> str:
    """A fresh memory or history id."""
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Change:
    """One event with the record after it and the record before it."""

    event: EventType
    record: MemoryRecord
    previous: MemoryRecord | None = None
    superseded: MemoryRecord | None = None
    """For a supersede: the previous record as it is stored after the change."""


@dataclass(frozen=True)
class Plan:
    """The changes of one call, and the writes and history that apply them."""

    changes: list[Change]
    writes: list[Write]
    history: list[HistoryEntry]


def plan_add(
    candidates: Sequence[Candidate],
    existing: Sequence[MemoryRecord],
    *,
    scope: Scope,
    now: datetime,
    metadata: Mapping[str, Any],
    embeddings: Mapping[str, list[float]],
    seq: int = 0,
    make_id: Callable[[], str] = new_id,
) -> Plan:
    """Merge ``candidates`` into the ``existing`` active records of exactly ``scope``.

    ``embeddings`` maps each candidate's text to its vector; ``seq`` is the
    ordering base of the history entries (see :attr:`HistoryEntry.seq`).
    """
    by_hash = {r.hash: r for r in existing if r.status is MemoryStatus.ACTIVE}
    by_key = {r.key: r for r in existing if r.status is MemoryStatus.ACTIVE and r.key}
    changes: list[Change] = []
    for cand in candidates:
        digest = content_hash(cand.text)
        if digest in by_hash:
            same = by_hash[digest]
            changes.append(Change(EventType.NONE, same, same))
            continue
        record = MemoryRecord(
            id=make_id(),
            text=cand.text,
            scope=scope,
            key=cand.key,
            value=cand.value,
            category=cand.category,
            source=cand.source,
            created_at=now,
            updated_at=now,
            hash=digest,
            metadata=dict(metadata),
        )
        old = by_key.get(cand.key) if cand.key else None
        if old is not None:
            gone = old.model_copy(
                update={
                    "status": MemoryStatus.SUPERSEDED,
                    "superseded_by": record.id,
                    "updated_at": now,
                }
            )
            changes.append(Change(EventType.UPDATE, record, old, gone))
            del by_hash[old.hash]
        else:
            changes.append(Change(EventType.ADD, record))
        by_hash[digest] = record
        if cand.key:
            by_key[cand.key] = record
    return _apply(changes, now, embeddings, seq, make_id)


def plan_edit(
    old: MemoryRecord,
    text: str,
    *,
    now: datetime,
    embedding: list[float],
    old_embedding: list[float] | None,
    metadata: Mapping[str, Any] | None,
    seq: int = 0,
    make_id: Callable[[], str] = new_id,
) -> Plan:
    """A caller's edit of one memory's text (same id; the old text stays in history).

    A structured ``value`` no longer matches edited text, so it is cleared; the
    key is kept so a later value for it still supersedes this memory.
    """
    update: dict[str, Any] = {"text": text, "hash": content_hash(text), "updated_at": now}
    if old.key is not None:
        update["value"] = None
    if metadata is not None:
        update["metadata"] = dict(metadata)
    new = old.model_copy(update=update)
    change = Change(EventType.UPDATE, new, old)
    write = Write(new, embedding, previous=old, previous_embedding=old_embedding)
    return Plan([change], [write], [_entry(change, now, seq, make_id)])


def plan_delete(
    records: Sequence[MemoryRecord],
    *,
    now: datetime,
    seq: int = 0,
    make_id: Callable[[], str] = new_id,
) -> Plan:
    """Soft-delete ``records``: status ``deleted``, kept with history, hidden from reads."""
    changes = [
        Change(
            EventType.DELETE,
            r.model_copy(update={"status": MemoryStatus.DELETED, "updated_at": now}),
            r,
        )
        for r in records
    ]
    writes = [Write(c.record, None, previous=c.previous) for c in changes]
    history = [_entry(c, now, seq + i, make_id) for i, c in enumerate(changes)]
    return Plan(changes, writes, history)


def _apply(
    changes: list[Change],
    now: datetime,
    embeddings: Mapping[str, list[float]],
    seq: int,
    make_id: Callable[[], str],
) -> Plan:
    writes: list[Write] = []
    for change in changes:
        if change.event is EventType.NONE:
            continue
        writes.append(Write(change.record, embeddings[change.record.text]))
        if change.superseded is not None:
            writes.append(Write(change.superseded, None, previous=change.previous))
    history = [_entry(c, now, seq + i, make_id) for i, c in enumerate(changes)]
    return Plan(changes, writes, history)


def _entry(change: Change, now: datetime, seq: int, make_id: Callable[[], str]) -> HistoryEntry:
    previous_id = change.previous.id if change.previous else None
    return HistoryEntry(
        id=make_id(),
        memory_id=change.record.id,
        previous_memory_id=previous_id if previous_id != change.record.id else None,
        event=change.event,
        before=change.previous,
        after=change.record,
        created_at=now,
        seq=seq,
    )
