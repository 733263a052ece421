"""Memory.add against a misbehaving OpenAI-compatible server: the store never changes.

A real ``openai`` client talks HTTP to the test's own scripted server
(tests/fault_server.py). Each fault is played on the turn that would move a
user from Berlin to Paris; with ``on_llm_error="raise"`` the add must raise
ExtractionError and leave every record and history entry as it was.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import chromadb
import pytest

from mem0_integrations import EventType, ExtractionError, Memory, MemoryStatus
from mem0_integrations.core.llm import OpenAILLM

from ..fault_server import Dynamic, FaultServer, Hang, RawBody, Reply, Status, Truncated
from .conftest import FakeClock, HashEmbedder
from .test_add_pipeline import fact, number_of, state

BERLIN = json.dumps({"facts": [fact("Lives in Berlin", key="location")]})


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as s:
        yield s


@pytest.fixture
def memory(
    server: FaultServer,
    chroma_client: chromadb.api.ClientAPI,
    embedder: HashEmbedder,
    clock: FakeClock,
) -> Iterator[Memory]:
    llm = OpenAILLM("test-model", base_url=server.base_url, api_key="x", timeout=0.3)
    m = Memory(
        client=chroma_client,
        embedder=embedder,
        clock=clock,
        llm=llm,
        config={
            "store": {"collection_prefix": "f" + uuid.uuid4().hex[:12]},
            "llm": {"max_retries": 2, "backoff": 0.0, "max_backoff": 0.0},
            "extraction": {"on_llm_error": "raise"},
        },
    )
    server.script([Reply(BERLIN)])
    m.add("I live in Berlin.", user_id="u1")
    yield m
    m.reset()
    m.close()


def update_to_paris(body: dict[str, Any]) -> Reply:
    prompt = body["messages"][-1]["content"]
    n = number_of(prompt, "Lives in Berlin")
    return Reply(json.dumps({"facts": [fact("Lives in Paris", "UPDATE", n, key="location")]}))


FAULTS = {
    "timeouts": [Hang(2.0)] * 3,
    "rate-limited": [Status(429, headers={"Retry-After": "0"})] * 3,
    "server-errors": [Status(500), Status(502), Status(503)],
    "invalid-json": [RawBody(b"this is not json"), RawBody(b"{nope")],
    "prose-without-json": [Reply("Sure! The user lives in Paris."), Reply("Paris.")],
    "truncated-json": [Truncated('{"facts": [{"action": "UPDATE", "id": 1, "fact": "Lives')] * 2,
    "hallucinated-ids": [
        Reply(json.dumps({"facts": [fact("Lives in Paris", "UPDATE", 42)]})),
        Reply(json.dumps({"facts": [fact("Lives in Paris", "DELETE", 7)]})),
    ],
    "unauthorised": [Status(401)],
}


@pytest.mark.parametrize("steps", list(FAULTS.values()), ids=list(FAULTS))
def test_a_failing_llm_leaves_the_store_unchanged(
    memory: Memory, server: FaultServer, steps: list[Any]
) -> None:
    before = state(memory)
    sent = len(server.requests)
    server.script(steps)
    with pytest.raises(ExtractionError) as info:
        memory.add("I moved from Berlin to Paris.", user_id="u1")
    assert state(memory) == before
    assert info.value.attempts == len(server.requests) - sent
    assert info.value.usage is not None
    assert info.value.usage.calls == info.value.attempts


def test_transient_faults_then_success_apply_the_update_once(
    memory: Memory, server: FaultServer
) -> None:

    server.script([Hang(2.0), Status(429, headers={"Retry-After": "0"}), Dynamic(update_to_paris)])
    result = memory.add("I moved from Berlin to Paris.", user_id="u1")
    assert result.usage.calls == 3
    assert [e.event for e in result.events] == [EventType.UPDATE]
    (old,) = [
        r
        for r in memory.get_all(user_id="u1", include_inactive=True)
        if r.text == "Lives in Berlin"
    ]
    assert old.status is MemoryStatus.SUPERSEDED
    assert [r.text for r in memory.get_all(user_id="u1")] == ["Lives in Paris"]


def test_a_server_without_json_schema_gets_json_object(memory: Memory, server: FaultServer) -> None:

    server.reject_formats("json_schema")
    server.script([Dynamic(update_to_paris)])
    result = memory.add("I moved from Berlin to Paris.", user_id="u1")
    assert [e.event for e in result.events] == [EventType.UPDATE]
    assert server.formats[-2:] == ["json_schema", "json_object"]
    assert result.usage.calls == 2
