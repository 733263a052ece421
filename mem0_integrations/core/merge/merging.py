"""Candidate facts + what is already stored -> ADD / UPDATE / DELETE / NONE.

Pure functions: the caller passes the existing records, their similarity to
each candidate, the time and an id factory, and gets back the memory writes
and history entries to apply. The rules here are the deterministic layer that
runs with or without an LLM, in this order for each candidate:

* a retraction (``DELETE``) removes the memory the LLM named, else the active
  memory with the same key (and the same value, when the retraction names one),
  else the most similar one at or above
  ``retract_threshold`` (soft delete, kept in history); with none, it is skipped;
* exact duplicate (same scope, same normalised text) -> ``NONE``, which
  reinforces the stored memory;
* the memory the LLM chose to ``UPDATE``, or the one with the same structured
  key, is superseded by a new record (the old one keeps its history and leaves
  default search);
* near duplicate (cosine similarity >= ``duplicate_threshold``) -> ``NONE``;
  similar (>= ``update_threshold``) and adding words -> ``UPDATE``. Two facts
  whose keys differ ("pet:max", "pet:rex") are never near duplicates;
* anything else -> ``ADD``.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..extract.dates import event_span
from ..extract.extraction import Candidate
from ..models import (
    EventType,
    HistoryEntry,
    MemoryKind,
    MemoryRecord,
    MemoryStatus,
    Scope,
    SkippedFact,
    content_hash,
    normalize_text,
)
from ..store.store import Write

__all__ = [
    "Change",
    "MergeRules",
    "Plan",
    "fact_uuid",
    "new_id",
    "plan_add",
    "plan_delete",
    "plan_edit",
    "plan_past",
    "plan_settle",
    "superseded",
]

Neighbours = Mapping[int, Sequence[tuple[MemoryRecord, float]]]
"""For candidate ``i``: stored records of the same scope and their cosine similarity,
most similar first."""

_WORD = re.compile(r"\w+")


_FACT_NAMESPACE = uuid.UUID("6f1d3c52-8a3e-5b7e-9c1a-0d2e4f6a8b10")


def fact_uuid(scope: Scope, text: str, kind: MemoryKind = "fact") -> str:
    """The id every process derives for ``text`` as a new memory of ``scope`` (an
    episode's differs from a fact's with the same text)."""
    parts = [scope.user_id or "", scope.agent_id or "", scope.session_id or "", content_hash(text)]
    if kind != "fact":
        parts.append(kind)
    return str(uuid.uuid5(_FACT_NAMESPACE, "\x00".join(parts)))


def new_id() -> str:
    """A fresh memory or history id."""
    return str(uuid.uuid4())


@dataclass(frozen=True)
class MergeRules:
    """Similarity thresholds of the deterministic layer (see ExtractionConfig)."""

    duplicate_threshold: float = 0.95
    update_threshold: float = 0.85
    retract_threshold: float = 0.6
    near_duplicates: bool = True


@dataclass(frozen=True)
class Change:
    """One event with the record after it and the record before it."""

    event: EventType
    record: MemoryRecord
    previous: MemoryRecord | None = None
    superseded: MemoryRecord | None = None
    """For a supersede: the previous record as it is stored after the change."""
    origin: int | None = None
    """The message index of the candidate that made the change (see Candidate.origin)."""


@dataclass(frozen=True)
class Plan:
    """The changes of one call, and the writes and history that apply them."""

    changes: list[Change]
    writes: list[Write]
    history: list[HistoryEntry]
    skipped: list[SkippedFact] = field(default_factory=list)
    past: dict[str, tuple[datetime, str]] = field(default_factory=dict)
    """Stored episodes a newer statement of this plan changed: when it was made, and the
    id of its episode (applied by :func:`plan_past`)."""

    @property
    def reinforced(self) -> list[MemoryRecord]:
        """Stored memories a candidate repeated (``NONE`` events)."""
        return [c.record for c in self.changes if c.event is EventType.NONE]


def _adds_nothing(new: str, old: str) -> bool:
    """True if every word of ``new`` is already in ``old``."""
    return set(_WORD.findall(normalize_text(new))) <= set(_WORD.findall(normalize_text(old)))


def plan_add(
    candidates: Sequence[Candidate],
    existing: Sequence[MemoryRecord],
    *,
    scope: Scope,
    now: datetime,
    metadata: Mapping[str, Any],
    embeddings: Mapping[str, list[float]],
    neighbours: Neighbours | None = None,
    rules: MergeRules | None = None,
    seq: int = 0,
    expires_at: datetime | None = None,
    make_id: Callable[[], str] = new_id,
    fact_id: Callable[[str, MemoryKind], str] | None = None,
    referents: Mapping[int | None, Sequence[MemoryRecord]] | None = None,
    follows: Mapping[int | None, str] | None = None,
) -> Plan:
    """Merge ``candidates`` into the ``existing`` active records of exactly ``scope``.

    ``embeddings`` maps each candidate's text to its vector; ``neighbours`` maps
    a candidate's index to similar stored records (only those also in
    ``existing`` and still active are used); ``seq`` is the ordering base of
    the history entries (see :attr:`HistoryEntry.seq`). New records are stated
    at their candidate's ``stated_at`` (else ``now``), carry the dates their text
    names (:func:`~.dates.event_span`) and ``expires_at``; a superseded or
    retracted record is valid until the new statement. ``fact_id`` names a
    brand-new memory by its text (an id every process computes alike, so
    concurrent adds of one fact through a shared server write one record);
    without it ids are random.

    ``referents`` maps a message index to the older memories its statement changes
    (:func:`~.referents.referents`, most surely first): a fact taken from that
    message supersedes the first referent fact (or sole fact of a referent episode)
    whose slot agrees; a referent fact nothing replaced is retracted, and a referent
    episode is marked as past. ``follows`` maps a message index to the older memory
    its episode most likely updates (:attr:`MemoryRecord.follows`).
    """
    rules = rules or MergeRules()
    refs = referents or {}
    live = [r for r in existing if r.status is MemoryStatus.ACTIVE and r.scope == scope]
    active = {r.id: r for r in live if r.kind == "fact"}
    episode_ids = _episode_ids(
        [c for c in candidates if c.kind == "episode"],
        {r.hash: r for r in live if r.kind == "episode"},
        (lambda text: fact_id(text, "episode")) if fact_id else (lambda _: make_id()),
    )
    by_hash = {r.hash: r for r in active.values()}
    by_key = {r.key: r for r in active.values() if r.key}
    changes: list[Change] = []
    skipped: list[SkippedFact] = []

    def forget(record: MemoryRecord) -> None:
        active.pop(record.id, None)
        if by_hash.get(record.hash) is record:
            del by_hash[record.hash]
        if record.key and by_key.get(record.key) is record:
            del by_key[record.key]

    for i, cand in enumerate(candidates):
        if cand.kind == "episode":
            continue  # written below, once the facts taken from them are known
        near = [(active[r.id], s) for r, s in (neighbours or {}).get(i, ()) if r.id in active]
        if cand.action is EventType.DELETE:
            target = _retract_target(cand, active, by_key, near, rules)
            if target is None:
                skipped.append(
                    SkippedFact(
                        text=cand.text,
                        reason="retraction matches no stored memory",
                        role=cand.source.role,
                    )
                )
                continue
            gone = target.model_copy(
                update={
                    "status": MemoryStatus.DELETED,
                    "updated_at": now,
                    "valid_until": cand.stated_at or now,
                }
            )
            changes.append(Change(EventType.DELETE, gone, target))
            forget(target)
            continue
        if cand.action is EventType.NONE:
            chosen = active.get(cand.target or "")
            if chosen is not None:
                changes.append(Change(EventType.NONE, chosen, chosen))
            continue
        digest = content_hash(cand.text)
        if digest in by_hash:
            same = by_hash[digest]
            changes.append(Change(EventType.NONE, same, same, origin=cand.origin))
            continue
        old = active.get(cand.target or "") if cand.action is EventType.UPDATE else None
        if old is None and cand.key:
            old = by_key.get(cand.key)
        for ref in refs.get(cand.origin, ()) if old is None else ():
            old = _referred_fact(ref, active, cand.key)
            if old is not None:
                break
        if old is None and rules.near_duplicates and near:
            closest, similarity = near[0]
            compatible = not (cand.key and closest.key and cand.key != closest.key)
            if compatible and (
                similarity >= rules.duplicate_threshold
                or (similarity >= rules.update_threshold and _adds_nothing(cand.text, closest.text))
            ):
                changes.append(Change(EventType.NONE, closest, closest, origin=cand.origin))
                continue
            if compatible and similarity >= rules.update_threshold:
                old = closest
        record = _new_record(
            cand,
            fact_id(cand.text, "fact") if fact_id is not None and old is None else make_id(),
            scope=scope,
            now=now,
            metadata=metadata,
            expires_at=expires_at,
            key=cand.key or (old.key if old else None),
            value=cand.value,
            category=cand.category or (old.category if old else None),
            links=[episode_ids[cand.origin]] if cand.origin in episode_ids else [],
        )
        if old is not None:
            gone = superseded(old, by=record, now=now)
            changes.append(Change(EventType.UPDATE, record, old, gone, origin=cand.origin))
            forget(old)
        else:
            changes.append(Change(EventType.ADD, record, origin=cand.origin))
        active[record.id] = record
        by_hash[digest] = record
        if record.key:
            by_key[record.key] = record
    past: dict[str, tuple[datetime, str]] = {}
    # A fact this call repeated or confirmed is still true, whatever else it changed.
    confirmed = {c.record.id for c in changes if c.event is EventType.NONE}
    for cand in candidates:
        stated = cand.stated_at or now
        for ref in refs.get(cand.origin, ()) if cand.kind == "episode" else ():
            if ref.kind == "episode":
                past[ref.id] = (stated, episode_ids[cand.origin])
            target = _referred_fact(ref, active, None)
            if target is not None and target.id not in confirmed:  # nothing replaced it
                gone = target.model_copy(
                    update={
                        "status": MemoryStatus.DELETED,
                        "updated_at": now,
                        "valid_until": stated,
                    }
                )
                changes.append(Change(EventType.DELETE, gone, target, origin=cand.origin))
                forget(target)
    changes += _episodes(
        [c for c in candidates if c.kind == "episode"],
        episode_ids,
        {r.id: r for r in live if r.kind == "episode"},
        changes,
        scope=scope,
        now=now,
        metadata=metadata,
        expires_at=expires_at,
        follows=follows or {},
    )
    plan = _apply(changes, now, embeddings, seq, make_id)
    return Plan(plan.changes, plan.writes, plan.history, skipped, past)


def _new_record(
    cand: Candidate,
    record_id: str,
    *,
    scope: Scope,
    now: datetime,
    metadata: Mapping[str, Any],
    expires_at: datetime | None,
    **fields: Any,
) -> MemoryRecord:
    """A new record of ``cand``: stated at its ``stated_at`` (else ``now``), with the
    dates its text names; ``fields`` set the rest (key, kind, links, ...)."""
    stated = cand.stated_at or now
    span = event_span(cand.text, stated.date())
    return MemoryRecord(
        id=record_id,
        text=cand.text,
        scope=scope,
        source=cand.source,
        created_at=now,
        updated_at=now,
        stated_at=stated,
        event_start=span[0] if span else None,
        event_end=span[1] if span else None,
        expires_at=expires_at,
        hash=content_hash(cand.text),
        metadata=dict(metadata),
        context=cand.context,
        **fields,
    )


def _slot(key: str | None) -> str | None:
    return key.split(":", 1)[0] if key else None


def _referred_fact(
    ref: MemoryRecord, active: Mapping[str, MemoryRecord], key: str | None
) -> MemoryRecord | None:
    """The active fact a referent stands for: itself, or the one fact of a referent
    episode; None when its slot differs from ``key``'s (a new employer does not
    replace a home town)."""
    if ref.kind == "fact":
        found = active.get(ref.id)
    else:
        facts = [active[i] for i in ref.links if i in active]
        found = facts[0] if len(facts) == 1 else None
    if found is None or (key and found.key and _slot(key) != _slot(found.key)):
        return None
    return found


def _episode_ids(
    episodes: Sequence[Candidate],
    stored: Mapping[str, MemoryRecord],
    make: Callable[[str], str],
) -> dict[int | None, str]:
    """The id of each episode by its message index: the stored episode with the same
    text (a turn fed twice is one episode), else a new id."""
    ids: dict[int | None, str] = {}
    for cand in episodes:
        same = stored.get(content_hash(cand.text))
        ids[cand.origin] = same.id if same is not None else make(cand.text)
    return ids


def _episodes(
    episodes: Sequence[Candidate],
    ids: Mapping[int | None, str],
    stored: Mapping[str, MemoryRecord],
    facts: Sequence[Change],
    *,
    scope: Scope,
    now: datetime,
    metadata: Mapping[str, Any],
    expires_at: datetime | None,
    follows: Mapping[int | None, str],
) -> list[Change]:
    """The episodes' changes: a new one ADDs, linked to the facts taken from its
    message; a repeated one is ``NONE`` (reinforced) under its stored id."""
    taken: dict[int | None, list[str]] = {}
    for change in facts:
        if change.event is not EventType.DELETE and change.origin is not None:
            taken.setdefault(change.origin, []).append(change.record.id)
    until = _replaced(facts, now, ids)  # a fact stated and replaced within this one call
    out: list[Change] = []
    written: set[str] = set()
    for cand in episodes:
        episode_id = ids[cand.origin]
        if episode_id in written:
            continue
        written.add(episode_id)
        same = stored.get(episode_id)
        if same is not None:
            out.append(Change(EventType.NONE, same, same, origin=cand.origin))
            continue
        stated = cand.stated_at or now
        record = _new_record(
            cand,
            episode_id,
            scope=scope,
            now=now,
            metadata=metadata,
            expires_at=expires_at,
            kind="episode",
            links=list(dict.fromkeys(taken.get(cand.origin, []))),
            valid_until=max(until[episode_id][0], stated) if episode_id in until else None,
            superseded_by=until[episode_id][1] if episode_id in until else None,
            follows=follows.get(cand.origin),
        )
        out.append(Change(EventType.ADD, record, origin=cand.origin))
    return out


def _replaced(
    changes: Sequence[Change], now: datetime, episode_of: Mapping[int | None, str]
) -> dict[str, tuple[datetime, str]]:
    """Episode id -> when a fact taken from it was first superseded or retracted by
    ``changes``, and by what: the new fact, or the episode of the retracting turn
    (``episode_of`` maps message indexes to episode ids)."""
    until: dict[str, tuple[datetime, str]] = {}
    for change in changes:
        old = change.previous
        if old is None or old.kind != "fact":
            continue
        if change.event is EventType.UPDATE and old.id != change.record.id:  # not an edit
            when, newer = change.record.said_at, change.record.id
        elif change.event is EventType.DELETE:
            when, newer = change.record.valid_until or now, episode_of.get(change.origin, "")
        else:
            continue
        for episode_id in old.links:
            if episode_id not in until or when < until[episode_id][0]:
                until[episode_id] = (when, newer)
    return until


def plan_past(
    plan: Plan,
    episodes: Mapping[str, MemoryRecord],
    *,
    now: datetime,
    seq: int = 0,
    make_id: Callable[[], str] = new_id,
) -> Plan:
    """``plan`` with the stored episodes whose facts it supersedes or retracts marked
    as evidence of the past: ``valid_until`` set to when the newer statement was made.

    ``episodes`` maps ids to the stored episodes the plan's replaced facts link to
    (other ids are ignored). The episode stays searchable, ranks below current
    memories and renders as earlier (:func:`~.context.render_memories`).
    """
    episode_of = {c.origin: c.record.id for c in plan.changes if c.record.kind == "episode"}
    until = _replaced(plan.changes, now, episode_of)
    for episode_id, (when, newer) in plan.past.items():
        if episode_id not in until or when < until[episode_id][0]:
            until[episode_id] = (when, newer)
    past = [
        Change(
            EventType.UPDATE,
            episode.model_copy(
                update={
                    "valid_until": max(until[i][0], episode.said_at),
                    "superseded_by": until[i][1] or None,
                }
            ),
            episode,
        )
        for i, episode in sorted(episodes.items())
        if i in until and episode.status is MemoryStatus.ACTIVE and episode.valid_until is None
    ]
    if not past:
        return plan
    writes = [Write(c.record, None, previous=c.previous) for c in past]
    history = [_entry(c, now, seq + len(plan.history) + i, make_id) for i, c in enumerate(past)]
    # Not events of the call: the caller changed no episode, time did.
    return Plan(plan.changes, plan.writes + writes, plan.history + history, plan.skipped, plan.past)


def superseded(old: MemoryRecord, by: MemoryRecord, now: datetime) -> MemoryRecord:
    """``old`` as stored once ``by`` replaces it: superseded by it, and true until ``by``
    was stated (never before ``old`` itself was)."""
    return old.model_copy(
        update={
            "status": MemoryStatus.SUPERSEDED,
            "superseded_by": by.id,
            "updated_at": now,
            "valid_until": max(by.said_at, old.said_at),
        }
    )


def _same_value(value: Any, record: MemoryRecord) -> bool:
    """True if a retraction naming ``value`` (None: any value) is about ``record``."""
    if value is None:
        return True
    wanted = normalize_text(str(value))
    if record.value is not None:
        return normalize_text(str(record.value)) == wanted
    return wanted in normalize_text(record.text)


def _retract_target(
    cand: Candidate,
    active: Mapping[str, MemoryRecord],
    by_key: Mapping[str, MemoryRecord],
    near: Sequence[tuple[MemoryRecord, float]],
    rules: MergeRules,
) -> MemoryRecord | None:
    if cand.target is not None:
        return active.get(cand.target)
    if cand.key and cand.key in by_key:
        stored = by_key[cand.key]
        # "I no longer live in Paris" retracts Paris, not a newer "Lives in Lyon".
        return stored if _same_value(cand.value, stored) else None
    for record, similarity in near:
        if similarity < rules.retract_threshold:
            break
        if not (cand.key and record.key and record.key != cand.key):
            return record
    return None


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
    span = event_span(text, old.said_at.date())
    update: dict[str, Any] = {
        "text": text,
        "hash": content_hash(text),
        "updated_at": now,
        "event_start": span[0] if span else None,
        "event_end": span[1] if span else None,
    }
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


def plan_settle(records: Sequence[MemoryRecord], *, now: datetime, seq: int = 0) -> Plan:
    """Leave one active value per key among ``records`` (the active memories of one scope).

    Only a shared store needs this: processes writing through one Chroma server hold no
    common lock, so two that set one key at the same moment each supersede what they
    read and both new values stay active. Each process settles after its write and they
    all choose alike: the latest statement wins (``said_at``, then ``created_at``, then
    id), the others are superseded by it, and a supersede's history entry has an id
    derived from the pair, so two processes settling at once write it once.
    """
    by_key: dict[str, list[MemoryRecord]] = {}
    for record in records:
        if record.key and record.status is MemoryStatus.ACTIVE:
            by_key.setdefault(record.key, []).append(record)
    changes: list[Change] = []
    for _, group in sorted(by_key.items()):
        winner = max(group, key=lambda r: (r.said_at, r.created_at, r.id))
        for loser in sorted(group, key=lambda r: r.id):
            if loser.id == winner.id:
                continue
            changes.append(Change(EventType.UPDATE, winner, loser, superseded(loser, winner, now)))
    writes = [Write(c.superseded, None, previous=c.previous) for c in changes if c.superseded]
    history = [
        _entry(c, now, seq + i, functools.partial(_settle_id, c)) for i, c in enumerate(changes)
    ]
    return Plan(changes, writes, history)


def _settle_id(change: Change) -> str:
    loser = change.previous.id if change.previous else ""
    return str(uuid.uuid5(_FACT_NAMESPACE, f"settle\x00{loser}\x00{change.record.id}"))


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
        if change.event is EventType.DELETE:
            writes.append(Write(change.record, None, previous=change.previous))
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
