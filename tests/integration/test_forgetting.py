"""forget and consolidate on real Chroma (embedded folder and `chroma run` server).

Every test runs on both backends (the ``memory`` fixture is parametrised), with
the real offline embedder. Forgetting a user covers every collection of the store,
the transcripts (``Memory.transcripts``, what chat histories keep) included.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from mem0_integrations import (
    ConsolidationReport,
    Memory,
    MemoryNotFoundError,
    MemoryStatus,
    Scope,
)

from .conftest import TickingClock

pytestmark = pytest.mark.integration


def everything(memory: Memory) -> str:
    """Every id, document and metadata of every collection of the store.

    On the shared test server other tests' stores live beside this one (and may
    well mention Paris), so only this store's collections (its prefix) are read.
    """
    client = memory._store.client
    prefix = memory.config.store.collection_prefix + "_"
    parts = []
    names = [c.name for c in client.list_collections() if c.name.startswith(prefix)]
    assert sorted(n.removeprefix(prefix) for n in names) == [
        "archive",
        "chat",
        "history",
        "memories",
    ]
    for name in names:
        rows = client.get_collection(name).get(include=["documents", "metadatas"])
        parts.append(f"{name} {rows['ids']} {rows['documents']} {rows['metadatas']}")
    return "\n".join(parts)


def dump(memory: Memory, user: str) -> list[dict[str, Any]]:
    records = memory.get_all(user_id=user, include_inactive=True, limit=None)
    return sorted((r.model_dump() for r in records), key=lambda r: r["id"])


def test_forgetting_a_user_leaves_nothing_in_any_collection(
    memory: Memory, clock: TickingClock
) -> None:
    user = "forget-me-" + uuid.uuid4().hex[:8]
    keeper = "keeper-" + uuid.uuid4().hex[:8]
    facts = ["Zorblax lives in Quonset", "Zorblax drinks yerbamate every morning"]
    ids = memory.add(facts, user_id=user, infer=False).ids
    memory.remember({"zorblax_city": "Paris"}, user_id=user, agent_id="a1")
    memory.remember({"zorblax_city": "Lyon"}, user_id=user, agent_id="a1")  # supersedes Paris
    memory.remember({"mood": "zorblax grumpy"}, user_id=user, category="mood")
    memory.delete(ids[1])
    memory.search("Zorblax", user_id=user)
    clock.start += timedelta(days=30)
    assert len(memory.consolidate(user_id=user).archived) == 1  # the mood
    memory.add("Zorblax queued secret", user_id=user, infer=False, background=True)
    other = memory.add("Keeper likes quiet trains", user_id=keeper, infer=False).ids[0]
    chats = [Scope(user_id=user, session_id="s1"), Scope(user_id=user, agent_id="a1")]
    for scope in chats:
        memory.transcripts.append("chat", scope, ['{"content": "Zorblax: I live in Quonset"}'])
        memory.transcripts.append("window", scope, ["Zorblax moved from Paris to Lyon"])
    keepers = Scope(user_id=keeper, session_id="s1")
    memory.transcripts.append("chat", keepers, ["Keeper: quiet trains please"])
    kept = dump(memory, keeper), memory.history(other), memory.transcripts.rows("chat", keepers)

    assert memory.forget(user_id=user, erase_history=True) == 6

    text = everything(memory)
    for needle in [user, *ids, "Zorblax", "zorblax", "Quonset", "Paris", "Lyon", "grumpy"]:
        assert needle not in text, needle
    assert memory.get_all(user_id=user, include_inactive=True) == []
    with pytest.raises(MemoryNotFoundError):
        memory.history(ids[0])
    assert all(memory.transcripts.rows("chat", scope) == [] for scope in chats)
    assert (
        dump(memory, keeper),
        memory.history(other),
        memory.transcripts.rows("chat", keepers),
    ) == kept


def test_forget_keeping_history_answers_history(memory: Memory) -> None:
    mid = memory.add("I park on level 3", user_id="u1", infer=False).ids[0]
    assert memory.forget(user_id="u1") == 1
    assert memory.get_all(user_id="u1", include_inactive=True) == []
    assert [e.event.value for e in memory.history(mid, user_id="u1")] == ["ADD", "FORGET"]
    with pytest.raises(MemoryNotFoundError):
        memory.history(mid, user_id="u2")


def test_consolidate_is_idempotent_on_the_real_store(memory: Memory, clock: TickingClock) -> None:
    old = memory.add("My favourite drink is green tea", user_id="u1", infer=False).ids[0]
    new = memory.add("My favorite drink is green tea", user_id="u1", infer=False).ids[0]
    cello = memory.add("I play the cello", user_id="u1", infer=False).ids[0]
    mood = memory.remember({"mood": "tired"}, user_id="u1", category="mood").ids[0]
    clock.start += timedelta(days=10)

    first = memory.consolidate()
    assert first.merged == [(new, old)]
    assert first.archived == [mood]
    assert {r.id for r in memory.get_all(user_id="u1")} == {new, cello}
    assert memory.get(old).status is MemoryStatus.SUPERSEDED
    state = dump(memory, "u1"), len(memory._store.history.get(include=[])["ids"])

    clock.start, clock.step = clock.last, timedelta(0)  # the clock stops: same time again
    assert memory.consolidate() == ConsolidationReport(scanned=2)
    assert (dump(memory, "u1"), len(memory._store.history.get(include=[])["ids"])) == state
