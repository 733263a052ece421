"""Hypothesis fuzzing of what callers pass to ``Memory``: texts, metadata, ids, filters
and scope ids.

The property, for every input: the call either raises a clean typed input error
(:class:`InvalidInputError`, :class:`ScopeError` is one, or
:class:`MemoryNotFoundError` for an id) and changes nothing, or succeeds with a
normalised result, and then

* what was acknowledged is what is stored (read back with ``get``),
* no read returns a memory of another scope: the store is seeded first with a
  victim's memories (user, agent and session scopes) that share words with every
  query, so widening a read is seen.

Any other exception, :class:`StoreError` and :class:`EmbeddingError` included (no
store or embedder fault is injected here, so those mean bad input got past
validation), fails the test.

On a real embedded store (``Memory(path=...)``, journal and in-process index
included) with the fast ``WordHashEmbedder``; a few hundred examples in all.
"""

from __future__ import annotations

import functools
import json
import math
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mem0_integrations import (
    InvalidInputError,
    Memory,
    MemoryNotFoundError,
    MemoryRecord,
    Scope,
)
from tests.crash_writer import WordHashEmbedder

pytestmark = pytest.mark.integration

T = TypeVar("T")

#: The only exceptions a caller's bad input may raise.
ACCEPTED = (InvalidInputError, MemoryNotFoundError)

VICTIM = "victim"
#: Seeded memories of other scopes, each sharing the words of every query below.
VICTIM_SCOPES = (
    {"user_id": VICTIM},
    {"user_id": VICTIM, "agent_id": "agent-v"},
    {"agent_id": "agent-v"},
    {"session_id": "session-v"},
    {"user_id": VICTIM, "session_id": "session-v"},
)
SECRET = "secret note tea paris password"

FUZZ = settings(
    max_examples=50,
    deadline=None,
    database=None,  # nothing written into the repository; failures print their input
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- strategies ---------------------------------------------------------------------------

#: Characters that have broken text handling somewhere: NUL and other controls, lone
#: surrogates, bidi and zero-width marks, BOM, line/paragraph separators, combining
#: marks, fullwidth and astral characters.
ODD_CHARS = (
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",
    "\ud800",
    "\udfff",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202e",
    "\u2066",
    "\u2069",
    "\ufeff",
    "\u2028",
    "\u2029",
    "\u0301",
    "\uff21",
    "\U0001f600",
    "\U0010ffff",
    "$",
    "*",
    "%",
    "\\",
    '"',
    "'",
    "{",
    "}",
)
WORDS = ("secret", "note", "tea", "paris", "password", "victim", "user_id", "$ne", "*")

texts = st.lists(
    st.one_of(
        st.sampled_from(ODD_CHARS),
        st.sampled_from(WORDS),
        st.sampled_from((" ", "  ", "\t", "\n")),
        st.text(max_size=4),
    ),
    max_size=12,
).map("".join)

#: Keys that look like ours, Chroma's or an operator's.
ODD_KEYS = (
    "$ne",
    "$or",
    "$and",
    "$contains",
    "chroma:document",
    "chroma:embedding",
    "chroma:id",
    "user_id",
    "agent_id",
    "session_id",
    "run_id",
    "meta.user_id",
    "meta.",
    "hash",
    "status",
    "key",
    "category",
    "metadata_json",
    "document",
    "id",
    "",
    " ",
    "a.b",
    "x\x00",
    "\ud800",
    "k" * 300,
)
keys = st.one_of(st.sampled_from(ODD_KEYS), st.text(max_size=6))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
    st.sampled_from(("x" * 7_000, VICTIM, "agent-v")),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=6,
)
metadatas = st.one_of(
    st.none(),
    st.dictionaries(keys, values, max_size=4),
    st.sampled_from(([("a", 1)], "a=1", 1, {1: "x"}, {("a",): 1}, {"a": {1, 2}}, {"a": b"x"})),
)

#: Scope ids and other strings a caller could pass where an id goes.
odd_ids = st.one_of(
    texts,
    st.sampled_from(("", " ", "*", "%", "$ne", "victim ", "x" * 300)),
    # valid ids next to the victim's: other case, zero-width or fullwidth characters
    st.sampled_from(
        ("victim", "VICTIM", "Victim", "victim\u200b", "\uff56ictim", "victi", "agent-v")
    ),
    st.integers(),
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True),
    st.dictionaries(st.sampled_from(("$ne", "$in", "$eq", "$regex")), st.just(VICTIM), max_size=2),
    st.lists(st.just(VICTIM), max_size=2),
)

filter_fields = st.one_of(
    st.sampled_from(ODD_KEYS),
    st.sampled_from(("importance", "access_count", "source_role", "topic", "n")),
    st.text(max_size=5),
)
operators = st.sampled_from(
    ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$contains", "$regex", "$or")
)
#: The seeded memories' own metadata values, so that a widened filter matches them.
seeded_values = st.sampled_from(("tea", "paris", 0, 1, 2))
filter_values = st.one_of(
    seeded_values,
    scalars,
    st.lists(st.one_of(st.just(VICTIM), seeded_values, scalars), max_size=3),
    st.dictionaries(operators, st.one_of(st.just(VICTIM), seeded_values, scalars), max_size=2),
)
#: Anything shaped like a filter, mostly refused.
odd_filters = st.recursive(
    st.dictionaries(filter_fields, filter_values, max_size=3),
    lambda inner: st.one_of(
        st.dictionaries(st.sampled_from(("$or", "$and", "$not")), st.lists(inner, max_size=3)),
        st.dictionaries(filter_fields, inner, max_size=2),
    ),
    max_leaves=6,
)
#: Valid filters over the seeded memories' fields and values: the ones that would
#: return the victim's memories if a filter could widen a read.
valid_filters = st.recursive(
    st.dictionaries(
        st.sampled_from(("topic", "n", "category", "importance", "hash", "key")),
        st.one_of(
            seeded_values,
            st.dictionaries(
                st.sampled_from(("$eq", "$ne", "$gt", "$gte", "$lt", "$lte")),
                seeded_values,
                min_size=1,
                max_size=1,
            ),
            st.dictionaries(
                st.sampled_from(("$in", "$nin")),
                st.lists(seeded_values, min_size=1, max_size=3),
                min_size=1,
                max_size=1,
            ),
        ),
        min_size=1,
        max_size=2,
    ),
    lambda inner: st.dictionaries(
        st.sampled_from(("$or", "$and")), st.lists(inner, min_size=2, max_size=3), min_size=1
    ),
    max_leaves=5,
)
filters = st.one_of(odd_filters, valid_filters)

# --- the store ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """In RAM (/dev/shm) when there is one: fsync on disk made every write 3x slower,
    and durability is not this file's subject; else a temp folder."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path_factory.mktemp("fuzz")
        return
    with tempfile.TemporaryDirectory(dir=shm, prefix="mem0i-fuzz-") as path:
        yield Path(path)


@pytest.fixture(scope="module")
def memory(folder: Path) -> Iterator[Memory]:
    """One embedded store for the module, seeded with the victim's memories."""
    m = Memory(path=folder / "store", embedder=WordHashEmbedder())
    for i, scope in enumerate(VICTIM_SCOPES):
        m.add(f"{SECRET} {i}", infer=False, metadata={"topic": "tea", "n": i}, **scope)
        m.add(
            [f"{VICTIM} {SECRET} list {i}", f"another {SECRET} {i}"],
            infer=False,
            metadata={"topic": "paris"},
            **scope,
        )
    yield m
    m.close()


class Victims(tuple[tuple[str, str, str, str], ...]):
    """Every memory of every victim scope, in every status (a short repr for reports)."""

    def __repr__(self) -> str:
        return f"<{len(self)} victim memories>"


def victims(m: Memory) -> Victims:
    found: dict[str, MemoryRecord] = {}
    for scope in VICTIM_SCOPES:
        found.update((r.id, r) for r in m.get_all(**scope, include_inactive=True, limit=None))
    return Victims(
        sorted((r.id, r.text, r.status.value, normal(r.metadata)) for r in found.values())
    )


@pytest.fixture(scope="module")
def seeded(memory: Memory) -> Victims:
    return victims(memory)


def attacker() -> str:
    """A fresh user id per example, so its memories start empty."""
    return "mallory-" + uuid.uuid4().hex[:8]


def attempt(call: Callable[[], T]) -> T | None:
    """``call()``; None if it raised an accepted input error. Anything else propagates
    and fails the test."""
    try:
        return call()
    except ACCEPTED:
        return None


def normal(value: Any) -> str:
    """JSON text of a value, for comparing metadata (tuples are lists, NaN is NaN)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=True, default=repr)


def state(m: Memory, user: str) -> list[tuple[str, str, str, str]]:
    """Everything ``user`` has, in every status."""
    return sorted(
        (r.id, r.text, r.status.value, normal(r.metadata))
        for r in m.get_all(user_id=user, include_inactive=True, limit=None)
    )


def only_scope(records: list[MemoryRecord], scope: Scope) -> None:
    strays = [r for r in records if not scope.contains(r.scope)]
    assert not strays, f"a read for {scope} returned other scopes' memories: {strays}"


def acknowledged_is_stored(m: Memory, record: MemoryRecord, user: str) -> None:
    """The record an event acknowledged reads back the same."""
    stored = m.get(record.id, user_id=user)
    assert stored.scope == Scope(user_id=user), stored
    assert stored.text == record.text, (stored.text, record.text)
    assert normal(stored.metadata) == normal(record.metadata), (stored, record)
    assert stored.status == record.status, (stored, record)


# --- texts --------------------------------------------------------------------------------


@FUZZ
@given(text=texts, as_list=st.booleans())
@example(text="x" * 10_000_000, as_list=False)
@example(text="a\x00b tea", as_list=False)
@example(text="tea \ud800 paris", as_list=False)
@example(text="\u202e\u200f secret \u200b", as_list=False)
@example(text="\u200b\u200b", as_list=False)
def test_add_update_and_search_any_text(
    memory: Memory, seeded: Victims, text: str, as_list: bool
) -> None:
    """add(text) and update(id, text) store text.strip() verbatim or refuse it whole;
    searching it finds the caller's memories and nothing of anyone else's."""
    user = attacker()
    messages: Any = [text, text + " tea"] if as_list else text
    given_texts = [t.strip() for t in (messages if as_list else [messages])]
    result = attempt(lambda: memory.add(messages, user_id=user, infer=False))
    if result is None:
        assert state(memory, user) == []
    else:  # each message is a memory, or skipped with a reason (a secret, an injection)
        assert len(result.events) + len(result.skipped) == len(given_texts), result
        for event in result.events:
            assert event.record is not None
            assert event.record.text in given_texts, (event.record.text, given_texts)
            acknowledged_is_stored(memory, event.record, user)
    plain = memory.add("a plain note", user_id=user, infer=False).ids[0]
    before = state(memory, user)
    updated = attempt(lambda: memory.update(plain, text, user_id=user))
    if updated is None:
        assert state(memory, user) == before
    else:
        assert updated.record is not None
        assert updated.record.text == text.strip()
        acknowledged_is_stored(memory, updated.record, user)
    hits = attempt(lambda: memory.search(text, user_id=user, limit=20, reinforce=False))
    if hits is not None:
        only_scope([h.record for h in hits], Scope(user_id=user))
        mine = {r.id for r in memory.get_all(user_id=user, limit=None)}
        assert {h.id for h in hits} == mine  # the limit is above the user's count
    assert victims(memory) == seeded


# --- metadata -----------------------------------------------------------------------------


@FUZZ
@given(metadata=metadatas)
@example(metadata={"$where": 1})
@example(metadata={"chroma:document": "x", "chroma:id": "y"})
@example(metadata={"k": None, "n": {"a": [1, {"b": None}]}})
@example(metadata={"user_id": VICTIM})
@example(metadata={"agent_id": "agent-v", "session_id": "session-v"})
@example(metadata={"k": "x" * 7_000})
@example(metadata={"k": "x" * 9_000})
@example(metadata={"k": float("nan"), "i": float("inf"), "big": 2**70})
@example(metadata={"k": "\udc00"})
@example(metadata={"\ud800": 1})
@example(metadata={"k": (1, 2)})
def test_add_and_update_any_metadata(memory: Memory, seeded: Victims, metadata: Any) -> None:
    """Metadata is stored as acknowledged or refused whole; it never moves a memory to
    another scope, and filtering on it never reaches another user."""
    user = attacker()
    result = attempt(lambda: memory.add("tea note", user_id=user, infer=False, metadata=metadata))
    if result is None:
        assert state(memory, user) == []
        result = memory.add("tea note", user_id=user, infer=False)
    else:
        (event,) = result.events
        assert event.record is not None
        assert normal(event.record.metadata) == normal(metadata or {})
        acknowledged_is_stored(memory, event.record, user)
    memory_id = result.ids[0]
    before = state(memory, user)
    updated = attempt(
        lambda: memory.update(memory_id, "paris note", user_id=user, metadata=metadata)
    )
    if updated is None:
        assert state(memory, user) == before
    else:
        assert updated.record is not None
        assert normal(updated.record.metadata) == normal(metadata or {})
        acknowledged_is_stored(memory, updated.record, user)
    if isinstance(metadata, dict):
        for key, value in list(metadata.items())[:2]:
            read = functools.partial(memory.get_all, user_id=user, filters={key: value})
            found = attempt(read)
            if found is not None:
                only_scope(found, Scope(user_id=user))
    assert victims(memory) == seeded


# --- ids ----------------------------------------------------------------------------------


@FUZZ
@given(memory_id=odd_ids, victim=st.integers(0, 100), mangle=st.sampled_from(["", " ", "*"]))
@example(memory_id=5, victim=-1, mangle="")
@example(memory_id={"$ne": "x"}, victim=-1, mangle="")
@example(memory_id="\ud800", victim=-1, mangle="")
@example(memory_id="x" * 1_000_000, victim=-1, mangle="")
def test_ids_that_are_not_ours(
    memory: Memory,
    seeded: Victims,
    memory_id: Any,
    victim: int,
    mangle: str,
) -> None:
    """get/update/delete/history/forget/restore/feedback with an id the caller does not
    own (random values, or a victim's real id, as is or mangled) raise a typed error and
    change nothing."""
    user = attacker()
    own = memory.add("my own tea note", user_id=user, infer=False).ids[0]
    if victim >= 0 and isinstance(memory_id, str):
        memory_id = seeded[victim % len(seeded)][0] + mangle
    before = state(memory, user)
    calls: list[Callable[[], object]] = [
        lambda: memory.get(memory_id, user_id=user),
        lambda: memory.history(memory_id, user_id=user),
        lambda: memory.update(memory_id, "stolen tea", user_id=user),
        lambda: memory.feedback(memory_id, "negative", user_id=user),
        lambda: memory.delete(memory_id, user_id=user),
        lambda: memory.restore(memory_id, user_id=user),
    ]
    if memory_id is not None:  # forget(None, user_id=...) forgets the caller's whole scope
        calls.append(lambda: memory.forget(memory_id, user_id=user))
    for call in calls:
        assert attempt(call) in (None, 0), call  # forget of an unknown id may return 0
    assert state(memory, user) == before
    assert [r.id for r in memory.get_all(user_id=user)] == [own]
    assert victims(memory) == seeded


@FUZZ
@given(scope_id=odd_ids, field=st.sampled_from(["user_id", "agent_id", "session_id", "run_id"]))
@example(scope_id={"$ne": "x"}, field="user_id")
@example(scope_id="*", field="user_id")
@example(scope_id="victim\x00", field="user_id")
@example(scope_id="%", field="agent_id")
def test_scope_ids_that_try_to_widen(
    memory: Memory, seeded: Victims, scope_id: Any, field: str
) -> None:
    """A scope id is one exact id: reads with any value return only that scope."""
    found = attempt(lambda: memory.get_all(**{field: scope_id}, limit=None))
    hits = attempt(lambda: memory.search(SECRET, **{field: scope_id}, limit=50, reinforce=False))
    if found is None and hits is None:
        return
    scope = Scope(**{field: scope_id})  # the call accepted it, so it is a valid scope
    only_scope(found or [], scope)
    only_scope([h.record for h in hits or []], scope)
    assert victims(memory) == seeded


# --- filters ------------------------------------------------------------------------------


@FUZZ
@given(where=filters)
@example(where={"user_id": {"$ne": "x"}})
@example(where={"$or": [{"user_id": VICTIM}, {"topic": "tea"}]})
@example(where={"$or": [{"topic": "tea"}, {"topic": {"$ne": "zzz"}}]})
@example(where={"$or": [{"hash": {"$ne": "x"}}, {"agent_id": "agent-v"}]})
@example(where={"$and": [{}]})
@example(where={"$or": [{}, {}]})
@example(where={"topic": float("nan")})
@example(where={"topic": "\ud800"})
@example(where={"n": {"$in": [2**70]}})
@example(where={"topic": {"$gt": "tea"}})
@example(where={"n": {"$gte": True}})
@example(where={"topic": {"$in": ["tea", 1]}})
@example(where={"$not": [{"topic": "tea"}]})
def test_filters_never_widen_the_scope(memory: Memory, seeded: Victims, where: Any) -> None:
    """get_all/search with any filters return only the caller's memories, or refuse
    the filters with InvalidInputError/ScopeError."""
    user = attacker()
    memory.add(SECRET, user_id=user, infer=False, metadata={"topic": "tea", "n": 1})
    found = attempt(lambda: memory.get_all(user_id=user, filters=where, limit=None))
    if found is not None:
        only_scope(found, Scope(user_id=user))
    hits = attempt(
        lambda: memory.search(SECRET, user_id=user, filters=where, limit=50, reinforce=False)
    )
    if hits is not None:
        only_scope([h.record for h in hits], Scope(user_id=user))
    forgotten = attempt(lambda: memory.forget(user_id=user, filters=where))
    assert forgotten in (None, 0, 1), forgotten
    assert victims(memory) == seeded


def test_nan_metadata_reads_back_as_nan(memory: Memory) -> None:
    """A sanity check of ``normal``: NaN metadata compares equal to itself once stored."""
    user = attacker()
    (event,) = memory.add("nan note", user_id=user, infer=False, metadata={"k": math.nan}).events
    assert event.record is not None
    acknowledged_is_stored(memory, event.record, user)
