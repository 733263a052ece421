"""Updates that must leave the current truth on top: offline extractor, real embedder.

Each scenario says a fact, then a change, then searches. The current value
must be the first hit, the old value must not be among the active hits, and
the old value must still be in the history of the memory that held it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mem0_integrations import EventType, Memory, MemoryStatus, OnnxMiniLMEmbedder

from .conftest import TickingClock

pytestmark = pytest.mark.integration

SCENARIOS = [
    pytest.param(
        ["I live in Berlin."],
        ["I moved from Berlin to Paris last month."],
        "Where does the user live?",
        "paris",
        "berlin",
        id="moved-city",
    ),
    pytest.param(
        ["I work as a nurse."],
        ["I quit nursing and now I work as a software engineer."],
        "What is the user's job?",
        "software engineer",
        "nurse",
        id="changed-job",
    ),
    pytest.param(
        ["I'm vegetarian."],
        ["I switched from vegetarian to vegan this year."],
        "What diet does the user follow?",
        "vegan",
        "vegetarian",
        id="diet-change",
    ),
    pytest.param(
        ["I take metformin every morning."],
        ["I stopped taking metformin."],
        "Which medication does the user take?",
        None,
        "metformin",
        id="medication-stopped",
    ),
    pytest.param(
        ["I love coffee."],
        ["I hate coffee now."],
        "How does the user feel about coffee?",
        "coffee",
        "love",
        id="preference-reversed",
    ),
]


@pytest.fixture
def memory(tmp_path: Path, embedder: OnnxMiniLMEmbedder) -> Memory:
    return Memory(path=tmp_path / "store", embedder=embedder, clock=TickingClock())


@pytest.mark.parametrize(("before", "after", "query", "current", "old"), SCENARIOS)
def test_search_returns_the_current_truth_first_and_the_old_value_only_in_history(
    memory: Memory,
    before: list[str],
    after: list[str],
    query: str,
    current: str | None,
    old: str,
) -> None:
    first = memory.add(before, user_id="u1")
    assert first.events, f"nothing extracted from {before!r}"
    old_ids = [e.id for e in first.events if old in (e.memory or "").lower()]
    assert old_ids, f"{old!r} not in {[e.memory for e in first.events]}"
    change = memory.add(after, user_id="u1")
    assert any(e.event in (EventType.UPDATE, EventType.DELETE) for e in change.events), (
        change.events
    )

    hits = memory.search(query, user_id="u1", limit=5)
    texts = [h.memory.lower() for h in hits]
    # The turn that stated the old value stays as an episode, marked past (evidence of
    # what held before); no hit presented as current holds the old value, except the
    # changing turn itself ("I stopped taking metformin.").
    now = [h.memory.lower() for h in hits if h.current and h.memory not in after]
    assert not any(old in t and (current is None or current not in t) for t in now), texts
    assert all(h.kind == "episode" for h in hits if not h.current), texts
    if current is not None:
        assert hits, "no active memory"
        assert current in texts[0], texts
    for old_id in old_ids:
        record = memory.get(old_id)
        assert record.status in (MemoryStatus.SUPERSEDED, MemoryStatus.DELETED)
        history = memory.history(old_id)
        assert any(h.before is not None and old in h.before.text.lower() for h in history)


def test_a_new_pet_is_added_beside_the_old_one(memory: Memory) -> None:
    luna = memory.add("I have a cat named Luna.", user_id="u1")
    max_ = memory.add("We just adopted a puppy named Max.", user_id="u1")
    assert [e.event for e in max_.events] == [EventType.ADD]
    active = [r.text.lower() for r in memory.get_all(user_id="u1")]
    assert any("luna" in t for t in active)
    assert any("max" in t for t in active)
    assert memory.get(luna.ids[0]).status is MemoryStatus.ACTIVE
    hits = memory.search("What pets does the user have?", user_id="u1", limit=2)
    assert {("luna" in h.memory.lower()) or ("max" in h.memory.lower()) for h in hits} == {True}


def test_saying_the_same_fact_again_reinforces_instead_of_duplicating(memory: Memory) -> None:
    first = memory.add("I'm allergic to penicillin.", user_id="u1")
    again = memory.add("I am allergic to penicillin.", user_id="u1")
    assert [e.event for e in again.events] == [EventType.NONE]
    assert again.ids == first.ids
    assert len(memory.get_all(user_id="u1")) == 1


def test_forget_my_address_deletes_the_location(memory: Memory) -> None:
    memory.add("I live at 12 Baker Street in London.", user_id="u1")
    result = memory.add("Please forget my address.", user_id="u1")
    assert [e.event for e in result.events] == [EventType.DELETE]
    assert memory.get_all(user_id="u1") == []
