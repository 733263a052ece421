"""Behaviour of `Memory` on real Chroma, run on both backends.

Every test taking the ``memory`` fixture runs twice: on an embedded store in its
own ``tmp_path`` folder, and on the session's ``chroma run`` server under its own
collection prefix. Tests at the bottom are embedded-only (injected client).
"""

from __future__ import annotations

import asyncio
import inspect
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
import pytest
from chromadb.config import Settings

from mem0_integrations import (
    ConfigurationError,
    EventType,
    InvalidInputError,
    Memory,
    MemoryNotFoundError,
    MemoryStatus,
    OnnxMiniLMEmbedder,
    Scope,
    ScopeError,
)

from .conftest import TickingClock

pytestmark = pytest.mark.integration

ADD, UPDATE, DELETE, NONE = EventType.ADD, EventType.UPDATE, EventType.DELETE, EventType.NONE

PENICILLIN = "I am allergic to penicillin."
DOG = "My dog is called Rex."
JOB = "I work as a dentist in Lisbon."
COLOUR = "My favourite colour is green."
VIOLIN = "I play the violin every Sunday."
FACTS = [PENICILLIN, DOG, JOB, COLOUR, VIOLIN]

#: Paraphrased questions and the fact each must rank first (no word of the query is the key).
PARAPHRASES = {
    "Which medication should I avoid?": PENICILLIN,
    "What is the name of my pet?": DOG,
    "What is my job?": JOB,
    "What musical instrument do I play?": VIOLIN,
}


def ids_of(items: list[Any]) -> set[str]:
    return {item.id for item in items}


def snapshot(memory: Memory, **scope: str) -> tuple[list[dict[str, Any]], dict[str, list[Any]]]:
    """Every record of the scope (all statuses) and each one's history, as plain dicts."""
    records = memory.get_all(**scope, include_inactive=True, limit=None)
    dumped = sorted((r.model_dump() for r in records), key=lambda r: r["id"])
    history = {r.id: [h.model_dump() for h in memory.history(r.id)] for r in records}
    return dumped, history


# --- add ----------------------------------------------------------------------------------


def test_add_infer_false_stores_each_non_system_message_verbatim(
    memory: Memory, clock: TickingClock
) -> None:
    messages = [
        {"role": "system", "content": "You are a terse assistant."},
        {"role": "user", "content": PENICILLIN, "id": "msg-1"},
        {"role": "assistant", "content": "Noted: no penicillin for you.", "id": "msg-2"},
        {"role": "user", "content": DOG},
    ]

    result = memory.add(messages, user_id="u1", infer=False)
    written_at = clock.last

    assert [e.event for e in result.events] == [ADD, ADD, ADD]
    assert [e.memory for e in result.events] == [PENICILLIN, "Noted: no penicillin for you.", DOG]
    assert [e.previous_memory for e in result.events] == [None, None, None]
    assert len(set(result.ids)) == 3
    stored = {r.id: r for r in memory.get_all(user_id="u1")}
    assert set(stored) == set(result.ids)
    assert {r.text for r in stored.values()} == {PENICILLIN, "Noted: no penicillin for you.", DOG}
    first = memory.get(result.ids[0])
    assert first.text == PENICILLIN
    assert first.scope == Scope(user_id="u1")
    assert first.source.role == "user"
    assert first.source.message_ids == ["msg-1"]
    assert first.status is MemoryStatus.ACTIVE
    assert first.created_at == first.updated_at == written_at
    assert memory.get(result.ids[1]).source.role == "assistant"
    assert [h.event for h in memory.history(result.ids[0])] == [ADD]
    hits = memory.search("terse assistant", user_id="u1", limit=10)
    assert "You are a terse assistant." not in {h.memory for h in hits}


def test_exact_duplicate_gives_none_event_and_no_second_record(memory: Memory) -> None:
    (first,) = memory.add(PENICILLIN, user_id="u1", infer=False).events
    assert first.event is ADD

    (again,) = memory.add("i am ALLERGIC to   penicillin", user_id="u1", infer=False).events

    assert again.event is NONE
    assert again.id == first.id
    assert again.memory == PENICILLIN
    records = memory.get_all(user_id="u1", include_inactive=True)
    assert [r.id for r in records] == [first.id]
    assert [h.event for h in memory.history(first.id)] == [ADD, NONE]
    # Duplicates are per exact scope: the same text for another user or agent is new.
    (other_user,) = memory.add(PENICILLIN, user_id="u2", infer=False).events
    (with_agent,) = memory.add(PENICILLIN, user_id="u1", agent_id="bot", infer=False).events
    assert other_user.event is ADD
    assert with_agent.event is ADD
    assert len({first.id, other_user.id, with_agent.id}) == 3


def test_duplicates_within_one_call_are_stored_once(memory: Memory) -> None:
    result = memory.add([DOG, "my dog is called rex!"], user_id="u1", infer=False)

    assert [e.event for e in result.events] == [ADD, NONE]
    assert result.events[0].id == result.events[1].id
    assert [r.text for r in memory.get_all(user_id="u1")] == [DOG]


# --- search -------------------------------------------------------------------------------


def test_search_scores_best_first_and_paraphrase_finds_the_fact(
    memory: Memory, embedder: OnnxMiniLMEmbedder
) -> None:
    by_text = {e.memory: e.id for e in memory.add(FACTS, user_id="u1", infer=False).events}
    vectors = dict(zip(FACTS, np.array(embedder.embed(FACTS)), strict=True))

    for query, expected in PARAPHRASES.items():
        hits = memory.search(query, user_id="u1", limit=5)

        assert len(hits) == 5
        assert hits[0].id == by_text[expected], (query, [h.memory for h in hits])
        assert hits[0].memory == expected
        scores = [h.score for h in hits]
        assert all(0.0 <= s <= 1.0 for s in scores)
        assert scores == sorted(scores, reverse=True)
        assert scores[0] > scores[1]
        # ``similarity`` is the cosine similarity of query and memory (clamped to
        # [0, 1]); ``score`` the weighted mean of it and the other ranking signals.
        (q,) = np.array(embedder.embed([query]))
        for hit in hits:
            cosine = max(0.0, float(q @ vectors[hit.memory]))
            assert hit.similarity == pytest.approx(cosine, abs=2e-3)
            explained = memory.search(query, user_id="u1", limit=5, explain=True)
            parts = {h.id: h.explanation for h in explained}[hit.id]
            assert parts is not None
            assert parts.parts["similarity"].value == pytest.approx(cosine, abs=2e-3)

    assert [h.memory for h in memory.search("What drug am I allergic to?", user_id="u1")][:1] == [
        PENICILLIN
    ]
    assert len(memory.search("What is my job?", user_id="u1", limit=2)) == 2


def test_search_threshold_and_access_tracking(memory: Memory, clock: TickingClock) -> None:
    ids = {e.memory: e.id for e in memory.add(FACTS, user_id="u1", infer=False).events}

    hits = memory.search("What drug am I allergic to?", user_id="u1", limit=5, threshold=0.4)
    searched_at = clock.last

    assert [h.id for h in hits] == [ids[PENICILLIN]]
    assert hits[0].score >= 0.4
    assert memory.search("What drug am I allergic to?", user_id="u1", threshold=1.0) == []
    touched = memory.get(ids[PENICILLIN])
    assert touched.access_count == 1
    assert touched.last_accessed_at == searched_at
    untouched = memory.get(ids[DOG])
    assert untouched.access_count == 0
    assert untouched.last_accessed_at is None


def test_search_filters_on_caller_metadata(memory: Memory) -> None:
    health = memory.add(PENICILLIN, user_id="u1", metadata={"topic": "health"}, infer=False)
    memory.add(DOG, user_id="u1", metadata={"topic": "pets"}, infer=False)

    hits = memory.search("Tell me about me", user_id="u1", filters={"topic": "health"})

    assert [h.id for h in hits] == health.ids
    assert hits[0].metadata == {"topic": "health"}
    assert [r.id for r in memory.get_all(user_id="u1", filters={"topic": "health"})] == health.ids
    assert memory.search("Tell me about me", user_id="u1", filters={"topic": "travel"}) == []


# --- scopes -------------------------------------------------------------------------------


def test_scope_isolation_between_users_and_agents(memory: Memory) -> None:
    def add(text: str, **scope: str) -> str:
        (event,) = memory.add(text, infer=False, **scope).events
        assert event.event is ADD
        return event.id

    u1 = add(PENICILLIN, user_id="u1")
    u2 = add("I am allergic to peanuts.", user_id="u2")
    u1_bot = add("I prefer short answers.", user_id="u1", agent_id="bot")
    u2_bot = add("I prefer long answers.", user_id="u2", agent_id="bot")
    u1_helper = add("I prefer formal answers.", user_id="u1", agent_id="helper")

    # u1's data never reaches u2.
    assert ids_of(memory.search("What am I allergic to?", user_id="u2", limit=10)) == {u2, u2_bot}
    assert ids_of(memory.get_all(user_id="u2")) == {u2, u2_bot}
    with pytest.raises(MemoryNotFoundError):
        memory.get(u1, user_id="u2")
    with pytest.raises(MemoryNotFoundError):
        memory.history(u1, user_id="u2")
    with pytest.raises(MemoryNotFoundError):
        memory.update(u1, "I am allergic to nothing.", user_id="u2")
    with pytest.raises(MemoryNotFoundError):
        memory.delete(u1, user_id="u2")
    assert memory.get(u1).text == PENICILLIN
    assert memory.get(u1).status is MemoryStatus.ACTIVE
    assert memory.get(u1, user_id="u1").id == u1

    # user_id + agent_id narrows to that pair.
    assert ids_of(memory.get_all(user_id="u1")) == {u1, u1_bot, u1_helper}
    assert ids_of(memory.get_all(user_id="u1", agent_id="bot")) == {u1_bot}
    narrowed = memory.search("How should you answer?", user_id="u1", agent_id="bot", limit=10)
    assert ids_of(narrowed) == {u1_bot}

    # agent_id alone reads across users.
    assert ids_of(memory.get_all(agent_id="bot")) == {u1_bot, u2_bot}
    across = memory.search("How should you answer?", agent_id="bot", limit=10)
    assert ids_of(across) == {u1_bot, u2_bot}
    assert ids_of(memory.get_all(agent_id="nobody")) == set()

    # Scopes cannot be widened by operators, filters or metadata.
    with pytest.raises(ScopeError):
        memory.search("allergic", user_id={"$ne": "nobody"})  # type: ignore[arg-type]
    with pytest.raises(ScopeError):
        memory.get_all(user_id="u2", filters={"user_id": "u1"})
    with pytest.raises(ScopeError):
        memory.add("I like tea.", user_id="u2", metadata={"user_id": "u1"}, infer=False)
    with pytest.raises(ScopeError):
        memory.get_all()
    assert ids_of(memory.get_all(user_id="u2")) == {u2, u2_bot}


# --- structured facts ---------------------------------------------------------------------


def test_remember_new_value_supersedes_old_one(memory: Memory) -> None:
    (berlin,) = memory.remember({"city": "Berlin"}, user_id="u1").events
    assert berlin.event is ADD
    assert berlin.memory == "city: Berlin"

    (paris,) = memory.remember({"city": "Paris"}, user_id="u1").events

    assert paris.event is UPDATE
    assert paris.id != berlin.id
    assert paris.memory == "city: Paris"
    assert paris.previous_memory == "city: Berlin"
    old = memory.get(berlin.id)
    assert old.status is MemoryStatus.SUPERSEDED
    assert old.superseded_by == paris.id
    assert old.text == "city: Berlin"
    new = memory.get(paris.id)
    assert (new.status, new.key, new.value, new.text) == (
        MemoryStatus.ACTIVE,
        "city",
        "Paris",
        "city: Paris",
    )
    assert [r.id for r in memory.get_all(user_id="u1")] == [paris.id]
    assert ids_of(memory.get_all(user_id="u1", include_inactive=True)) == {berlin.id, paris.id}
    for query in ("Which city do I live in?", "Berlin", "city: Berlin"):
        assert [h.id for h in memory.search(query, user_id="u1", limit=10)] == [paris.id]

    history = memory.history(berlin.id)
    assert [h.event for h in history] == [ADD, UPDATE]
    assert [(h.old_memory, h.new_memory) for h in history] == [
        (None, "city: Berlin"),
        ("city: Berlin", "city: Paris"),
    ]
    assert history[1].memory_id == paris.id
    assert history[1].previous_memory_id == berlin.id
    assert [h.event for h in memory.history(paris.id)] == [UPDATE]

    (same,) = memory.remember({"city": "Paris"}, user_id="u1").events
    assert (same.event, same.id) == (NONE, paris.id)
    assert len(memory.get_all(user_id="u1", include_inactive=True)) == 2


def test_remember_list_values_and_category(memory: Memory) -> None:
    result = memory.remember(
        {"allergies": ["penicillin", "latex"], "home_city": "Lisbon"},
        user_id="u1",
        category="profile",
    )

    assert [e.memory for e in result.events] == [
        "allergies: penicillin, latex",
        "home city: Lisbon",
    ]
    allergies = memory.get(result.ids[0])
    assert (allergies.key, allergies.value, allergies.category) == (
        "allergies",
        ["penicillin", "latex"],
        "profile",
    )
    hits = memory.search("What am I allergic to?", user_id="u1", filters={"key": "allergies"})
    assert [h.id for h in hits] == [result.ids[0]]


# --- update, delete, history ----------------------------------------------------------------


def test_history_after_add_update_delete(memory: Memory, clock: TickingClock) -> None:
    tea, coffee = "I drink green tea every morning.", "I drink black coffee every morning."
    (added,) = memory.add(tea, user_id="u1", infer=False).events
    added_at = clock.last

    updated = memory.update(added.id, coffee)
    updated_at = clock.last

    assert (updated.event, updated.id) == (UPDATE, added.id)
    assert (updated.previous_memory, updated.memory) == (tea, coffee)
    record = memory.get(added.id)
    assert (record.text, record.created_at, record.updated_at) == (coffee, added_at, updated_at)
    assert [h.id for h in memory.search("What do I drink?", user_id="u1")] == [added.id]

    deleted = memory.delete(added.id)
    deleted_at = clock.last

    assert (deleted.event, deleted.id) == (DELETE, added.id)
    gone = memory.get(added.id)
    assert gone.status is MemoryStatus.DELETED
    assert gone.text == coffee
    assert memory.get_all(user_id="u1") == []
    assert memory.search("What do I drink?", user_id="u1") == []
    assert [r.id for r in memory.get_all(user_id="u1", include_inactive=True)] == [added.id]

    history = memory.history(added.id)
    assert [h.event for h in history] == [ADD, UPDATE, DELETE]
    assert [(h.old_memory, h.new_memory) for h in history] == [
        (None, tea),
        (tea, coffee),
        (coffee, coffee),
    ]
    assert [h.created_at for h in history] == [added_at, updated_at, deleted_at]
    assert {h.memory_id for h in history} == {added.id}
    assert history[2].before is not None
    assert history[2].after is not None
    assert history[2].before.status is MemoryStatus.ACTIVE
    assert history[2].after.status is MemoryStatus.DELETED

    with pytest.raises(InvalidInputError):
        memory.update(added.id, "I drink water.")
    with pytest.raises(InvalidInputError):
        memory.delete(added.id)
    with pytest.raises(MemoryNotFoundError):
        memory.get("no-such-id")
    assert len(memory.history(added.id)) == 3
    # The deleted text is no duplicate any more.
    (again,) = memory.add(coffee, user_id="u1", infer=False).events
    assert again.event is ADD
    assert again.id != added.id


def test_updated_text_is_used_for_duplicates_and_search(memory: Memory) -> None:
    (event,) = memory.add("I live in Porto.", user_id="u1", infer=False).events
    memory.update(event.id, "I live in Madrid.")

    (dup,) = memory.add("i live in madrid", user_id="u1", infer=False).events
    (old,) = memory.add("I live in Porto.", user_id="u1", infer=False).events

    assert (dup.event, dup.id) == (NONE, event.id)
    assert old.event is ADD
    assert memory.search("Madrid", user_id="u1", limit=1)[0].id == event.id


def test_delete_all_keep_history_is_a_soft_delete(memory: Memory) -> None:
    u1 = memory.add(["I like tea.", "I like chess."], user_id="u1", infer=False).ids
    u2 = memory.add("I like tea.", user_id="u2", infer=False).ids
    events = memory.delete_all(user_id="u1", keep_history=True)
    assert {e.id for e in events} == set(u1)
    assert memory.search("tea", user_id="u1") == []
    inactive = memory.get_all(user_id="u1", include_inactive=True)
    assert {r.status for r in inactive} == {MemoryStatus.DELETED}
    assert [h.event for h in memory.history(u1[0])] == [ADD, DELETE]
    memory.restore(u1[0])
    assert memory.get(u1[0]).status is MemoryStatus.ACTIVE
    assert ids_of(memory.get_all(user_id="u2")) == set(u2)


def test_delete_all_only_touches_that_user(memory: Memory) -> None:
    u1 = memory.add(["I like tea.", "I like chess."], user_id="u1", infer=False).ids
    u1_bot = memory.add("I like jazz.", user_id="u1", agent_id="bot", infer=False).ids
    u2 = memory.add(["I like tea.", "I like golf."], user_id="u2", infer=False).ids
    u2_bot = memory.add("I like jazz.", user_id="u2", agent_id="bot", infer=False).ids

    events = memory.delete_all(user_id="u1")

    assert {e.id for e in events} == {*u1, *u1_bot}
    assert {e.event for e in events} == {DELETE}
    assert memory.get_all(user_id="u1") == []
    assert memory.search("tea", user_id="u1") == []
    assert memory.get_all(user_id="u1", include_inactive=True) == []  # erased, not archived
    with pytest.raises(MemoryNotFoundError):
        memory.history(u1[0])
    others = memory.get_all(user_id="u2")
    assert ids_of(others) == {*u2, *u2_bot}
    assert {r.status for r in others} == {MemoryStatus.ACTIVE}
    assert [h.id for h in memory.search("I like tea.", user_id="u2", limit=1)] == [u2[0]]
    assert ids_of(memory.get_all(agent_id="bot")) == set(u2_bot)
    assert memory.delete_all(user_id="u1") == []
    with pytest.raises(ScopeError):
        memory.delete_all()
    assert ids_of(memory.get_all(user_id="u2")) == {*u2, *u2_bot}


# --- export / import ----------------------------------------------------------------------


def build_rich_store(memory: Memory) -> dict[str, str]:
    """Memories of every kind for user u1 (and one for u2); returns ids by name."""
    ids: dict[str, str] = {}
    first = memory.add(
        [PENICILLIN, DOG],
        user_id="u1",
        metadata={"topic": "health", "tags": ["a", "b"], "nested": {"x": 1}, "n": 2.5},
        infer=False,
    )
    ids["penicillin"], ids["dog"] = first.ids
    ids["violin"] = memory.add(
        VIOLIN, user_id="u1", agent_id="bot", session_id="s1", infer=False
    ).ids[0]
    ids["berlin"] = memory.remember({"city": "Berlin"}, user_id="u1").ids[0]
    ids["paris"] = memory.remember({"city": "Paris"}, user_id="u1").ids[0]
    ids["allergies"] = memory.remember(
        {"allergies": ["penicillin", "latex"]}, user_id="u1", category="health"
    ).ids[0]
    memory.update(ids["dog"], "My dog is called Max.")
    ids["job"] = memory.add(JOB, user_id="u1", infer=False).ids[0]
    memory.delete(ids["job"])
    memory.search("What is the name of my pet?", user_id="u1")
    ids["u2"] = memory.add("I am allergic to peanuts.", user_id="u2", infer=False).ids[0]
    return ids


def test_export_reset_import_is_a_lossless_round_trip(memory: Memory, tmp_path: Path) -> None:
    ids = build_rich_store(memory)
    before_records, before_history = snapshot(memory, user_id="u1")
    assert len(before_records) == 7
    path = tmp_path / "export.jsonl"

    exported = memory.export_jsonl(path, user_id="u1")

    assert exported == 7
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    history_ids = {h["id"] for entries in before_history.values() for h in entries}
    assert lines[0]["type"] == "header"
    assert lines[0]["scope"] == {"user_id": "u1"}
    assert [line["type"] for line in lines[1:]].count("memory") == 7
    assert {line["entry"]["id"] for line in lines if line["type"] == "history"} == history_ids
    assert len(lines) == 1 + 7 + len(history_ids)
    assert ids["u2"] not in path.read_text(encoding="utf-8")

    memory.reset()

    assert memory.get_all(user_id="u1", include_inactive=True) == []
    assert memory.get_all(user_id="u2", include_inactive=True) == []
    with pytest.raises(MemoryNotFoundError):
        memory.get(ids["penicillin"])

    assert memory.import_jsonl(path) == 7

    after_records, after_history = snapshot(memory, user_id="u1")
    assert after_records == before_records
    assert after_history == before_history
    # Vectors, hashes and keys were rebuilt: search, duplicates and supersedes still work.
    assert memory.search("What drug am I allergic to?", user_id="u1")[0].id in {
        ids["penicillin"],
        ids["allergies"],
    }
    assert memory.search("What is the name of my pet?", user_id="u1")[0].id == ids["dog"]
    assert memory.search("Which city?", user_id="u1", filters={"key": "city"})[0].id == ids["paris"]
    (dup,) = memory.add("my dog is called max", user_id="u1", infer=False).events
    assert (dup.event, dup.id) == (NONE, ids["dog"])
    (rome,) = memory.remember({"city": "Rome"}, user_id="u1").events
    assert rome.event is UPDATE
    assert memory.get(ids["paris"]).superseded_by == rome.id


def test_import_of_corrupted_file_raises_and_leaves_store_unchanged(
    memory: Memory, tmp_path: Path
) -> None:
    memory.add(FACTS[:3], user_id="u1", infer=False)
    good = tmp_path / "good.jsonl"
    assert memory.export_jsonl(good, user_id="u1") == 3
    memory.reset()
    memory.add("I like golf.", user_id="u2", infer=False)
    before = snapshot(memory, user_id="u2")
    lines = good.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) >= 4

    bad_json = tmp_path / "bad_json.jsonl"
    bad_json.write_text("".join([*lines[:2], '{"type": "memory", "record": {\n', *lines[3:]]))
    with pytest.raises(InvalidInputError, match=r"\bline 3\b"):
        memory.import_jsonl(bad_json)

    bad_record = tmp_path / "bad_record.jsonl"
    broken = json.dumps({"type": "memory", "record": {"id": "x", "text": "no scope"}}) + "\n"
    bad_record.write_text("".join([*lines[:3], broken, *lines[4:]]))
    with pytest.raises(InvalidInputError, match=r"\bline 4\b"):
        memory.import_jsonl(bad_record)

    assert memory.get_all(user_id="u1", include_inactive=True) == []
    assert snapshot(memory, user_id="u2") == before
    assert memory.import_jsonl(good) == 3
    assert len(memory.get_all(user_id="u1")) == 3


# --- async twins --------------------------------------------------------------------------


async def test_every_async_method(memory: Memory) -> None:
    names = [
        "aadd",
        "aremember",
        "asearch",
        "aget",
        "aget_all",
        "aupdate",
        "adelete",
        "adelete_all",
        "ahistory",
        "areset",
        "aexport_jsonl",
        "aimport_jsonl",
    ]
    assert all(inspect.iscoroutinefunction(getattr(Memory, n)) for n in names)

    added = await memory.aadd([PENICILLIN, DOG], user_id="u1", infer=False)
    assert [e.event for e in added.events] == [ADD, ADD]
    pen, dog = added.ids
    # Two concurrent adds of the same fact leave one record.
    first, second = await asyncio.gather(
        memory.aadd(VIOLIN, user_id="u1", infer=False),
        memory.aadd("i play the violin every sunday", user_id="u1", infer=False),
    )
    assert sorted([first.events[0].event, second.events[0].event]) == [ADD, NONE]
    assert first.ids == second.ids
    violin = first.ids[0]

    (berlin,) = (await memory.aremember({"city": "Berlin"}, user_id="u1")).events
    (paris,) = (await memory.aremember({"city": "Paris"}, user_id="u1")).events
    assert (berlin.event, paris.event) == (ADD, UPDATE)

    hits = await memory.asearch("What drug am I allergic to?", user_id="u1")
    assert hits[0].id == pen
    assert (await memory.aget(pen)).text == PENICILLIN
    assert ids_of(await memory.aget_all(user_id="u1")) == {pen, dog, violin, paris.id}

    updated = await memory.aupdate(dog, "My dog is called Max.")
    assert (updated.event, updated.previous_memory) == (UPDATE, DOG)
    assert updated.memory == "My dog is called Max."
    assert [h.event for h in await memory.ahistory(dog)] == [ADD, UPDATE]
    deleted = await memory.adelete(violin)
    assert (deleted.event, deleted.id) == (DELETE, violin)
    assert (await memory.aget(violin)).status is MemoryStatus.DELETED

    buffer = io.StringIO()
    assert await memory.aexport_jsonl(buffer, user_id="u1") == 5
    active = sorted(r.model_dump()["id"] for r in await memory.aget_all(user_id="u1"))

    removed = await memory.adelete_all(user_id="u1")
    assert sorted(e.id for e in removed) == active
    assert await memory.aget_all(user_id="u1") == []

    await memory.areset()
    assert await memory.aget_all(user_id="u1", include_inactive=True) == []

    buffer.seek(0)
    assert await memory.aimport_jsonl(buffer) == 5
    assert sorted(r.id for r in await memory.aget_all(user_id="u1")) == active
    assert (await memory.aget(dog)).text == "My dog is called Max."


# --- clock --------------------------------------------------------------------------------


def test_injected_fixed_clock_sets_every_time(
    memory: Memory, reopen: Callable[..., Memory]
) -> None:
    fixed = datetime(2030, 6, 7, 8, 9, 10, tzinfo=timezone(timedelta(hours=2)))
    clocked = reopen(memory, clock=lambda: fixed)

    (event,) = clocked.add(PENICILLIN, user_id="u1", infer=False).events
    clocked.update(event.id, "I am allergic to penicillin and latex.")
    clocked.search("allergy", user_id="u1")

    record = clocked.get(event.id)
    assert record.created_at == record.updated_at == record.last_accessed_at == fixed
    assert record.created_at.utcoffset() == timedelta(hours=2)
    history = clocked.history(event.id)
    assert {h.created_at for h in history} == {fixed}
    assert history[-1].after is not None
    assert history[-1].after.updated_at == fixed
    # The other instance on the same store reads the same stored times.
    assert memory.get(event.id).created_at == fixed


def test_naive_clock_is_refused_before_anything_is_written(
    memory: Memory, reopen: Callable[..., Memory]
) -> None:
    naive = reopen(memory, clock=lambda: datetime(2030, 1, 1))

    with pytest.raises(ConfigurationError, match="timezone-aware"):
        naive.add(PENICILLIN, user_id="u1", infer=False)

    assert memory.get_all(user_id="u1", include_inactive=True) == []


def test_history_is_oldest_first_when_events_share_a_timestamp(
    memory: Memory, reopen: Callable[..., Memory]
) -> None:
    fixed = datetime(2030, 1, 1, tzinfo=UTC)
    clocked = reopen(memory, clock=lambda: fixed)
    (event,) = clocked.add("version 0 of the note", user_id="u1", infer=False).events
    texts = ["version 0 of the note"]
    for n in range(1, 8):
        texts.append(f"version {n} of the note")
        clocked.update(event.id, texts[-1])
    clocked.delete(event.id)

    history = clocked.history(event.id)

    assert [h.event for h in history] == [ADD] + [UPDATE] * 7 + [DELETE]
    assert [h.new_memory for h in history] == [*texts, texts[-1]]


# --- a second instance on the same store ----------------------------------------------------


def test_second_instance_on_same_store_sees_writes(
    memory: Memory, reopen: Callable[..., Memory]
) -> None:
    other = reopen(memory)
    (event,) = memory.add(PENICILLIN, user_id="u1", infer=False).events

    assert other.get(event.id).text == PENICILLIN
    assert [h.id for h in other.search("What drug am I allergic to?", user_id="u1")] == [event.id]
    (dup,) = other.add(PENICILLIN.upper(), user_id="u1", infer=False).events
    assert (dup.event, dup.id) == (NONE, event.id)


def test_other_embedder_on_same_store_is_refused(
    memory: Memory, reopen: Callable[..., Memory]
) -> None:
    memory.add(PENICILLIN, user_id="u1", infer=False)

    class TinyEmbeddings:
        """A LangChain-style embeddings object (embed_documents): another model."""

        model = "tiny-test-model"

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return [[float(len(t)), 1.0] for t in texts]

    store = memory.config.store
    where: dict[str, Any] = (
        {"chroma_host": store.chroma_host, "chroma_port": store.chroma_port}
        if store.chroma_host
        else {"path": store.path}
    )
    with pytest.raises(ConfigurationError, match="embedder"):
        Memory(
            **where,
            embedder=TinyEmbeddings(),
            config={"store": {"collection_prefix": store.collection_prefix}},
        )
    assert len(reopen(memory).get_all(user_id="u1")) == 1


# --- regressions: bugs found while writing these tests, now fixed ---------------------------


def test_filters_do_not_match_metadata_removed_by_update(memory: Memory) -> None:
    (event,) = memory.add(DOG, user_id="u1", metadata={"topic": "pets"}, infer=False).events
    memory.update(event.id, "My dog is called Max.", metadata={"mood": "happy"})
    assert memory.get(event.id).metadata == {"mood": "happy"}

    assert memory.search("dog", user_id="u1", filters={"topic": "pets"}) == []
    assert memory.get_all(user_id="u1", filters={"topic": "pets"}) == []


def test_import_over_existing_record_drops_its_old_metadata(memory: Memory, tmp_path: Path) -> None:
    (event,) = memory.add(DOG, user_id="u1", metadata={"topic": "pets"}, infer=False).events
    path = tmp_path / "export.jsonl"
    memory.export_jsonl(path, user_id="u1")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    lines[1]["record"]["metadata"] = {"mood": "happy"}
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")

    assert memory.import_jsonl(path) == 1

    assert memory.get(event.id).metadata == {"mood": "happy"}
    assert [r.id for r in memory.get_all(user_id="u1", filters={"mood": "happy"})] == [event.id]
    assert memory.get_all(user_id="u1", filters={"topic": "pets"}) == []


def test_other_instance_keeps_working_after_reset(
    memory: Memory, reopen: Callable[..., Memory]
) -> None:
    other = reopen(memory)
    other.add(PENICILLIN, user_id="u1", infer=False)

    memory.reset()

    assert other.get_all(user_id="u1", include_inactive=True) == []
    (event,) = other.add(DOG, user_id="u1", infer=False).events
    assert [r.id for r in memory.get_all(user_id="u1")] == [event.id]


# --- embedded only --------------------------------------------------------------------------


def test_injected_persistent_client(tmp_path: Path, embedder: OnnxMiniLMEmbedder) -> None:
    folder = tmp_path / "store"
    client = chromadb.PersistentClient(
        path=str(folder), settings=Settings(anonymized_telemetry=False)
    )
    memory = Memory(client=client, embedder=embedder, config={"store": {"collection_prefix": "p1"}})
    assert memory.location.startswith("injected ")

    (event,) = memory.add(PENICILLIN, user_id="u1", infer=False).events

    assert {c.name for c in client.list_collections()} == {
        "p1_memories",
        "p1_archive",
        "p1_history",
    }
    row = client.get_collection("p1_memories").get(ids=[event.id])
    assert row["documents"] == [PENICILLIN]
    assert row["metadatas"][0]["user_id"] == "u1"
    assert client.get_collection("p1_history").count() == 1
    assert memory.search("What drug am I allergic to?", user_id="u1")[0].id == event.id
    # The same folder opened by path holds the same memory.
    by_path = Memory(path=folder, embedder=embedder, config={"store": {"collection_prefix": "p1"}})
    assert by_path.get(event.id).text == PENICILLIN
    assert [h.event for h in by_path.history(event.id)] == [ADD]
    with pytest.raises(ConfigurationError):
        Memory(client=client, path=folder, embedder=embedder)
