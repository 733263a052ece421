"""The add pipeline: messages -> candidate facts -> merged with what is stored -> written.

:class:`AddPipeline` holds what one :class:`~mem0_integrations.Memory` adds with
(store, embedder, extractors, thresholds, lock, clock); ``Memory.add`` and
``Memory.remember`` validate their input and call :meth:`AddPipeline.add` or
:meth:`AddPipeline.merge`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .config import Clock, MemoryConfig
from .embedders import Embedder
from .errors import ConfigurationError, ExtractionError
from .extract.extraction import (
    Candidate,
    episode_candidates,
    statements,
    verbatim_candidates,
)
from .extract.llm_extractor import LLMExtractor
from .extract.quarantine import Quarantine
from .extract.rules import unextracted_reason
from .extract.wishes import wish_candidates
from .lifecycle.access import AccessRecorder
from .merge.merging import MergeRules, Plan, fact_uuid, new_id, plan_add, plan_past, plan_settle
from .merge.referents import ReferRules, follows, referents
from .models import (
    AddResult,
    EventType,
    ExtractorName,
    LLMUsage,
    MemoryEvent,
    MemoryKind,
    MemoryRecord,
    MemoryStatus,
    Message,
    Role,
    Scope,
    SkippedFact,
    content_hash,
)
from .store.filters import and_, read_where
from .store.store import ChromaStore

if TYPE_CHECKING:  # rules and safety compile their patterns on import (see Memory())
    from .extract.rules import RuleExtractor

__all__ = ["AddPipeline", "checked_now", "commit"]

log = logging.getLogger("mem0_integrations")


def checked_now(clock: Clock) -> datetime:
    """``clock()``, checked to be a timezone-aware datetime."""
    now = clock()
    if not isinstance(now, datetime) or now.tzinfo is None:
        raise ConfigurationError(
            f"clock() returned {now!r}; it must return a timezone-aware datetime, e.g. "
            "lambda: datetime.now(timezone.utc)."
        )
    return now


def commit(store: ChromaStore, plan: Plan) -> list[MemoryEvent]:
    """Write a plan and return its events."""
    store.write(plan.writes, plan.history)
    return [
        MemoryEvent(
            id=c.record.id,
            event=c.event,
            memory=c.record.text,
            previous_memory=c.previous.text if c.previous else None,
            record=c.record,
            previous_record=c.previous,
        )
        for c in plan.changes
    ]


def attribute(
    candidates: Sequence[Candidate], embeddings: Mapping[str, Sequence[float]]
) -> list[Candidate]:
    """``candidates`` with each fact of unknown origin (an LLM read the whole call)
    attributed to the episode it is most similar to, so the two link."""
    episodes = [c for c in candidates if c.kind == "episode"]
    if not episodes or all(c.origin is not None for c in candidates if c.kind == "fact"):
        return list(candidates)
    import numpy as np  # installed with chromadb; imported late to keep import light

    matrix = np.asarray([embeddings[e.text] for e in episodes], dtype=np.float64)
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    out: list[Candidate] = []
    for cand in candidates:
        if cand.kind == "fact" and cand.origin is None:
            vector = np.asarray(embeddings[cand.text], dtype=np.float64)
            best = episodes[int(np.argmax(matrix @ vector))]
            cand = replace(cand, origin=best.origin)
        out.append(cand)
    return out


_REFER_POOL = 8
"""Nearest memories a changing statement's referent is chosen among."""


class AddPipeline:
    """Extraction and merging for one ``Memory`` (shares its store, lock and clock)."""

    def __init__(
        self,
        *,
        store: ChromaStore,
        embedder: Embedder,
        rules: RuleExtractor,
        llm_extractor: LLMExtractor | None,
        merge_rules: MergeRules,
        config: MemoryConfig,
        access: AccessRecorder,
        lock: threading.RLock,
        clock: Clock,
        quarantine: Quarantine | None = None,
    ) -> None:
        self._quarantine = quarantine
        self._store = store
        self._embedder = embedder
        self._rules = rules
        self._llm_extractor = llm_extractor
        self._merge_rules = merge_rules
        self._refer_rules = ReferRules(
            threshold=config.extraction.refer_threshold,
            follow_threshold=config.extraction.follow_threshold,
        )
        self.config = config
        self._access = access
        self._lock = lock
        self._clock = clock

    def _similar(
        self, vectors: Sequence[Sequence[float]], scope: Scope, limit: int
    ) -> list[list[tuple[MemoryRecord, float]]]:
        """For each vector, active facts of exactly ``scope`` with their similarity."""
        rows = self._nearby(vectors, scope, 3 * limit + 4)  # episodes sit among the facts
        return [[(r, s) for r, s in found if r.kind == "fact"][:limit] for found in rows]

    def _nearby(
        self, vectors: Sequence[Sequence[float]], scope: Scope, limit: int
    ) -> list[list[tuple[MemoryRecord, float]]]:
        """For each vector, the ``limit`` nearest active memories (facts and episodes) of
        exactly ``scope`` with their similarity."""
        if not vectors or limit < 1:
            return [[] for _ in vectors]
        index = self._store.index
        rows = index.nearest_if_loaded(scope, vectors, limit) if index else None
        if rows is None:  # a scope-filtered Chroma query: 12 ms at 10k memories, 65 at 100k
            distances = self._store.query_many(vectors, where=read_where(scope), limit=limit)
            rows = [[(r, 1.0 - d) for r, d in found] for found in distances]
        return [[(r, s) for r, s in found if r.scope == scope] for found in rows]

    def _referents(
        self, kept: Sequence[Candidate], embeddings: Mapping[str, list[float]], scope: Scope
    ) -> tuple[dict[int | None, list[MemoryRecord]], dict[int | None, str]]:
        """For each episode, the older memories it changes (it says something changed),
        else the older memory it most likely updates (:mod:`.referents`)."""
        episodes = [c for c in kept if c.kind == "episode"]
        rows = self._nearby([embeddings[c.text] for c in episodes], scope, _REFER_POOL)
        changed: dict[int | None, list[MemoryRecord]] = {}
        followed: dict[int | None, str] = {}
        for cand, near in zip(episodes, rows, strict=True):
            refs = referents(cand, near, self._refer_rules)
            if refs:
                changed[cand.origin] = refs
            elif (older := follows(cand, near, self._refer_rules)) is not None:
                followed[cand.origin] = older.id
        return changed, followed

    def merge(
        self,
        candidates: list[Candidate],
        scope: Scope,
        meta: dict[str, Any],
        *,
        extractor: ExtractorName,
        near: bool = True,
        usage: LLMUsage | None = None,
        skipped: Sequence[SkippedFact] = (),
        warnings: Sequence[str] = (),
        expires_at: datetime | None = None,
        screened: bool = True,
    ) -> AddResult:
        """Merge ``candidates`` into the scope's memories and write the result.

        ``screened=False`` skips the poisoning screen: for a quarantined item a person
        released (:meth:`Memory.release`)."""
        from .extract.safety import (  # compiled once Memory() exists
            quarantine_reason,
            secret_reason,
        )

        skipped = list(skipped)
        kept: list[Candidate] = []
        held: list[tuple[str, str, Role | None]] = []
        for cand in candidates:
            if cand.action is EventType.DELETE or not screened:
                kept.append(cand)
            elif reason := secret_reason(cand.text):  # first: a secret is never kept aside
                skipped.append(SkippedFact(text=cand.text, reason=reason, role=cand.source.role))
            elif reason := quarantine_reason(cand.text):
                held.append((cand.text, reason, cand.source.role))
            else:
                kept.append(cand)
        skipped += self.hold(scope, held)
        result = AddResult(
            usage=usage or LLMUsage(),
            skipped=skipped,
            extractor=extractor,
            warnings=list(warnings),
        )
        if not kept:
            return result
        texts = list(dict.fromkeys(c.text for c in kept))
        embeddings = dict(zip(texts, self._embedder.embed(texts), strict=True))
        kept = attribute(kept, embeddings)
        probe = [i for i, c in enumerate(kept) if near and c.target is None and c.kind == "fact"]
        hashes = sorted({content_hash(c.text) for c in kept})
        keys = sorted({c.key for c in kept if c.key})
        match: dict[str, Any] = {"hash": {"$in": hashes}}
        if keys:
            match = {"$or": [match, {"key": {"$in": keys}}]}
        # The given scope ids and the hash/key are the selective clauses; "this id is
        # unset" (agent_id == "") matches most rows, so Chroma would scan them all
        # (40 ms at 10k memories against 5 ms): the exact scope is checked here instead.
        where = and_(read_where(scope), match)
        named = sorted({c.target for c in kept if c.target})
        with self._lock:
            # Read under the lock: what this process writes is never stale here.
            similar = self._similar([embeddings[kept[i].text] for i in probe], scope, 3)
            neighbours = dict(zip(probe, similar, strict=True))
            index = self._store.index
            same = index.matching_if_loaded(scope, hashes, keys) if index else None
            if same is None:  # a scope-filtered Chroma read: 4 ms at 10k memories, 38 at 100k
                same = self._store.find(where)
            existing = {r.id: r for r in same if r.scope == scope}
            existing.update((r.id, r) for rows in similar for r, _ in rows)
            referents, followed = self._referents(kept, embeddings, scope) if near else ({}, {})
            existing.update((r.id, r) for refs in referents.values() for r in refs)
            linked = [
                i
                for refs in referents.values()
                for r in refs
                if r.kind == "episode"
                for i in r.links
            ]
            if linked:
                existing.update(self._store.get_records(sorted(set(linked) - set(existing))))
            if named:
                existing.update(self._store.get_records(named))
            now = checked_now(self._clock)
            fact_id = self._fact_ids(kept, scope) if self._store.shared else None
            plan = plan_add(
                kept,
                list(existing.values()),
                scope=scope,
                now=now,
                metadata=meta,
                embeddings=embeddings,
                neighbours=neighbours,
                rules=self._merge_rules if near else MergeRules(near_duplicates=False),
                seq=time.time_ns(),
                expires_at=expires_at,
                fact_id=fact_id,
                referents=referents,
                follows=followed,
            )
            plan = plan_past(plan, self._linked_episodes(plan, scope), now=now, seq=time.time_ns())
            events = commit(self._store, plan)
            if self._store.shared and keys:
                self._settle(scope, keys, now)
            self._access.record(plan.reinforced, now)
        result.events = [e for e in events if e.record is None or e.record.kind == "fact"]
        result.episodes = [e for e in events if e.record is not None and e.record.kind != "fact"]
        result.skipped.extend(plan.skipped)
        return result

    def _linked_episodes(self, plan: Plan, scope: Scope) -> dict[str, MemoryRecord]:
        """The stored episodes of ``scope`` that the facts ``plan`` replaces link to."""
        ids = sorted(
            {
                i
                for c in plan.changes
                if c.previous is not None and c.previous.kind == "fact"
                for i in c.previous.links
            }
            | set(plan.past)
        )
        if not ids:
            return {}
        found = self._store.get_records(ids)
        return {i: r for i, r in found.items() if r.scope == scope and r.kind == "episode"}

    def hold(self, scope: Scope, held: Sequence[tuple[str, str, Role | None]]) -> list[SkippedFact]:
        """Quarantine ``(text, reason, role)`` items; what to report as skipped."""
        if not held:
            return []
        if self._quarantine is not None:
            self._quarantine.put(scope, held, checked_now(self._clock))
        return [
            SkippedFact(text=text[:200], reason=f"quarantined: {reason}", role=role)
            for text, reason, role in held
        ]

    def _settle(self, scope: Scope, keys: Sequence[str], now: datetime) -> None:
        """On a shared store, re-read the keys just written: another process may have set
        one at the same moment (see :func:`~.merging.plan_settle`)."""
        where = and_(read_where(scope), {"key": {"$in": list(keys)}})
        records = [r for r in self._store.find(where) if r.scope == scope]
        settled = plan_settle(records, now=now, seq=time.time_ns())
        if settled.writes:
            log.info("settled %d concurrent value(s) of %s", len(settled.writes), keys)
            self._store.write(settled.writes, settled.history)

    def _fact_ids(
        self, kept: Sequence[Candidate], scope: Scope
    ) -> Callable[[str, MemoryKind], str]:
        """Ids derived from scope, kind and text, for a store other processes write: two
        processes adding one fact (or keeping one turn) at once upsert one record instead
        of two (each may report its ADD). An id already holding another record (the fact
        was added, then edited, superseded or deleted) gets a random one instead: that
        record stays."""
        derived = {(c.kind, c.text): fact_uuid(scope, c.text, c.kind) for c in kept}
        stored = self._store.get_records(sorted(set(derived.values())))

        def fact_id(text: str, kind: MemoryKind = "fact") -> str:
            found = stored.get(derived[kind, text])
            # An active record with this very text under the id is the same memory,
            # written by another process since the merge read: writing it again is
            # harmless. Any other record there (edited since, superseded, deleted) must
            # stay as it is.
            same = found is None or (
                found.status is MemoryStatus.ACTIVE
                and found.hash == content_hash(text)
                and found.kind == kind
            )
            return derived[kind, text] if same else new_id()

        return fact_id

    def _offered(
        self,
        extractor: LLMExtractor,
        messages: Sequence[Message],
        rules: Sequence[Candidate],
        scope: Scope,
    ) -> list[MemoryRecord]:
        """The stored memories shown to the LLM: same keys first, then the most similar."""
        limit = self.config.extraction.neighbours
        if limit == 0:
            return []
        texts = [m.content for m in extractor.shown(messages)]
        keys = sorted({c.key for c in rules if c.key})
        offered: dict[str, MemoryRecord] = {}
        if keys:
            where = and_(read_where(scope), {"key": {"$in": keys}})
            offered.update((r.id, r) for r in self._store.find(where) if r.scope == scope)
        best: dict[str, tuple[float, MemoryRecord]] = {}
        floor = self.config.extraction.offer_threshold
        for rows in self._similar(self._embedder.embed(texts) if texts else [], scope, limit):
            for record, similarity in rows:
                if similarity >= floor and similarity > best.get(record.id, (-2.0, record))[0]:
                    best[record.id] = (similarity, record)
        for _, record in sorted(best.values(), key=lambda x: (-x[0], x[1].id)):
            offered.setdefault(record.id, record)
        return list(offered.values())[:limit]

    def add(
        self,
        messages: list[Message],
        scope: Scope,
        meta: dict[str, Any],
        infer: bool,
        expires_at: datetime | None = None,
    ) -> AddResult:
        """Extract facts from ``messages`` (verbatim when not ``infer``) and merge them."""
        if not infer:
            return self.merge(
                verbatim_candidates(messages, self.config.extraction.context_messages),
                scope,
                meta,
                extractor="verbatim",
                near=False,
                expires_at=expires_at,
            )
        now = checked_now(self._clock)
        usable, skipped, held = self._screen(messages)
        skipped += self.hold(scope, held)
        rules = self._rules.extract(usable, now=now)
        rules += wish_candidates(usable, self._fact_roles)
        episodes, notes = (
            episode_candidates(usable, self._fact_roles, self.config.extraction.context_messages)
            if self.config.extraction.episodes
            else ([], [])
        )
        extractor = self._llm_extractor
        if extractor is None or not (rules or statements(usable, self._fact_roles)):
            # No LLM, or nothing for one to read (questions, greetings, thanks, and no
            # fact the rules found): the deterministic layer settles the turn, no call.
            return self.merge(
                rules + episodes,
                scope,
                meta,
                extractor="offline",
                skipped=skipped,
                warnings=[*self._no_fact(usable, rules), *notes],
                expires_at=expires_at,
            )
        offered = self._offered(extractor, usable, rules, scope)
        try:
            found, dropped, usage = extractor.extract(usable, offered, now)
        except ExtractionError as e:
            if self.config.extraction.on_llm_error == "raise":
                raise
            log.warning("LLM extraction failed, extracting offline instead: %s", e)
            return self.merge(
                rules + episodes,
                scope,
                meta,
                extractor="offline-fallback",
                usage=e.usage or LLMUsage(),
                skipped=skipped,
                warnings=[
                    f"LLM extraction failed ({e}); the offline extractor was used.",
                    *self._no_fact(usable, rules),
                    *notes,
                ],
                expires_at=expires_at,
            )
        return self.merge(
            found + episodes,
            scope,
            meta,
            extractor="llm",
            usage=usage,
            skipped=skipped + dropped,
            warnings=notes,
            expires_at=expires_at,
        )

    def _screen(
        self, messages: Sequence[Message]
    ) -> tuple[list[Message], list[SkippedFact], list[tuple[str, str, Role | None]]]:
        """Each message facts are read from, screened sentence by sentence
        (:func:`~.extract.safety.screen_message`): what may be read (a message keeps only
        its safe sentences), what is refused outright (secrets, never kept aside) and what
        is held for review (an injection and what follows it; no fact is taken from it)."""
        from .extract.safety import screen_message  # compiled once Memory() exists

        usable: list[Message] = []
        skipped: list[SkippedFact] = []
        held: list[tuple[str, str, Role | None]] = []
        for msg in messages:
            if msg.role not in self._fact_roles:
                usable.append(msg)
                continue
            screen = screen_message(msg.content)
            skipped += [
                SkippedFact(text=t[:200], reason=r, role=msg.role) for t, r in screen.refused
            ]
            held += [(t, r, msg.role) for t, r in screen.held]
            if screen.kept and screen.kept != msg.content.strip():
                msg = msg.model_copy(update={"content": screen.kept})
            if screen.kept:
                usable.append(msg)
        return usable, skipped, held

    def _no_fact(self, messages: Sequence[Message], facts: Sequence[Candidate]) -> list[str]:
        """Why each message facts are read from gave the offline extractor no fact: a
        turn never yields nothing silently."""
        from_ = {c.origin for c in facts}
        return [
            f"Message {i} gave no fact: {unextracted_reason(m.content)}."
            for i, m in enumerate(messages)
            if m.role in self._fact_roles and i not in from_
        ]

    @property
    def _fact_roles(self) -> tuple[str, ...]:
        return tuple(self.config.extraction.fact_roles)
