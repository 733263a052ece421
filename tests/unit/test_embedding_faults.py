"""add, update and search against a misbehaving OpenAI-compatible embeddings endpoint.

A real ``OpenAIEmbedder`` (the ``openai`` client, ``timeout=0.3``, ``max_retries=2``)
talks HTTP to the test's own scripted server (tests/fault_server.py). Each fault is
played on ``add``, ``update`` and ``search`` of a seeded user, which must:

* retry boundedly: ``max_retries + 1`` requests for a retryable fault, 1 otherwise;
* raise a typed :class:`EmbeddingError` (never a raw openai/httpx/json/ValueError,
  nor a StoreError from Chroma choking on the vectors);
* change nothing: every record, history entry and the scope's ``get_all`` as before.

The openai client's exponential backoff (0.5 s, then 1 s) is cut to 10 ms here so the
file stays fast; a server's ``Retry-After`` is still honoured (see its own test).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import chromadb
import openai._base_client
import pytest

from mem0_integrations import (
    DeadlineExceededError,
    EmbeddingError,
    EventType,
    Memory,
)
from mem0_integrations.core.embedders import OpenAIEmbedder

from ..fault_server import (
    CutBody,
    Disconnect,
    FaultServer,
    Hang,
    RawBody,
    Status,
    Step,
    Vectors,
)
from .conftest import FakeClock

DIM = 64
MAX_RETRIES = 2
SEEDED = ["I like green tea", "My dog is called Rex", "I work as a nurse in Leeds"]
NAME = "openai:fault-embed"


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """The openai client's backoff between retries without a usable Retry-After."""
    assert openai._base_client.INITIAL_RETRY_DELAY == 0.5  # a rename must fail loudly
    monkeypatch.setattr(openai._base_client, "INITIAL_RETRY_DELAY", 0.01)


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as s:
        yield s


def make_memory(
    server: FaultServer,
    client: chromadb.api.ClientAPI,
    clock: FakeClock,
    prefix: str,
    **config: Any,
) -> Memory:
    embedder = OpenAIEmbedder(
        "fault-embed",
        base_url=server.base_url,
        api_key="x",
        timeout=0.3,
        max_retries=MAX_RETRIES,
    )
    return Memory(
        client=client,
        embedder=embedder,
        clock=clock,
        config={"store": {"collection_prefix": prefix}, **config},
    )


def seed(m: Memory, server: FaultServer) -> list[str]:
    """Three memories of u1 through one good embeddings answer; their ids."""
    sent = len(server.embedding_requests)
    server.script_embeddings([Vectors(DIM)])
    result = m.add([{"role": "user", "content": t} for t in SEEDED], user_id="u1", infer=False)
    assert [e.event for e in result.events] == [EventType.ADD] * 3
    assert [r["input"] for r in server.embedding_requests[sent:]] == [SEEDED]
    assert server.remaining_embeddings == 0
    return list(result.ids)


@pytest.fixture
def seeded(
    server: FaultServer, chroma_client: chromadb.api.ClientAPI, clock: FakeClock
) -> Iterator[tuple[Memory, list[str]]]:
    m = make_memory(server, chroma_client, clock, "e" + uuid.uuid4().hex[:12])
    ids = seed(m, server)
    yield m, ids
    m.reset()
    m.close()


def state(m: Memory) -> tuple[Any, ...]:
    """Everything u1 has: full records (active or not), full history, the default view."""
    records = m.get_all(user_id="u1", include_inactive=True, limit=None)
    return (
        sorted(r.model_dump_json() for r in records),
        sorted(h.model_dump_json() for r in records for h in m.history(r.id, user_id="u1")),
        sorted(r.id for r in m.get_all(user_id="u1")),
    )


Op = Callable[[Memory, list[str]], Any]

OPS: dict[str, Op] = {
    "add": lambda m, ids: m.add("I play chess on Sundays", user_id="u1", infer=False),
    "update": lambda m, ids: m.update(ids[0], "I like black tea", user_id="u1"),
    "search": lambda m, ids: m.search("green tea", user_id="u1"),
}

_TRIES = MAX_RETRIES + 1


def _raw_embeddings(embedding: Any) -> RawBody:
    return RawBody(
        json.dumps(
            {
                "object": "list",
                "data": [{"object": "embedding", "index": 0, "embedding": embedding}],
                "model": "fault-embed",
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            }
        )
    )


# fault -> (its steps, how many requests the embedder must send before giving up).
# A request beyond the script gets HTTP 418 (not retried), so the count catches any
# extra retry.
FAULTS: dict[str, tuple[list[Step], int]] = {
    "timeout": ([Hang(5.0)] * _TRIES, _TRIES),
    "rate-limited": ([Status(429, headers={"Retry-After": "0"})] * _TRIES, _TRIES),
    "server-error-500": ([Status(500)] * _TRIES, _TRIES),
    "unavailable-503": ([Status(503)] * _TRIES, _TRIES),
    "connection-drop": ([Disconnect(b'{"object": "list", "da')] * _TRIES, _TRIES),
    "unauthorised-401": ([Status(401)], 1),
    "non-json-200": ([RawBody(b"upstream says: all good")], 1),
    "html-200": ([RawBody(b"<html>502 Bad Gateway</html>", content_type="text/html")], 1),
    "truncated-json": ([CutBody(Vectors(DIM))], 1),
    "missing-data": ([Vectors(DIM, omit=("data",))], 1),
    "no-vectors": ([Vectors(DIM, count_delta=-1)], 1),
    "extra-vector": ([Vectors(DIM, count_delta=1)], 1),
    "wrong-width": ([Vectors(DIM // 2)], 1),
    "nan-value": ([Vectors(DIM, poison=float("nan"))], 1),
    "nan-value-json": ([Vectors(DIM, poison=float("nan"), encoding="float")], 1),
    "infinite-value": ([Vectors(DIM, poison=float("inf"))], 1),
    "nan-string": ([Vectors(DIM, poison="NaN")], 1),
    "string-value": ([Vectors(DIM, poison="x")], 1),
    "null-value": ([Vectors(DIM, poison=None)], 1),
    "zero-vector": ([Vectors(lambda text: [0.0] * DIM)], 1),
    "bad-base64": ([_raw_embeddings("not*base64")], 1),
    "vector-is-object": ([_raw_embeddings({"values": [0.1] * DIM})], 1),
    "hallucinated-index": ([Vectors(DIM, indexes=[3])], 1),
}


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_failing_embedder_raises_a_typed_error_and_changes_nothing(
    seeded: tuple[Memory, list[str]], server: FaultServer, fault: str, op: str
) -> None:
    m, ids = seeded
    steps, tries = FAULTS[fault]
    before = state(m)
    sent = len(server.embedding_requests)
    server.script_embeddings(steps)
    with pytest.raises(EmbeddingError, match=NAME):
        OPS[op](m, ids)
    assert len(server.embedding_requests) - sent == tries
    assert state(m) == before
    # the store still works: the next good answer finds the untouched memory
    server.script_embeddings([Vectors(DIM)])
    assert m.search("green tea", user_id="u1")[0].memory == "I like green tea"


def test_mixed_widths_and_duplicate_indexes_in_one_answer_change_nothing(
    seeded: tuple[Memory, list[str]], server: FaultServer
) -> None:
    m, _ = seeded
    before = state(m)
    two = [{"role": "user", "content": "I play chess"}, {"role": "user", "content": "I own a cat"}]
    for step, message in [
        (Vectors(DIM, widths=(DIM, DIM - 1)), "mixed"),
        (Vectors(DIM, indexes=[0, 0]), "index"),
        (Vectors(DIM, indexes=[1, 2]), "index"),
    ]:
        sent = len(server.embedding_requests)
        server.script_embeddings([step])
        with pytest.raises(EmbeddingError, match=message):
            m.add(two, user_id="u1", infer=False)
        assert len(server.embedding_requests) - sent == 1
        assert [len(r["input"]) for r in server.embedding_requests[sent:]] == [2]
        assert state(m) == before


TRANSIENT: dict[str, Step] = {
    "timeout": Hang(5.0),
    "rate-limited": Status(429, headers={"Retry-After": "0"}),
    "unavailable-503": Status(503),
    "connection-drop": Disconnect(),
}


@pytest.mark.parametrize("fault", list(TRANSIENT))
def test_transient_faults_then_a_good_answer_add_exactly_one_record(
    seeded: tuple[Memory, list[str]], server: FaultServer, fault: str
) -> None:
    m, _ = seeded
    before = {r.id for r in m.get_all(user_id="u1")}
    sent = len(server.embedding_requests)
    server.script_embeddings([TRANSIENT[fault], TRANSIENT[fault], Vectors(DIM)])
    result = m.add("I play chess on Sundays", user_id="u1", infer=False)
    assert len(server.embedding_requests) - sent == MAX_RETRIES + 1
    assert server.remaining_embeddings == 0
    assert [e.event for e in result.events] == [EventType.ADD]
    after = m.get_all(user_id="u1", include_inactive=True)
    assert [r.text for r in after if r.id not in before] == ["I play chess on Sundays"]
    assert len(m.history(result.ids[0])) == 1


def test_transient_faults_then_a_good_answer_update_and_search_once(
    seeded: tuple[Memory, list[str]], server: FaultServer
) -> None:
    m, ids = seeded
    flaky = [Status(429, headers={"Retry-After": "0"}), Disconnect(), Vectors(DIM)]
    server.script_embeddings(flaky)
    event = m.update(ids[0], "I like black tea", user_id="u1")
    assert event.event is EventType.UPDATE
    assert [h.event for h in m.history(ids[0])] == [EventType.ADD, EventType.UPDATE]
    assert sorted(r.text for r in m.get_all(user_id="u1")) == sorted(
        ["I like black tea", *SEEDED[1:]]
    )
    server.script_embeddings(flaky)
    assert m.search("black tea", user_id="u1")[0].memory == "I like black tea"
    assert len(server.embedding_requests) == 1 + 2 * len(flaky)
    assert server.remaining_embeddings == 0


def test_retry_after_is_honoured(seeded: tuple[Memory, list[str]], server: FaultServer) -> None:
    m, _ = seeded
    sent = len(server.embedding_requests)
    server.script_embeddings([Status(429, headers={"Retry-After": "1"}), Vectors(DIM)])
    m.add("I play chess on Sundays", user_id="u1", infer=False)
    first, second = server.embedding_times[sent:]
    assert second - first >= 0.9  # a lower bound only; the backoff alone would be 10 ms


@pytest.fixture
def deadlined(
    server: FaultServer, chroma_client: chromadb.api.ClientAPI, clock: FakeClock
) -> Iterator[tuple[Memory, Memory, list[str]]]:
    """A Memory with a 0.5 s deadline, and a twin without one (same collections, same
    embedder) that seeds and inspects the store, so that only the faulted call races."""
    prefix = "d" + uuid.uuid4().hex[:12]
    twin = make_memory(server, chroma_client, clock, prefix)
    ids = seed(twin, server)
    m = Memory(
        client=chroma_client,
        embedder=twin.embedder,
        clock=clock,
        config={"store": {"collection_prefix": prefix}, "deadline": 0.5},
    )
    yield m, twin, ids
    m.close()
    twin.reset()
    twin.close()


def wait_for_requests(server: FaultServer, n: int) -> None:
    """Wait (at most 5 s) until the embeddings route got ``n`` requests, then 0.4 s more,
    the time an extra retry (0.01-0.02 s backoff) would need to show up."""
    give_up = time.monotonic() + 5
    while len(server.embedding_requests) < n and time.monotonic() < give_up:
        time.sleep(0.02)
    time.sleep(0.4)


@pytest.mark.parametrize("op", list(OPS))
def test_a_hanging_endpoint_hits_the_deadline_and_writes_nothing(
    deadlined: tuple[Memory, Memory, list[str]], server: FaultServer, op: str
) -> None:
    m, twin, ids = deadlined
    before = state(twin)
    sent = len(server.embedding_requests)
    server.script_embeddings([Hang(5.0)] * _TRIES)
    with pytest.raises(DeadlineExceededError, match="embed"):
        OPS[op](m, ids)
    assert len(server.embedding_requests) - sent <= _TRIES
    assert state(twin) == before
    # the abandoned call keeps retrying in the background, boundedly, and writes nothing
    wait_for_requests(server, sent + _TRIES)
    assert len(server.embedding_requests) - sent == _TRIES
    assert state(twin) == before


def test_an_answer_arriving_after_the_deadline_is_dropped(
    deadlined: tuple[Memory, Memory, list[str]], server: FaultServer
) -> None:
    m, twin, _ = deadlined
    before = state(twin)
    sent = len(server.embedding_requests)
    # two 503s after 0.25 s each (within the client's 0.3 s timeout), retried: the good
    # answer to the third request comes after the 0.5 s deadline, to an abandoned call
    server.script_embeddings([Hang(0.25, then=Status(503))] * 2 + [Vectors(DIM)])
    with pytest.raises(DeadlineExceededError):
        m.add("I play chess on Sundays", user_id="u1", infer=False)
    wait_for_requests(server, sent + _TRIES)
    assert len(server.embedding_requests) - sent == _TRIES
    assert server.remaining_embeddings == 0
    assert state(twin) == before


def test_a_new_embedder_of_another_width_is_an_embedding_error(
    server: FaultServer, chroma_client: chromadb.api.ClientAPI, clock: FakeClock
) -> None:
    prefix = "w" + uuid.uuid4().hex[:12]
    first = make_memory(server, chroma_client, clock, prefix)
    seed(first, server)
    later = make_memory(server, chroma_client, clock, prefix)  # same name, a fresh embedder
    try:
        before = state(later)
        server.script_embeddings([Vectors(DIM // 2)])
        with pytest.raises(EmbeddingError):
            later.add("I play chess on Sundays", user_id="u1", infer=False)
        assert state(later) == before
    finally:
        later.reset()
        later.close()
        first.close()
