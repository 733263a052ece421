"""The deterministic merge layer, as pure functions."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from mem0_integrations import EventType, MemoryRecord, MemoryStatus, Scope
from mem0_integrations.core.extract.extraction import Candidate
from mem0_integrations.core.merge.merging import (
    MergeRules,
    Plan,
    plan_add,
    plan_delete,
    plan_edit,
    plan_settle,
)

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


# --- near duplicates, retractions and LLM-chosen targets ----------------------------------


def _stored(text: str, key: str | None = None) -> MemoryRecord:
    cand = Candidate(text, key=key)
    return _plan([cand], []).changes[0].record


def _plan_near(
    cands: list[Candidate],
    existing: list[MemoryRecord],
    near: dict[int, list[tuple[MemoryRecord, float]]],
    rules: MergeRules | None = None,
) -> Plan:
    return plan_add(
        cands,
        existing,
        scope=SCOPE,
        now=LATER,
        metadata={},
        embeddings=vectors(*(c.text for c in cands)),
        neighbours=near,
        rules=rules,
        make_id=make_id,
    )


def test_near_duplicate_above_duplicate_threshold_is_none() -> None:
    old = _stored("Loves hiking in the Alps")
    plan = _plan_near([Candidate("Loves hiking in the alps!!")], [old], {0: [(old, 0.97)]})
    assert [(c.event, c.record.id) for c in plan.changes] == [(EventType.NONE, old.id)]
    assert plan.writes == []
    assert plan.reinforced == [old]


def test_similar_fact_that_adds_words_supersedes_the_old_one() -> None:
    old = _stored("Plays tennis")
    plan = _plan_near([Candidate("Plays tennis every Sunday")], [old], {0: [(old, 0.88)]})
    (change,) = plan.changes
    assert change.event is EventType.UPDATE
    assert change.previous == old
    assert change.superseded is not None
    assert change.superseded.status is MemoryStatus.SUPERSEDED
    assert change.superseded.superseded_by == change.record.id


def test_similar_fact_that_adds_no_words_is_none() -> None:
    old = _stored("Plays tennis every Sunday")
    plan = _plan_near([Candidate("plays tennis")], [old], {0: [(old, 0.88)]})
    assert [c.event for c in plan.changes] == [EventType.NONE]


def test_similarity_below_update_threshold_adds() -> None:
    old = _stored("Plays tennis")
    plan = _plan_near([Candidate("Plays chess online")], [old], {0: [(old, 0.7)]})
    assert [c.event for c in plan.changes] == [EventType.ADD]


def test_different_keys_are_never_near_duplicates() -> None:
    max_ = _stored("Has a dog named Max", key="pet:max")
    plan = _plan_near(
        [Candidate("Has a dog named Rex", key="pet:rex")], [max_], {0: [(max_, 0.96)]}
    )
    assert [c.event for c in plan.changes] == [EventType.ADD]


def test_near_duplicates_can_be_switched_off() -> None:
    old = _stored("Loves hiking in the Alps")
    plan = _plan_near(
        [Candidate("Loves hiking in the Alps a lot")],
        [old],
        {0: [(old, 0.99)]},
        MergeRules(near_duplicates=False),
    )
    assert [c.event for c in plan.changes] == [EventType.ADD]


def test_neighbours_not_among_existing_active_records_are_ignored() -> None:
    gone = _stored("Plays tennis")
    plan = _plan_near([Candidate("Plays tennis every Sunday")], [], {0: [(gone, 0.99)]})
    assert [c.event for c in plan.changes] == [EventType.ADD]


def test_retraction_by_key_soft_deletes_with_history() -> None:
    med = _stored("Takes metformin", key="medication:metformin")
    plan = _plan_near(
        [Candidate("Takes metformin", key="medication:metformin", action=EventType.DELETE)],
        [med],
        {},
    )
    (change,) = plan.changes
    assert change.event is EventType.DELETE
    assert change.record.status is MemoryStatus.DELETED
    assert change.previous == med
    assert [(w.record.id, w.embedding, w.previous) for w in plan.writes] == [(med.id, None, med)]
    assert plan.history[0].event is EventType.DELETE


def test_retraction_by_similarity_needs_the_threshold() -> None:
    meat = _stored("Eats meat")
    retract = Candidate("Eats meat", action=EventType.DELETE)
    assert [c.event for c in _plan_near([retract], [meat], {0: [(meat, 0.9)]}).changes] == [
        EventType.DELETE
    ]
    plan = _plan_near([retract], [meat], {0: [(meat, 0.3)]})
    assert plan.changes == []
    assert [s.reason for s in plan.skipped] == ["retraction matches no stored memory"]


def test_retraction_never_deletes_a_memory_with_another_key() -> None:
    city = _stored("Lives in Paris", key="location")
    plan = _plan_near(
        [Candidate("Takes aspirin", key="medication:aspirin", action=EventType.DELETE)],
        [city],
        {0: [(city, 0.95)]},
    )
    assert plan.changes == []


def test_llm_update_supersedes_the_named_target_even_without_key() -> None:
    old = _stored("Works at Acme")
    plan = _plan_near(
        [Candidate("Works at Globex", action=EventType.UPDATE, target=old.id, key="employer")],
        [old],
        {},
    )
    (change,) = plan.changes
    assert change.event is EventType.UPDATE
    assert change.previous == old
    assert change.record.key == "employer"


def test_llm_update_of_unknown_target_adds() -> None:
    plan = _plan_near(
        [Candidate("Works at Globex", action=EventType.UPDATE, target="missing")], [], {}
    )
    assert [c.event for c in plan.changes] == [EventType.ADD]


def test_llm_none_and_delete_of_targets() -> None:
    keep, drop = _stored("Likes tea"), _stored("Lives in Berlin")
    plan = _plan_near(
        [
            Candidate("Likes tea", action=EventType.NONE, target=keep.id),
            Candidate("Lives in Berlin", action=EventType.DELETE, target=drop.id),
            Candidate("whatever", action=EventType.NONE, target="not-offered"),
        ],
        [keep, drop],
        {},
    )
    assert [(c.event, c.record.id) for c in plan.changes] == [
        (EventType.NONE, keep.id),
        (EventType.DELETE, drop.id),
    ]


def test_records_of_another_exact_scope_are_never_merged() -> None:
    other = _stored("Lives in Paris", key="location").model_copy(
        update={"scope": Scope(user_id="u1", agent_id="a1")}
    )
    plan = _plan_near([Candidate("Lives in Rome", key="location")], [other], {0: [(other, 0.9)]})
    assert [c.event for c in plan.changes] == [EventType.ADD]


def test_retraction_naming_a_value_spares_a_newer_value_of_the_key() -> None:
    lyon = _plan([Candidate("Lives in Lyon", key="location", value="Lyon")], []).changes[0].record
    retract = Candidate("Lives in Paris", key="location", value="Paris", action=EventType.DELETE)
    assert _plan_near([retract], [lyon], {}).changes == []
    paris = _plan([Candidate("Lives in Paris", key="location", value="Paris")], [])
    record = paris.changes[0].record
    assert [c.event for c in _plan_near([retract], [record], {}).changes] == [EventType.DELETE]


# --- settling concurrent values of one key (shared stores) --------------------------------


def test_settle_keeps_the_latest_value_of_each_key_in_any_order() -> None:
    berlin = _stored("Lives in Berlin", key="city").model_copy(update={"stated_at": NOW})
    paris = _stored("Lives in Paris", key="city").model_copy(update={"stated_at": LATER})
    rome = _stored("Lives in Rome", key="city").model_copy(update={"stated_at": NOW})
    nurse = _stored("Works as a nurse", key="job")
    plans = [
        plan_settle(order, now=LATER)
        for order in itertools.permutations([berlin, paris, rome, nurse])
    ]
    for plan in plans:  # every process, whatever order it read, writes the same change
        assert [(w.record.id, w.record.status, w.record.superseded_by) for w in plan.writes] == [
            (r.id, MemoryStatus.SUPERSEDED, paris.id)
            for r in sorted([berlin, rome], key=lambda r: r.id)
        ]
        assert [(h.memory_id, h.previous_memory_id, h.event) for h in plan.history] == [
            (paris.id, r.id, EventType.UPDATE) for r in sorted([berlin, rome], key=lambda r: r.id)
        ]
        assert [h.id for h in plan.history] == [h.id for h in plans[0].history]
        assert all(w.record.valid_until == LATER for w in plan.writes)


def test_settle_with_one_value_per_key_changes_nothing() -> None:
    records = [_stored("Lives in Berlin", key="city"), _stored("Likes tea"), _stored("Likes tea")]
    assert plan_settle(records, now=LATER).writes == []
