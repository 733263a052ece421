"""Transcripts: ordered conversation logs next to the memories, and how erasure covers them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import chromadb
import pytest

from mem0_integrations import InvalidInputError, Memory, Scope, StoreError
from mem0_integrations.core.store import store
from mem0_integrations.core.store.transcript import Transcripts, conversation_key

from .conftest import FakeClock, HashEmbedder

ALICE_S1 = Scope(user_id="alice", session_id="s1")
ALICE_S2 = Scope(user_id="alice", session_id="s2")
ALICE = Scope(user_id="alice")
ALICE_HELPER = Scope(user_id="alice", agent_id="helper", session_id="s1")
BOB_S1 = Scope(user_id="bob", session_id="s1")


def payloads(memory: Memory, kind: str, scope: Scope) -> list[str]:
    return [payload for _, payload in memory.transcripts.rows(kind, scope)]


def collections(client: chromadb.api.ClientAPI, memory: Memory) -> set[str]:
    prefix = memory.config.store.collection_prefix + "_"
    return {c.name for c in client.list_collections() if c.name.startswith(prefix)}


def seed(memory: Memory) -> None:
    """Two kinds of conversation for alice (three scopes) and one for bob."""
    log = memory.transcripts
    for scope in (ALICE_S1, ALICE_S2, ALICE, ALICE_HELPER, BOB_S1):
        log.append("chat", scope, [f"chat {scope}"])
        log.append("window", scope, [f"window {scope}"])


def test_rows_come_back_in_order_and_verbatim(memory: Memory) -> None:
    said = ['{"type": "human", "data": {"content": "ok"}}', "ok", "ok", "é ✓ \n", ""]
    first = memory.transcripts.append("chat", ALICE_S1, said[:2])
    second = memory.transcripts.append("chat", ALICE_S1, said[2:])
    rows = memory.transcripts.rows("chat", ALICE_S1)
    assert rows == list(zip([*first, *second], said, strict=True))
    assert len(set(first + second)) == 5  # a repeat is a new row, never merged
    assert memory.get_all(user_id="alice") == []  # a transcript is not a memory


def test_a_conversation_is_its_kind_and_its_exact_scope(memory: Memory) -> None:
    seed(memory)
    for scope in (ALICE_S1, ALICE_S2, ALICE, ALICE_HELPER, BOB_S1):
        assert payloads(memory, "chat", scope) == [f"chat {scope}"]
        assert payloads(memory, "window", scope) == [f"window {scope}"]
    assert payloads(memory, "chat", Scope(agent_id="helper")) == []


def test_another_memory_on_the_same_store_sees_the_rows_in_order(
    memory: Memory, chroma_client: chromadb.api.ClientAPI
) -> None:
    other = Memory(client=chroma_client, embedder=HashEmbedder(), config=memory.config)
    for i in range(6):
        (memory if i % 2 else other).transcripts.append("chat", ALICE_S1, [str(i)])
    assert payloads(other, "chat", ALICE_S1) == [str(i) for i in range(6)]
    assert payloads(memory, "chat", ALICE_S1) == [str(i) for i in range(6)]


def test_rows_are_read_in_pages(memory: Memory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "_PAGE", 3)  # LazyCollection pages for the transcripts
    said = [f"line {i}" for i in range(8)]
    for line in said:
        memory.transcripts.append("chat", ALICE_S1, [line])
    memory.transcripts.append("chat", BOB_S1, ["bob"] * 4)
    assert payloads(memory, "chat", ALICE_S1) == said
    assert memory.transcripts.erase(ALICE) == 8
    assert payloads(memory, "chat", BOB_S1) == ["bob"] * 4
    assert memory.transcripts.reset() == 4


def test_delete_and_clear_touch_only_what_they_name(memory: Memory) -> None:
    seed(memory)
    ids = memory.transcripts.append("chat", ALICE_S1, ["a", "b", "c"])
    memory.transcripts.delete([ids[1], "no-such-row"])
    assert payloads(memory, "chat", ALICE_S1) == [f"chat {ALICE_S1}", "a", "c"]
    memory.transcripts.clear("chat", ALICE_S1)
    assert payloads(memory, "chat", ALICE_S1) == []
    assert payloads(memory, "window", ALICE_S1) == [f"window {ALICE_S1}"]
    assert payloads(memory, "chat", ALICE_S2) == [f"chat {ALICE_S2}"]
    assert payloads(memory, "chat", ALICE) == [f"chat {ALICE}"]  # a wider scope is another log


@pytest.mark.parametrize(
    "erased",
    [ALICE, ALICE_S1, Scope(session_id="s1"), Scope(agent_id="helper"), BOB_S1],
    ids=str,
)
def test_erase_deletes_every_conversation_the_scope_reads(memory: Memory, erased: Scope) -> None:
    seed(memory)
    everyone = (ALICE_S1, ALICE_S2, ALICE, ALICE_HELPER, BOB_S1)
    gone = [s for s in everyone if erased.contains(s)]
    assert memory.transcripts.erase(erased) == 2 * len(gone)
    for scope in everyone:
        expected = [] if scope in gone else [f"chat {scope}"]
        assert payloads(memory, "chat", scope) == expected, scope
        assert len(payloads(memory, "window", scope)) == len(expected), scope


def test_reading_and_erasing_never_create_the_collection(
    memory: Memory, chroma_client: chromadb.api.ClientAPI
) -> None:
    log = memory.transcripts
    assert log.rows("chat", ALICE_S1) == []
    log.delete(["x"])
    log.clear("chat", ALICE_S1)
    assert (log.erase(ALICE), log.reset()) == (0, 0)
    memory.forget(user_id="alice")
    memory.reset()
    assert log.name not in collections(chroma_client, memory)
    log.append("chat", ALICE_S1, ["hi"])
    assert log.name in collections(chroma_client, memory)


def test_reset_empties_every_transcript(memory: Memory) -> None:
    seed(memory)
    memory.add("I like tea", user_id="bob", infer=False)
    memory.reset()
    for scope in (ALICE_S1, ALICE, BOB_S1):
        assert memory.transcripts.rows("chat", scope) == []
        assert memory.transcripts.rows("window", scope) == []
    assert memory.get_all(user_id="bob") == []


@pytest.mark.parametrize("erase_history", [False, True])
def test_forgetting_a_whole_scope_erases_its_transcripts(
    memory: Memory, erase_history: bool
) -> None:
    seed(memory)
    memory.add("I like tea", user_id="alice", infer=False)
    assert memory.forget(user_id="alice", erase_history=erase_history) == 1  # rows not counted
    for scope in (ALICE_S1, ALICE_S2, ALICE, ALICE_HELPER):
        assert memory.transcripts.rows("chat", scope) == []
        assert memory.transcripts.rows("window", scope) == []
    assert payloads(memory, "chat", BOB_S1) == [f"chat {BOB_S1}"]


def test_forgetting_a_session_erases_only_that_sessions_transcripts(memory: Memory) -> None:
    seed(memory)
    assert memory.forget(user_id="alice", session_id="s1") == 0
    assert payloads(memory, "chat", ALICE_S1) == []
    assert payloads(memory, "chat", ALICE_HELPER) == []
    assert payloads(memory, "chat", ALICE_S2) == [f"chat {ALICE_S2}"]
    assert payloads(memory, "chat", BOB_S1) == [f"chat {BOB_S1}"]


def test_narrowed_forgets_soft_deletes_and_ids_keep_transcripts(
    memory: Memory, clock: FakeClock
) -> None:
    seed(memory)
    mid = memory.add("I like tea", user_id="alice", infer=False, metadata={"t": 1}).ids[0]
    memory.add("I like jazz", user_id="alice", infer=False)
    clock.advance(days=2)
    assert memory.forget(user_id="alice", filters={"t": 1}) == 1
    assert memory.forget(user_id="alice", before=timedelta(days=1)) == 1
    assert memory.forget(mid, erase_history=True) == 0
    memory.add("I like chess", user_id="alice", infer=False)
    assert len(memory.delete_all(user_id="alice", keep_history=True)) == 1
    kept = memory.get_all(user_id="alice", include_inactive=True)
    assert [(r.text, r.status.value) for r in kept] == [("I like chess", "deleted")]
    for scope in (ALICE_S1, ALICE_S2, ALICE, ALICE_HELPER):
        assert payloads(memory, "chat", scope) == [f"chat {scope}"]


def test_a_failed_transcript_erase_is_finished_by_forgetting_again(memory: Memory) -> None:
    seed(memory)
    memory.add("I like tea", user_id="alice", infer=False)
    failing = mock.patch.object(
        Transcripts, "erase", autospec=True, side_effect=StoreError("server gone")
    )
    with failing, pytest.raises(StoreError, match="server gone"):
        memory.forget(user_id="alice")
    assert memory.get_all(user_id="alice", include_inactive=True) == []  # memories went first
    assert payloads(memory, "chat", ALICE_S1) == [f"chat {ALICE_S1}"]
    assert memory.forget(user_id="alice") == 0
    assert payloads(memory, "chat", ALICE_S1) == []


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda t: t.append("Chat", ALICE, ["x"]), "kind='Chat'"),
        (lambda t: t.rows("", ALICE), "kind=''"),
        (lambda t: t.rows("chat", {"user_id": "alice"}), "must be a mem0_integrations.Scope"),
        (lambda t: t.erase(None), "must be a mem0_integrations.Scope"),
        (lambda t: t.append("chat", ALICE, "one string"), "list of strings"),
        (lambda t: t.append("chat", ALICE, [{"type": "human"}]), "list of strings"),
        (lambda t: t.delete("row-id"), "not one string"),
    ],
)
def test_bad_arguments_say_how_to_fix_them(memory: Memory, call: Any, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        call(memory.transcripts)
    assert memory.transcripts.rows("chat", ALICE) == []


def test_chroma_failures_are_store_errors() -> None:
    client = mock.Mock(spec=chromadb.api.ClientAPI)
    client.get_or_create_collection.side_effect = RuntimeError("disk full")
    log = Transcripts(client, prefix="p1")
    with pytest.raises(StoreError, match=r"open the transcript collection \(p1_chat\).*disk full"):
        log.append("chat", ALICE, ["x"])
    client.get_collection.side_effect = ConnectionError("refused")
    with pytest.raises(
        StoreError, match=r"refused\. If this is a server, check that it is running"
    ):
        log.erase(ALICE)


def test_the_conversation_key_is_stable() -> None:
    # Rows written by earlier versions of the LangChain chat history use this key.
    assert conversation_key("window", ALICE_S1) == 'window:["alice", null, "s1"]'


async def test_async_twins(memory: Memory) -> None:
    log = memory.transcripts
    ids = await log.aappend("chat", ALICE_S1, ["a", "b"])
    assert await log.arows("chat", ALICE_S1) == list(zip(ids, ["a", "b"], strict=True))
    await log.adelete(ids[:1])
    assert [p for _, p in await log.arows("chat", ALICE_S1)] == ["b"]
    await log.aclear("chat", ALICE_S1)
    assert await log.arows("chat", ALICE_S1) == []
    await log.aappend("chat", ALICE_S2, ["c"])
    assert await log.aerase(ALICE) == 1
    failing = mock.patch.object(Transcripts, "rows", side_effect=AssertionError("ran"))
    with failing, pytest.raises(AssertionError, match="ran"):
        await log.arows("chat", ALICE_S1)  # the twin runs the sync method in a thread
