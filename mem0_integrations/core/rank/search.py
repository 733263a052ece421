"""Search: candidates by vector and by keyword, ranked by :mod:`.ranking`.

One search reads:

1. BM25 scores of the scope's memories that share a term with the query, from
   an in-process index (:mod:`.local_index`);
2. the ``max(candidates, 2 x limit)`` nearest memories by vector (just
   ``limit`` when similarity is the only signal): from the same index when
   this process owns the store and the search is plain (no filters, time window
   or history), else from Chroma;
3. the best ``limit + 10`` keyword matches the vector read missed, with
   their vectors.

Every candidate is then scored (:func:`.ranking.score`); expired memories and
those whose decayed strength is below the archive threshold are left out, and
the best ``limit`` are returned. With ``include_history`` superseded, deleted
and archived memories are searched too and always ranked after active ones,
so a replaced fact never outranks its replacement. ``as_of`` searches the
memories that held at that time (including since-superseded ones), scored as
of that time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as day_time
from typing import Any

from ..config import MemoryConfig
from ..embedders import Embedder
from ..errors import InvalidInputError
from ..lifecycle.access import AccessRecorder
from ..models import MemoryHit, MemoryRecord, MemoryStatus, Scope
from ..store.codec import OPEN_END, epoch
from ..store.filters import and_, read_where
from ..store.local_index import LocalIndex
from ..store.store import ChromaStore, Where
from .keywords import KeywordScore, terms
from .ranking import explain, retention, score

__all__ = ["SearchRequest", "Searcher", "moment", "time_where"]

_KEYWORD_EXTRA = 10
"""Keyword matches the vector read missed, re-ranked beyond the limit."""
_FOLLOW_RATIO = 0.8
"""A newer memory is ranked just above the older one it follows only when its own score
is at least this share of the older's: a follower that does not answer the query itself
does not take the older one's place."""
_MAX_POOL = 20_000
"""Largest vector read when expired or faded memories crowd out live ones."""


@dataclass(frozen=True)
class SearchRequest:
    """A validated search."""

    scope: Scope
    query: str
    limit: int
    filters: Mapping[str, Any] | None = None
    threshold: float | None = None
    explain: bool = False
    since: datetime | None = None
    until: datetime | None = None
    as_of: datetime | None = None
    include_history: bool = False
    reinforce: bool = True
    evidence: bool = False
    """Also return an episode beside a fact taken from it (and the reverse)."""


@dataclass
class _Candidate:
    record: MemoryRecord
    similarity: float
    keyword: KeywordScore | None = None


def moment(name: str, value: object, *, end_of_day: bool = False) -> datetime | None:
    """A search time argument: an aware datetime, or a date (its start, or its end
    with ``end_of_day``, in UTC). Naive datetimes are refused: their zone is unknown."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InvalidInputError(
                f"{name}={value!r} has no timezone. Pass an aware datetime, e.g. "
                f"datetime(2026, 5, 1, tzinfo=timezone.utc), or a date."
            )
        return value
    if isinstance(value, date):
        return datetime.combine(value, day_time.max if end_of_day else day_time.min, tzinfo=UTC)
    raise InvalidInputError(
        f"{name} must be a datetime or a date, got {type(value).__name__} ({value!r})."
    )


def time_where(since: datetime | None, until: datetime | None, as_of: datetime | None) -> Where:
    """Clauses for a time window on what a fact is about, and for validity at ``as_of``."""
    clauses: list[dict[str, Any]] = []
    if since is not None:
        clauses.append({"t_end": {"$gte": epoch(since)}})
    if until is not None:
        clauses.append({"t_start": {"$lte": epoch(until)}})
    if as_of is not None:
        t = epoch(as_of)
        clauses += [
            {"valid_from": {"$lte": t}},
            {"valid_to": {"$gt": t}},
            # A caller's delete is not a retraction: the memory never held.
            {
                "$or": [
                    {"status": {"$ne": MemoryStatus.DELETED.value}},
                    {"valid_to": {"$lt": OPEN_END}},
                ]
            },
        ]
    return {"$and": clauses} if len(clauses) > 1 else (clauses[0] if clauses else {})


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    import numpy as np  # installed with chromadb; imported late to keep import light

    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    norm = float(np.linalg.norm(x) * np.linalg.norm(y))
    return float(x @ y) / norm if norm else 0.0


class Searcher:
    """Runs searches for one ``Memory`` (shares its store, embedder and access recorder)."""

    def __init__(
        self,
        *,
        store: ChromaStore,
        embedder: Embedder,
        config: MemoryConfig,
        access: AccessRecorder,
        index: LocalIndex,
    ) -> None:
        self._store = store
        self._embedder = embedder
        self._config = config
        self._access = access
        self._index = index

    def search(self, req: SearchRequest, now: datetime) -> list[MemoryHit]:
        """The best ``req.limit`` hits for ``req`` at time ``now``."""
        at = req.as_of or now
        archived = req.include_history or req.as_of is not None
        where = and_(
            read_where(req.scope, filters=req.filters),
            time_where(req.since, req.until, req.as_of),
        )
        ranking = self._config.ranking
        words = terms(req.query) if ranking.keyword_weight > 0 else []
        keyword = self._index.search(req.scope, words, k1=ranking.bm25_k1, b=ranking.bm25_b)
        (vector,) = self._embedder.embed([req.query])
        reranked = any(
            getattr(ranking, f"{name}_weight") > 0
            for name in ("keyword", "recency", "importance", "reinforcement")
        )
        pool = max(ranking.candidates, 2 * req.limit) if reranked else req.limit
        narrowed = bool(req.filters) or any((req.since, req.until, req.as_of))
        local = not (narrowed or archived)
        while True:
            candidates, full = self._vector_candidates(req.scope, vector, where, pool, local)
            if archived:
                full = self._add_archived(candidates, vector, where, pool) or full
            self._add_keyword_candidates(
                candidates, keyword, req, where if narrowed else None, vector, local
            )
            self._score_archived(candidates, req, words)
            hits = self._rank(candidates, req, at)
            if len(hits) >= req.limit or not full or pool >= _MAX_POOL:
                break
            pool *= 4  # expired or faded memories took places: look further
        if req.reinforce:
            self._access.record(
                [h.record for h in hits if h.record.status is MemoryStatus.ACTIVE], now
            )
        return hits

    # --- candidates -----------------------------------------------------------------------

    def _vector_candidates(
        self, scope: Scope, vector: list[float], where: Where, pool: int, local: bool
    ) -> tuple[dict[str, _Candidate], bool]:
        """The ``pool`` nearest active memories, and whether the read was full (more may
        exist): from the local index when ``local`` and it keeps vectors, else Chroma."""
        found = self._index.nearest(scope, vector, pool) if local else None
        if found is None:
            found = [(r, 1.0 - d) for r, d in self._store.query(vector, where=where, limit=pool)]
        return {r.id: _Candidate(r, s) for r, s in found}, len(found) >= pool

    def _add_archived(
        self, candidates: dict[str, _Candidate], vector: list[float], where: Where, pool: int
    ) -> bool:
        """Add the ``pool`` nearest archived memories; True if that read was full."""
        rows = self._store.query_many([vector], where=where, limit=pool, archived=True)[0]
        for r, d in rows:
            candidates[r.id] = _Candidate(r, 1.0 - d)
        return len(rows) >= pool

    def _add_keyword_candidates(
        self,
        candidates: dict[str, _Candidate],
        keyword: dict[str, KeywordScore],
        req: SearchRequest,
        where: Where | None,
        vector: list[float],
        local: bool,
    ) -> None:
        """Attach keyword scores, and add the best keyword matches the vectors missed.

        The index holds exactly the scope's active memories, so without filters or a
        time window (``where`` None) the matches are read by id alone: from the index
        itself when ``local`` and it keeps vectors, else from Chroma, which evaluates ids
        with a ``where`` slowly (25 ms against 4 ms at 10k memories). The scope is
        checked on every record read either way.
        """
        for doc_id, value in keyword.items():
            if doc_id in candidates:
                candidates[doc_id].keyword = value
        missing = sorted(
            (i for i in keyword if i not in candidates), key=lambda i: (-keyword[i].bm25, i)
        )[: req.limit + _KEYWORD_EXTRA]
        found = self._index.lookup(req.scope, missing, vector) if local else None
        if found is None:
            found = [
                (record, _cosine(vector, stored))
                for record, stored in self._store.get_with_embeddings(missing, where=where)
            ]
        for record, similarity in found:
            if req.scope.contains(record.scope):
                candidates[record.id] = _Candidate(record, similarity, keyword[record.id])

    def _score_archived(
        self, candidates: dict[str, _Candidate], req: SearchRequest, words: list[str]
    ) -> None:
        """Keyword scores for candidates outside the index (superseded, archived),
        and buffered accesses applied to every candidate."""
        outside = {
            c.record.id: c.record.keyword_text
            for c in candidates.values()
            if c.record.status is not MemoryStatus.ACTIVE
        }
        ranking = self._config.ranking
        if outside and words:
            found = self._index.score_texts(
                req.scope, words, outside, k1=ranking.bm25_k1, b=ranking.bm25_b
            )
            for doc_id, value in found.items():
                candidates[doc_id].keyword = value
        fresh = self._access.overlay([c.record for c in candidates.values()])
        for c, record in zip(list(candidates.values()), fresh, strict=True):
            c.record = record

    # --- ranking --------------------------------------------------------------------------

    def _visible(self, record: MemoryRecord, req: SearchRequest, at: datetime) -> bool:
        if record.expired(at):
            return req.include_history
        if req.include_history or record.status is not MemoryStatus.ACTIVE:
            return True
        decay = self._config.decay
        return (
            not decay.enabled or retention(record, at, decay).retention >= decay.archive_threshold
        )

    def _rank(
        self, candidates: dict[str, _Candidate], req: SearchRequest, at: datetime
    ) -> list[MemoryHit]:
        ranking = self._config.ranking
        values = {
            c.record.id: (
                score(
                    c.record, similarity=c.similarity, keyword=c.keyword, now=at, ranking=ranking
                ),
                c,
            )
            for c in candidates.values()
            if self._visible(c.record, req, at)
        }
        as_of = req.as_of is not None
        seen = [c for _, c in values.values()]  # folded episodes too: their links count
        stands_for = {} if req.evidence else _fold_episodes(values, at, as_of)
        _below_successors(values, stands_for, at)
        previous = _order_followers(values, seen, stands_for, at, as_of)
        followed = set(previous.values())
        scored = []
        for value, c in values.values():
            if req.threshold is None or value >= req.threshold:
                current = c.record.status is MemoryStatus.ACTIVE or req.as_of is not None
                scored.append((not current, -value, c.record.id, value, c))
        scored.sort(key=lambda x: x[:3])
        return [
            MemoryHit(
                id=c.record.id,
                memory=c.record.text,
                score=value,
                similarity=min(1.0, max(0.0, c.similarity)),
                record=c.record.detached(),  # never the index's own object
                current=_current(c.record, at, as_of) and c.record.id not in followed,
                previous=values[previous[c.record.id]][1].record.detached()
                if c.record.id in previous
                else None,
                explanation=explain(
                    c.record,
                    similarity=c.similarity,
                    keyword=c.keyword,
                    now=at,
                    ranking=ranking,
                    decay=self._config.decay,
                )
                if req.explain
                else None,
            )
            for *_, value, c in scored[: req.limit]
        ]


def _current(record: MemoryRecord, at: datetime, as_of: bool) -> bool:
    """True if ``record`` holds at ``at``: active (or, searching ``as_of``, valid then)
    and not past."""
    return (record.status is MemoryStatus.ACTIVE or as_of) and not record.past(at)


def _below_successors(
    scored: dict[str, tuple[float, _Candidate]], stands_for: Mapping[str, str], at: datetime
) -> None:
    """Rank an episode marked past just below the memory that replaced it
    (``superseded_by``) when both are candidates: evidence of the past never outranks
    the present it led to. ``stands_for`` maps folded episodes to their facts."""
    for memory_id, (value, c) in list(scored.items()):
        newer = c.record.superseded_by if c.record.past(at) else None
        newer = stands_for.get(newer, newer) if newer is not None else None
        if newer is not None and newer in scored and value >= scored[newer][0]:
            scored[memory_id] = (max(0.0, scored[newer][0] - 1e-6), c)


def _order_followers(
    scored: dict[str, tuple[float, _Candidate]],
    seen: Sequence[_Candidate],
    stands_for: Mapping[str, str],
    at: datetime,
    as_of: bool,
) -> dict[str, str]:
    """Rank a memory above the older one it follows (:attr:`MemoryRecord.follows`) when
    both are candidates and current; newer id -> older id for each such pair.

    ``seen`` is every candidate, folded ones included. Either end may have been folded
    into a fact (:func:`_fold_episodes`): the fact stands in for it, and carries the
    ``follows`` of the episode it stands for."""
    pairs: dict[str, str] = {}
    for c in seen:
        if c.record.follows is None:
            continue
        newer = stands_for.get(c.record.id, c.record.id)
        older = stands_for.get(c.record.follows, c.record.follows)
        if newer == older or newer not in scored or older not in scored:
            continue
        if not all(_current(scored[i][1].record, at, as_of) for i in (newer, older)):
            continue
        pairs[newer] = older
        new_value, old_value = scored[newer][0], scored[older][0]
        if _FOLLOW_RATIO * old_value <= new_value <= old_value:
            scored[newer] = (min(1.0, old_value + 1e-6), scored[newer][1])
    return pairs


def _fold_episodes(
    scored: dict[str, tuple[float, _Candidate]], at: datetime, as_of: bool
) -> dict[str, str]:
    """Let a current fact stand for the current episode it was taken from.

    Both say the same thing, so only one is spent in the results: an episode whose
    fact is also a candidate is dropped, and the fact ranks at the better of the two
    scores (the question may match the turn's words better than the fact's). An
    episode that no longer holds stands for nothing and is kept as evidence of the
    past; an episode whose facts were not found stays as it is. Returns folded
    episode id -> the fact that stands for it.
    """

    def live(c: _Candidate) -> bool:
        return _current(c.record, at, as_of)

    folded: dict[str, str] = {}
    for episode_id, (value, c) in list(scored.items()):
        if c.record.kind != "episode" or not live(c):
            continue
        facts = [i for i in c.record.links if i in scored and live(scored[i][1])]
        if facts:
            best = max(facts, key=lambda i: (scored[i][0], i))
            scored[best] = (max(value, scored[best][0]), scored[best][1])
            del scored[episode_id]
            folded[episode_id] = best
    return folded
