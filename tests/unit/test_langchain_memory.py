"""Mem0Memory: the classic BaseMemory drop-in (window, long-term memories, clear, async)."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from mem0_integrations import ConfigurationError, Memory, ScopeError
from mem0_integrations.core.rank.context import render_memories
from mem0_integrations.langchain import Mem0Memory


def turn(m: Mem0Memory, said: str, answer: str = "Noted.") -> None:
    m.save_context({"input": said}, {"response": answer})


def test_defaults_match_conversation_buffer_memory(memory: Memory) -> None:
    m = Mem0Memory(memory, user_id="alice")
    assert m.memory_variables == ["history"]
    assert m.load_memory_variables({"input": "hello"}) == {"history": ""}


def test_recent_turns_verbatim_with_prefixes(memory: Memory) -> None:
    m = Mem0Memory(memory, user_id="alice", human_prefix="User", ai_prefix="Bot", search_limit=0)
    turn(m, "hello there", "hi!")
    assert m.load_memory_variables({"input": "next"}) == {"history": "User: hello there\nBot: hi!"}


def test_long_term_memories_are_rendered_before_the_turns(memory: Memory) -> None:
    m = Mem0Memory(memory, user_id="alice", session_id="s1")
    turn(m, "I am allergic to penicillin.", "I will remember that.")
    hits = memory.search("what am I allergic to?", user_id="alice", reinforce=False)
    history = m.load_memory_variables({"input": "what am I allergic to?"})["history"]
    assert history.startswith(render_memories(hits))
    assert "penicillin" in render_memories(hits)
    assert history.endswith("Human: I am allergic to penicillin.\nAI: I will remember that.")


def test_window_keeps_the_last_k_turns(memory: Memory) -> None:
    m = Mem0Memory(memory, user_id="alice", k=2, search_limit=0)
    for i in range(4):
        turn(m, f"question {i}", f"answer {i}")
    history = m.load_memory_variables({"input": "x"})["history"]
    assert "question 1" not in history
    assert history == "Human: question 2\nAI: answer 2\nHuman: question 3\nAI: answer 3"
    assert len(m._transcript.rows()) == 4  # the persisted window is trimmed too


def test_window_is_recovered_by_a_new_instance_of_the_same_conversation(memory: Memory) -> None:
    first = Mem0Memory(memory, user_id="alice", session_id="s1", k=1, search_limit=0)
    turn(first, "old turn")
    turn(first, "my favourite colour is green", "Green it is.")
    again = Mem0Memory(memory, user_id="alice", session_id="s1", k=1, search_limit=0)
    assert again.recent_messages == [
        HumanMessage("my favourite colour is green"),
        AIMessage("Green it is."),
    ]
    other = Mem0Memory(memory, user_id="alice", session_id="s2", search_limit=0)
    assert other.load_memory_variables({"input": "x"}) == {"history": ""}


def test_window_stays_in_process_without_persist_window(memory: Memory) -> None:
    first = Mem0Memory(memory, user_id="alice", persist_window=False, search_limit=0)
    turn(first, "hello")
    assert first.recent_messages[0] == HumanMessage("hello")
    again = Mem0Memory(memory, user_id="alice", persist_window=False, search_limit=0)
    assert again.recent_messages == []


def test_long_term_facts_follow_the_user_across_sessions(memory: Memory) -> None:
    monday = Mem0Memory(memory, user_id="alice", session_id="monday")
    turn(monday, "My dog is called Rex.")
    (record,) = memory.get_all(user_id="alice")
    assert record.scope.session_id is None  # stored under the user, not the session
    tuesday = Mem0Memory(memory, user_id="alice", session_id="tuesday")
    assert "Rex" in tuesday.load_memory_variables({"input": "what is my dog called?"})["history"]
    bob = Mem0Memory(memory, user_id="bob")
    assert "Rex" not in bob.load_memory_variables({"input": "what is my dog called?"})["history"]


def test_session_only_scope_keeps_facts_in_the_session(memory: Memory) -> None:
    m = Mem0Memory(memory, session_id="s1")
    turn(m, "My dog is called Rex.")
    (record,) = memory.get_all(session_id="s1")
    assert record.scope.session_id == "s1"
    assert record.scope.user_id is None


def test_return_messages_puts_memories_in_a_system_message(memory: Memory) -> None:
    m = Mem0Memory(memory, user_id="alice", return_messages=True)
    turn(m, "I live in Lisbon.", "Nice city.")
    history = m.load_memory_variables({"input": "where do I live?"})["history"]
    assert isinstance(history[0], SystemMessage)
    assert "Lisbon" in history[0].content
    assert history[1:] == [HumanMessage("I live in Lisbon."), AIMessage("Nice city.")]


def test_memories_key_separates_memories_from_turns(memory: Memory) -> None:
    m = Mem0Memory(memory, user_id="alice", memories_key="memories")
    assert m.memory_variables == ["history", "memories"]
    turn(m, "I live in Lisbon.", "Nice city.")
    out = m.load_memory_variables({"input": "where do I live?"})
    assert out["history"] == "Human: I live in Lisbon.\nAI: Nice city."
    assert "Lisbon" in out["memories"]
    assert out["memories"].startswith("Long-term memories")


def test_input_and_output_keys(memory: Memory) -> None:
    m = Mem0Memory(memory, user_id="alice", input_key="question", output_key="answer")
    m.save_context({"question": "I play chess.", "lang": "en"}, {"answer": "Fun!", "x": "y"})
    assert m.recent_messages == [HumanMessage("I play chess."), AIMessage("Fun!")]
    loaded = m.load_memory_variables({"question": "what game do I play?", "lang": "en"})
    assert "chess" in loaded["history"]


def test_ambiguous_inputs_and_outputs_raise(memory: Memory) -> None:
    m = Mem0Memory(memory, user_id="alice")
    with pytest.raises(ValueError, match="One input key expected"):
        m.load_memory_variables({"a": "1", "b": "2"})
    with pytest.raises(ValueError, match="output_key"):
        m.save_context({"input": "hi"}, {"a": "1", "b": "2"})
    with pytest.warns(UserWarning, match="using 'output'"):
        m.save_context({"input": "hi"}, {"output": "chosen", "b": "2"})
    assert m.recent_messages[-1] == AIMessage("chosen")


def test_background_save_is_queued_and_flushed(memory: Memory) -> None:
    m = Mem0Memory(memory, user_id="alice", background=True)
    with mock.patch.object(memory, "add", wraps=memory.add) as add:
        turn(m, "I am allergic to penicillin.")
    assert add.call_args.kwargs["background"] is True
    m.flush()
    assert [r.text for r in memory.get_all(user_id="alice")] == ["Allergic to penicillin"]


def test_clear_empties_the_window_only(memory: Memory) -> None:
    m = Mem0Memory(memory, user_id="alice", session_id="s1")
    turn(m, "I am allergic to penicillin.")
    m.clear()
    assert m.recent_messages == []
    assert Mem0Memory(memory, user_id="alice", session_id="s1").recent_messages == []
    assert len(memory.get_all(user_id="alice")) == 1


def test_clear_long_term_deletes_only_this_exact_scope(memory: Memory) -> None:
    m = Mem0Memory(memory, user_id="alice", agent_id="chef")
    turn(m, "I am allergic to penicillin.")
    memory.add("I live in Lisbon.", user_id="alice", agent_id="travel")
    memory.add("I live in Oslo.", user_id="bob")
    m.clear(long_term=True)
    assert [r.text for r in memory.get_all(user_id="alice")] == ["Lives in Lisbon"]
    assert len(memory.get_all(user_id="bob")) == 1


def test_scope_is_required_and_validated(memory: Memory) -> None:
    with pytest.raises(ScopeError, match="No scope given"):
        Mem0Memory(memory)
    with pytest.raises(ScopeError, match="wildcard"):
        Mem0Memory(memory, user_id="*")


def test_memory_or_where_to_open_one_not_both(memory: Memory, tmp_path: Any) -> None:
    with pytest.raises(ConfigurationError, match="not both"):
        Mem0Memory(memory, path=tmp_path, user_id="alice")


async def test_async_methods_use_the_async_core(memory: Memory) -> None:
    m = Mem0Memory(memory, user_id="alice", session_id="s1")
    sync_calls = {"side_effect": AssertionError("sync core method called")}
    with (
        mock.patch.object(memory, "search", **sync_calls),
        mock.patch.object(memory, "add", **sync_calls),
        mock.patch.object(memory, "asearch", wraps=memory.asearch) as asearch,
        mock.patch.object(memory, "aadd", wraps=memory.aadd) as aadd,
    ):
        await m.asave_context({"input": "I am allergic to penicillin."}, {"response": "OK."})
        loaded = await m.aload_memory_variables({"input": "what am I allergic to?"})
    assert aadd.await_count == 1
    assert asearch.await_count == 1
    assert "penicillin" in loaded["history"].split("\n\n")[0]
    with mock.patch.object(memory, "delete", side_effect=AssertionError("sync delete")):
        await m.aclear(long_term=True)
    assert memory.get_all(user_id="alice") == []
    assert m.recent_messages == []


def test_forgetting_the_user_erases_the_persisted_window(memory: Memory) -> None:
    m = Mem0Memory(memory, user_id="alice", session_id="s1", k=1, search_limit=0)
    turn(m, "hello", "hi")
    assert Mem0Memory(memory, user_id="alice", session_id="s1").recent_messages != []
    memory.forget(user_id="alice")
    assert Mem0Memory(memory, user_id="alice", session_id="s1").recent_messages == []
