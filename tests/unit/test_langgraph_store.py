"""`Mem0Store`: LangGraph's BaseStore contract (as InMemoryStore's tests check it), scopes,
TTL, the core underneath, and LangMem's memory tools on top."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langgraph.store.base import (
    GetOp,
    InvalidNamespaceError,
    Item,
    ListNamespacesOp,
    PutOp,
    SearchItem,
    SearchOp,
)
from langmem import create_manage_memory_tool, create_search_memory_tool

from mem0_integrations import Memory
from mem0_integrations.core.errors import ConfigurationError, InvalidInputError, ScopeError
from mem0_integrations.core.merge.keyed_ops import keyed_id
from mem0_integrations.core.models import EventType, Scope
from mem0_integrations.langchain import Mem0Store

from .conftest import FakeClock, HashEmbedder


@pytest.fixture
def store(memory: Memory) -> Mem0Store:
    return Mem0Store(memory=memory)


def keys(items: list[SearchItem]) -> list[str]:
    return [i.key for i in items]


# --- namespaces (LangGraph's test_list_namespaces_* expectations) -------------------------

NAMESPACES = [
    ("a", "b", "c"),
    ("a", "b", "d", "e"),
    ("a", "b", "d", "i"),
    ("a", "b", "f"),
    ("a", "c", "f"),
    ("b", "a", "f"),
    ("users", "123"),
    ("users", "456", "settings"),
    ("admin", "users", "789"),
]


def test_list_namespaces_prefix_suffix_depth_and_paging(store: Mem0Store) -> None:
    for i, ns in enumerate(NAMESPACES):
        store.put(ns, f"id_{i}", {"data": f"value_{i:02d}"})

    ab = [("a", "b", "c"), ("a", "b", "d", "e"), ("a", "b", "d", "i"), ("a", "b", "f")]
    assert store.list_namespaces(prefix=("a", "b")) == ab
    assert store.list_namespaces(suffix=("f",)) == [
        ("a", "b", "f"),
        ("a", "c", "f"),
        ("b", "a", "f"),
    ]
    assert store.list_namespaces(prefix=("a",), suffix=("f",)) == [("a", "b", "f"), ("a", "c", "f")]
    assert store.list_namespaces(prefix=("a", "b"), max_depth=3) == [
        ("a", "b", "c"),
        ("a", "b", "d"),
        ("a", "b", "f"),
    ]
    assert store.list_namespaces(prefix=("a", "b"), limit=2) == ab[:2]
    assert store.list_namespaces(prefix=("a", "b"), offset=2) == ab[2:]
    assert store.list_namespaces(prefix=("a", "*", "f")) == [("a", "b", "f"), ("a", "c", "f")]
    assert store.list_namespaces(suffix=("*", "f")) == [
        ("a", "b", "f"),
        ("a", "c", "f"),
        ("b", "a", "f"),
    ]
    assert store.list_namespaces(prefix=("nonexistent",)) == []
    assert store.list_namespaces(prefix=("users", "123")) == [("users", "123")]
    assert store.list_namespaces(prefix=("*", "users"), suffix=("*", "settings")) == []
    assert store.list_namespaces(max_depth=2) == sorted(
        {("a", "b"), ("a", "c"), ("b", "a"), ("users", "123"), ("users", "456"), ("admin", "users")}
    )
    assert store.list_namespaces() == sorted(NAMESPACES)


def test_list_namespaces_pagination_and_empty_store(store: Mem0Store) -> None:
    assert store.list_namespaces() == []
    for i in range(12):
        store.put(("namespace", f"sub_{i:02d}"), f"id_{i:02d}", {"data": i})
    assert store.list_namespaces(prefix=("namespace",), limit=5, offset=5) == [
        ("namespace", f"sub_{i:02d}") for i in range(5, 10)
    ]
    assert store.list_namespaces(prefix=("namespace",), limit=5, offset=10) == [
        ("namespace", f"sub_{i:02d}") for i in range(10, 12)
    ]


async def test_invalid_namespaces_are_refused(store: Mem0Store) -> None:
    doc = {"foo": "bar"}
    for bad in [(), ("the", "thing.about"), ("some", "fun", ""), ("langgraph", "foo")]:
        with pytest.raises(InvalidNamespaceError):
            store.put(bad, "foo", doc)
        with pytest.raises(InvalidNamespaceError):
            await store.aput(bad, "foo", doc)
    with pytest.raises(InvalidNamespaceError):
        store.batch([PutOp(("a.b",), "k", doc)])  # batch validates labels too
    # "langgraph" is refused as the root label by put(), not elsewhere nor through batch()
    await store.aput(("foo", "langgraph", "foo"), "bar", doc)
    assert (await store.aget(("foo", "langgraph", "foo"), "bar")).value == doc  # type: ignore[union-attr]
    store.batch([PutOp(("langgraph", "foo"), "bar", doc)])
    assert store.search(("langgraph", "foo"))[0].value == doc
    store.delete(("langgraph", "foo"), "bar")
    assert store.get(("langgraph", "foo"), "bar") is None


# --- items --------------------------------------------------------------------------------


def test_values_round_trip_exactly(store: Mem0Store) -> None:
    value = {
        "content": "Ünïcode ✓ text",
        "n": 3,
        "x": 0.1 + 0.2,
        "flag": False,
        "none": None,
        "nested": {"list": [1, "two", {"three": 3.0}], "empty": {}},
    }
    store.put(("docs", "u1"), "doc", value)
    item = store.get(("docs", "u1"), "doc")
    assert isinstance(item, Item)
    assert item.value == value
    assert type(item.value["n"]) is int
    assert item.value["x"] == 0.1 + 0.2
    assert (item.namespace, item.key) == (("docs", "u1"), "doc")
    assert store.get(("docs", "u1"), "missing") is None
    assert store.get(("docs", "u2"), "doc") is None  # same key, other namespace


def test_put_moves_updated_at_and_keeps_created_at(store: Mem0Store, clock: FakeClock) -> None:
    store.put(("docs",), "k", {"v": 1})
    first = store.get(("docs",), "k")
    clock.advance(minutes=5)
    store.put(("docs",), "k", {"v": 2})
    second = store.get(("docs",), "k")
    assert first is not None
    assert second is not None
    assert second.value == {"v": 2}
    assert second.created_at == first.created_at == clock.now.replace(minute=0)
    assert second.updated_at == clock.now > first.updated_at


def test_put_none_and_delete_remove_the_item(
    store: Mem0Store, memory: Memory, clock: FakeClock
) -> None:
    store.put(("docs", "u1"), "a", {"content": "apples"})
    store.put(("docs", "u1"), "b", {"content": "bananas"})
    store.batch([PutOp(("docs", "u1"), "a", None)])
    store.delete(("docs", "u1"), "b")
    store.delete(("docs", "u1"), "never-there")  # deleting nothing is fine
    assert store.get(("docs", "u1"), "a") is None
    assert store.search(("docs",)) == []
    assert store.search(("docs",), query="apples") == []
    assert store.list_namespaces() == []
    assert memory.get_all(user_id="u1") == []
    events = [h.event for h in memory.history(keyed_id(("docs", "u1"), "a"))]
    assert events == [EventType.ADD, EventType.DELETE]  # soft delete, like Memory.delete
    clock.advance(minutes=1)
    store.put(("docs", "u1"), "a", {"content": "apricots"})  # the address can be reused
    again = store.get(("docs", "u1"), "a")
    assert again is not None
    assert again.value == {"content": "apricots"}
    assert again.created_at == clock.now


def test_same_text_is_not_embedded_again(store: Mem0Store, embedder: HashEmbedder) -> None:
    store.put(("docs", "u1"), "k", {"content": "likes hiking", "n": 1})
    calls = len(embedder.calls)
    store.put(("docs", "u1"), "k", {"content": "likes hiking", "n": 2})  # metadata-only write
    assert len(embedder.calls) == calls
    found = store.search(("docs",), query="hiking")
    assert [(i.key, i.value) for i in found] == [("k", {"content": "likes hiking", "n": 2})]
    store.put(("docs", "u1"), "k", {"content": "likes climbing"})
    assert embedder.calls[calls + 1 :] == [["likes climbing"]]  # after the query's embedding


def test_bad_values_raise_typed_errors(store: Mem0Store) -> None:
    with pytest.raises(InvalidInputError, match="must be a dict"):
        store.put(("docs",), "k", ["not", "a", "dict"])  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="JSON"):
        store.put(("docs",), "k", {"when": object()})
    with pytest.raises(InvalidInputError, match="limit"):
        store.search(("docs",), limit=-1)
    assert store.get(("docs",), "k") is None


# --- search -------------------------------------------------------------------------------


def test_search_without_query_lists_newest_first(store: Mem0Store, clock: FakeClock) -> None:
    for i in range(5):
        store.put(("docs", "u1"), f"doc{i}", {"text": f"document {i}"})
        clock.advance(seconds=1)
    found = store.search(("docs",))
    assert keys(found) == ["doc4", "doc3", "doc2", "doc1", "doc0"]
    assert all(isinstance(i, SearchItem) and i.score is None for i in found)
    assert keys(store.search(("docs",), limit=2, offset=1)) == ["doc3", "doc2"]
    assert keys(store.search(("docs",), query="")) == keys(found)  # empty query lists


def test_prefix_search_matches_whole_labels(store: Mem0Store) -> None:
    store.put(("a",), "k0", {"v": 0})
    store.put(("a", "b"), "k1", {"v": 1})
    store.put(("a", "b", "c"), "k2", {"v": 2})
    store.put(("ab",), "k3", {"v": 3})
    assert sorted(keys(store.search(("a",)))) == ["k0", "k1", "k2"]
    assert sorted(keys(store.search(("a", "b")))) == ["k1", "k2"]
    assert keys(store.search(("a", "b", "c"))) == ["k2"]
    assert sorted(keys(store.search(()))) == ["k0", "k1", "k2", "k3"]


DOCS = [
    ("doc1", {"text": "red apple", "color": "red", "score": 4.5, "tags": ["fruit"]}),
    ("doc2", {"text": "red car", "color": "red", "score": 3.0, "meta": {"wheels": 4}}),
    ("doc3", {"text": "green apple", "color": "green", "score": 4.0, "tags": ["fruit"]}),
    ("doc4", {"text": "blue car", "color": "blue", "score": 3.5, "meta": {"wheels": 4}}),
]


@pytest.fixture
def docs(store: Mem0Store) -> Mem0Store:
    for key, value in DOCS:
        store.put(("test",), key, value)
    return store


def test_filters_follow_langgraph_semantics(docs: Mem0Store) -> None:
    def found(flt: dict[str, Any]) -> list[str]:
        return sorted(keys(docs.search(("test",), filter=flt)))

    assert found({"color": "red"}) == ["doc1", "doc2"]
    assert found({"score": {"$gt": 3.2}}) == ["doc1", "doc3", "doc4"]
    assert found({"score": {"$gte": 4.0}, "color": "green"}) == ["doc3"]
    assert found({"score": {"$lt": 3.5}}) == ["doc2"]
    assert found({"score": {"$lte": 3.5}, "color": {"$ne": "blue"}}) == ["doc2"]
    assert found({"meta": {"wheels": 4}}) == ["doc2", "doc4"]
    assert found({"tags": ["fruit"]}) == ["doc1", "doc3"]
    assert found({"missing": {"$gt": 1}}) == []
    assert found({"color": "purple"}) == []
    with pytest.raises(InvalidInputError, match="operator"):
        docs.search(("test",), filter={"score": {"$regex": "4"}})


def test_query_search_ranks_with_scores_and_filters(docs: Mem0Store) -> None:
    apples = docs.search(("test",), query="apple", filter={"color": "red"})
    assert keys(apples) == ["doc1", "doc2"]
    cars = docs.search(("test",), query="car", filter={"color": "red"})
    assert keys(cars) == ["doc2", "doc1"]
    ranked = docs.search(("test",), query="green apple")
    assert ranked[0].key == "doc3"
    scores = [i.score for i in ranked]
    assert all(s is not None and 0 <= s <= 1 for s in scores)
    assert scores == sorted(scores, reverse=True)  # type: ignore[type-var]
    both = docs.search(("test",), query="apple", filter={"score": {"$gte": 4.0}})
    assert sorted(keys(both)) == ["doc1", "doc3"]


def test_query_search_pages_without_overlap(store: Mem0Store) -> None:
    for i in range(5):
        store.put(("test",), f"doc{i}", {"text": f"test document number {i}"})
    page1 = store.search(("test",), query="test", limit=2)
    page2 = store.search(("test",), query="test", limit=2, offset=2)
    assert len(page1) == len(page2) == 2
    assert not set(keys(page1)) & set(keys(page2))
    assert sorted(keys(store.search(("test",), query="test", limit=10))) == [
        f"doc{i}" for i in range(5)
    ]
    for query in ["test " * 100, "test!@#$%^&*()"]:
        assert len(store.search(("test",), query=query)) == 5


def test_updated_text_is_re_embedded_and_index_false_is_unranked(store: Mem0Store) -> None:
    store.put(("test",), "doc1", {"text": "zany zebra Xerxes"})
    store.put(("test",), "doc2", {"text": "something about dogs"})
    store.put(("test",), "doc3", {"text": "text about birds"})
    first = store.search(("test",), query="Zany Xerxes")
    assert first[0].key == "doc1"
    store.put(("test",), "doc1", {"text": "new text about dogs"})
    after = {i.key: i.score for i in store.search(("test",), query="Zany Xerxes")}
    assert after["doc1"] is not None
    assert first[0].score is not None
    assert after["doc1"] < first[0].score
    store.put(("test",), "doc4", {"text": "new text about dogs"}, index=False)
    assert "doc4" not in keys(store.search(("test",), query="new text about dogs", limit=3))
    every = store.search(("test",), query="new text about dogs", limit=10)
    assert every[-1].key == "doc4"
    assert every[-1].score is None
    assert store.get(("test",), "doc4") is not None


def test_index_fields_choose_the_text(memory: Memory) -> None:
    store = Mem0Store(memory=memory, index={"fields": ["title"]})
    store.put(("d",), "k1", {"title": "violin lessons", "body": "unrelated words"})
    store.put(("d",), "k2", {"title": "cooking", "body": "violin"}, index=["body"])
    store.put(("d",), "k3", {"body": "no title here"})  # nothing to embed: unranked
    assert memory.get(keyed_id(("d",), "k1")).text == "violin lessons"
    assert memory.get(keyed_id(("d",), "k2")).text == "violin"
    found = store.search(("d",), query="violin")
    assert [(i.key, i.score is None) for i in found][-1] == ("k3", True)
    with pytest.raises(ConfigurationError, match="embedder"):
        Mem0Store(memory=memory, index={"dims": 3, "embed": lambda texts: []})


# --- batch / async ------------------------------------------------------------------------


def test_batch_reads_before_writes_and_last_put_wins(store: Mem0Store) -> None:
    store.put(("b",), "old", {"v": 0})
    results = store.batch(
        [
            PutOp(("b",), "new", {"v": 1}),
            GetOp(("b",), "new"),
            GetOp(("b",), "old"),
            PutOp(("b",), "new", {"v": 2}),
            SearchOp(("b",)),
            ListNamespacesOp(),
        ]
    )
    assert results[0] is None
    assert results[1] is None
    assert isinstance(results[2], Item)
    assert results[2].value == {"v": 0}
    assert keys(results[4]) == ["old"]  # type: ignore[arg-type]
    assert results[5] == [("b",)]
    assert store.get(("b",), "new").value == {"v": 2}  # type: ignore[union-attr]


async def test_async_api_runs_through_abatch(
    store: Mem0Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_sync(*args: Any) -> Any:
        raise AssertionError("the async API must not call the sync batch")

    monkeypatch.setattr(store, "batch", no_sync)
    await store.aput(("memories", "u1"), "k", {"content": "likes jazz"})
    item = await store.aget(("memories", "u1"), "k")
    assert item is not None
    assert item.value == {"content": "likes jazz"}
    assert keys(await store.asearch(("memories",), query="jazz")) == ["k"]
    assert await store.alist_namespaces() == [("memories", "u1")]
    await store.adelete(("memories", "u1"), "k")
    assert await store.aget(("memories", "u1"), "k") is None


# --- TTL ----------------------------------------------------------------------------------


def test_ttl_hides_expired_items_and_reads_refresh(store: Mem0Store, clock: FakeClock) -> None:
    assert store.supports_ttl
    store.put(("t",), "short", {"v": 1}, ttl=1)
    store.put(("t",), "long", {"v": 2}, ttl=10)
    store.put(("t",), "forever", {"v": 3})
    clock.advance(minutes=8)
    assert store.get(("t",), "short") is None
    assert sorted(keys(store.search(("t",)))) == ["forever", "long"]  # refreshes "long"
    clock.advance(minutes=8)  # 16 minutes after the put, 8 after the search
    assert store.get(("t",), "long", refresh_ttl=False) is not None
    clock.advance(minutes=1)
    assert store.get(("t",), "long") is not None  # refreshes again
    clock.advance(minutes=9)
    assert store.get(("t",), "long", refresh_ttl=False) is not None
    clock.advance(minutes=2)
    assert store.get(("t",), "long") is None
    assert keys(store.search(("t",))) == ["forever"]
    assert store.search(("t",), query="v") != []
    assert store.sweep_ttl() == 2
    assert store.sweep_ttl() == 0
    events = [h.event for h in store.memory.history(keyed_id(("t",), "short"))]
    assert events == [EventType.ADD, EventType.FORGET]
    store.put(("gone",), "k", {"v": 1}, ttl=1)
    clock.advance(minutes=2)
    assert store.list_namespaces() == [("t",)]  # expired items leave no namespace


def test_ttl_config_default_and_no_refresh(memory: Memory, clock: FakeClock) -> None:
    store = Mem0Store(memory=memory, ttl={"default_ttl": 5, "refresh_on_read": False})
    store.put(("t",), "k", {"v": 1})
    store.put(("t",), "kept", {"v": 2}, ttl=None)
    clock.advance(minutes=4)
    assert store.get(("t",), "k") is not None  # not refreshed by this read
    clock.advance(minutes=2)
    assert store.get(("t",), "k") is None
    assert store.get(("t",), "kept") is not None
    with pytest.raises(ConfigurationError, match="interval"):
        store.start_ttl_sweeper()
    store.start_ttl_sweeper(sweep_interval_minutes=60)
    assert store.stop_ttl_sweeper(timeout=5)


# --- scopes -------------------------------------------------------------------------------


def test_namespaces_map_to_scopes_and_stay_isolated(store: Mem0Store, memory: Memory) -> None:
    store.put(("memories", "alice"), "m1", {"content": "I am allergic to penicillin"})
    store.put(("memories", "bob"), "m1", {"content": "I am allergic to peanuts"})
    store.put(("users",), "alice", {"name": "Alice"})
    assert memory.get(keyed_id(("memories", "alice"), "m1")).scope == Scope(user_id="alice")
    assert memory.get(keyed_id(("users",), "alice")).scope == Scope(agent_id="langgraph-store")
    alice = store.search(("memories", "alice"), query="allergic to peanuts", limit=10)
    assert [(i.namespace, i.value["content"]) for i in alice] == [
        (("memories", "alice"), "I am allergic to penicillin")
    ]
    assert [h.memory for h in memory.search("allergic", user_id="bob")] == [
        "I am allergic to peanuts"
    ]
    assert len(store.search(("memories",), query="allergic")) == 2  # a shorter prefix spans


def test_custom_namespace_scopes(memory: Memory) -> None:
    by_position = Mem0Store(memory=memory, namespace_scope={"user_id": 0, "agent_id": 2})
    by_position.put(("carol", "notes", "planner"), "k", {"content": "likes mornings"})
    record = memory.get(keyed_id(("carol", "notes", "planner"), "k"))
    assert record.scope == Scope(user_id="carol", agent_id="planner")
    by_function = Mem0Store(
        memory=memory,
        namespace_scope=lambda ns: {"session_id": ns[-1]} if ns[0] == "threads" else {},
        default_scope=None,
    )
    by_function.put(("threads", "t-1"), "k", {"content": "draft"})
    assert memory.get(keyed_id(("threads", "t-1"), "k")).scope == Scope(session_id="t-1")
    with pytest.raises(ScopeError, match="default_scope"):
        by_function.put(("elsewhere",), "k", {"content": "x"})
    with pytest.raises(ScopeError):
        by_position.put(("*", "x", "y"), "k", {"content": "wildcard user"})
    with pytest.raises(ConfigurationError, match="label positions"):
        Mem0Store(memory=memory, namespace_scope={"tenant": 0})
    with pytest.raises(ConfigurationError, match="not both"):
        Mem0Store(memory=memory, path="/tmp/never")


# --- the core underneath ------------------------------------------------------------------


def test_items_are_memories_of_their_scope(store: Mem0Store, memory: Memory) -> None:
    store.put(("memories", "dan"), "a", {"content": "Dan plays the violin", "source": "chat"})
    store.put(("memories", "dan"), "b", {"content": "Dan plays the violin"})
    store.put(("memories", "dan"), "c", {"note": {"x": 1}})
    hits = memory.search("violin", user_id="dan", limit=5)
    assert {h.memory for h in hits} >= {"Dan plays the violin"}
    assert memory.get(keyed_id(("memories", "dan"), "c")).text == '{"note": {"x": 1}}'
    memory.consolidate(user_id="dan")  # two equal texts under two keys stay two items
    assert sorted(keys(store.search(("memories", "dan")))) == ["a", "b", "c"]
    memory.update(keyed_id(("memories", "dan"), "a"), "Dan plays the cello")
    item = store.get(("memories", "dan"), "a")
    assert item is not None
    assert item.value == {"content": "Dan plays the cello"}


# --- LangMem ------------------------------------------------------------------------------


async def test_langmem_tools_manage_and_search_on_the_store(
    store: Mem0Store, memory: Memory
) -> None:
    namespace = ("memories", "{langgraph_user_id}")
    manage = create_manage_memory_tool(namespace=namespace, store=store)
    search = create_search_memory_tool(namespace=namespace, store=store)
    alice = {"configurable": {"langgraph_user_id": "alice"}}
    bob = {"configurable": {"langgraph_user_id": "bob"}}

    created = manage.invoke({"content": "Alice prefers window seats"}, config=alice)
    memory_id = created.rsplit(" ", 1)[-1]
    await manage.ainvoke({"content": "Alice likes tea"}, config=alice)
    found = json.loads(search.invoke({"query": "window seats"}, config=alice))
    assert found[0]["value"] == {"content": "Alice prefers window seats"}
    assert found[0]["namespace"] == ["memories", "alice"]
    assert json.loads(await search.ainvoke({"query": "window seats"}, config=bob)) == []
    assert {h.memory for h in memory.search("seats", user_id="alice")} >= {
        "Alice prefers window seats"
    }

    manage.invoke(
        {"content": "Alice prefers aisle seats", "action": "update", "id": memory_id},
        config=alice,
    )
    item = store.get(("memories", "alice"), memory_id)
    assert item is not None
    assert item.value == {"content": "Alice prefers aisle seats"}
    await manage.ainvoke({"action": "delete", "id": memory_id}, config=alice)
    assert store.get(("memories", "alice"), memory_id) is None
    remaining = json.loads(search.invoke({"query": "seats"}, config=alice))
    assert [m["value"]["content"] for m in remaining] == ["Alice likes tea"]
