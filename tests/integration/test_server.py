"""Server-specific behaviour: several clients of one `chroma run` server.

The shared behaviour tests in ``test_embedded.py`` already run against the
server through the parametrized ``memory`` fixture; here are the things only a
server has: a second client, prefixes sharing one server, a server restart, and
an unreachable server.
"""

from __future__ import annotations

from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings

from mem0_integrations import EventType, Memory, MemoryStatus, OnnxMiniLMEmbedder, StoreError
from mem0_integrations._cli._server import free_port

from .conftest import ChromaServer, new_prefix, running_chroma_server

pytestmark = [pytest.mark.integration, pytest.mark.server]

ADD, UPDATE, DELETE, NONE = EventType.ADD, EventType.UPDATE, EventType.DELETE, EventType.NONE

PENICILLIN = "I am allergic to penicillin."
DOG = "My dog is called Rex."


def client_of(server: ChromaServer, embedder: OnnxMiniLMEmbedder, prefix: str) -> Memory:
    return Memory(
        chroma_host=server.host,
        chroma_port=server.port,
        embedder=embedder,
        config={"store": {"collection_prefix": prefix}},
    )


def test_second_client_sees_writes_and_history_at_once(
    chroma_server: ChromaServer, embedder: OnnxMiniLMEmbedder
) -> None:
    prefix = new_prefix()
    first = client_of(chroma_server, embedder, prefix)
    second = client_of(chroma_server, embedder, prefix)
    assert first.location == second.location == f"http://127.0.0.1:{chroma_server.port}"

    pen, dog = first.add([PENICILLIN, DOG], user_id="u1", infer=False).ids

    assert {r.id for r in second.get_all(user_id="u1")} == {pen, dog}
    assert second.search("What drug am I allergic to?", user_id="u1")[0].id == pen
    first.update(pen, "I am allergic to penicillin and latex.")
    assert second.get(pen).text == "I am allergic to penicillin and latex."
    history = second.history(pen)
    assert [h.event for h in history] == [ADD, UPDATE]
    assert [(h.old_memory, h.new_memory) for h in history] == [
        (None, PENICILLIN),
        (PENICILLIN, "I am allergic to penicillin and latex."),
    ]

    # The other way round, and merging across clients: duplicates and supersedes.
    (berlin,) = second.remember({"city": "Berlin"}, user_id="u1").events
    (paris,) = first.remember({"city": "Paris"}, user_id="u1").events
    assert (paris.event, paris.previous_memory) == (UPDATE, "city: Berlin")
    assert second.get(berlin.id).status is MemoryStatus.SUPERSEDED
    assert second.get(berlin.id).superseded_by == paris.id
    (dup,) = second.add("i am allergic to penicillin and LATEX", user_id="u1", infer=False).events
    assert (dup.event, dup.id) == (NONE, pen)
    second.delete(dog)
    assert {r.id for r in first.get_all(user_id="u1")} == {pen, paris.id}
    assert [h.event for h in first.history(dog)] == [ADD, DELETE]

    # Both collections live on the server under the prefix, seen by a plain Chroma client.
    raw = chromadb.HttpClient(
        host=chroma_server.host,
        port=chroma_server.port,
        settings=Settings(anonymized_telemetry=False),
    )
    names = {c.name for c in raw.list_collections()}
    assert {f"{prefix}_memories", f"{prefix}_archive", f"{prefix}_history"} <= names
    # Active memories (penicillin, Paris) are searched; retired ones (Berlin, the dog) archived.
    assert raw.get_collection(f"{prefix}_memories").count() == 2
    assert raw.get_collection(f"{prefix}_archive").count() == 2


def test_prefixes_keep_stores_apart_on_one_server(
    chroma_server: ChromaServer, embedder: OnnxMiniLMEmbedder
) -> None:
    one = client_of(chroma_server, embedder, new_prefix())
    two = client_of(chroma_server, embedder, new_prefix())
    (event,) = one.add(PENICILLIN, user_id="u1", infer=False).events

    assert two.get_all(user_id="u1", include_inactive=True) == []
    assert two.search("What drug am I allergic to?", user_id="u1") == []
    (same_text,) = two.add(PENICILLIN, user_id="u1", infer=False).events
    assert same_text.event is ADD  # a new memory there (ids of one fact may coincide)

    two.reset()

    assert [r.id for r in one.get_all(user_id="u1")] == [event.id]
    assert two.get_all(user_id="u1", include_inactive=True) == []


def test_memories_survive_a_server_restart(tmp_path: Path, embedder: OnnxMiniLMEmbedder) -> None:
    data, log = tmp_path / "data", tmp_path / "chroma.log"
    with running_chroma_server(data, log) as server:
        memory = client_of(server, embedder, "restart")
        pen, dog = memory.add([PENICILLIN, DOG], user_id="u1", infer=False).ids
        memory.update(dog, "My dog is called Max.")
        del memory

    with running_chroma_server(data, log) as server:
        memory = client_of(server, embedder, "restart")

        assert memory.get(dog).text == "My dog is called Max."
        assert [h.event for h in memory.history(dog)] == [ADD, UPDATE]
        assert memory.search("What drug am I allergic to?", user_id="u1")[0].id == pen
        (dup,) = memory.add(PENICILLIN, user_id="u1", infer=False).events
        assert (dup.event, dup.id) == (NONE, pen)


@pytest.mark.timeout(60)
def test_unreachable_server_raises_store_error(embedder: OnnxMiniLMEmbedder) -> None:
    port = free_port()  # bound and released: nothing listens there

    with pytest.raises(StoreError, match="chroma run") as info:
        Memory(chroma_host="127.0.0.1", chroma_port=port, embedder=embedder)

    assert f"127.0.0.1:{port}" in str(info.value)
    assert f"--port {port}" in str(info.value)
