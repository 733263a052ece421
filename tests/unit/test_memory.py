"""Memory's contract on an in-memory Chroma with a fake embedder."""

from __future__ import annotations

import inspect
from datetime import datetime
from typing import Any

import chromadb
import pytest

from mem0_integrations import (
    ConfigurationError,
    EmbeddingError,
    EventType,
    InvalidInputError,
    Memory,
    MemoryNotFoundError,
    MemoryStatus,
    ScopeError,
    StoreError,
)
from mem0_integrations.core.store.store import Write

from .conftest import FakeClock, HashEmbedder


def snapshot(memory: Memory) -> tuple[Any, ...]:
    """Everything stored, to prove a failed call changed nothing."""
    store = memory._store
    mem = store.memories.get(include=["documents", "metadatas", "embeddings"])
    hist = store.history.get(include=["documents", "metadatas"])
    return (
        sorted(
            zip(
                mem["ids"],
                mem["documents"],
                [str(sorted(m.items())) for m in mem["metadatas"]],
                [str([round(float(x), 5) for x in e]) for e in mem["embeddings"]],
                strict=True,
            )
        ),
        sorted(zip(hist["ids"], hist["documents"], strict=True)),
    )


def test_add_infer_false_stores_each_non_system_message(memory: Memory, clock: FakeClock) -> None:
    result = memory.add(
        [
            {"role": "system", "content": "You are helpful."},
            {"role": "user", "content": "I like green tea", "id": "m1"},
            {"role": "assistant", "content": "Green tea it is."},
        ],
        user_id="u1",
        infer=False,
    )
    assert [e.event for e in result.events] == [EventType.ADD, EventType.ADD]
    records = {r.text: r for r in memory.get_all(user_id="u1")}
    assert set(records) == {"I like green tea", "Green tea it is."}
    assert records["I like green tea"].source.message_ids == ["m1"]
    assert records["Green tea it is."].source.role == "assistant"
    assert all(r.created_at == clock.now for r in records.values())


def test_infer_true_without_llm_uses_offline_extractor(memory: Memory) -> None:
    result = memory.add(
        [
            {"role": "user", "content": "Hello! I work as a nurse in Lyon. Any tips?"},
            {"role": "assistant", "content": "I am an assistant and I like helping."},
        ],
        user_id="u1",
    )
    assert [(e.memory, e.record.key if e.record else None) for e in result.events] == [
        ("Works as a nurse", "occupation")
    ]
    assert result.extractor == "offline"
    assert result.usage.calls == 0


def test_exact_duplicate_is_none(memory: Memory) -> None:
    first = memory.add("I like green tea.", user_id="u1", infer=False).events[0]
    again = memory.add("i like green TEA", user_id="u1", infer=False).events[0]
    assert again.event is EventType.NONE
    assert again.id == first.id
    assert len(memory.get_all(user_id="u1")) == 1
    assert [h.event for h in memory.history(first.id)] == [EventType.ADD, EventType.NONE]


def test_same_text_in_another_scope_is_a_new_memory(memory: Memory) -> None:
    a = memory.add("I like green tea", user_id="u1", infer=False).events[0]
    b = memory.add("I like green tea", user_id="u1", agent_id="coach", infer=False).events[0]
    c = memory.add("I like green tea", user_id="u2", infer=False).events[0]
    assert {a.event, b.event, c.event} == {EventType.ADD}
    assert len({a.id, b.id, c.id}) == 3


def test_reads_match_given_ids_and_leave_others_open(memory: Memory) -> None:
    memory.add("u1 plain fact", user_id="u1", infer=False)
    memory.add("u1 coach fact", user_id="u1", agent_id="coach", infer=False)
    memory.add(
        "u1 coach session fact", user_id="u1", agent_id="coach", session_id="s1", infer=False
    )
    memory.add("u2 coach fact", user_id="u2", agent_id="coach", infer=False)

    def texts(**scope: str) -> set[str]:
        return {r.text for r in memory.get_all(**scope)}

    assert texts(user_id="u1") == {"u1 plain fact", "u1 coach fact", "u1 coach session fact"}
    assert texts(user_id="u1", agent_id="coach") == {"u1 coach fact", "u1 coach session fact"}
    assert texts(agent_id="coach") == {"u1 coach fact", "u1 coach session fact", "u2 coach fact"}
    assert texts(run_id="s1") == {"u1 coach session fact"}
    assert texts(user_id="u3") == set()
    hits = memory.search("coach fact", user_id="u2", limit=10)
    assert [h.memory for h in hits] == ["u2 coach fact"]


def test_metadata_cannot_override_scope(memory: Memory) -> None:
    before = snapshot(memory)
    with pytest.raises(ScopeError, match="metadata cannot carry 'user_id'"):
        memory.add("I like tea", user_id="u1", metadata={"user_id": "u2"}, infer=False)
    with pytest.raises(ScopeError):
        memory.remember({"a": "b"}, user_id="u1", metadata={"run_id": "x"})
    assert snapshot(memory) == before


def test_filters_narrow_and_cannot_widen(memory: Memory) -> None:
    memory.add("tea fact", user_id="u1", metadata={"topic": "drinks", "n": 3}, infer=False)
    memory.add("tea fact too", user_id="u1", metadata={"topic": "food"}, infer=False)
    memory.add("tea fact of u2", user_id="u2", metadata={"topic": "drinks"}, infer=False)
    assert [r.text for r in memory.get_all(user_id="u1", filters={"topic": "drinks"})] == [
        "tea fact"
    ]
    hits = memory.search(
        "tea", user_id="u1", filters={"$or": [{"topic": "drinks"}, {"n": {"$gt": 1}}]}, limit=10
    )
    assert [h.memory for h in hits] == ["tea fact"]
    assert hits[0].metadata == {"topic": "drinks", "n": 3}
    with pytest.raises(ScopeError):
        memory.search("tea", user_id="u1", filters={"user_id": {"$ne": "u1"}})


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda m: m.add("", user_id="u1"), InvalidInputError),
        (lambda m: m.add(123, user_id="u1"), InvalidInputError),
        (lambda m: m.add("x" * 20_000, user_id="u1"), InvalidInputError),
        (lambda m: m.add("I like tea"), ScopeError),
        (lambda m: m.add("I like tea", user_id={"$ne": "x"}), ScopeError),
        (lambda m: m.add("I like tea", user_id="u1", metadata="x"), InvalidInputError),
        (lambda m: m.remember({}, user_id="u1"), InvalidInputError),
        (lambda m: m.remember({"a": None}, user_id="u1"), InvalidInputError),
        (lambda m: m.remember({" a": 1}, user_id="u1"), InvalidInputError),
        (lambda m: m.remember({"a": object()}, user_id="u1"), InvalidInputError),
        (lambda m: m.remember({"a": 1}, user_id="u1", category=""), InvalidInputError),
        (lambda m: m.search("", user_id="u1"), InvalidInputError),
        (lambda m: m.search("tea", user_id="u1", limit=0), InvalidInputError),
        (lambda m: m.search("tea", user_id="u1", limit=True), InvalidInputError),
        (lambda m: m.search("tea", user_id="u1", threshold=2.0), InvalidInputError),
        (lambda m: m.search("tea"), ScopeError),
        (lambda m: m.get_all(), ScopeError),
        (lambda m: m.get_all(user_id="u1", limit=0), InvalidInputError),
        (lambda m: m.delete_all(), ScopeError),
        (lambda m: m.get("nope"), MemoryNotFoundError),
        (lambda m: m.get(""), InvalidInputError),
        (lambda m: m.update("nope", "text"), MemoryNotFoundError),
        (lambda m: m.update("nope", ""), InvalidInputError),
        (lambda m: m.delete("nope"), MemoryNotFoundError),
        (lambda m: m.history("nope"), MemoryNotFoundError),
        # lone surrogates have no UTF-8 form: refused before any embedder or store sees them
        (lambda m: m.add("tea \ud800", user_id="u1", infer=False), InvalidInputError),
        (
            lambda m: m.add("tea", user_id="u1", infer=False, metadata={"k": "\udc00"}),
            InvalidInputError,
        ),
        (lambda m: m.add("tea", user_id="u\ud800", infer=False), ScopeError),
        (lambda m: m.search("tea \ud800", user_id="u1"), InvalidInputError),
        (lambda m: m.get("\ud800"), InvalidInputError),
        (lambda m: m.delete("\ud800"), InvalidInputError),
        (lambda m: m.get_all(user_id="u1", filters={"$and": [{}]}), InvalidInputError),
    ],
)
def test_bad_calls_raise_typed_errors_and_change_nothing(
    memory: Memory, call: Any, error: type[Exception]
) -> None:
    memory.add("I like green tea", user_id="u1", infer=False)
    before = snapshot(memory)
    with pytest.raises(error):
        call(memory)
    assert snapshot(memory) == before


def test_scoped_id_access_refuses_other_users(memory: Memory) -> None:
    mid = memory.add("secret of u1", user_id="u1", infer=False).events[0].id
    before = snapshot(memory)
    for call in (
        lambda: memory.get(mid, user_id="u2"),
        lambda: memory.update(mid, "hacked", user_id="u2"),
        lambda: memory.delete(mid, user_id="u2"),
        lambda: memory.history(mid, user_id="u2"),
    ):
        with pytest.raises(MemoryNotFoundError):
            call()
    assert snapshot(memory) == before
    assert memory.get(mid, user_id="u1").text == "secret of u1"


def test_remember_supersedes_same_key(memory: Memory, clock: FakeClock) -> None:
    first = memory.remember(
        {"allergies": ["penicillin"], "city": "Berlin"}, user_id="u1", category="profile"
    )
    clock.advance(days=1)
    second = memory.remember({"city": "Paris", "allergies": ["penicillin"]}, user_id="u1")
    assert [e.event for e in second.events] == [EventType.UPDATE, EventType.NONE]
    berlin = memory.get(first.events[1].id)
    paris = memory.get(second.events[0].id)
    assert berlin.status is MemoryStatus.SUPERSEDED
    assert berlin.superseded_by == paris.id
    assert berlin.updated_at == clock.now
    assert paris.key == "city"
    assert paris.value == "Paris"
    assert paris.text == "city: Paris"
    assert first.events[0].record is not None
    assert first.events[0].record.category == "profile"
    active = {r.key: r.value for r in memory.get_all(user_id="u1")}
    assert active == {"allergies": ["penicillin"], "city": "Paris"}
    assert all(h.id != berlin.id for h in memory.search("city Berlin", user_id="u1", limit=10))
    entries = memory.history(berlin.id)
    assert [(e.event, e.old_memory, e.new_memory) for e in entries] == [
        (EventType.ADD, None, "city: Berlin"),
        (EventType.UPDATE, "city: Berlin", "city: Paris"),
    ]


def test_update_and_delete_keep_history(memory: Memory, clock: FakeClock) -> None:
    mid = memory.add("I live in Rome", user_id="u1", infer=False).events[0].id
    clock.advance(hours=1)
    event = memory.update(mid, "I live in Milan", metadata={"moved": True})
    assert (event.event, event.memory, event.previous_memory) == (
        EventType.UPDATE,
        "I live in Milan",
        "I live in Rome",
    )
    assert memory.search("Milan", user_id="u1")[0].id == mid
    clock.advance(hours=1)
    deleted = memory.delete(mid)
    assert deleted.event is EventType.DELETE
    assert memory.get(mid).status is MemoryStatus.DELETED
    assert memory.get_all(user_id="u1") == []
    assert memory.search("Milan", user_id="u1") == []
    assert [r.id for r in memory.get_all(user_id="u1", include_inactive=True)] == [mid]
    history = memory.history(mid)
    assert [(h.event, h.old_memory, h.new_memory) for h in history] == [
        (EventType.ADD, None, "I live in Rome"),
        (EventType.UPDATE, "I live in Rome", "I live in Milan"),
        (EventType.DELETE, "I live in Milan", "I live in Milan"),
    ]
    assert [h.created_at for h in history] == sorted(h.created_at for h in history)
    with pytest.raises(InvalidInputError, match="already deleted"):
        memory.delete(mid)
    with pytest.raises(InvalidInputError, match="deleted"):
        memory.update(mid, "again")


def test_delete_all_touches_only_the_scope(memory: Memory) -> None:
    memory.add("u1 fact one", user_id="u1", infer=False)
    memory.add("u1 fact two", user_id="u1", agent_id="a", infer=False)
    memory.add("u2 fact", user_id="u2", infer=False)
    events = memory.delete_all(user_id="u1", agent_id="a")
    assert [e.memory for e in events] == ["u1 fact two"]
    events = memory.delete_all(user_id="u1")
    assert [e.memory for e in events] == ["u1 fact one"]
    assert [r.text for r in memory.get_all(user_id="u2")] == ["u2 fact"]


def test_soft_delete_all_keeps_buffered_access_counts(memory: Memory) -> None:
    (mid,) = memory.add("I like green tea", user_id="u1", infer=False).ids
    memory.search("green tea", user_id="u1")  # the access is buffered, not yet written
    memory.delete_all(user_id="u1", keep_history=True)
    assert memory.get(mid).access_count == 1


def test_integers_beyond_64_bits_are_kept_and_filter_as_numbers(memory: Memory) -> None:
    """Chroma holds a huge int as a float: the record keeps it exactly (metadata_json),
    comparisons still work, and a filter value Chroma would clamp is refused."""
    (mid,) = memory.add("tea", user_id="u1", infer=False, metadata={"n": 2**70}).ids
    (small,) = memory.add("coffee", user_id="u1", infer=False, metadata={"n": 2**63 - 1}).ids
    assert memory.get(mid).metadata == {"n": 2**70}
    assert [r.id for r in memory.get_all(user_id="u1", filters={"n": 2**63 - 1})] == [small]
    assert [r.id for r in memory.get_all(user_id="u1", filters={"n": {"$gt": 2**63 - 1}})] == [mid]
    with pytest.raises(InvalidInputError, match="64 bits"):
        memory.get_all(user_id="u1", filters={"n": 2**70})


def test_search_scores_threshold_and_access_tracking(memory: Memory, clock: FakeClock) -> None:
    memory.add(["I like green tea", "My dog is called Rex"], user_id="u1", infer=False)
    hits = memory.search("green tea", user_id="u1", limit=2)
    assert [h.memory for h in hits] == ["I like green tea", "My dog is called Rex"]
    assert 1.0 >= hits[0].score > hits[1].score >= 0.0
    assert memory.search("green tea", user_id="u1", threshold=0.5, limit=2)[0].memory == (
        "I like green tea"
    )
    strict = memory.search("green tea", user_id="u1", threshold=0.99, limit=2)
    assert all(h.score >= 0.99 for h in strict)
    assert len(strict) <= 1
    record = memory.get(hits[0].id)
    assert record.access_count == 2 + len(strict)
    assert record.last_accessed_at == clock.now
    assert memory.get(hits[1].id).access_count == 1


def test_expired_memories_are_hidden(memory: Memory, clock: FakeClock) -> None:
    mid = memory.add("temporary fact", user_id="u1", infer=False).events[0].id
    record = memory.get(mid).model_copy(
        update={"expires_at": clock.now.replace(year=2026, month=2)}
    )
    memory._store.write([Write(record, None, previous=memory.get(mid))], [])
    assert [r.id for r in memory.get_all(user_id="u1")] == [mid]
    clock.advance(days=40)
    assert memory.get_all(user_id="u1") == []
    assert memory.search("temporary", user_id="u1") == []
    assert [r.id for r in memory.get_all(user_id="u1", include_inactive=True)] == [mid]


def test_embeddings_are_batched_once_per_add(memory: Memory, embedder: HashEmbedder) -> None:
    embedder.calls.clear()
    memory.add([f"fact number {i}" for i in range(10)], user_id="u1", infer=False)
    assert [len(c) for c in embedder.calls] == [8, 2]


def test_naive_clock_is_a_configuration_error(chroma_client: Any) -> None:
    m = Memory(
        client=chroma_client,
        embedder=HashEmbedder(),
        clock=datetime.now,
        config={"store": {"collection_prefix": "naiveclock"}},
    )
    with pytest.raises(ConfigurationError, match="timezone-aware"):
        m.add("I like tea", user_id="u1", infer=False)


def test_client_and_path_are_exclusive(chroma_client: Any, tmp_path: Any) -> None:
    with pytest.raises(ConfigurationError, match="not both"):
        Memory(tmp_path, client=chroma_client, embedder=HashEmbedder())


def test_embedder_change_is_refused(chroma_client: Any) -> None:
    config = {"store": {"collection_prefix": "embchange"}}
    Memory(client=chroma_client, embedder=HashEmbedder(), config=config)

    class Other(HashEmbedder):
        @property
        def name(self) -> str:
            return "other-model"

    with pytest.raises(ConfigurationError, match="test-hash-64"):
        Memory(client=chroma_client, embedder=Other(), config=config)


def test_reset_empties_everything(memory: Memory) -> None:
    memory.add("I like tea", user_id="u1", infer=False)
    memory.reset()
    assert memory.get_all(user_id="u1") == []
    assert memory._store.count() == 0


def test_every_public_method_has_an_async_twin() -> None:
    public = [
        n
        for n, f in inspect.getmembers(Memory, inspect.isfunction)
        if (not n.startswith("_") and not n.startswith("a")) or n == "add"
    ]
    for name in public:
        twin = getattr(Memory, "a" + name)
        assert inspect.iscoroutinefunction(twin), name
        assert inspect.signature(twin).parameters.keys() == (
            inspect.signature(getattr(Memory, name)).parameters.keys()
        ), name


async def test_async_twins_share_the_logic(memory: Memory) -> None:
    result = await memory.aadd("I like green tea", user_id="u1", infer=False)
    again = await memory.aadd("I like green tea", user_id="u1", infer=False)
    assert again.events[0].event is EventType.NONE
    hits = await memory.asearch("tea", user_id="u1")
    assert hits[0].id == result.ids[0]
    with pytest.raises(ScopeError):
        await memory.asearch("tea")


def test_injected_chroma_client_is_used(chroma_client: chromadb.api.ClientAPI) -> None:
    m = Memory(
        client=chroma_client,
        embedder=HashEmbedder(),
        config={"store": {"collection_prefix": "injected"}},
    )
    m.add("I like tea", user_id="u1", infer=False)
    names = {c.name for c in chroma_client.list_collections()}
    assert {"injected_memories", "injected_archive", "injected_history"} <= names
    assert "injected" in repr(m)
    m.reset()


class _FailingCollection:
    """Wraps a Chroma collection; the first call of one method fails (a transient Chroma
    fault, not ours), later calls go through, so the library's undo can run."""

    def __init__(self, inner: Any, method: str) -> None:
        self._inner = inner
        self._method = method
        self.failed = False

    def __getattr__(self, name: str) -> Any:
        if name == self._method and not self.failed:

            def fail(*args: Any, **kwargs: Any) -> Any:
                self.failed = True
                raise RuntimeError(f"injected failure in {name}")

            return fail
        return getattr(self._inner, name)


@pytest.mark.parametrize(
    ("collection", "method"),
    [("history", "upsert"), ("archive", "upsert"), ("memories", "delete"), ("memories", "upsert")],
)
def test_a_failed_step_leaves_the_old_state(memory: Memory, collection: str, method: str) -> None:
    """A supersede writes a new record, updates the old one and logs history; if any
    step fails, the store is restored to exactly what it was."""
    memory.remember({"city": "Berlin"}, user_id="u1")
    before = snapshot(memory)
    store = memory._store
    original = getattr(store, collection)
    setattr(store, collection, _FailingCollection(original, method))
    try:
        with pytest.raises(StoreError, match="injected failure"):
            memory.remember({"city": "Paris"}, user_id="u1")
    finally:
        setattr(store, collection, original)
    assert snapshot(memory) == before
    assert [r.text for r in memory.get_all(user_id="u1")] == ["city: Berlin"]


def test_a_failed_edit_restores_text_and_vector(memory: Memory) -> None:
    mid = memory.add("I live in Rome", user_id="u1", infer=False).events[0].id
    before = snapshot(memory)
    store = memory._store
    original = store.history
    store.history = _FailingCollection(original, "upsert")
    try:
        with pytest.raises(StoreError):
            memory.update(mid, "I live in Milan")
    finally:
        store.history = original
    assert snapshot(memory) == before
    assert memory.search("Rome", user_id="u1")[0].memory == "I live in Rome"


def test_search_looks_past_expired_memories(memory: Memory, clock: FakeClock) -> None:
    """Expired memories nearer to the query than a live one do not hide it."""
    expired = [f"green tea fact {i}" for i in range(6)]
    ids = memory.add(expired, user_id="u1", infer=False).ids
    live = memory.add("I sometimes drink black coffee", user_id="u1", infer=False).ids[0]
    soon = clock.now.replace(month=2)
    for mid in ids:
        record = memory.get(mid)
        gone = record.model_copy(update={"expires_at": soon})
        memory._store.write([Write(gone, None, previous=record)], [])
    clock.advance(days=40)
    hits = memory.search("green tea fact", user_id="u1", limit=1)
    assert [h.id for h in hits] == [live]


class InternalError(Exception):
    """Named as chromadb.errors.InternalError, which a server answers transiently."""


class _FlakyReads:
    """Wraps a Chroma collection; ``get`` fails ``times`` times with ``error``."""

    def __init__(self, inner: Any, error: Exception, times: int) -> None:
        self._inner = inner
        self._error = error
        self.left = times
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        if name != "get":
            return getattr(self._inner, name)

        def get(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.left:
                self.left -= 1
                raise self._error
            return self._inner.get(*args, **kwargs)

        return get


@pytest.mark.parametrize(
    ("error", "times", "found", "calls"),
    [
        (InternalError("Error creating hnsw segment reader: Nothing found on disk"), 2, True, 3),
        (InternalError("still broken"), 9, False, 4),  # three retries, then a StoreError
        (RuntimeError("connection refused"), 1, False, 1),  # not retried
    ],
)
def test_reads_retry_a_servers_transient_internal_error(
    memory: Memory, error: Exception, times: int, found: bool, calls: int
) -> None:
    (mid,) = memory.add("I like green tea", user_id="u1", infer=False).ids
    real = memory._store.memories
    flaky = memory._store.memories = _FlakyReads(real, error, times)
    try:
        if found:
            assert memory.get(mid).text == "I like green tea"
        else:
            with pytest.raises(StoreError, match=type(error).__name__):
                memory.get(mid)
    finally:
        memory._store.memories = real
    assert flaky.calls == calls


class _PlainEmbedder:
    """An object with ``embed`` only (no BaseEmbedder checks of its own)."""

    name = "plain"

    def __init__(self, width: int, value: float = 1.0) -> None:
        self.width = width
        self.value = value

    def embed(self, texts: Any) -> list[list[float]]:
        return [[self.value] + [0.5] * (self.width - 1) for _ in texts]


@pytest.mark.parametrize(
    ("later", "match"),
    [
        (_PlainEmbedder(8, value=float("nan")), "NaN"),
        (_PlainEmbedder(4), "width 4, but this store holds vectors of width 8"),
    ],
)
def test_a_plain_embedders_bad_vectors_are_an_embedding_error(
    chroma_client: chromadb.api.ClientAPI, later: _PlainEmbedder, match: str
) -> None:
    cfg = {"store": {"collection_prefix": "plain"}}
    first = Memory(client=chroma_client, embedder=_PlainEmbedder(8), config=cfg)
    first.add("I like tea", user_id="u1", infer=False)
    second = Memory(client=chroma_client, embedder=later, config=cfg)
    before = snapshot(second)
    for call in (
        lambda: second.add("I like chess", user_id="u1", infer=False),
        lambda: second.search("tea", user_id="u1"),
    ):
        with pytest.raises(EmbeddingError, match=match):
            call()
    assert snapshot(second) == before
    first.reset()


def test_one_add_that_states_two_values_of_a_key_supersedes_the_first(memory: Memory) -> None:
    """The first value is created and superseded within one change: moving it to the
    archive takes its vector from the same change (it is not stored yet)."""
    result = memory.add(
        ["I live in Berlin.", "Actually I live in Paris now.", "I no longer live in Paris."],
        user_id="u1",
    )
    assert [(e.event, e.memory) for e in result.events] == [
        (EventType.ADD, "Lives in Berlin"),
        (EventType.UPDATE, "Lives in Paris"),
        (EventType.DELETE, "Lives in Paris"),
    ]
    stored = memory.get_all(user_id="u1", include_inactive=True)
    assert sorted((r.text, r.status) for r in stored) == [
        ("Lives in Berlin", MemoryStatus.SUPERSEDED),
        ("Lives in Paris", MemoryStatus.DELETED),
    ]
    # No fact holds; the turns stay as episodes, and only the last one is current.
    hits = memory.search("where do I live", user_id="u1")
    assert all(h.kind == "episode" for h in hits)
    assert [h.memory for h in hits if h.current] == ["I no longer live in Paris."]
    assert sorted(h.memory for h in hits if not h.current) == [
        "Actually I live in Paris now.",
        "I live in Berlin.",
    ]


_COLLECTED_DURING_PARSE = """
import ast, gc, logging, sys, weakref
from mem0_integrations.core.memory import _Owned
logging.basicConfig(level=logging.ERROR, stream=sys.stderr)

class DeadServer:
    def close(self):
        return self._send({"n": 1}["n"] + 2)

    def _send(self, n):
        raise ConnectionError(f"server gone {n}")

class Cycle:
    pass

owned = _Owned(client=None, lease=None)
owned.access = DeadServer()
cycle = Cycle()
cycle.self = cycle
weakref.finalize(cycle, owned.let_go)
del owned, cycle
gc.set_threshold(50_000)  # the next collection falls inside the parse below
ast.parse("\\n".join(f"x{i} = [a + b * c for a in range({i}) if a]" for i in range(10_000)))
print("parsed")
"""


def test_a_memory_collected_in_the_middle_of_the_programs_ast_parse_does_not_break_it() -> None:
    """A ``Memory`` that is garbage-collected lets go of its client in a finalizer, in
    the middle of whatever the program runs. Logging a failure there with a traceback
    ran ast.parse nested in the program's own, which Python 3.11 fails with
    "AST constructor recursion depth mismatch" (seen in CI, a Hypothesis test's
    inspect.getsource); the failure is logged as one line instead."""
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", _COLLECTED_DURING_PARSE], capture_output=True, text=True
    )
    assert out.stdout.strip() == "parsed", out.stderr
    assert "could not write buffered access counts: ConnectionError('server gone 3')" in out.stderr
    assert "Traceback" not in out.stderr
