"""Ranking, decay and time-aware search, all on an injected clock (no sleeping)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest

from mem0_integrations import InvalidInputError, Memory, MemoryStatus
from mem0_integrations.core.config import DecayConfig, RankingConfig
from mem0_integrations.core.extract.extraction import MAX_CONTEXT_CHARS, verbatim_candidates
from mem0_integrations.core.models import MemoryRecord, Message, Scope, content_hash
from mem0_integrations.core.rank.keywords import stem, terms
from mem0_integrations.core.rank.ranking import (
    decay_class,
    half_life,
    recency,
    reinforcement,
    retention,
    score,
)

from .conftest import FakeClock

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def record(text: str = "Likes tea", **fields: object) -> MemoryRecord:
    data: dict[str, object] = {
        "id": "m1",
        "text": text,
        "scope": Scope(user_id="u1"),
        "created_at": T0,
        "updated_at": T0,
        "stated_at": T0,
        "hash": content_hash(text),
    }
    data.update(fields)
    return MemoryRecord.model_validate(data)


# --- keywords -------------------------------------------------------------------------------


def test_terms_fold_case_drop_stop_words_and_stem() -> None:
    assert terms("Caroline's dogs were RUNNING to the parties") == [
        "caroline",
        "dog",
        "run",
        "party",
    ]
    assert [stem(w) for w in ("stopped", "classes", "bus")] == ["stop", "class", "bus"]
    assert sorted(set(terms("tea, Tea and teas"))) == ["tea"]


# --- signals and decay ----------------------------------------------------------------------


def test_recency_halves_every_half_life_and_reinforcement_saturates() -> None:
    r = record()
    assert recency(r, T0, 30) == 1.0
    assert recency(r, T0 + timedelta(days=30), 30) == pytest.approx(0.5)
    assert recency(r, T0 + timedelta(days=90), 30) == pytest.approx(0.125)
    steps = [reinforcement(n, 5) for n in (0, 1, 5, 50, 500)]
    assert steps[0] == 0.0
    assert steps[2] == pytest.approx(0.5)
    assert steps == sorted(steps)
    assert steps[-1] < 1.0
    assert steps[1] - steps[0] > steps[4] - steps[3]  # diminishing returns


def test_categories_decay_at_their_own_pace() -> None:
    decay = DecayConfig()
    allergy = record("Allergic to penicillin", category="health")
    mood = record("Feels tired", category="mood")
    this_week = record("Is in Rome this week", category="other")
    assert decay_class(this_week) == "transient"
    assert half_life(allergy, decay) is None
    year = T0 + timedelta(days=365)
    assert retention(allergy, year, decay).retention == 1.0
    assert retention(record("Name is Alice", category="relations"), year, decay).retention > 0.9
    assert retention(mood, T0 + timedelta(days=10), decay).retention < decay.archive_threshold
    assert retention(this_week, T0 + timedelta(days=31), decay).retention < decay.archive_threshold
    custom = DecayConfig(half_lives={"mood": None})
    assert retention(mood, year, custom).retention == 1.0
    assert custom.half_lives["health"] is None  # unnamed classes keep their default


def test_use_importance_and_a_future_date_slow_decay() -> None:
    decay = DecayConfig()
    plain = record("Wants to learn Rust", category="goal")
    used = plain.model_copy(update={"access_count": 10})
    important = plain.model_copy(update={"importance": 1.0})
    base = half_life(plain, decay)
    assert base == pytest.approx(365.0)
    assert half_life(used, decay) == pytest.approx(365.0 * (1 + math.log(11)))
    assert half_life(important, decay) == pytest.approx(365.0 * 1.5)
    exam = record("Exam on 2026-03-01", category="plan", event_start=date(2026, 3, 1),
                  event_end=date(2026, 3, 1))  # fmt: skip
    assert retention(exam, datetime(2026, 2, 28, tzinfo=UTC), decay).retention == 1.0
    assert retention(exam, datetime(2026, 3, 16, tzinfo=UTC), decay).retention == pytest.approx(
        0.5, abs=0.02
    )


def test_score_is_the_weighted_mean_of_its_signals() -> None:
    r = record(importance=1.0, access_count=5)
    ranking = RankingConfig(
        similarity_weight=1, keyword_weight=0, recency_weight=1, importance_weight=1,
        reinforcement_weight=1,
    )  # fmt: skip
    value = score(r, similarity=0.5, keyword=None, now=T0, ranking=ranking)
    assert value == pytest.approx((0.5 + 1.0 + 1.0 + 0.5) / 4)
    with pytest.raises(Exception, match="both 0"):
        RankingConfig(similarity_weight=0, keyword_weight=0)


# --- search ---------------------------------------------------------------------------------


def test_explain_gives_parts_that_sum_to_the_score(memory: Memory) -> None:
    memory.add("I like green tea in the morning", user_id="u1", infer=False)
    (hit,) = memory.search("green tea", user_id="u1", limit=1, explain=True)
    assert hit.explanation is not None
    parts = hit.explanation.parts
    assert set(parts) == {"similarity", "keyword", "recency", "importance", "reinforcement"}
    assert sum(p.contribution for p in parts.values()) == pytest.approx(hit.score)
    assert parts["similarity"].value == pytest.approx(hit.similarity)
    assert hit.explanation.matched_terms == ["green", "tea"]
    assert "similarity" in str(hit.explanation)
    assert memory.search("green tea", user_id="u1", limit=1)[0].explanation is None


def test_keyword_match_finds_a_rare_name_among_similar_memories(memory: Memory) -> None:
    filler = [f"My colleague talked about the weather and the news on day {i}" for i in range(30)]
    memory.add(filler, user_id="u1", infer=False)
    target = memory.add("Zorblax is the name of my sister's parrot", user_id="u1", infer=False)
    query = "what did my colleague say about Zorblax on that day"
    plain = Memory(
        client=memory._store.client,
        embedder=memory.embedder,
        config={
            "store": {"collection_prefix": memory.config.store.collection_prefix},
            "ranking": {"keyword_weight": 0, "recency_weight": 0, "importance_weight": 0,
                        "reinforcement_weight": 0},
        },
    )  # fmt: skip
    assert target.ids[0] not in [h.id for h in plain.search(query, user_id="u1", limit=3)]
    assert memory.search(query, user_id="u1", limit=3)[0].id == target.ids[0]


def test_verbatim_messages_keep_the_messages_before_them_as_keyword_context() -> None:
    said = [
        Message(role="system", content="Be brief."),
        Message(role="assistant", content="Where did you go hiking last summer?"),
        Message(role="user", content="Yosemite, twice!"),
        Message(role="user", content="And Zion in May."),
    ]
    two = verbatim_candidates(said, context=2)
    assert [c.text for c in two] == [
        "Where did you go hiking last summer?",
        "Yosemite, twice!",
        "And Zion in May.",
    ]
    assert [c.context for c in two] == [
        None,  # the system message is not context
        "Where did you go hiking last summer?",
        "Where did you go hiking last summer?\nYosemite, twice!",
    ]
    assert [c.context for c in verbatim_candidates(said, context=1)][2] == "Yosemite, twice!"
    assert {c.context for c in verbatim_candidates(said)} == {None}
    long = [Message(content="x" * 3000), Message(role="assistant", content="y")]
    assert verbatim_candidates(long, context=1)[1].context == "x" * MAX_CONTEXT_CHARS
    # one speaker: a list of separate statements, no context
    facts = [Message(content="I'm allergic to penicillin."), Message(content="I have a dog.")]
    assert {c.context for c in verbatim_candidates(facts, context=2)} == {None}
    # two speakers told apart by name (a transcript of two people)
    named = [Message(name="Ann", content="Been hiking?"), Message(name="Bob", content="Yes!")]
    assert verbatim_candidates(named, context=2)[1].context == "Been hiking?"


def test_an_answer_is_found_by_the_words_of_the_question_it_answered(memory: Memory) -> None:
    filler = [f"We talked about the weather and the news on day {i}" for i in range(20)]
    memory.add(filler, user_id="u1", infer=False)
    turn = [
        {"role": "assistant", "content": "Where did you go hiking last summer?"},
        {"role": "user", "content": "Yosemite, twice!"},
    ]
    answer = memory.add(turn, user_id="u1", infer=False).ids[1]
    query = "hiking trips last summer"

    hits = memory.search(query, user_id="u1", limit=3, explain=True)
    assert [h.id for h in hits][:2].count(answer) == 1
    hit = next(h for h in hits if h.id == answer)
    assert hit.memory == "Yosemite, twice!"  # the context is searched, never shown
    assert hit.explanation is not None
    assert {"hiking", "summer"} <= set(hit.explanation.matched_terms)
    assert memory.get(answer).context == "Where did you go hiking last summer?"

    # a fresh process (a new Memory on the same store) rebuilds the index with the context
    again = Memory(
        client=memory._store.client,
        embedder=memory.embedder,
        config={"store": {"collection_prefix": memory.config.store.collection_prefix}},
    )
    assert answer in [h.id for h in again.search(query, user_id="u1", limit=2)]

    # without context the answer shares no word with the query
    plain = Memory(
        client=memory._store.client,
        embedder=memory.embedder,
        config={
            "store": {"collection_prefix": memory.config.store.collection_prefix + "x"},
            "extraction": {"context_messages": 0},
        },
    )
    plain.add(filler, user_id="u1", infer=False)
    bare = plain.add(turn, user_id="u1", infer=False).ids[1]
    found = plain.search(query, user_id="u1", limit=3, explain=True)
    assert all(h.explanation and not h.explanation.matched_terms for h in found if h.id == bare)
    assert plain.get(bare).context is None
    plain.reset()


@pytest.mark.parametrize("days", [10, 100, 1000])
def test_current_truth_ranks_first_after_days(memory: Memory, clock: FakeClock, days: int) -> None:
    memory.add("I live in Paris.", user_id="u1")
    for _ in range(50):  # the old fact was used a lot
        memory.search("Where do I live?", user_id="u1")
    clock.advance(days=3)
    memory.add("I moved to Lyon.", user_id="u1")
    memory.add("I like hiking in the Alps.", user_id="u1")
    clock.advance(days=days)
    hits = memory.search("Where do I live?", user_id="u1", limit=3)
    assert hits[0].memory == "Lives in Lyon"
    assert "Lives in Paris" not in [h.memory for h in hits]
    history = memory.search("Where do I live?", user_id="u1", limit=10, include_history=True)
    texts = [h.memory for h in history]
    assert texts.index("Lives in Lyon") < texts.index("Lives in Paris")
    assert history[texts.index("Lives in Paris")].record.status is MemoryStatus.SUPERSEDED


@pytest.mark.parametrize("days", [10, 100])
def test_newer_of_two_unkeyed_statements_ranks_first(
    memory: Memory, clock: FakeClock, days: int
) -> None:
    old = memory.add("my phone is a pixel", user_id="u1", infer=False).ids[0]
    clock.advance(days=20)
    new = memory.add("my phone is an iphone", user_id="u1", infer=False).ids[0]
    clock.advance(days=days)
    hits = memory.search("which phone", user_id="u1", limit=2)
    assert [h.id for h in hits] == [new, old]


def test_a_stable_fact_survives_a_year_of_disuse(memory: Memory, clock: FakeClock) -> None:
    memory.add("I am allergic to penicillin.", user_id="u1")
    memory.add("My sister is called Anna.", user_id="u1")
    clock.advance(days=365)
    assert memory.consolidate().changed == 0
    assert memory.search("penicillin allergy", user_id="u1", limit=1)[0].memory == (
        "Allergic to penicillin"
    )
    assert memory.search("sister", user_id="u1", limit=1)[0].memory.startswith("Has a sister")


def test_a_transient_fact_fades_from_search_within_its_window(
    memory: Memory, clock: FakeClock
) -> None:
    mood = memory.remember({"mood": "stressed about the move"}, user_id="u1", category="mood")
    memory.remember({"city": "Lyon"}, user_id="u1", category="identity")
    assert mood.ids[0] in [h.id for h in memory.search("stressed", user_id="u1", reinforce=False)]
    clock.advance(days=10)  # mood half-life 2 days: 5 half-lives, retention 0.03
    assert mood.ids[0] not in [h.id for h in memory.search("stressed", user_id="u1")]
    report = memory.consolidate(user_id="u1")
    assert report.archived == mood.ids
    assert memory.get(mood.ids[0]).status is MemoryStatus.ARCHIVED


def test_negative_feedback_changes_the_rank_order(memory: Memory) -> None:
    a = memory.add("I drink green tea daily", user_id="u1", infer=False).ids[0]
    b = memory.add("I drink green tea", user_id="u1", infer=False).ids[0]
    before = [h.id for h in memory.search("I drink green tea", user_id="u1", limit=2)]
    assert before == [b, a]
    memory.feedback(b, "negative")
    memory.feedback(b, "negative")
    memory.feedback(a, "positive")
    after = [h.id for h in memory.search("I drink green tea", user_id="u1", limit=2)]
    assert after == [a, b]


def test_reinforcement_from_use_raises_the_score(memory: Memory) -> None:
    memory.add("I play the cello", user_id="u1", infer=False)
    first = memory.search("cello", user_id="u1", explain=True)[0]
    for _ in range(5):
        memory.search("cello", user_id="u1")
    memory.search("cello", user_id="u1", reinforce=False)
    later = memory.search("cello", user_id="u1", explain=True, reinforce=False)[0]
    assert later.record.access_count == 6  # the reinforce=False searches did not count
    assert later.explanation is not None
    assert first.explanation is not None
    assert later.explanation.parts["reinforcement"].value > 0.5
    assert later.score > first.score


def test_time_window_and_as_of(memory: Memory, clock: FakeClock) -> None:
    jan = datetime(2026, 1, 10, tzinfo=UTC)
    memory.add([{"content": "I went skiing in Chamonix", "created_at": jan}], user_id="u1",
               infer=False)  # fmt: skip
    july = datetime(2026, 7, 10, tzinfo=UTC)
    memory.add([{"content": "I went surfing in Biarritz", "created_at": july}], user_id="u1",
               infer=False)  # fmt: skip
    memory.add("My exam is next Friday.", user_id="u1")  # said 2026-01-01: exam on 2026-01-02
    winter = memory.search("trip", user_id="u1", since=date(2026, 1, 1), until=date(2026, 3, 31))
    assert sorted(h.memory for h in winter) == ["Exam on 2026-01-02", "I went skiing in Chamonix"]
    exam = memory.search("exam", user_id="u1", limit=1)[0].record
    assert (exam.event_start, exam.event_end) == (date(2026, 1, 2), date(2026, 1, 2))
    assert exam.stated_at == clock.now

    memory.add("I live in Paris.", user_id="u1")
    clock.advance(days=30)
    memory.add("I moved to Lyon.", user_id="u1")
    then = memory.search("where do I live", user_id="u1", as_of=T0 + timedelta(days=5), limit=1)
    assert then[0].memory == "Lives in Paris"
    assert then[0].record.valid_until == clock.now
    assert memory.search("where do I live", user_id="u1", limit=1)[0].memory == "Lives in Lyon"


def test_bad_time_arguments_are_refused(memory: Memory) -> None:
    with pytest.raises(InvalidInputError, match="timezone"):
        memory.search("x", user_id="u1", since=datetime(2026, 1, 1))
    with pytest.raises(InvalidInputError, match="after until"):
        memory.search("x", user_id="u1", since=date(2026, 2, 1), until=date(2026, 1, 1))
    with pytest.raises(InvalidInputError, match="datetime or a date"):
        memory.search("x", user_id="u1", as_of="yesterday")
    with pytest.raises(InvalidInputError, match="timezone"):
        memory.add("x y z", user_id="u1", expires_at=datetime(2026, 1, 1))


def test_threshold_applies_to_the_score(memory: Memory) -> None:
    memory.add(["I like green tea", "The car is red"], user_id="u1", infer=False)
    hits = memory.search("green tea", user_id="u1", limit=5)
    cut = (hits[0].score + hits[1].score) / 2
    assert [h.memory for h in memory.search("green tea", user_id="u1", threshold=cut)] == [
        "I like green tea"
    ]
