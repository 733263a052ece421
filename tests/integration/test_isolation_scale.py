"""Scope isolation at scale: 50 users with near-identical memories, 10,000 searches.

Every user holds the same 20 templates with their own name and number inside, so
another user's memory is always a near-perfect match (often a perfect one: queries
include other users' memory texts verbatim). No search, filtered search or filtered
``get_all`` may ever return a memory of another user; the leaks are counted over the
whole run and must be 0.
"""

from __future__ import annotations

import operator
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from mem0_integrations import Memory

from ..crash_writer import WordHashEmbedder

pytestmark = pytest.mark.integration

USERS = 50
QUERIES = 10_000
FILTERED_SEARCHES = 300
FILTERED_LISTS = 400
LIMIT = 10

NAMES = (
    "Alice",
    "Bruno",
    "Chloe",
    "Dmitri",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wes",
    "Xena",
    "Yusuf",
    "Zoe",
    "Amir",
    "Bea",
    "Cyril",
    "Dora",
    "Emil",
    "Fatima",
    "Gus",
    "Hana",
    "Ivan",
    "Jade",
    "Karl",
    "Luz",
    "Milo",
    "Nora",
    "Otto",
    "Pia",
    "Raj",
    "Sara",
    "Theo",
    "Una",
    "Victor",
    "Wanda",
    "Yara",
    "Zane",
)

#: (topic, template): 4 templates per topic, each naming its user and the user's number.
TEMPLATES: tuple[tuple[str, str], ...] = (
    ("home", "{name} lives at number {n} on Elm Street"),
    ("home", "{name} moved into flat {n} last spring"),
    ("home", "The flat of {name} is on floor {n}"),
    ("home", "{name} keeps {n} plants on the balcony"),
    ("food", "{name} is allergic to peanuts since age {n}"),
    ("food", "{name} drinks {n} cups of coffee a week"),
    ("food", "The favourite pizza of {name} is number {n} on the menu"),
    ("food", "{name} never eats dinner after {n} minutes past eight"),
    ("work", "{name} works at desk {n} on the third floor"),
    ("work", "The employee id of {name} is {n}"),
    ("work", "{name} manages a team of {n} engineers"),
    ("work", "{name} takes the {n} bus to the office"),
    ("health", "{name} runs {n} kilometres every Sunday"),
    ("health", "The doctor of {name} is in room {n}"),
    ("health", "{name} sleeps {n} hours a night on average"),
    ("health", "{name} takes {n} milligrams of vitamin D"),
    ("travel", "{name} visited {n} countries so far"),
    ("travel", "The passport of {name} expires in {n} days"),
    ("travel", "{name} prefers seat {n} on long flights"),
    ("travel", "{name} has {n} airline miles saved"),
)
TOPICS = tuple(dict.fromkeys(topic for topic, _ in TEMPLATES))
TIERS = 3


@dataclass(frozen=True)
class Stored:
    id: str
    user: str
    text: str
    topic: str
    tier: int


def user_id(u: int) -> str:
    return f"user-{u:02d}"


def fill(template: str, u: int) -> str:
    return template.format(name=NAMES[u], n=100 + u)


def meta(u: int, topic: str) -> dict[str, Any]:
    return {"topic": topic, "tier": u % TIERS, "kind": "note"}


@pytest.fixture(scope="module")
def populated(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Memory, dict[str, list[Stored]]]]:
    """One embedded store: every user's 20 memories, added one topic (4 texts) per call."""
    memory = Memory(
        path=tmp_path_factory.mktemp("isolation") / "store", embedder=WordHashEmbedder()
    )
    owned: dict[str, list[Stored]] = {}
    for u in range(USERS):
        for topic in TOPICS:
            texts = [fill(t, u) for tp, t in TEMPLATES if tp == topic]
            result = memory.add(texts, user_id=user_id(u), metadata=meta(u, topic), infer=False)
            assert [e.memory for e in result.events] == texts
            owned.setdefault(user_id(u), []).extend(
                Stored(i, user_id(u), text, topic, u % TIERS)
                for i, text in zip(result.ids, texts, strict=True)
            )
    assert sum(len(v) for v in owned.values()) == USERS * len(TEMPLATES) == 1_000
    yield memory, owned
    memory.close()


def random_query(rng: random.Random, u: int, owned: Mapping[str, list[Stored]]) -> str:
    """A query near other users' memories: templates with another user's (or no) name,
    another user's memory verbatim, or the user's own memory."""
    other = rng.choice([v for v in range(USERS) if v != u])
    _, template = rng.choice(TEMPLATES)
    roll = rng.random()
    if roll < 0.35:
        return rng.choice(owned[user_id(other)]).text  # another user's memory, verbatim
    if roll < 0.6:
        return fill(template, other)
    if roll < 0.75:
        return template.format(name="", n="").replace("  ", " ").strip()  # anyone's
    if roll < 0.85:
        return f"What do you know about {NAMES[other]} and number {100 + other}?"
    return fill(template, u)  # their own


def random_filter(rng: random.Random) -> dict[str, Any]:
    """A filter on the stored metadata; several match every user's memories alike."""
    topic, other = rng.sample(TOPICS, 2)
    tier = rng.randrange(TIERS)
    return rng.choice(
        [
            {"topic": topic},
            {"topic": {"$in": [topic, other]}},
            {"topic": {"$ne": topic}},
            {"topic": {"$nin": [topic, other]}},
            {"tier": tier},
            {"tier": {"$gte": tier}},
            {"tier": {"$lt": tier}},
            {"kind": "note"},
            {"kind": {"$eq": "note"}, "topic": topic},
            {"$or": [{"topic": topic}, {"tier": tier}]},
            {"$and": [{"kind": "note"}, {"topic": {"$nin": [topic]}}]},
        ]
    )


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "$eq": operator.eq,
    "$ne": operator.ne,
    "$in": lambda have, want: have in want,
    "$nin": lambda have, want: have not in want,
    "$gte": operator.ge,
    "$lt": operator.lt,
}


def matches(stored: Stored, where: Mapping[str, Any]) -> bool:
    """The test's own reading of a filter built by :func:`random_filter`."""
    values: dict[str, Any] = {"topic": stored.topic, "tier": stored.tier, "kind": "note"}
    for name, cond in where.items():
        if name == "$or":
            ok = any(matches(stored, c) for c in cond)
        elif name == "$and":
            ok = all(matches(stored, c) for c in cond)
        else:
            ((op, want),) = (cond if isinstance(cond, Mapping) else {"$eq": cond}).items()
            ok = OPERATORS[op](values[name], want)
        if not ok:
            return False
    return True


def leaks(hits_or_records: list[Any], user: str, mine: set[str]) -> list[tuple[str, str]]:
    """The (id, owner) of every returned memory that is not ``user``'s."""
    out = []
    for item in hits_or_records:
        record = getattr(item, "record", item)
        if record.id not in mine or record.scope.user_id != user:
            out.append((record.id, str(record.scope.user_id)))
    return out


def test_searches_never_return_another_users_memory(
    populated: tuple[Memory, dict[str, list[Stored]]],
) -> None:
    memory, owned = populated
    mine = {user: {s.id for s in stored} for user, stored in owned.items()}
    rng = random.Random(20_250_102)
    leaked: list[tuple[str, str, str, str]] = []
    short = 0
    own_verbatim_missed = []
    for _ in range(QUERIES):
        u = rng.randrange(USERS)
        user = user_id(u)
        query = random_query(rng, u, owned)
        hits = memory.search(query, user_id=user, limit=LIMIT, reinforce=False)
        leaked += [(user, query, i, owner) for i, owner in leaks(hits, user, mine[user])]
        short += len(hits) != LIMIT  # 20 memories each, no threshold: always LIMIT hits
        if query in {s.text for s in owned[user]} and query not in {h.memory for h in hits}:
            own_verbatim_missed.append((user, query))
    count = len(leaked)
    assert count == 0, f"{count} hits of another user, e.g. {leaked[:5]}"
    assert short == 0, f"{short} searches returned fewer than {LIMIT} hits"
    assert own_verbatim_missed == [], (
        f"own memory searched verbatim not found: {own_verbatim_missed[:5]}"
    )


def test_filtered_searches_never_return_another_users_memory(
    populated: tuple[Memory, dict[str, list[Stored]]],
) -> None:
    memory, owned = populated
    mine = {user: {s.id for s in stored} for user, stored in owned.items()}
    rng = random.Random(8)
    leaked: list[tuple[str, dict[str, Any], str, str]] = []
    wrong = []
    for _ in range(FILTERED_SEARCHES):
        u = rng.randrange(USERS)
        user = user_id(u)
        where = random_filter(rng)
        query = random_query(rng, u, owned)
        hits = memory.search(query, user_id=user, limit=LIMIT, filters=where, reinforce=False)
        leaked += [(user, where, i, owner) for i, owner in leaks(hits, user, mine[user])]
        expected = {s.id for s in owned[user] if matches(s, where)}
        if len(hits) != min(LIMIT, len(expected)) or not {h.id for h in hits} <= expected:
            wrong.append((user, where, len(hits), len(expected)))
    count = len(leaked)
    assert count == 0, f"{count} hits of another user, e.g. {leaked[:5]}"
    assert wrong == [], f"{len(wrong)} hit lists break the filter's own reading: {wrong[:5]}"


def test_filtered_get_all_never_returns_another_users_memory(
    populated: tuple[Memory, dict[str, list[Stored]]],
) -> None:
    memory, owned = populated
    mine = {user: {s.id for s in stored} for user, stored in owned.items()}
    rng = random.Random(88)
    leaked: list[tuple[str, dict[str, Any], str, str]] = []
    wrong = []
    nonempty = 0
    for _ in range(FILTERED_LISTS):
        u = rng.randrange(USERS)
        user = user_id(u)
        where = random_filter(rng)
        records = memory.get_all(user_id=user, filters=where, limit=None)
        leaked += [(user, where, i, owner) for i, owner in leaks(records, user, mine[user])]
        expected = {s.id for s in owned[user] if matches(s, where)}
        nonempty += bool(expected)
        if sorted(r.id for r in records) != sorted(expected):
            wrong.append((user, where, len(records), len(expected)))
    count = len(leaked)
    assert count == 0, f"{count} records of another user, e.g. {leaked[:5]}"
    assert wrong == [], f"{len(wrong)} lists differ from the filter's own reading: {wrong[:5]}"
    assert nonempty > FILTERED_LISTS // 2  # most filters select some of the user's memories
