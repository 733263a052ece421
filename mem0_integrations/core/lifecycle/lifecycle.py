"""Forgetting, restoring, consolidation and feedback: how memories leave, return and change.

:class:`Lifecycle` holds what one :class:`~mem0_integrations.Memory` needs for
them (store, embedder, config, lock, clock, access buffer, background writer);
``Memory``'s public methods call it. Deciding is pure: :func:`cutoff` and
:func:`forget_where` (what a forget covers), :func:`plan_restore`,
:func:`plan_feedback` and :func:`plan_correction` here, and the consolidation
planning in :mod:`.consolidation`, take records and the time and return what
to write.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from ..adding import checked_now, commit
from ..background import BackgroundWriter
from ..config import Clock, MemoryConfig
from ..embedders import Embedder
from ..errors import InvalidInputError, MemoryNotFoundError, ScopeError
from ..extract.extraction import check_text
from ..extract.quarantine import Quarantine
from ..merge.consolidation import (
    BATCH,
    NEIGHBOURS,
    PAIRWISE_LIMIT,
    Merge,
    Near,
    Retire,
    batches,
    build_consolidation,
    history_entry,
    pairwise_near,
    plan_merges,
    plan_retire,
    queried_near,
)
from ..merge.merging import Change, Plan, plan_edit
from ..models import (
    ConsolidationReport,
    EventType,
    HistoryEntry,
    MemoryEvent,
    MemoryRecord,
    MemoryStatus,
    Scope,
    is_unicode_text,
)
from ..store.codec import epoch
from ..store.filters import and_, read_where
from ..store.store import ChromaStore, Where, Write
from ..store.transcript import Transcripts
from .access import AccessRecorder

__all__ = [
    "CORRECTION_STEP",
    "FEEDBACK_KINDS",
    "NEGATIVE_STEP",
    "POSITIVE_STEP",
    "Lifecycle",
    "check_feedback",
    "check_id",
    "cutoff",
    "forget_where",
    "plan_correction",
    "plan_feedback",
    "plan_restore",
]

#: Importance added by positive feedback (capped at 1); it also counts as a confirmation
#: (one more use, last used now), so the memory ranks higher and decays more slowly.
POSITIVE_STEP = 0.15
#: Importance removed by negative feedback (floored at 0): it ranks lower, decays sooner.
NEGATIVE_STEP = 0.25
#: Importance added by a correction: a fact worth correcting is worth keeping.
CORRECTION_STEP = 0.15
#: The accepted values of ``feedback(kind=...)``.
FEEDBACK_KINDS = ("positive", "negative")

Lookup = Callable[[Any, Scope | None], MemoryRecord]


def _about(ids: Sequence[str]) -> Where:
    """History entries of these memories, including the supersedes that replaced them."""
    return {"$or": [{"memory_id": {"$in": list(ids)}}, {"previous_memory_id": {"$in": list(ids)}}]}


def check_id(memory_id: Any) -> str:
    """``memory_id`` if it is a non-empty string, else :class:`InvalidInputError`."""
    if not isinstance(memory_id, str) or not memory_id or not is_unicode_text(memory_id):
        raise InvalidInputError(f"memory_id must be a non-empty string, got {memory_id!r}.")
    return memory_id


# --- forget --------------------------------------------------------------------------------


def cutoff(before: Any, now: datetime) -> datetime | None:
    """The time ``forget(before=...)`` means: an aware datetime, or ``now - before`` for a
    timedelta; None when not given."""
    if before is None:
        return None
    if isinstance(before, timedelta):
        if before < timedelta(0):
            raise InvalidInputError(
                f"before={before!r} is negative. A timedelta means 'stated more than this long "
                "ago', e.g. before=timedelta(days=30)."
            )
        return now - before
    if isinstance(before, datetime):
        if before.utcoffset() is None:
            raise InvalidInputError(
                f"before={before!r} has no timezone. Pass an aware datetime, e.g. "
                "datetime(2026, 1, 1, tzinfo=timezone.utc), or a timedelta."
            )
        return before
    raise InvalidInputError(
        f"before must be a timezone-aware datetime or a timedelta, got "
        f"{type(before).__name__} ({before!r})."
    )


def forget_where(scope: Scope, filters: Mapping[str, Any] | None, until: datetime | None) -> Where:
    """The scope's memories, narrowed by caller filters and stated before ``until``."""
    stated = None if until is None else {"valid_from": {"$lt": epoch(until)}}
    return and_(read_where(scope, filters=filters), stated)


def _snapshots(entries: Sequence[HistoryEntry], memory_id: str) -> list[MemoryRecord]:
    """The snapshots of ``memory_id`` held by its history entries."""
    found = [(e.after or e.before) if e.memory_id == memory_id else e.before for e in entries]
    return [s for s in found if s is not None and s.id == memory_id]


# --- restore and feedback ------------------------------------------------------------------


def plan_restore(record: MemoryRecord, *, now: datetime, seq: int = 0) -> Plan:
    """Make an archived or deleted memory active again, fresh from ``now``.

    It counts as used now (so it does not decay straight back), no longer has
    an end of validity, and an expiry already past is cleared.
    """
    update: dict[str, Any] = {
        "status": MemoryStatus.ACTIVE,
        "updated_at": now,
        "last_accessed_at": now,
        "valid_until": None,
        "superseded_by": None,
    }
    if record.expired(now):
        update["expires_at"] = None
    change = Change(EventType.RESTORE, record.model_copy(update=update), record)
    reason = f"restore: was {record.status.value}"
    return Plan(
        [change],
        [Write(change.record, None, previous=record)],
        [history_entry(change.event, record, change.record, now=now, seq=seq, reason=reason)],
    )


def check_feedback(kind: Any, correction: Any) -> str:
    """Validate ``feedback`` arguments; return the kind ("correction" for a correction)."""
    if (kind is None) == (correction is None):
        raise InvalidInputError(
            "Pass exactly one of kind= and correction=: feedback(id, 'positive'), "
            "feedback(id, 'negative') or feedback(id, correction='the right text')."
        )
    if kind is not None and (not isinstance(kind, str) or kind not in FEEDBACK_KINDS):
        raise InvalidInputError(
            f"kind={kind!r} is not a feedback kind; use one of {list(FEEDBACK_KINDS)}, or "
            "correction='...' to fix the memory's text."
        )
    return "correction" if kind is None else kind


def _inactive(record: MemoryRecord, what: str) -> str:
    """Why a memory that is not active cannot ``what``, and what to do instead."""
    if record.status is MemoryStatus.SUPERSEDED:
        hint = f"It was superseded by {record.superseded_by!r}; use that memory instead."
    else:
        hint = f"Bring it back first with restore({record.id!r})."
    return f"Memory {record.id!r} is {record.status.value}; only active memories {what}. {hint}"


def plan_feedback(record: MemoryRecord, kind: str, *, now: datetime, seq: int = 0) -> Plan:
    """Positive or negative feedback: importance up (and one more use) or down."""
    if kind == "positive":
        update: dict[str, Any] = {
            "importance": round(min(1.0, record.importance + POSITIVE_STEP), 6),
            "access_count": record.access_count + 1,
            "last_accessed_at": now,
        }
    else:
        update = {"importance": round(max(0.0, record.importance - NEGATIVE_STEP), 6)}
    new = record.model_copy(update={**update, "updated_at": now})
    entry = history_entry(
        EventType.UPDATE, record, new, now=now, seq=seq, reason=f"feedback: {kind}"
    )
    return Plan(
        [Change(EventType.UPDATE, new, record)], [Write(new, None, previous=record)], [entry]
    )


def plan_correction(
    record: MemoryRecord,
    text: str,
    *,
    embedding: list[float],
    old_embedding: list[float] | None,
    now: datetime,
    seq: int = 0,
) -> Plan:
    """A corrected text: :func:`~.merging.plan_edit`, with importance raised."""
    plan = plan_edit(
        record,
        text,
        now=now,
        embedding=embedding,
        old_embedding=old_embedding,
        metadata=None,
        seq=seq,
    )
    importance = round(min(1.0, record.importance + CORRECTION_STEP), 6)
    new = plan.changes[0].record.model_copy(update={"importance": importance})
    return Plan(
        [replace(plan.changes[0], record=new)],
        [replace(plan.writes[0], record=new)],
        [plan.history[0].model_copy(update={"after": new, "reason": "feedback: correction"})],
    )


def hard_delete(
    store: ChromaStore, records: Sequence[MemoryRecord], *, now: datetime, reason: str
) -> None:
    """Delete ``records`` for good, leaving one ``FORGET`` history entry each (one
    journaled change: a failure or crash leaves all of it or none)."""
    seq = time.time_ns()
    entries = [
        history_entry(EventType.FORGET, r, None, now=now, seq=seq + i, reason=reason)
        for i, r in enumerate(records)
    ]
    store.delete_memories(records, entries)


class Lifecycle:
    """Forget, restore, consolidate and feedback for one ``Memory`` (shares its lock)."""

    def __init__(
        self,
        *,
        store: ChromaStore,
        embedder: Embedder,
        config: MemoryConfig,
        access: AccessRecorder,
        background: BackgroundWriter,
        lock: threading.RLock,
        clock: Clock,
        lookup: Lookup,
        transcripts: Transcripts | None = None,
        quarantine: Quarantine | None = None,
    ) -> None:
        self._quarantine = quarantine
        self._store = store
        self._embedder = embedder
        self.config = config
        self._access = access
        self._background = background
        self._lock = lock
        self._clock = clock
        self._lookup = lookup
        self._transcripts = transcripts

    def _now(self) -> datetime:
        return checked_now(self._clock)

    # --- forget and history ----------------------------------------------------------------

    def forget(
        self,
        memory_id: Any,
        scope: Scope | None,
        *,
        before: Any,
        filters: Mapping[str, Any] | None,
        erase_history: Any,
    ) -> int:
        """Hard-delete one memory (by id) or a scope's memories; see ``Memory.forget``.

        A whole scope (no ``before``/``filters``) also loses its transcript rows,
        after its memories, so repeating a call that failed half-way finishes it.
        """
        if not isinstance(erase_history, bool):
            raise InvalidInputError(f"erase_history must be True or False, got {erase_history!r}.")
        if memory_id is not None:
            if before is not None or filters is not None:
                raise InvalidInputError(
                    "before= and filters= narrow a forget by scope; with a memory_id they do "
                    "not apply. Pass either the id, or a scope with before=/filters=."
                )
            return self._forget_id(check_id(memory_id), scope, erase_history)
        if scope is None:
            raise ScopeError(
                "forget() needs a memory_id or a scope: it never forgets everything. Pass e.g. "
                "forget(user_id='alice'), or use reset() to drop the whole store."
            )
        where = forget_where(scope, filters, cutoff(before, self._now()))
        whole = read_where(scope) if before is None and filters is None else None
        self._background.flush()  # a queued add must not write after the forget
        with self._lock:
            self._access.flush()
            records = {r.id: r for r in self._store.find(where, archived=True)}
            count = self._forget(list(records.values()), erase_history, whole_scope=whole)
            if whole is not None and self._transcripts is not None:
                self._transcripts.erase(scope)
            if whole is not None and self._quarantine is not None:
                self._quarantine.erase(scope)
            return count

    def _forget_id(self, memory_id: str, scope: Scope | None, erase_history: bool) -> int:
        with self._lock:
            self._access.flush()
            record = self._store.get_records([memory_id]).get(memory_id)
            if record is not None:
                if scope is not None and not scope.contains(record.scope):
                    raise MemoryNotFoundError(memory_id)
                return self._forget([record], erase_history, whole_scope=None)
            entries = self.history(memory_id, scope)  # forgotten already, history kept
            if erase_history:
                self._store.delete_history_ids([e.id for e in entries])
            return 0

    def _forget(
        self, records: Sequence[MemoryRecord], erase_history: bool, *, whole_scope: Where | None
    ) -> int:
        """History first (erased, or a FORGET entry each), then the records, in batches.

        Each batch either completes or leaves its records in place, so
        repeating a failed call finishes it.
        """
        now = self._now()
        for start in range(0, len(records), BATCH):
            batch = records[start : start + BATCH]
            if erase_history:
                self._store.delete_memories(batch, erase_history=_about([r.id for r in batch]))
                continue
            hard_delete(self._store, batch, now=now, reason="forget")
        if erase_history and whole_scope is not None:
            self._store.delete_history(whole_scope)
        return len(records)

    def history(self, memory_id: Any, scope: Scope | None) -> list[HistoryEntry]:
        """Every event of a memory, oldest first, also after it was forgotten.

        The scope is checked against the stored record, or, once it is gone,
        against the snapshots its history holds.
        """
        memory_id = check_id(memory_id)
        record = self._store.get_records([memory_id]).get(memory_id)
        entries = self._store.find_history(_about([memory_id]))
        owners = [record] if record is not None else _snapshots(entries, memory_id)
        if not owners or (scope is not None and not all(scope.contains(o.scope) for o in owners)):
            raise MemoryNotFoundError(memory_id)
        return entries

    # --- restore and feedback --------------------------------------------------------------

    def restore(self, memory_id: Any, scope: Scope | None) -> MemoryEvent:
        """Make an archived or deleted memory active again; see ``Memory.restore``."""
        with self._lock:
            record = self._lookup(memory_id, scope)
            if record.status is MemoryStatus.ACTIVE:
                raise InvalidInputError(f"Memory {record.id!r} is already active.")
            if record.status is MemoryStatus.SUPERSEDED:
                raise InvalidInputError(
                    f"Memory {record.id!r} was superseded by {record.superseded_by!r}; only "
                    "archived or deleted memories can be restored. Update the newer memory "
                    "instead, or add this fact again."
                )
            self._check_key_free(record)
            plan = plan_restore(record, now=self._now(), seq=time.time_ns())
            return commit(self._store, plan)[0]

    def _check_key_free(self, record: MemoryRecord) -> None:
        if record.key is None:
            return
        where = and_(read_where(record.scope), {"key": {"$eq": record.key}})
        holders = [r.id for r in self._store.find(where) if r.scope == record.scope]
        if holders:
            raise InvalidInputError(
                f"Memory {record.id!r} cannot be restored: active memory {holders[0]!r} holds "
                f"its key {record.key!r} in the same scope ({record.scope}). Delete or update "
                f"{holders[0]!r} first."
            )

    def feedback(
        self, memory_id: Any, scope: Scope | None, kind: Any, correction: Any
    ) -> MemoryEvent:
        """Apply feedback to an active memory; see ``Memory.feedback``."""
        checked = check_feedback(kind, correction)
        text, vector = "", []
        if checked == "correction":
            text = check_text(correction, "correction", self.config.limits.max_text_chars)
            (vector,) = self._embedder.embed([text])
        with self._lock:
            record = self._lookup(memory_id, scope)
            if record.status is not MemoryStatus.ACTIVE:
                raise InvalidInputError(_inactive(record, "take feedback"))
            now, seq = self._now(), time.time_ns()
            if checked != "correction":
                plan = plan_feedback(record, checked, now=now, seq=seq)
            else:
                old = self._store.get_embeddings([record.id]).get(record.id)
                plan = plan_correction(
                    record, text, embedding=vector, old_embedding=old, now=now, seq=seq
                )
            return commit(self._store, plan)[0]

    # --- consolidate -----------------------------------------------------------------------

    def consolidate(self, scope: Scope | None) -> ConsolidationReport:
        """Archive expired and decayed memories, merge near duplicates; see
        ``Memory.consolidate``."""
        now = self._now()
        self._access.flush()
        groups: dict[Scope, dict[str, MemoryRecord]] = {}
        for record in self._store.scan(None if scope is None else read_where(scope)):
            groups.setdefault(record.scope, {})[record.id] = record
        report = ConsolidationReport(scanned=sum(len(g) for g in groups.values()))
        for exact, found in groups.items():
            records = list(found.values())
            retire = plan_retire(records, now, self.config.decay)
            leaving = {r.record.id for r in retire}
            rest = [r for r in records if r.id not in leaving]
            items: list[Retire | Merge] = [*retire, *plan_merges(rest, self._near(rest, exact))]
            for batch in batches(items):
                self._commit(batch, now, report)
        return report

    def _near(self, records: Sequence[MemoryRecord], scope: Scope) -> Near:
        """Near duplicates among ``records`` (active, all of exactly ``scope``)."""
        if len(records) < 2:
            return {}
        threshold = self.config.extraction.duplicate_threshold
        ids = [r.id for r in records]
        vectors: dict[str, list[float]] = {}
        for start in range(0, len(ids), BATCH):
            vectors.update(self._store.get_embeddings(ids[start : start + BATCH]))
        ids = [i for i in ids if i in vectors]
        if len(ids) <= PAIRWISE_LIMIT:
            return pairwise_near(ids, [vectors[i] for i in ids], threshold)
        where = read_where(scope)

        def query(batch: list[list[float]]) -> list[list[tuple[MemoryRecord, float]]]:
            return self._store.query_many(batch, where=where, limit=NEIGHBOURS + 1)

        return queried_near(vectors, query, threshold)

    def _commit(
        self, batch: list[Retire | Merge], now: datetime, report: ConsolidationReport
    ) -> None:
        """Under the lock: re-read the batch's records, write what still applies."""
        with self._lock:
            self._access.flush()
            fresh = self._store.get_records([r.id for item in batch for r in item.records])
            plan, part = build_consolidation(batch, fresh, now=now, seq=time.time_ns())
            if plan.writes:
                self._store.write(plan.writes, plan.history)
        report.archived += part.archived
        report.expired += part.expired
        report.merged += part.merged
        report.skipped += part.skipped
