"""An in-process inverted index of active memories' terms, per searched scope.

BM25 needs every document that holds a query term and how many there are;
asking Chroma for them on each search cost more than the search itself (a
scope's common words match most of it). So :class:`KeywordIndex` loads a
scope's texts once (one read of documents only), answers BM25 from postings in
well under a millisecond, and is kept current by the store: every write and
delete this process makes is applied to the cached scopes it belongs to.

Writes by *other* processes (several clients of one Chroma server) are picked
up when a scope's index is older than ``ttl`` seconds and is rebuilt; until
then those memories are still found by vector similarity, only without their
keyword score. Only active memories are indexed.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .keywords import KeywordScore, idf, term_weight, terms
from .models import MemoryRecord, MemoryStatus, Scope

__all__ = ["KeywordIndex"]

Loader = Callable[[Scope], Mapping[str, str]]
"""Reads the texts (by id) of a scope's active memories."""


@dataclass
class _ScopeIndex:
    built_at: float
    postings: dict[str, dict[str, int]] = field(default_factory=dict)
    lengths: dict[str, int] = field(default_factory=dict)
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    total_length: int = 0

    def put(self, doc_id: str, text: str) -> None:
        self.remove(doc_id)
        found = terms(text)
        counts = Counter(found)
        self.lengths[doc_id] = len(found)
        self.words[doc_id] = tuple(counts)
        self.total_length += len(found)
        for word, tf in counts.items():
            self.postings.setdefault(word, {})[doc_id] = tf

    def remove(self, doc_id: str) -> None:
        length = self.lengths.pop(doc_id, None)
        if length is None:
            return
        self.total_length -= length
        for word in self.words.pop(doc_id, ()):
            docs = self.postings[word]
            del docs[doc_id]
            if not docs:
                del self.postings[word]

    def _idf(self, wanted: Sequence[str]) -> tuple[dict[str, float], float, float]:
        """idf per term, the idf mass of the terms that occur, and the mean length."""
        n = len(self.lengths)
        df = {t: len(self.postings.get(t, ())) for t in wanted}
        weights = {t: idf(n, df[t]) for t in wanted}
        mass = sum(weights[t] for t in wanted if df[t])
        return weights, mass, (self.total_length / n if n else 0.0) or 1.0

    def bm25(self, query: Sequence[str], k1: float, b: float) -> dict[str, KeywordScore]:
        """BM25 of every indexed memory holding a query term (see :mod:`.keywords`)."""
        wanted = list(dict.fromkeys(query))
        if not wanted or not self.lengths:
            return {}
        weights, mass, avglen = self._idf(wanted)
        raw: dict[str, float] = {}
        matched: dict[str, list[str]] = {}
        for t in wanted:
            for doc_id, tf in self.postings.get(t, {}).items():
                gain = term_weight(weights[t], tf, self.lengths[doc_id], avglen, k1, b)
                raw[doc_id] = raw.get(doc_id, 0.0) + gain
                matched.setdefault(doc_id, []).append(t)
        return {
            doc_id: KeywordScore(min(1.0, value / mass), value, tuple(matched[doc_id]))
            for doc_id, value in raw.items()
        }

    def score_texts(
        self, query: Sequence[str], texts: Mapping[str, str], k1: float, b: float
    ) -> dict[str, KeywordScore]:
        """BM25 of memories outside the index (archived ones), with the index's statistics."""
        wanted = list(dict.fromkeys(query))
        if not wanted:
            return {}
        weights, mass, avglen = self._idf(wanted)
        mass = mass or sum(weights.values())
        out: dict[str, KeywordScore] = {}
        for doc_id, text in texts.items():
            words = terms(text)
            counts = Counter(w for w in words if w in weights)
            if not counts:
                continue
            value = sum(
                term_weight(weights[t], tf, len(words), avglen, k1, b) for t, tf in counts.items()
            )
            out[doc_id] = KeywordScore(min(1.0, value / mass), value, tuple(counts))
        return out


class KeywordIndex:
    """BM25 over the active memories of each searched scope, cached in this process.

    ``max_documents`` bounds the cache: the least recently searched scopes are
    dropped when the indexed memories exceed it.
    """

    def __init__(
        self,
        loader: Loader,
        *,
        ttl: float = 60.0,
        max_documents: int = 200_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._loader = loader
        self._ttl = ttl
        self._max_documents = max_documents
        self._clock = clock
        self._scopes: OrderedDict[Scope, _ScopeIndex] = OrderedDict()
        self._lock = threading.Lock()

    def search(
        self, scope: Scope, query: Sequence[str], *, k1: float = 1.2, b: float = 0.75
    ) -> dict[str, KeywordScore]:
        """BM25 scores of the scope's active memories that hold a query term."""
        if not query:
            return {}
        index = self._index(scope)
        with self._lock:
            return index.bm25(query, k1, b)

    def score_texts(
        self,
        scope: Scope,
        query: Sequence[str],
        texts: Mapping[str, str],
        *,
        k1: float = 1.2,
        b: float = 0.75,
    ) -> dict[str, KeywordScore]:
        """BM25 of ``texts`` (memories not in the index) with the scope's statistics."""
        if not query or not texts:
            return {}
        index = self._index(scope)
        with self._lock:
            return index.score_texts(query, texts, k1, b)

    def _index(self, scope: Scope) -> _ScopeIndex:
        now = self._clock()
        with self._lock:
            index = self._scopes.get(scope)
            if index is not None and now - index.built_at <= self._ttl:
                self._scopes.move_to_end(scope)
                return index
        texts = self._loader(scope)  # outside the lock: a store read
        fresh = _ScopeIndex(built_at=now)
        for doc_id, text in texts.items():
            fresh.put(doc_id, text)
        with self._lock:
            self._scopes[scope] = fresh
            self._scopes.move_to_end(scope)
            self._evict()
        return fresh

    def _evict(self) -> None:
        total = sum(len(i.lengths) for i in self._scopes.values())
        while len(self._scopes) > 1 and total > self._max_documents:
            _, dropped = self._scopes.popitem(last=False)
            total -= len(dropped.lengths)

    # --- kept current by the store --------------------------------------------------------

    def changed(self, records: Iterable[MemoryRecord]) -> None:
        """Apply written records: active ones are (re)indexed, others removed."""
        with self._lock:
            for record in records:
                for scope, index in self._scopes.items():
                    if not scope.contains(record.scope):
                        continue
                    if record.status is MemoryStatus.ACTIVE:
                        index.put(record.id, record.keyword_text)
                    else:
                        index.remove(record.id)

    def removed(self, ids: Iterable[str]) -> None:
        """Drop deleted memories from every cached scope."""
        gone = list(ids)
        with self._lock:
            for index in self._scopes.values():
                for doc_id in gone:
                    index.remove(doc_id)

    def clear(self) -> None:
        """Forget every cached scope (after a reset)."""
        with self._lock:
            self._scopes.clear()
