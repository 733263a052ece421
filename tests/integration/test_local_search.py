"""Search through the in-process index (a process that owns its embedded folder) gives
what search through Chroma gives, after adds, edits, supersedes, deletes and feedback."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from mem0_integrations import Memory, OnnxMiniLMEmbedder, Scope

from .conftest import TickingClock

pytestmark = pytest.mark.integration

PETS = ["dog", "cat", "parrot", "hamster", "tortoise"]
CITIES = ["Lyon", "Oslo", "Quito", "Perth", "Busan"]
HOBBIES = ["the violin", "chess", "rock climbing", "pottery", "sailing"]


def facts(rng: random.Random, n: int) -> list[str]:
    out = []
    for i in range(n):
        pet, city, hobby = rng.choice(PETS), rng.choice(CITIES), rng.choice(HOBBIES)
        out.append(
            rng.choice(
                [
                    f"My {pet} number {i} was born in {city}.",
                    f"I practise {hobby} with friend {i} on Saturdays.",
                    f"Trip {i}: a week in {city}, mostly {hobby}.",
                ]
            )
        )
    return out


QUERIES = [
    "Where was my dog born?",
    "What do I do on Saturdays?",
    "trips to Oslo",
    "pottery",
    "Which pets do I have?",
    "Where do I live now?",
    "number 17",
]


def test_local_and_chroma_vector_search_agree(tmp_path: Path, embedder: OnnxMiniLMEmbedder) -> None:
    rng = random.Random(5)
    memory = Memory(path=tmp_path / "store", embedder=embedder, clock=TickingClock())
    index = memory._searcher._index
    assert index.exclusive
    for user in ("u1", "u2", "u3"):
        memory.add(facts(rng, 120), user_id=user, infer=False)
    for user in ("u1", "u2"):  # searched first: their scopes are loaded, then changed
        memory.search("warm", user_id=user)
    memory.remember({"city": "Lyon"}, user_id="u1")
    memory.remember({"city": "Oslo"}, user_id="u1")  # supersedes Lyon
    some = memory.get_all(user_id="u1", limit=30)
    memory.update(some[0].id, "I moved my pottery wheel to Perth.")
    memory.delete(some[1].id)
    memory.feedback(some[2].id, "positive")
    memory.add("My hamster number 999 was born in Busan.", user_id="u2", infer=False)

    def results() -> list[list[tuple[str, float]]]:
        return [
            [(h.id, h.score) for h in memory.search(q, user_id=u, limit=8, reinforce=False)]
            for u in ("u1", "u2", "u3")
            for q in QUERIES
        ]

    local = results()
    index.unlocked()  # from here on vectors come from Chroma, as for a server
    assert not index.exclusive
    chroma = results()
    assert [[i for i, _ in r] for r in local] == [[i for i, _ in r] for r in chroma]
    for mine, theirs in zip(local, chroma, strict=True):
        for (_, a), (_, b) in zip(mine, theirs, strict=True):
            assert a == pytest.approx(b, abs=1e-5)
    assert sum(len(r) for r in local) == 3 * len(QUERIES) * 8


def test_an_adds_duplicate_check_reads_a_loaded_scope_from_the_index_with_the_same_outcome(
    tmp_path: Path, embedder: OnnxMiniLMEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once a scope is indexed (it was searched), an add's duplicate checks (its nearest
    memories, and those with the same hash or key) read the index instead of Chroma; an
    add to a scope that was never searched does not load it. Both decide the same events,
    near-duplicates (NONE), updates and new facts alike."""
    base = facts(random.Random(9), 40)
    variants = [
        f"{text[:-1]} and Sundays." if "Saturdays" in text else f"{text[:-1]} last spring."
        for text in base[:10]
    ] + [base[11], "I am allergic to penicillin."]
    probe = embedder.embed(["penicillin"])
    outcomes = []
    for searched in (True, False):
        memory = Memory(
            path=tmp_path / f"store-{searched}", embedder=embedder, clock=TickingClock()
        )
        memory.add(base, user_id="u1", infer=True)
        if searched:
            memory.search("warm", user_id="u1")
        chroma_reads = count_queries(memory, monkeypatch)
        result = memory.add(variants, user_id="u1", infer=True)
        outcomes.append(
            sorted((e.event.value, e.memory or "", e.previous_memory or "") for e in result.events)
        )
        assert (chroma_reads == []) is searched, chroma_reads
        loaded = memory._searcher._index.nearest_if_loaded(Scope(user_id="u1"), probe, 1)
        assert (loaded is not None) is searched  # an add loads no scope
        memory.close()
    assert outcomes[0] == outcomes[1]
    assert {"ADD", "NONE"} <= {kind for kind, _, _ in outcomes[0]}, outcomes[0]


def count_queries(memory: Memory, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A list that grows at each scope-filtered read (vector query or ``find``) the
    memory's store sends Chroma."""
    reads: list[str] = []
    for name in ("query_many", "find"):
        real = getattr(memory._store, name)

        def spy(*args: Any, _name: str = name, _real: Any = real, **kwargs: Any) -> Any:
            reads.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(memory._store, name, spy)
    return reads
