"""Every public call returns or raises within ``MemoryConfig.deadline``: waits on the
LLM, the embedder and Chroma reads are cut off with DeadlineExceededError and nothing
written; a change that started writing is never cut off (no half-applied state)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import chromadb
import pytest

from mem0_integrations import DeadlineExceededError, Memory, MemoryConfig
from mem0_integrations.core.deadline import bounded, committing, deadline, remaining
from mem0_integrations.core.llm import OpenAILLM
from mem0_integrations.core.store.store import ChromaStore

from ..fault_server import FaultServer, Hang, Reply, Status
from .conftest import FakeClock, HashEmbedder
from .test_add_pipeline import fact

BERLIN = json.dumps({"facts": [fact("Lives in Berlin", key="location")]})


class SlowEmbedder(HashEmbedder):
    """The fake embedder, after ``delay`` seconds once ``slow`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.slow = False

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if self.slow:
            time.sleep(3.0)
        return super().embed(texts)


def make(client: chromadb.api.ClientAPI, seconds: float | None, **kwargs: Any) -> Memory:
    config = {"store": {"collection_prefix": "d" + uuid.uuid4().hex[:12]}, "deadline": seconds}
    config.update(kwargs.pop("config", {}))
    return Memory(client=client, clock=FakeClock(), config=config, **kwargs)


def took(fn: Any) -> tuple[float, BaseException | None]:
    start = time.monotonic()
    try:
        fn()
    except BaseException as e:  # returned for the assertions
        return time.monotonic() - start, e
    return time.monotonic() - start, None


def test_the_default_is_two_minutes_and_none_turns_it_off() -> None:
    assert MemoryConfig().deadline == 120.0
    assert MemoryConfig(deadline=None).deadline is None
    with deadline(None):
        assert remaining() is None
    with deadline(5.0), deadline(60.0):  # a nested call keeps the earlier end
        left = remaining()
        assert left is not None
        assert left <= 5.0
    with deadline(0.01), committing():
        time.sleep(0.02)
        assert remaining() is None  # writing: nothing cuts it off
        assert bounded("x", lambda: 7) == 7


def test_a_slow_embedder_is_cut_off_and_nothing_is_written(
    chroma_client: chromadb.api.ClientAPI,
) -> None:
    embedder = SlowEmbedder()
    m = make(chroma_client, 0.5, embedder=embedder)
    m.add("I like tea", user_id="u1", infer=False)
    embedder.slow = True
    seconds, error = took(lambda: m.search("tea", user_id="u1"))
    assert isinstance(error, DeadlineExceededError)
    assert isinstance(error, TimeoutError)
    assert seconds < 1.5
    assert "nothing was written" in str(error)
    seconds, error = took(lambda: m.add("I like coffee", user_id="u1", infer=False))
    assert isinstance(error, DeadlineExceededError)
    assert seconds < 1.5
    embedder.slow = False
    time.sleep(3.0)  # the abandoned embed finishes in the background, and writes nothing
    assert [r.text for r in m.get_all(user_id="u1")] == ["I like tea"]
    m.reset()


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as s:
        yield s


def llm_memory(client: chromadb.api.ClientAPI, server: FaultServer, seconds: float) -> Memory:
    llm = OpenAILLM("test-model", base_url=server.base_url, api_key="x", timeout=30.0)
    return make(
        client,
        seconds,
        embedder=HashEmbedder(),
        llm=llm,
        config={
            "llm": {"max_retries": 3, "backoff": 5.0, "max_backoff": 5.0},
            "extraction": {"on_llm_error": "raise"},
        },
    )


def test_a_hanging_llm_is_cut_off_at_the_deadline(
    chroma_client: chromadb.api.ClientAPI, server: FaultServer
) -> None:
    m = llm_memory(chroma_client, server, 1.0)
    server.script([Hang(10)])  # its own timeout (30 s) is far beyond the deadline
    seconds, error = took(lambda: m.add("I live in Berlin.", user_id="u1"))
    assert isinstance(error, DeadlineExceededError)
    assert seconds < 2.0
    assert m.get_all(user_id="u1", include_inactive=True) == []
    m.reset()


def test_no_retry_sleeps_past_the_deadline(
    chroma_client: chromadb.api.ClientAPI, server: FaultServer
) -> None:
    from mem0_integrations import ExtractionError

    m = llm_memory(chroma_client, server, 2.0)
    server.script([Status(503), Reply(BERLIN)])  # the retry would wait 0-5 s
    seconds, error = took(lambda: m.add("I live in Berlin.", user_id="u1"))
    assert seconds < 2.5
    if error is not None:  # the backoff did not fit: given up, nothing written
        assert isinstance(error, (ExtractionError, DeadlineExceededError))
        assert m.get_all(user_id="u1") == []
    else:  # the jitter was short enough to retry in time
        assert [r.text for r in m.get_all(user_id="u1")] == ["Lives in Berlin"]
    m.reset()


def test_a_change_that_started_writing_is_never_cut_off(
    chroma_client: chromadb.api.ClientAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = make(chroma_client, 0.3, embedder=HashEmbedder())
    run = ChromaStore._run

    def slow_run(self: ChromaStore, op: Any) -> None:
        time.sleep(0.25)  # two ops (memory, history) take longer than the deadline
        run(self, op)

    monkeypatch.setattr(ChromaStore, "_run", slow_run)
    result = m.add("I like tea", user_id="u1", infer=False)
    monkeypatch.undo()
    (event,) = result.events
    assert m.get(event.id).text == "I like tea"
    assert [e.event.value for e in m.history(event.id)] == ["ADD"]
    m.reset()
