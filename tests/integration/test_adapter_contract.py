"""One contract, both frameworks: LangChain ``Mem0Memory`` and LlamaIndex ``Mem0ChatMemory``.

Every test runs against each driver of :mod:`tests.adapter_drivers` (LangChain, LlamaIndex
with ``put_messages``, LlamaIndex with ``put``) in sync and in async mode, on real embedded
Chroma with the real offline embedder. In async mode the ``Memory``'s sync ``search`` and
``add`` raise, so a test passes only if the adapter's async methods really call the core's
async twins.

The contract:

* a fact said in a turn is in the context a new session reads for a related query;
* recent turns come back verbatim, also in a new object continuing the conversation;
* ``replace`` swaps the short-term history; ``reset`` empties it; long-term memories stay;
* one user's facts and turns never reach another user's context;
* sync and async give the same contexts;
* a background write is queued (not visible until done) and visible after ``flush``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import pytest

from mem0_integrations import Memory, OnnxMiniLMEmbedder
from tests.adapter_drivers import DRIVERS, Context, Driver, GatedEmbedder, Talk, lines
from tests.integration.conftest import EPOCH, TickingClock

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore::langchain_core._api.LangChainDeprecationWarning"),
]

ALLERGY = ("I am allergic to penicillin.", "I will remember that.")
ALLERGY_FACT = "Allergic to penicillin"
ALLERGY_QUESTION = "Which antibiotic am I allergic to?"
CELLO = ("I play the cello.", "Lovely instrument.")
CELLO_FACT = "Plays the cello"
CELLO_QUESTION = "Which instrument do I play?"
HELLO = ("Hello there!", "Hi! How can I help?")
WEATHER = ("Nice weather today, right?", "Sunny and mild.")

DRIVER_IDS = [d.name for d in DRIVERS]


@pytest.fixture
def store(tmp_path: Path, embedder: OnnxMiniLMEmbedder, clock: TickingClock) -> Iterator[Memory]:
    """A fresh Memory on an embedded folder, with the real offline embedder."""
    memory = Memory(path=tmp_path / "store", embedder=embedder, clock=clock)
    yield memory
    memory.close()


def _forbidden(name: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"an async adapter method called the sync Memory.{name}")

    return call


def _talk(driver: Driver, mode: Literal["sync", "async"], store: Memory, mp: Any) -> Talk:
    if mode == "async":
        for name in ("search", "add"):
            mp.setattr(store, name, _forbidden(name))
    return Talk(driver, mode)


@pytest.fixture(params=DRIVERS, ids=DRIVER_IDS)
def driver(request: pytest.FixtureRequest) -> Driver:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(params=["sync", "async"])
def talk(
    request: pytest.FixtureRequest, driver: Driver, store: Memory, monkeypatch: pytest.MonkeyPatch
) -> Talk:
    """The driver's verbs in sync or async mode (async: the sync core calls raise)."""
    return _talk(driver, request.param, store, monkeypatch)


async def test_a_fact_said_in_a_turn_reaches_a_new_session(talk: Talk, store: Memory) -> None:
    monday = talk.open(store, "alice", "monday")
    await talk.say(monday, ALLERGY)
    tuesday = talk.open(store, "alice", "tuesday")
    context = await talk.read(tuesday, ALLERGY_QUESTION)
    assert f"- {ALLERGY_FACT} (stated {EPOCH.date()})" in context.memories.splitlines()
    assert context.turns == []  # a new session starts without the old turns


async def test_recent_turns_come_back_verbatim(talk: Talk, store: Memory) -> None:
    chat = talk.open(store, "alice", "monday")
    await talk.say(chat, HELLO, WEATHER)
    assert (await talk.read(chat, "How is the weather?")).turns == lines(HELLO, WEATHER)
    resumed = talk.resume(chat)
    assert resumed is not chat
    assert (await talk.read(resumed, "And tomorrow?")).turns == lines(HELLO, WEATHER)
    await talk.say(resumed, ALLERGY)
    context = await talk.read(resumed, ALLERGY_QUESTION)
    assert context.turns == lines(HELLO, WEATHER, ALLERGY)
    assert ALLERGY_FACT in context.memories


async def test_reset_clears_short_term_only(talk: Talk, store: Memory) -> None:
    chat = talk.open(store, "alice", "monday")
    await talk.say(chat, ALLERGY, HELLO)
    await talk.reset(chat)
    context = await talk.read(chat, ALLERGY_QUESTION)
    assert context.turns == []
    assert ALLERGY_FACT in context.memories
    assert (await talk.read(talk.resume(chat), ALLERGY_QUESTION)).turns == []
    await talk.say(chat, WEATHER)  # the memory is still usable after a reset
    assert (await talk.read(chat, "weather")).turns == lines(WEATHER)


async def test_replace_swaps_the_short_term_history(talk: Talk, store: Memory) -> None:
    chat = talk.open(store, "alice", "monday")
    await talk.say(chat, ALLERGY, HELLO)
    await talk.replace(chat, WEATHER, CELLO)
    context = await talk.read(chat, ALLERGY_QUESTION)
    assert context.turns == lines(WEATHER, CELLO)
    assert ALLERGY_FACT in context.memories  # long-term memories stay
    later = await talk.read(talk.open(store, "alice", "tuesday"), CELLO_QUESTION)
    assert (CELLO_FACT in later.memories) is talk.driver.replace_is_remembered


async def test_scopes_are_isolated(talk: Talk, store: Memory) -> None:
    alice = talk.open(store, "alice", "monday")
    bob = talk.open(store, "bob", "monday")  # same session name, another user
    await talk.say(alice, ALLERGY)
    await talk.say(bob, CELLO)
    for query in (ALLERGY_QUESTION, CELLO_QUESTION):
        seen_by_bob = await talk.read(talk.open(store, "bob", "tuesday"), query)
        assert CELLO_FACT in seen_by_bob.memories  # bob's own fact, whatever the query
        assert "penicillin" not in seen_by_bob.text.lower()
    assert (await talk.read(bob, ALLERGY_QUESTION)).turns == lines(CELLO)
    seen_by_alice = await talk.read(alice, CELLO_QUESTION)
    assert seen_by_alice.turns == lines(ALLERGY)
    assert "cello" not in seen_by_alice.text.lower()


async def _script(talk: Talk, store: Memory, user: str) -> list[Context]:
    """Every verb once; what each read returned."""
    seen = []
    chat = talk.open(store, user, "monday")
    await talk.say(chat, ALLERGY, HELLO)
    seen.append(await talk.read(chat, ALLERGY_QUESTION))
    seen.append(await talk.read(talk.resume(chat), "Hello again"))
    await talk.replace(chat, CELLO)
    seen.append(await talk.read(chat, CELLO_QUESTION))
    await talk.reset(chat)
    seen.append(await talk.read(chat, ALLERGY_QUESTION))
    seen.append(await talk.read(talk.open(store, user, "tuesday"), CELLO_QUESTION))
    return seen


async def test_sync_and_async_give_the_same_contexts(
    driver: Driver, store: Memory, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync = await _script(Talk(driver, "sync"), store, "sync-user")
    async_ = await _script(_talk(driver, "async", store, monkeypatch), store, "async-user")
    assert async_ == sync
    assert ALLERGY_FACT in sync[0].memories
    assert sync[0].turns == lines(ALLERGY, HELLO)


@pytest.fixture
def gated(embedder: OnnxMiniLMEmbedder) -> GatedEmbedder:
    """The real embedder, holding writes of facts about penicillin while closed."""
    return GatedEmbedder(embedder, word="penicillin")


@pytest.fixture
def gated_store(tmp_path: Path, gated: GatedEmbedder, clock: TickingClock) -> Iterator[Memory]:
    memory = Memory(path=tmp_path / "gated", embedder=gated, clock=clock)
    yield memory
    memory.close()


@pytest.mark.parametrize("driver", DRIVERS, ids=DRIVER_IDS)
@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_background_writes_are_visible_after_flush(
    driver: Driver,
    mode: Literal["sync", "async"],
    gated_store: Memory,
    gated: GatedEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    talk = _talk(driver, mode, gated_store, monkeypatch)
    chat = talk.open(gated_store, "alice", "monday", background=True)
    with gated.closed():  # the fact cannot be stored until the block ends
        await talk.say(chat, ALLERGY)  # returns although the write is held
        before = await talk.read(chat, ALLERGY_QUESTION)
        assert before.turns == lines(ALLERGY)  # short-term memory is updated at once
        assert ALLERGY_FACT not in before.memories
    await talk.flush(chat)
    assert ALLERGY_FACT in (await talk.read(chat, ALLERGY_QUESTION)).memories
    tuesday = talk.open(gated_store, "alice", "tuesday")
    assert ALLERGY_FACT in (await talk.read(tuesday, ALLERGY_QUESTION)).memories


@pytest.mark.parametrize("driver", DRIVERS, ids=DRIVER_IDS)
@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_background_writes_reach_a_new_session_after_flush(
    driver: Driver,
    mode: Literal["sync", "async"],
    gated_store: Memory,
    gated: GatedEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The part of the test above that does not read before the flush (no stale cache)."""
    talk = _talk(driver, mode, gated_store, monkeypatch)
    chat = talk.open(gated_store, "alice", "monday", background=True)
    with gated.closed():  # say() fails at once if it writes in the caller's thread
        await talk.say(chat, ALLERGY)
    await talk.flush(chat)
    tuesday = talk.open(gated_store, "alice", "tuesday")
    assert ALLERGY_FACT in (await talk.read(tuesday, ALLERGY_QUESTION)).memories
