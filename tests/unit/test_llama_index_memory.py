"""Mem0ChatMemory: the ChatMemoryBuffer drop-in, on the fake embedder and in-memory Chroma."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.base.llms.types import ChatMessage, MessageRole, ToolCallBlock
from llama_index.core.chat_engine import CondensePlusContextChatEngine, SimpleChatEngine
from workflows import Context
from workflows.context.serializers import JsonSerializer

from mem0_integrations import ConfigurationError, InvalidInputError, Memory, ScopeError
from mem0_integrations.llama_index import Mem0ChatMemory
from tests.llama_index_fakes import NoRetriever, RecordingLLM, ScriptedAgentLLM

# workflows' step discovery (inspect.getmembers on FunctionAgent) reads pydantic's deprecated
# attributes; that is LlamaIndex's business, not ours.
pytestmark = pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecationWarning")

TEAL = "My favourite colour is teal."


def user(text: str) -> ChatMessage:
    return ChatMessage(role=MessageRole.USER, content=text)


def assistant(text: str) -> ChatMessage:
    return ChatMessage(role=MessageRole.ASSISTANT, content=text)


def chat_memory(memory: Memory, **kwargs: Any) -> Mem0ChatMemory:
    return Mem0ChatMemory.from_defaults(memory=memory, user_id="alice", **kwargs)


def texts(memory: Memory, user_id: str = "alice") -> list[str]:
    return [r.text for r in memory.get_all(user_id=user_id)]


@pytest.fixture
def add_spy() -> Iterator[mock.MagicMock]:
    with mock.patch.object(Memory, "add", autospec=True, side_effect=Memory.add) as spy:
        yield spy


# --- construction ---------------------------------------------------------------------------


def test_a_scope_is_required(memory: Memory) -> None:
    with pytest.raises(ScopeError, match="user_id"):
        Mem0ChatMemory.from_defaults(memory=memory)


def test_unknown_arguments_are_rejected_with_a_hint(memory: Memory) -> None:
    with pytest.raises(InvalidInputError, match="chat_store"):
        chat_memory(memory, chat_store_key="k")


def test_memory_and_a_location_together_are_rejected(memory: Memory, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="not both"):
        chat_memory(memory, path=tmp_path)


def test_the_constructor_takes_the_same_connection_arguments(
    memory: Memory, tmp_path: Path
) -> None:
    assert Mem0ChatMemory(memory=memory, user_id="alice").memory is memory
    opened = Mem0ChatMemory(path=tmp_path / "store", agent_id="helper").memory
    assert opened.config.store.path == (tmp_path / "store").resolve()
    with pytest.raises(ScopeError):
        Mem0ChatMemory(memory=memory)


def test_token_limit_follows_the_llm_like_chat_memory_buffer(memory: Memory) -> None:
    assert chat_memory(memory, llm=RecordingLLM()).token_limit == int(4096 * 0.75)
    assert chat_memory(memory).token_limit == 3000
    assert chat_memory(memory, token_limit=99).token_limit == 99


# --- chat engines and agents ----------------------------------------------------------------


def test_simple_chat_engine_recalls_a_fact_in_a_new_session(memory: Memory) -> None:
    llm = RecordingLLM()
    SimpleChatEngine.from_defaults(llm=llm, memory=chat_memory(memory)).chat(TEAL)
    assert texts(memory) == ["Favorite colour is teal"]

    engine = SimpleChatEngine.from_defaults(llm=llm, memory=chat_memory(memory))
    engine.chat("Which colour should I paint the kitchen?")
    system, question = llm.chats[-1]
    assert system.role == MessageRole.SYSTEM
    assert "- Favorite colour is teal (stated 2026-01-01)" in str(system.content)
    assert question.content == "Which colour should I paint the kitchen?"


def test_condense_plus_context_engine_sees_long_term_memories(memory: Memory) -> None:
    memory.add(TEAL, user_id="alice")
    llm = RecordingLLM()
    engine = CondensePlusContextChatEngine.from_defaults(
        retriever=NoRetriever(), llm=llm, memory=chat_memory(memory)
    )
    engine.chat("Which colour should I paint the kitchen?")
    assert "Favorite colour is teal" in llm.last_prompt
    assert texts(memory) == ["Favorite colour is teal"]  # the question holds no fact


async def test_function_agent_writes_one_turn_and_recalls_it(
    memory: Memory, add_spy: mock.MagicMock
) -> None:
    llm = ScriptedAgentLLM(script=["Teal it is."])
    agent = FunctionAgent(tools=[], llm=llm, streaming=False)
    await agent.run(TEAL, memory=chat_memory(memory))
    assert texts(memory) == ["Favorite colour is teal"]

    llm.script = ["Teal."]
    await agent.run("What is my favourite colour?", memory=chat_memory(memory))
    assert "- Favorite colour is teal" in llm.last_prompt
    assert add_spy.call_count == 0  # agents use the async path: aadd, never add


# --- batching -------------------------------------------------------------------------------


def test_a_turn_is_written_once_when_the_answer_arrives(
    memory: Memory, add_spy: mock.MagicMock
) -> None:
    mem = chat_memory(memory)
    mem.put(user(TEAL))
    assert add_spy.call_count == 0
    assert mem.unsaved == 1
    tool_call = ChatMessage(
        role=MessageRole.ASSISTANT, blocks=[ToolCallBlock(tool_name="t", tool_kwargs={})]
    )
    tool_result = ChatMessage(role=MessageRole.TOOL, content="42")
    mem.put_messages([tool_call, tool_result, assistant("Teal, noted.")])
    assert add_spy.call_count == 1
    sent = add_spy.call_args.args[1]
    assert [(m.role, m.content) for m in sent] == [("user", TEAL), ("assistant", "Teal, noted.")]
    assert add_spy.call_args.kwargs["user_id"] == "alice"
    assert mem.unsaved == 0


def test_background_writes_are_queued_and_flushed(memory: Memory, add_spy: mock.MagicMock) -> None:
    mem = chat_memory(memory, background=True)
    mem.put_messages([user(TEAL), assistant("Noted.")])
    assert add_spy.call_args.kwargs["background"] is True
    mem.put(user("I live in Lisbon."))  # no answer yet: pending
    mem.flush()
    assert sorted(texts(memory)) == ["Favorite colour is teal", "Lives in Lisbon"]


def test_set_and_reset_write_the_pending_turn_and_keep_memories(memory: Memory) -> None:
    mem = chat_memory(memory)
    mem.put(user(TEAL))
    mem.set([user("Hello"), assistant("Hi")])
    assert texts(memory) == ["Favorite colour is teal"]
    assert [m.content for m in mem.get_all()] == ["Hello", "Hi"]
    assert mem.unsaved == 0
    mem.reset()
    assert mem.get_all() == []
    assert texts(memory) == ["Favorite colour is teal"]


def test_chat_history_given_up_front_is_context_not_new_facts(memory: Memory) -> None:
    mem = chat_memory(memory, chat_history=[user(TEAL), assistant("Noted.")])
    assert [m.content for m in mem.get_all()] == [TEAL, "Noted."]
    assert texts(memory) == []


# --- get ------------------------------------------------------------------------------------


def test_get_searches_for_input_else_the_latest_user_message(memory: Memory) -> None:
    memory.add([TEAL, "I live in Lisbon."], user_id="alice")
    mem = chat_memory(memory, top_k=1)
    with mock.patch.object(Memory, "search", autospec=True, side_effect=Memory.search) as spy:
        assert mem.get() == []  # nothing to search for
        assert spy.call_count == 0
        mem.put(user("Which city do I live in?"))
        system = mem.get()[0]
        assert "Lives in Lisbon" in str(system.content)
        assert "teal" not in str(system.content)
        assert spy.call_args.args[1] == "Which city do I live in?"
        assert "teal" in str(mem.get(input="What colour do I like?")[0].content)
        assert spy.call_args.kwargs["reinforce"] is True
        # the same query again (an agent's next step): searched afresh, not counted as a use
        assert "teal" in str(mem.get(input="What colour do I like?")[0].content)
        assert spy.call_count == 3
        assert spy.call_args.kwargs["reinforce"] is False


def test_get_trims_history_to_the_token_limit_like_the_buffer(memory: Memory) -> None:
    mem = chat_memory(memory, token_limit=5)
    mem.set([user("one two three four"), assistant("five six seven"), user("eight nine ten")])
    window = mem.get()
    assert [m.content for m in window] == ["eight nine ten"]  # never starts with the assistant
    with pytest.raises(InvalidInputError, match="initial_token_count"):
        mem.get(initial_token_count=6)


def test_memories_are_dropped_worst_first_to_fit_the_limit(memory: Memory) -> None:
    memory.add([TEAL, "I live in Lisbon."], user_id="alice")
    full = chat_memory(memory, header=None).get(input="What colour do I like?")[0]
    assert str(full.content).startswith("- Favorite colour is teal")
    limit = len(chat_memory(memory).tokenizer_fn(str(full.content))) - 1
    tight = chat_memory(memory, header=None, token_limit=limit)
    (only,) = tight.get(input="What colour do I like?")
    assert str(only.content) == "- Favorite colour is teal (stated 2026-01-01)"


# --- async ----------------------------------------------------------------------------------


async def test_async_methods_use_the_cores_async_twins(memory: Memory) -> None:
    mem = chat_memory(memory)
    failing = mock.Mock(side_effect=AssertionError("sync core call from an async method"))
    with (
        mock.patch.object(Memory, "add", failing),
        mock.patch.object(Memory, "search", failing),
        mock.patch.object(Memory, "aadd", autospec=True, side_effect=Memory.aadd) as aadd,
        mock.patch.object(Memory, "asearch", autospec=True, side_effect=Memory.asearch) as asearch,
    ):
        await mem.aput(user(TEAL))
        await mem.aput_messages([assistant("Noted.")])
        assert aadd.call_count == 1
        await mem.aput(user("I live in Lisbon."))
        await mem.aset([user("What colour do I like?")])
        assert aadd.call_count == 2
        messages = await mem.aget()
        assert asearch.call_count == 1
        assert "teal" in str(messages[0].content)
        assert await mem.aget_all() == mem.get_all()
        await mem.aput(user("I work as a nurse."))
        await mem.areset()
        await mem.aflush()
        assert aadd.call_count == 3
        assert await mem.aget_all() == []
    assert sorted(texts(memory)) == [
        "Favorite colour is teal",
        "Lives in Lisbon",
        "Works as a nurse",
    ]


# --- serialisation --------------------------------------------------------------------------


def test_to_dict_is_json_and_from_dict_reuses_the_live_memory(memory: Memory) -> None:
    mem = chat_memory(memory, top_k=3, background=True)
    mem.put_messages([user("Hello"), assistant("Hi"), user(TEAL)])
    data = json.loads(json.dumps(mem.to_dict()))
    assert data["class_name"] == "Mem0ChatMemory"
    assert "tokenizer_fn" not in data
    back = Mem0ChatMemory.from_dict(data)
    assert back.memory is memory
    assert [m.content for m in back.get_all()] == ["Hello", "Hi", TEAL]
    assert (back.unsaved, back.top_k, back.background, back.user_id) == (1, 3, True, "alice")
    back.flush()  # the pending turn survived the round trip
    assert texts(memory) == ["Favorite colour is teal"]


def test_from_dict_elsewhere_explains_what_cannot_be_rebuilt(memory: Memory) -> None:
    data = chat_memory(memory).to_dict()
    data["link"]["ref"] = "a-memory-of-another-process"
    with pytest.raises(ConfigurationError, match="client, embedder"):
        Mem0ChatMemory.from_dict(data)
    assert Mem0ChatMemory.from_dict(data, memory=memory).memory is memory


def test_from_dict_finds_an_open_memory_on_the_same_store(tmp_path: Path) -> None:
    store = Memory(path=tmp_path / "store")
    data = Mem0ChatMemory.from_defaults(memory=store, user_id="alice").to_dict()
    data["link"]["ref"] = "a-memory-of-another-process"
    assert data["link"]["not_serialisable"] == []
    assert data["link"]["config"]["store"]["path"] == str((tmp_path / "store").resolve())
    assert Mem0ChatMemory.from_dict(data).memory is store  # one Memory per folder


def test_secrets_are_not_serialised(tmp_path: Path) -> None:
    config = {"llm": {"model": "m", "api_key": "sk-secret"}, "store": {"path": str(tmp_path)}}
    mem = Mem0ChatMemory.from_defaults(config=config, user_id="alice")
    assert mem.memory.config.llm.api_key == "sk-secret"
    assert "sk-secret" not in json.dumps(mem.to_dict())


async def test_workflow_context_round_trip_keeps_the_memory(memory: Memory) -> None:
    llm = ScriptedAgentLLM(script=["Noted."])
    agent = FunctionAgent(tools=[], llm=llm, streaming=False)
    ctx = Context(agent)
    await agent.run(TEAL, memory=chat_memory(memory), ctx=ctx)
    data = json.loads(json.dumps(ctx.to_dict(serializer=JsonSerializer())))

    restored = Context.from_dict(agent, data, serializer=JsonSerializer())
    mem = await restored.store.get("memory")
    assert isinstance(mem, Mem0ChatMemory)
    assert mem.memory is memory
    assert [m.content for m in mem.get_all()] == [TEAL, "Noted."]
    llm.script = ["Teal."]
    await agent.run("And my favourite colour?", ctx=restored)
    assert "- Favorite colour is teal" in llm.last_prompt
    assert f"user: {TEAL}" in llm.last_prompt  # the short-term history came back too


def test_deepcopy_shares_the_memory_not_the_buffer(memory: Memory) -> None:
    mem = chat_memory(memory)
    mem.put(user("Hello"))
    clone = copy.deepcopy(mem)
    clone.put(user("More"))
    assert clone.memory is memory
    assert len(mem.get_all()) == 1
    assert len(clone.get_all()) == 2
