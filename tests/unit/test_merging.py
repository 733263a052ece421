"""The deterministic merge layer, as pure functions."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from mem0_integrations import EventType, MemoryStatus, Scope
from mem0_integrations.core.extraction import Candidate
from mem0_integrations.core.merging import plan_add, plan_delete, plan_edit

NOW = datetime(2026, 3, 1, tzinfo=UTC)
LATER = datetime(2026, 3, 2, tzinfo=UTC)
SCOPE = Scope(user_id="u1")


_COUNTER = itertools.count(1)


def make_id() -> str:
    return f"id{next(_COUNTER)}"


def vectors(*texts: str) -> dict[str, list[float]]:
    return {t: [1.0, 0.0] for t in texts}


def _plan(cands: list[Candidate], existing: list, now: datetime = NOW):  # type: ignore[no-untyped-def]
    texts = [c.text for c in cands]
    return plan_add(
        cands,
        existing,
        scope=SCOPE,
        now=now,
        metadata={"m": 1},
        embeddings=vectors(*texts),
        make_id=make_id,
    )


def test_new_facts_are_added_with_history() -> None:
    plan = _plan([Candidate("I like tea"), Candidate("I live in Rome")], [])
    assert [c.event for c in plan.changes] == [EventType.ADD, EventType.ADD]
    assert [w.record.text for w in plan.writes] == ["I like tea", "I live in Rome"]
    assert all(w.embedding == [1.0, 0.0] and w.previous is None for w in plan.writes)
    assert [(h.event, h.before, h.after.text if h.after else None) for h in plan.history] == [
        (EventType.ADD, None, "I like tea"),
        (EventType.ADD, None, "I live in Rome"),
    ]
    assert plan.writes[0].record.metadata == {"m": 1}
    assert plan.writes[0].record.created_at == NOW


def test_exact_duplicate_of_stored_memory_is_none_and_writes_nothing() -> None:
    first = _plan([Candidate("I like tea.")], []).changes[0].record
    plan = _plan([Candidate("i like TEA")], [first], now=LATER)
    assert [(c.event, c.record.id) for c in plan.changes] == [(EventType.NONE, first.id)]
    assert plan.writes == []
    assert plan.history[0].event is EventType.NONE
    assert plan.history[0].before == plan.history[0].after == first


def test_duplicates_within_one_call_collapse() -> None:
    plan = _plan([Candidate("I like tea"), Candidate("I like tea!")], [])
    assert [c.event for c in plan.changes] == [EventType.ADD, EventType.NONE]
    assert plan.changes[1].record.id == plan.changes[0].record.id
    assert len(plan.writes) == 1


def test_same_key_supersedes() -> None:
    berlin = _plan([Candidate("city: Berlin", key="city", value="Berlin")], []).changes[0].record
    plan = _plan([Candidate("city: Paris", key="city", value="Paris")], [berlin], now=LATER)
    (change,) = plan.changes
    assert change.event is EventType.UPDATE
    assert change.previous == berlin
    assert change.superseded is not None
    assert change.superseded.status is MemoryStatus.SUPERSEDED
    assert change.superseded.superseded_by == change.record.id
    assert change.superseded.updated_at == LATER
    new_write, old_write = plan.writes
    assert new_write.record.text == "city: Paris"
    assert new_write.embedding is not None
    assert old_write.embedding is None
    assert old_write.previous == berlin
    (entry,) = plan.history
    assert entry.memory_id == change.record.id
    assert entry.previous_memory_id == berlin.id
    assert entry.old_memory == "city: Berlin"
    assert entry.new_memory == "city: Paris"


def test_same_key_same_value_is_none() -> None:
    berlin = _plan([Candidate("city: Berlin", key="city", value="Berlin")], []).changes[0].record
    plan = _plan([Candidate("city: Berlin", key="city", value="Berlin")], [berlin])
    assert [c.event for c in plan.changes] == [EventType.NONE]


def test_two_values_for_one_key_in_one_call_keep_the_last() -> None:
    plan = _plan(
        [
            Candidate("city: Berlin", key="city", value="B"),
            Candidate("city: Paris", key="city", value="P"),
        ],
        [],
    )
    assert [c.event for c in plan.changes] == [EventType.ADD, EventType.UPDATE]
    final = {w.record.id: w.record for w in plan.writes}
    assert final[plan.changes[0].record.id].status is MemoryStatus.SUPERSEDED


def test_inactive_records_are_not_matched() -> None:
    old = _plan([Candidate("I like tea")], []).changes[0].record
    gone = old.model_copy(update={"status": MemoryStatus.DELETED})
    plan = _plan([Candidate("I like tea")], [gone])
    assert [c.event for c in plan.changes] == [EventType.ADD]


def test_edit_keeps_id_clears_value_and_records_before_after() -> None:
    rec = _plan([Candidate("city: Berlin", key="city", value="Berlin")], []).changes[0].record
    plan = plan_edit(
        rec,
        "city: Berlin Mitte",
        now=LATER,
        embedding=[0.0, 1.0],
        old_embedding=[1.0, 0.0],
        metadata=None,
    )
    (write,) = plan.writes
    assert write.record.id == rec.id
    assert write.record.value is None
    assert write.record.key == "city"
    assert write.previous_embedding == [1.0, 0.0]
    assert plan.history[0].previous_memory_id is None
    assert plan.history[0].old_memory == "city: Berlin"


def test_delete_is_soft() -> None:
    rec = _plan([Candidate("I like tea")], []).changes[0].record
    plan = plan_delete([rec], now=LATER)
    assert plan.writes[0].record.status is MemoryStatus.DELETED
    assert plan.writes[0].embedding is None
    assert plan.history[0].event is EventType.DELETE
    assert plan.history[0].before == rec
