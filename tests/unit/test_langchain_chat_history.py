"""Mem0ChatMessageHistory: a persistent transcript, optional fact extraction, async twins."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import pytest
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
    message_to_dict,
)

from mem0_integrations import Memory, Scope, ScopeError
from mem0_integrations.langchain import Mem0ChatMessageHistory


def history(memory: Memory, **kwargs: Any) -> Mem0ChatMessageHistory:
    return Mem0ChatMessageHistory(memory, **kwargs)


def test_messages_come_back_in_order_and_verbatim(memory: Memory) -> None:
    h = history(memory, session_id="s1", extract_facts=False)
    said: list[BaseMessage] = [
        SystemMessage("be brief"),
        HumanMessage("ok"),
        AIMessage("ok", tool_calls=[{"name": "lookup", "args": {"q": "x"}, "id": "c1"}]),
        ToolMessage("result", tool_call_id="c1"),
        HumanMessage("ok"),  # a repeat is a new message, not a duplicate memory
        HumanMessage("my password is hunter2"),  # a transcript is not filtered like memories
    ]
    h.add_messages(said[:3])
    h.add_messages(said[3:])
    assert h.messages == said
    assert memory.get_all(session_id="s1") == []


def test_a_new_instance_sees_the_conversation_and_only_it(memory: Memory) -> None:
    history(memory, user_id="alice", session_id="s1").add_messages([HumanMessage("hi")])
    history(memory, user_id="alice", session_id="s2").add_messages([HumanMessage("other")])
    assert history(memory, user_id="alice", session_id="s1").messages == [HumanMessage("hi")]
    assert history(memory, user_id="bob", session_id="s1").messages == []


def test_facts_are_extracted_under_the_user_when_asked(memory: Memory) -> None:
    h = history(memory, user_id="alice", session_id="s1")
    h.add_messages([HumanMessage("I am allergic to penicillin."), AIMessage("Noted.")])
    (record,) = memory.get_all(user_id="alice")
    assert record.text == "Allergic to penicillin"
    assert record.scope.session_id is None
    quiet = history(memory, user_id="bob", session_id="s1", extract_facts=False)
    quiet.add_messages([HumanMessage("I am allergic to penicillin.")])
    assert memory.get_all(user_id="bob") == []


def test_background_extraction_is_queued(memory: Memory) -> None:
    h = history(memory, user_id="alice", background=True)
    with mock.patch.object(memory, "add", wraps=memory.add) as add:
        h.add_messages([HumanMessage("My dog is called Rex.")])
    assert add.call_args.kwargs["background"] is True
    memory.flush()
    assert [r.text for r in memory.get_all(user_id="alice")] == ["Has a dog named Rex"]


def test_clear_deletes_this_conversation_only(memory: Memory) -> None:
    mine = history(memory, user_id="alice", session_id="s1")
    mine.add_messages([HumanMessage("I am allergic to penicillin.")])
    other = history(memory, user_id="alice", session_id="s2")
    other.add_messages([HumanMessage("hello")])
    mine.clear()
    assert mine.messages == []
    assert other.messages == [HumanMessage("hello")]
    assert len(memory.get_all(user_id="alice")) == 1  # long-term memories stay


def test_setting_messages_replaces_the_conversation(memory: Memory) -> None:
    h = history(memory, session_id="s1")
    h.add_messages([HumanMessage("first")])
    h.messages = [HumanMessage("replaced"), AIMessage("yes")]
    assert history(memory, session_id="s1").messages == [HumanMessage("replaced"), AIMessage("yes")]


def test_add_user_and_ai_message_helpers(memory: Memory) -> None:
    h = history(memory, session_id="s1", extract_facts=False)
    h.add_user_message("hello")
    h.add_ai_message("hi")
    assert h.messages == [HumanMessage("hello"), AIMessage("hi")]


def test_scope_is_required(memory: Memory) -> None:
    with pytest.raises(ScopeError, match="No scope given"):
        history(memory)


async def test_async_methods_use_the_async_core(memory: Memory) -> None:
    h = history(memory, user_id="alice", session_id="s1")
    with (
        mock.patch.object(memory, "add", side_effect=AssertionError("sync add")),
        mock.patch.object(memory, "aadd", wraps=memory.aadd) as aadd,
    ):
        await h.aadd_messages([HumanMessage("I live in Lisbon."), AIMessage("Nice.")])
    assert aadd.await_count == 1
    assert await h.aget_messages() == [HumanMessage("I live in Lisbon."), AIMessage("Nice.")]
    await h.aclear()
    assert await h.aget_messages() == []
    assert [r.text for r in memory.get_all(user_id="alice")] == ["Lives in Lisbon"]


def test_forget_and_reset_erase_conversations(memory: Memory) -> None:
    alice = history(memory, user_id="alice", session_id="s1", extract_facts=False)
    bob = history(memory, user_id="bob", session_id="s1", extract_facts=False)
    alice.add_messages([HumanMessage("hi")])
    bob.add_messages([HumanMessage("yo")])
    memory.delete_all(user_id="alice", keep_history=True)  # a soft delete keeps conversations
    assert alice.messages == [HumanMessage("hi")]
    memory.forget(user_id="alice")
    assert alice.messages == []
    assert bob.messages == [HumanMessage("yo")]
    memory.reset()
    assert bob.messages == []


def test_rows_are_the_core_transcripts(memory: Memory) -> None:
    h = history(memory, user_id="alice", session_id="s1", extract_facts=False)
    h.add_messages([HumanMessage("hi", id="m1")])
    ((_, payload),) = memory.transcripts.rows("chat", Scope(user_id="alice", session_id="s1"))
    assert json.loads(payload) == message_to_dict(HumanMessage("hi", id="m1"))
