"""The in-process search index: BM25 postings, and exact vector search when the
process owns the store, kept current by writes (no Chroma here: a fake loader)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from mem0_integrations.core.models import MemoryRecord, MemoryStatus, Scope, content_hash
from mem0_integrations.core.rank.keywords import terms
from mem0_integrations.core.store.local_index import Loaded, LocalIndex

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
U1 = Scope(user_id="u1")


def record(text: str, id: str, **fields: object) -> MemoryRecord:
    data: dict[str, object] = {
        "id": id,
        "text": text,
        "scope": U1,
        "created_at": T0,
        "updated_at": T0,
        "stated_at": T0,
        "hash": content_hash(text),
    }
    data.update(fields)
    return MemoryRecord.model_validate(data)


def unit(angle: float) -> list[float]:
    """A 2-d unit vector at ``angle`` radians: similarities are easy to reason about."""
    return [math.cos(angle), math.sin(angle)]


def texts_loader(docs: dict[str, str]) -> tuple[list[Scope], object]:
    loads: list[Scope] = []

    def load(scope: Scope, vectors: bool) -> Loaded:
        loads.append(scope)
        return [(record(t, i), None) for i, t in docs.items()]

    return loads, load


def test_bm25_weighs_rare_terms_and_needs_a_match() -> None:
    docs = {
        "a": "Alice likes tea",
        "b": "Bob likes tea",
        "c": "Carol likes coffee",
        "d": "Dave likes tea",
    }
    _, load = texts_loader(docs)
    index = LocalIndex(load)  # type: ignore[arg-type]
    scores = index.search(U1, terms("Does Carol like tea?"))
    assert set(scores) == {"a", "b", "c", "d"}
    assert max(scores, key=lambda k: scores[k].bm25) == "c"  # "carol" is rarer than "tea"
    assert scores["c"].matched == ("carol",)
    assert all(0.0 < s.value <= 1.0 for s in scores.values())
    assert index.search(U1, terms("zebra")) == {}


def test_shared_index_follows_writes_and_reloads_after_its_ttl() -> None:
    now = [0.0]
    loads, load = texts_loader({"a": "Alice plays the oboe"})
    index = LocalIndex(load, ttl=60, clock=lambda: now[0])  # type: ignore[arg-type]
    assert set(index.search(U1, terms("oboe"))) == {"a"}
    assert index.nearest(U1, [1.0, 0.0], 5) is None  # not exclusive: vectors are Chroma's
    index.changed([(record("Bob plays the oboe", "b"), None)])
    assert set(index.search(U1, terms("oboe"))) == {"a", "b"}
    index.changed([(record("Bob plays the flute", "b"), None)])
    assert set(index.search(U1, terms("oboe"))) == {"a"}
    archived = record("Alice plays the oboe", "a", status=MemoryStatus.ARCHIVED)
    index.changed([(archived, None)])
    assert index.search(U1, terms("oboe")) == {}
    index.changed([(record("Other user's oboe", "x", scope=Scope(user_id="u2")), None)])
    assert index.search(U1, terms("oboe")) == {}
    assert len(loads) == 1
    now[0] = 61.0  # another process may have written: reload
    assert set(index.search(U1, terms("oboe"))) == {"a"}
    assert len(loads) == 2


def vector_index(rows: dict[str, float]) -> tuple[LocalIndex, list[bool]]:
    """An exclusive index over memories at the given angles; records what was loaded."""
    asked: list[bool] = []

    def load(scope: Scope, vectors: bool) -> Loaded:
        asked.append(vectors)
        return [(record(f"memory {i}", i), unit(a)) for i, a in rows.items()]

    return LocalIndex(load, exclusive=True, clock=lambda: 1e9), asked


def ids(found: Sequence[tuple[MemoryRecord, float]] | None) -> list[str]:
    assert found is not None
    return [r.id for r, _ in found]


def test_exclusive_index_answers_exact_nearest_neighbours_and_never_reloads() -> None:
    index, asked = vector_index({"a": 0.0, "b": 0.5, "c": 1.0, "d": 3.0})
    found = index.nearest(U1, unit(0.1), 3)
    assert ids(found) == ["a", "b", "c"]
    assert found is not None
    assert found[0][1] == pytest.approx(math.cos(0.1), abs=1e-6)
    assert ids(index.nearest(U1, [5.0, 0.0], 10)) == ["a", "b", "c", "d"]  # not unit: normalised
    assert asked == [True]
    assert index.nearest(U1, unit(0.0), 1) is not None
    assert asked == [True]  # exclusive: no ttl, nothing else writes


def test_exclusive_index_applies_writes_moves_and_deletes() -> None:
    index, _ = vector_index({"a": 0.0, "b": 1.0})
    assert ids(index.nearest(U1, unit(2.0), 1)) == ["b"]
    index.changed([(record("memory c", "c"), unit(2.0))])  # a new memory
    assert ids(index.nearest(U1, unit(2.0), 1)) == ["c"]
    index.changed([(record("memory a, edited", "a"), unit(2.1))])  # new text, new vector
    assert ids(index.nearest(U1, unit(2.1), 1)) == ["a"]
    index.changed([(record("memory a, edited", "a", importance=0.9), None)])  # metadata only
    found = index.nearest(U1, unit(2.1), 1)
    assert found is not None
    assert found[0][0].importance == 0.9
    index.changed([(record("memory a", "a", status=MemoryStatus.SUPERSEDED), None)])
    assert "a" not in ids(index.nearest(U1, unit(2.1), 10))
    index.removed(["c"])
    assert ids(index.nearest(U1, unit(2.0), 10)) == ["b"]
    index.changed([(record("memory e", "e"), unit(0.0)), (record("memory f", "f"), unit(3.0))])
    assert ids(index.nearest(U1, unit(3.0), 10)) == ["f", "b", "e"]  # freed rows reused
    assert ids(index.lookup(U1, ["e", "zzz", "b"], unit(0.0))) == ["e", "b"]
    index.changed([(record("Other user's", "x", scope=Scope(user_id="u2")), unit(3.0))])
    assert "x" not in ids(index.nearest(U1, unit(3.0), 10))


def test_exclusive_index_grows_past_its_first_capacity() -> None:
    index, _ = vector_index({})
    assert index.nearest(U1, unit(0.0), 5) == []
    index.changed([(record(f"memory {i}", f"m{i:03d}"), unit(i / 100)) for i in range(100)])
    assert ids(index.nearest(U1, unit(0.5), 3)) == ["m050", "m049", "m051"]


def test_partial_updates_change_only_their_fields() -> None:
    index, _ = vector_index({"a": 0.0})
    index.nearest(U1, unit(0.0), 1)  # loaded: from now on writes are applied to it
    later = datetime(2026, 2, 1, tzinfo=UTC)
    index.accessed([record("stale text", "a", access_count=3, last_accessed_at=later)])
    index.expiring({"a": later})
    found = index.nearest(U1, unit(0.0), 1)
    assert found is not None
    kept = found[0][0]
    assert (kept.text, kept.access_count, kept.last_accessed_at, kept.expires_at) == (
        "memory a",
        3,
        later,
        later,
    )


def test_a_record_without_its_vector_sends_the_scope_back_to_chroma() -> None:
    index, _ = vector_index({"a": 0.0})
    assert index.nearest(U1, unit(0.0), 1) is not None
    index.changed([(record("memory z", "z"), None)])  # restored, vector unknown
    assert index.nearest(U1, unit(0.0), 1) is None
    assert set(index.search(U1, terms("memory"))) == {"a", "z"}  # keywords still served


def test_unlocking_stops_trusting_the_copy() -> None:
    index, asked = vector_index({"a": 0.0})
    assert index.nearest(U1, unit(0.0), 1) is not None
    index.unlocked()
    assert index.nearest(U1, unit(0.0), 1) is None
    index.search(U1, terms("memory"))
    assert asked == [True, False]
