"""forget, restore, consolidate and feedback on an in-memory Chroma, with the fake clock."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import chromadb
import pytest

from mem0_integrations import (
    ConsolidationReport,
    EventType,
    InvalidInputError,
    Memory,
    MemoryNotFoundError,
    MemoryStatus,
    ScopeError,
    StoreError,
)
from mem0_integrations.core.lifecycle import lifecycle
from mem0_integrations.core.lifecycle.lifecycle import check_feedback, cutoff
from mem0_integrations.core.merge.consolidation import Merge, plan_merges

from .conftest import FakeClock, HashEmbedder

# "I like green tea and biscuits" and its reordering embed to the same HashEmbedder vector.
TEA = "I like green tea and biscuits"
TEA_AGAIN = "biscuits and green tea I like"


def add(m: Memory, text: str, user: str = "u1", **kwargs: Any) -> str:
    return m.add(text, user_id=user, infer=False, **kwargs).ids[0]


def dump(m: Memory, user: str = "u1") -> list[dict[str, Any]]:
    records = m.get_all(user_id=user, include_inactive=True, limit=None)
    return sorted((r.model_dump() for r in records), key=lambda r: r["id"])


def history_count(m: Memory) -> int:
    return len(m._store.history.get(include=[])["ids"])


def stored_ids(m: Memory) -> set[str]:
    return {i for c in (m._store.memories, m._store.archive) for i in c.get(include=[])["ids"]}


def everything(client: chromadb.api.ClientAPI) -> str:
    """Every document and metadata of every collection of the client, as one text."""
    parts = []
    for listed in client.list_collections():
        rows = client.get_collection(listed.name).get(include=["documents", "metadatas"])
        parts.append(f"{listed.name} {rows['ids']} {rows['documents']} {rows['metadatas']}")
    return "\n".join(parts)


@pytest.fixture
def no_decay(
    chroma_client: chromadb.api.ClientAPI, embedder: HashEmbedder, clock: FakeClock
) -> Iterator[Memory]:
    m = Memory(
        client=chroma_client,
        embedder=embedder,
        clock=clock,
        config={
            "store": {"collection_prefix": "d" + uuid.uuid4().hex[:12]},
            "decay": {"enabled": False},
        },
    )
    yield m
    m.reset()


# --- forget -----------------------------------------------------------------------------------


def test_forget_by_id_keeps_history_with_a_forget_entry(memory: Memory) -> None:
    mid = add(memory, "I park on level 3")
    other = add(memory, "I like jazz")
    assert memory.forget(mid) == 1
    assert stored_ids(memory) == {other}
    with pytest.raises(MemoryNotFoundError):
        memory.get(mid)
    entries = memory.history(mid)
    assert [e.event for e in entries] == [EventType.ADD, EventType.FORGET]
    assert entries[-1].before is not None
    assert entries[-1].before.text == "I park on level 3"
    assert entries[-1].after is None
    assert [e.event for e in memory.history(mid, user_id="u1")] == [
        EventType.ADD,
        EventType.FORGET,
    ]
    with pytest.raises(MemoryNotFoundError):
        memory.history(mid, user_id="u2")
    assert [r.id for r in memory.get_all(user_id="u1")] == [other]


def test_forget_by_id_with_erase_history(memory: Memory) -> None:
    mid = add(memory, "I park on level 3")
    keep = add(memory, "I like jazz")
    assert memory.forget(mid, user_id="u1", erase_history=True) == 1
    with pytest.raises(MemoryNotFoundError):
        memory.history(mid)
    assert "level 3" not in everything(memory._store.client)
    assert [e.event for e in memory.history(keep)] == [EventType.ADD]


def test_forgetting_a_forgotten_id(memory: Memory) -> None:
    mid = add(memory, "I park on level 3")
    assert memory.forget(mid) == 1
    assert memory.forget(mid) == 0  # already gone; its kept history stays
    assert len(memory.history(mid)) == 2
    assert memory.forget(mid, erase_history=True) == 0  # erases the kept history
    with pytest.raises(MemoryNotFoundError):
        memory.forget(mid)
    with pytest.raises(MemoryNotFoundError):
        memory.forget("no-such-id")


def test_forget_another_users_id_raises_and_deletes_nothing(memory: Memory) -> None:
    mid = add(memory, "I park on level 3", user="u1")
    hist = history_count(memory)
    for erase in (False, True):
        with pytest.raises(MemoryNotFoundError):
            memory.forget(mid, user_id="u2", erase_history=erase)
    assert memory.get(mid).text == "I park on level 3"
    assert history_count(memory) == hist


def test_forget_removes_every_status(memory: Memory) -> None:
    paris = memory.remember({"city": "Paris"}, user_id="u1").ids[0]
    memory.remember({"city": "Lyon"}, user_id="u1")
    deleted = add(memory, "I play chess")
    memory.delete(deleted)
    assert memory.get(paris).status is MemoryStatus.SUPERSEDED
    assert memory.forget(user_id="u1") == 3
    assert stored_ids(memory) == set()
    assert memory.get_all(user_id="u1", include_inactive=True) == []
    assert memory.history(paris)[-1].event is EventType.FORGET


def test_forget_by_scope_leaves_other_users(memory: Memory) -> None:
    for text in ("I like jazz", "I park on level 3"):
        add(memory, text, user="u1")
    kept = add(memory, "I like jazz", user="u2")
    before = dump(memory, "u2"), memory.history(kept)
    assert memory.forget(user_id="u1") == 2
    assert memory.get_all(user_id="u1", include_inactive=True) == []
    assert (dump(memory, "u2"), memory.history(kept)) == before


def test_forget_before_a_datetime_or_a_timedelta(memory: Memory, clock: FakeClock) -> None:
    old = add(memory, "I lived in Rome")
    clock.advance(days=10)
    middle = add(memory, "I lived in Oslo")
    clock.advance(days=10)
    new = add(memory, "I live in Lyon")
    assert memory.forget(user_id="u1", before=clock.now - timedelta(days=15)) == 1
    assert {r.id for r in memory.get_all(user_id="u1")} == {middle, new}
    assert memory.forget(user_id="u1", before=timedelta(days=5)) == 1
    assert [r.id for r in memory.get_all(user_id="u1")] == [new]
    assert memory.history(old)[-1].event is EventType.FORGET


def test_forget_by_filters(memory: Memory) -> None:
    work = add(memory, "Standup is at 9", metadata={"topic": "work"})
    home = add(memory, "Bins go out on Monday", metadata={"topic": "home"})
    assert memory.forget(user_id="u1", filters={"topic": "work"}, erase_history=True) == 1
    assert [r.id for r in memory.get_all(user_id="u1")] == [home]
    with pytest.raises(MemoryNotFoundError):
        memory.history(work)
    assert len(memory.history(home)) == 1  # a narrowed forget erases only its own memories


@pytest.mark.parametrize("erase", [False, True])
def test_a_failed_forget_leaves_the_memories(
    memory: Memory, monkeypatch: pytest.MonkeyPatch, erase: bool
) -> None:
    ids = {add(memory, "I park on level 3"), add(memory, "I like jazz")}
    store = memory._store
    original = store._delete

    def failing(collection: Any, doomed: list[str]) -> None:
        if collection is store.memories:
            raise StoreError("Chroma failed to delete records: injected")
        original(collection, doomed)

    monkeypatch.setattr(store, "_delete", failing)
    with pytest.raises(StoreError):
        memory.forget(user_id="u1", erase_history=erase)
    monkeypatch.undo()
    assert {r.id for r in memory.get_all(user_id="u1")} == ids
    assert history_count(memory) == (0 if erase else 2)  # erased history is not put back
    assert memory.forget(user_id="u1", erase_history=erase) == 2  # a retry finishes the job


@pytest.mark.parametrize(
    ("args", "kwargs", "error"),
    [
        ((), {}, ScopeError),
        ((), {"user_id": "u1", "before": datetime(2026, 1, 1)}, InvalidInputError),
        ((), {"user_id": "u1", "before": "yesterday"}, InvalidInputError),
        ((), {"user_id": "u1", "before": timedelta(days=-1)}, InvalidInputError),
        ((), {"user_id": "u1", "filters": {"user_id": "u2"}}, ScopeError),
        ((), {"user_id": "u1", "filters": {"topic": {"$bad": 1}}}, InvalidInputError),
        ((), {"user_id": "u1", "erase_history": "yes"}, InvalidInputError),
        (("ID",), {"before": timedelta(days=1)}, InvalidInputError),
        (("",), {}, InvalidInputError),
        ((), {"user_id": "*"}, ScopeError),
    ],
)
def test_forget_rejects_bad_input_and_deletes_nothing(
    memory: Memory, args: tuple[Any, ...], kwargs: dict[str, Any], error: type[Exception]
) -> None:
    mid = add(memory, "I park on level 3")
    args = tuple(mid if a == "ID" else a for a in args)
    with pytest.raises(error):
        memory.forget(*args, **kwargs)
    assert stored_ids(memory) == {mid}
    assert history_count(memory) == 1


def test_forgetting_a_user_leaves_nothing_of_them_in_any_collection(
    memory: Memory, chroma_client: chromadb.api.ClientAPI, clock: FakeClock
) -> None:
    user = "forget-me-" + uuid.uuid4().hex[:8]
    secrets = ["Zorblax lives in Quonset", "Zorblax drinks yerbamate", "Zorblax secret queued"]
    add(memory, secrets[0], user=user)
    tea = add(memory, secrets[1], user=user)
    memory.remember({"zorblax_city": "Paris"}, user_id=user, agent_id="a1")
    memory.remember({"zorblax_city": "Lyon"}, user_id=user, agent_id="a1")  # supersedes
    memory.remember({"mood": "zorblax grumpy"}, user_id=user, category="mood")
    memory.delete(tea)
    memory.search("Zorblax", user_id=user)  # buffered accesses
    clock.advance(days=30)
    memory.consolidate(user_id=user)  # archives the mood
    other = add(memory, "Keeper likes quiet trains", user="keeper")
    kept = dump(memory, "keeper"), memory.history(other)
    memory.add(secrets[2], user_id=user, infer=False, background=True)

    assert memory.forget(user_id=user, erase_history=True) == 6

    assert memory.search("Zorblax Quonset", user_id=user) == []
    text = everything(chroma_client)
    assert user not in text
    for needle in [*secrets, "Zorblax", "zorblax", "Quonset", "Paris", "Lyon", "grumpy"]:
        assert needle not in text, needle
    assert (dump(memory, "keeper"), memory.history(other)) == kept


# --- consolidate: decay and expiry --------------------------------------------------------------


def test_transient_fact_is_archived_in_its_window_and_stable_facts_stay(
    memory: Memory, clock: FakeClock
) -> None:
    mood = memory.remember({"mood": "tired"}, user_id="u1", category="mood").ids[0]
    stable = [
        memory.remember({"name": "Alice"}, user_id="u1", category="identity").ids[0],
        memory.remember({"allergy": "penicillin"}, user_id="u1", category="health").ids[0],
        memory.remember({"sister": "Maya"}, user_id="u1", category="relations").ids[0],
    ]
    assert memory.consolidate(user_id="u1").changed == 0
    clock.advance(days=2 * 4.4)  # mood half-life 2 days: retention 0.047 < 0.05
    report = memory.consolidate(user_id="u1")
    assert report.archived == [mood]
    assert report.scanned == 4
    assert mood not in {r.id for r in memory.get_all(user_id="u1")}
    assert mood not in {h.id for h in memory.search("mood tired", user_id="u1", limit=10)}
    inactive = {r.id: r for r in memory.get_all(user_id="u1", include_inactive=True)}
    assert inactive[mood].status is MemoryStatus.ARCHIVED
    last = memory.history(mood)[-1]
    assert last.event is EventType.ARCHIVE
    assert last.reason is not None
    assert last.reason.startswith("consolidate: decayed (retention")

    clock.advance(days=365)
    assert memory.consolidate(user_id="u1").changed == 0
    assert {r.id for r in memory.get_all(user_id="u1")} == set(stable)


def test_a_this_week_fact_is_transient(memory: Memory, clock: FakeClock) -> None:
    busy = add(memory, "I am busy this week")
    steady = add(memory, "I play the cello")
    assert memory.get(busy).event_end is not None  # idle days count from the week's end
    clock.advance(days=7 * 4.4 + 7)  # transient half-life 7 days
    assert memory.consolidate().archived == [busy]
    assert [r.id for r in memory.get_all(user_id="u1")] == [steady]


def test_restore_brings_an_archived_memory_back(memory: Memory, clock: FakeClock) -> None:
    mood = memory.remember({"mood": "tired"}, user_id="u1", category="mood").ids[0]
    clock.advance(days=9)
    memory.consolidate()
    event = memory.restore(mood, user_id="u1")
    assert event.event is EventType.RESTORE
    assert event.record is not None
    assert event.record.status is MemoryStatus.ACTIVE
    assert event.record.last_accessed_at == clock.now
    assert mood in {h.id for h in memory.search("mood tired", user_id="u1")}
    assert memory.history(mood)[-1].event is EventType.RESTORE
    assert memory.consolidate().changed == 0  # used now: does not decay straight back


def test_expired_memory_is_archived_after_its_expiry(memory: Memory, clock: FakeClock) -> None:
    expires = clock.now + timedelta(days=3)
    mid = memory.add(
        "The plumber visits on Thursday", user_id="u1", infer=False, expires_at=expires
    ).ids[0]
    assert memory.get(mid).expires_at == expires
    assert memory.consolidate().changed == 0
    assert [h.id for h in memory.search("plumber visit", user_id="u1")] == [mid]
    clock.advance(days=3)
    report = memory.consolidate()
    assert report.expired == [mid]
    assert report.archived == []
    assert memory.get(mid).status is MemoryStatus.ARCHIVED
    assert memory.history(mid)[-1].reason == "consolidate: expired"
    assert memory.search("plumber visit", user_id="u1") == []
    restored = memory.restore(mid).record
    assert restored is not None
    assert restored.expires_at is None


def test_decay_disabled_archives_only_expired(no_decay: Memory, clock: FakeClock) -> None:
    mood = no_decay.remember({"mood": "tired"}, user_id="u1", category="mood").ids[0]
    clock.advance(days=400)
    assert no_decay.consolidate().changed == 0
    assert no_decay.get(mood).status is MemoryStatus.ACTIVE


# --- consolidate: near duplicates ---------------------------------------------------------------


def test_consolidate_merges_near_duplicates_and_is_idempotent(
    memory: Memory, clock: FakeClock
) -> None:
    old = add(memory, TEA)
    clock.advance(hours=1)
    new = add(memory, TEA_AGAIN)
    memory.search("green tea biscuits", user_id="u1")  # both used once
    memory.feedback(old, "positive")  # importance 0.65, one more use
    used_at = clock.now
    clock.advance(hours=1)
    add(memory, "I play the cello")

    report = memory.consolidate(user_id="u1")
    assert report.merged == [(new, old)]
    assert report.scanned == 3
    kept, gone = memory.get(new), memory.get(old)
    assert kept.status is MemoryStatus.ACTIVE
    assert kept.access_count == 3
    assert kept.importance == pytest.approx(0.65)
    assert kept.last_accessed_at == used_at
    assert gone.status is MemoryStatus.SUPERSEDED
    assert gone.superseded_by == new
    assert gone.valid_until == kept.said_at
    assert old not in {r.id for r in memory.get_all(user_id="u1")}
    assert old not in {h.id for h in memory.search("green tea biscuits", user_id="u1")}
    reason = memory.history(old)[-1].reason
    assert reason == f"consolidate: near duplicate of {new} (similarity 1.00)"
    assert memory.history(new)[-1].reason == f"consolidate: merged {old}"

    state = dump(memory), history_count(memory)
    again = memory.consolidate(user_id="u1")
    assert again == ConsolidationReport(scanned=2)
    assert (dump(memory), history_count(memory)) == state


def test_near_duplicates_merge_only_within_exactly_one_scope(memory: Memory) -> None:
    add(memory, TEA, user="u1")
    add(memory, TEA_AGAIN, user="u2")
    memory.add(TEA_AGAIN, user_id="u1", agent_id="a1", infer=False)
    report = memory.consolidate()
    assert report.scanned == 3
    assert report.merged == []


def test_differently_keyed_memories_are_never_merged(memory: Memory, clock: FakeClock) -> None:
    first = memory.remember({"pet_name": "rex"}, user_id="u1").ids[0]
    clock.advance(hours=1)
    second = memory.remember({"name_pet": "rex"}, user_id="u1").ids[0]
    clock.advance(hours=1)
    unkeyed = add(memory, "pet name rex")  # a keyed memory is never folded into this one
    assert memory.consolidate().merged == []
    clock.advance(hours=1)
    memory.remember({"pet_name": "rex"}, user_id="u1")  # exact duplicate: reinforces `first`
    assert {r.id for r in memory.get_all(user_id="u1")} == {first, second, unkeyed}


def test_a_keyed_memory_absorbs_an_older_unkeyed_duplicate(
    memory: Memory, clock: FakeClock
) -> None:
    unkeyed = add(memory, "pet name rex")
    clock.advance(hours=1)
    keyed = memory.remember({"pet_name": "rex"}, user_id="u1").ids[0]
    assert memory.consolidate().merged == [(keyed, unkeyed)]


def test_large_scopes_find_duplicates_through_chroma(
    memory: Memory, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lifecycle, "PAIRWISE_LIMIT", 1)
    old = add(memory, TEA)
    clock.advance(hours=1)
    new = add(memory, TEA_AGAIN)
    add(memory, "I play the cello")
    assert memory.consolidate().merged == [(new, old)]


def test_consolidate_skips_a_memory_changed_meanwhile(
    memory: Memory, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = add(memory, TEA)
    clock.advance(hours=1)
    new = add(memory, TEA_AGAIN)
    mood = memory.remember({"mood": "tired"}, user_id="u1", category="mood").ids[0]
    clock.advance(days=9)
    store = memory._store
    original = store.get_records

    def changed_first(ids: list[str]) -> Any:
        monkeypatch.setattr(store, "get_records", original)
        memory.feedback(old, "negative")  # another writer, between plan and commit
        return original(ids)

    monkeypatch.setattr(store, "get_records", changed_first)
    report = memory.consolidate()
    assert report.skipped == 1
    assert report.merged == []
    assert report.archived == [mood]  # unchanged records of the same batch still apply
    assert memory.get(old).status is MemoryStatus.ACTIVE
    assert memory.get(old).importance == pytest.approx(0.25)
    assert memory.consolidate().merged == [(new, old)]  # the next run picks it up


# --- feedback -----------------------------------------------------------------------------------


def test_positive_and_negative_feedback(memory: Memory, clock: FakeClock) -> None:
    mid = add(memory, "I like jazz")
    clock.advance(days=1)
    event = memory.feedback(mid, "positive", user_id="u1")
    assert event.event is EventType.UPDATE
    record = memory.get(mid)
    assert record.importance == pytest.approx(0.65)
    assert record.access_count == 1
    assert record.last_accessed_at == clock.now
    entry = memory.history(mid)[-1]
    assert entry.reason == "feedback: positive"
    assert entry.before is not None
    assert entry.before.importance == 0.5
    assert entry.after is not None
    assert entry.after.importance == pytest.approx(0.65)

    memory.feedback(mid, "negative")
    assert memory.get(mid).importance == pytest.approx(0.4)
    assert memory.history(mid)[-1].reason == "feedback: negative"
    memory.feedback(mid, "negative")
    memory.feedback(mid, "negative")
    assert memory.get(mid).importance == 0.0
    for _ in range(8):
        memory.feedback(mid, "positive")
    assert memory.get(mid).importance == 1.0
    assert memory.get(mid).text == "I like jazz"


def test_feedback_correction_edits_the_text(memory: Memory) -> None:
    mid = add(memory, "I live in Rome")
    event = memory.feedback(mid, correction="I live in Lyon", user_id="u1")
    assert event.memory == "I live in Lyon"
    assert event.previous_memory == "I live in Rome"
    record = memory.get(mid)
    assert record.text == "I live in Lyon"
    assert record.importance == pytest.approx(0.65)
    entry = memory.history(mid)[-1]
    assert entry.event is EventType.UPDATE
    assert entry.reason == "feedback: correction"
    assert entry.before is not None
    assert entry.before.text == "I live in Rome"
    assert memory.search("Lyon", user_id="u1")[0].id == mid


@pytest.mark.parametrize(
    ("args", "kwargs", "words"),
    [
        (("meh",), {}, "positive"),
        ((1,), {}, "positive"),
        (("positive",), {"correction": "x"}, "exactly one"),
        ((), {}, "exactly one"),
        ((), {"correction": ""}, "correction"),
    ],
)
def test_feedback_rejects_bad_arguments(
    memory: Memory, args: tuple[Any, ...], kwargs: dict[str, Any], words: str
) -> None:
    mid = add(memory, "I like jazz")
    with pytest.raises(InvalidInputError, match=words):
        memory.feedback(mid, *args, **kwargs)
    assert memory.get(mid).importance == 0.5
    assert history_count(memory) == 1


def test_feedback_needs_an_active_memory_of_the_scope(memory: Memory) -> None:
    mid = add(memory, "I like jazz")
    with pytest.raises(MemoryNotFoundError):
        memory.feedback(mid, "positive", user_id="u2")
    with pytest.raises(MemoryNotFoundError):
        memory.feedback("no-such-id", "positive")
    memory.delete(mid)
    with pytest.raises(InvalidInputError, match="restore"):
        memory.feedback(mid, "positive")


# --- restore ------------------------------------------------------------------------------------


def test_restore_rules(memory: Memory) -> None:
    active = add(memory, "I like jazz")
    with pytest.raises(InvalidInputError, match="already active"):
        memory.restore(active)
    paris = memory.remember({"city": "Paris"}, user_id="u1").ids[0]
    lyon = memory.remember({"city": "Lyon"}, user_id="u1").ids[0]
    with pytest.raises(InvalidInputError, match=lyon):
        memory.restore(paris)  # superseded
    memory.delete(lyon)
    rome = memory.remember({"city": "Rome"}, user_id="u1").ids[0]
    with pytest.raises(InvalidInputError, match=rome):
        memory.restore(lyon)  # deleted, but Rome holds the key now
    with pytest.raises(MemoryNotFoundError):
        memory.restore(lyon, user_id="u2")
    memory.delete(rome)
    event = memory.restore(lyon, user_id="u1")
    assert event.record is not None
    assert event.record.status is MemoryStatus.ACTIVE
    assert event.record.valid_until is None
    assert memory.history(lyon)[-1].reason == "restore: was deleted"
    assert [r.id for r in memory.get_all(user_id="u1", filters={"key": "city"})] == [lyon]


# --- async twins and pure helpers ---------------------------------------------------------------


async def test_async_twins(memory: Memory, clock: FakeClock) -> None:
    mid = add(memory, "I like jazz")
    mood = memory.remember({"mood": "tired"}, user_id="u1", category="mood").ids[0]
    clock.advance(days=9)
    assert (await memory.aconsolidate(user_id="u1")).archived == [mood]
    assert (await memory.arestore(mood)).event is EventType.RESTORE
    assert (await memory.afeedback(mid, "positive")).record is not None
    assert await memory.aforget(user_id="u1") == 2


def test_cutoff() -> None:
    now = datetime.fromisoformat("2026-01-10T00:00:00+00:00")
    assert cutoff(None, now) is None
    assert cutoff(timedelta(days=2), now) == now - timedelta(days=2)
    assert cutoff(now, now) == now
    with pytest.raises(InvalidInputError, match="timezone"):
        cutoff(datetime(2026, 1, 1), now)


def test_check_feedback() -> None:
    assert check_feedback("positive", None) == "positive"
    assert check_feedback(None, "text") == "correction"
    with pytest.raises(InvalidInputError, match="'negative'"):
        check_feedback("great", None)


def test_plan_merges_keeps_the_newest_and_respects_keys(memory: Memory) -> None:
    ids = [add(memory, t) for t in ("a one", "a two", "a three")]
    records = [memory.get(i) for i in ids]
    newest = max(records, key=lambda r: (r.said_at, r.id))
    near = {r.id: {o.id: 0.99 for o in records if o.id != r.id} for r in records}
    (merge,) = plan_merges(records, near)
    assert isinstance(merge, Merge)
    assert merge.kept.id == newest.id
    assert {d.id for d, _ in merge.duplicates} == set(ids) - {newest.id}
    keyed = [r.model_copy(update={"key": f"k{i}"}) for i, r in enumerate(records)]
    assert plan_merges(keyed, near) == []
