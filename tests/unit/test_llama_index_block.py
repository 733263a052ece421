"""Mem0MemoryBlock inside LlamaIndex's Memory, on the fake embedder and in-memory Chroma."""

from __future__ import annotations

import json
from collections.abc import Iterator
from unittest import mock

import pytest
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.memory import Memory as ChatMemory

from mem0_integrations import Memory, ScopeError
from mem0_integrations.core.rank.context import DEFAULT_HEADER
from mem0_integrations.llama_index import Mem0MemoryBlock
from tests.llama_index_fakes import ScriptedAgentLLM

# workflows' step discovery (inspect.getmembers on FunctionAgent) reads pydantic's deprecated
# attributes; that is LlamaIndex's business, not ours.
pytestmark = pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecationWarning")

TEAL = "My favourite colour is teal."


def user(text: str) -> ChatMessage:
    return ChatMessage(role=MessageRole.USER, content=text)


def assistant(text: str) -> ChatMessage:
    return ChatMessage(role=MessageRole.ASSISTANT, content=text)


def texts(memory: Memory) -> list[str]:
    return sorted(r.text for r in memory.get_all(user_id="alice"))


@pytest.fixture
def aadd_spy() -> Iterator[mock.MagicMock]:
    with mock.patch.object(Memory, "aadd", autospec=True, side_effect=Memory.aadd) as spy:
        yield spy


def test_a_scope_is_required(memory: Memory) -> None:
    with pytest.raises(ScopeError):
        Mem0MemoryBlock(memory=memory)


async def test_turns_ejected_from_the_queue_are_written_once(
    memory: Memory, aadd_spy: mock.MagicMock
) -> None:
    block = Mem0MemoryBlock(memory=memory, user_id="alice")
    chat = ChatMemory.from_defaults(
        session_id="s1", token_limit=40, chat_history_token_ratio=0.5, memory_blocks=[block]
    )
    await chat.aput_messages([user(f"{TEAL} I live in Lisbon."), assistant("Great, noted that.")])
    assert aadd_spy.call_count == 0  # still in the short-term queue
    await chat.aput_messages([user("I work as a nurse at night."), assistant("Thanks for that.")])
    assert aadd_spy.call_count == 1  # the first turn, ejected, in one write
    assert [m.content for m in aadd_spy.call_args.args[1]] == [
        f"{TEAL} I live in Lisbon.",
        "Great, noted that.",
    ]
    assert aadd_spy.call_args.kwargs["user_id"] == "alice"
    assert texts(memory) == ["Favorite colour is teal", "Lives in Lisbon"]

    # the turns still queued when the session ends are passed on by hand
    await block.aput(await chat.aget_all())
    assert "Works as a nurse" in texts(memory)


async def test_a_new_session_reads_the_memories_into_the_system_message(memory: Memory) -> None:
    memory.add([TEAL, "I live in Lisbon."], user_id="alice")
    memory.add("I live in Paris.", user_id="bob")
    block = Mem0MemoryBlock(memory=memory, user_id="alice", top_k=1)
    chat = ChatMemory.from_defaults(session_id="s2", memory_blocks=[block])
    (system,) = await chat.aget(input="What colour do I like?")  # the input is not stored
    assert system.role == MessageRole.SYSTEM
    assert "<long_term_memory>" in str(system.content)
    assert "- Favorite colour is teal (stated 2026-01-01)" in str(system.content)
    assert "Lisbon" not in str(system.content)
    assert "Paris" not in str(system.content)


async def test_no_user_message_means_no_search_and_no_block(memory: Memory) -> None:
    block = Mem0MemoryBlock(memory=memory, user_id="alice")
    with mock.patch.object(Memory, "asearch", autospec=True) as asearch:
        assert await block.aget([assistant("Hello!")]) == ""
        assert await block.aget(None) == ""
    assert asearch.call_count == 0


async def test_the_chat_memorys_session_id_does_not_narrow_the_scope(memory: Memory) -> None:
    block = Mem0MemoryBlock(memory=memory, user_id="alice")
    await block.aput([user(TEAL)], session_id="llama-session-1")
    (record,) = memory.get_all(user_id="alice")
    assert record.scope.session_id is None
    assert "teal" in await block.aget([user("colour?")], session_id="llama-session-2")


async def test_block_methods_use_the_cores_async_twins(memory: Memory) -> None:
    block = Mem0MemoryBlock(memory=memory, user_id="alice")
    failing = mock.Mock(side_effect=AssertionError("sync core call from an async method"))
    with mock.patch.object(Memory, "add", failing), mock.patch.object(Memory, "search", failing):
        await block.aput([user(TEAL), assistant("Noted.")])
        assert "teal" in await block.aget([user("What colour do I like?")])


async def test_truncation_drops_the_least_relevant_memories_first(memory: Memory) -> None:
    memory.add([TEAL, "I live in Lisbon.", "I work as a nurse."], user_id="alice")
    block = Mem0MemoryBlock(memory=memory, user_id="alice")
    content = await block.aget([user("What colour do I like?")])
    lines = content.splitlines()
    assert lines[0] == DEFAULT_HEADER
    assert "teal" in lines[1]
    assert len(lines) == 4
    assert await block.atruncate(content, 1) == "\n".join(lines[:3])
    assert await block.atruncate(content, 10_000) is None
    assert block.priority == 1  # truncatable by default; 0 would never be truncated


async def test_the_chat_memory_truncates_the_block_to_its_token_limit(memory: Memory) -> None:
    memory.add([TEAL, "I live in Lisbon.", "I work as a nurse."], user_id="alice")
    block = Mem0MemoryBlock(memory=memory, user_id="alice", header=None)
    chat = ChatMemory.from_defaults(session_id="s", token_limit=20, memory_blocks=[block])
    system = (await chat.aget(input="What colour do I like?"))[0]
    assert "teal" in str(system.content)
    assert "nurse" not in str(system.content)  # the least relevant memory went first


async def test_function_agent_with_the_chat_memory_recalls_across_sessions(
    memory: Memory,
) -> None:
    llm = ScriptedAgentLLM(script=["Noted."])
    agent = FunctionAgent(tools=[], llm=llm, streaming=False)
    first = ChatMemory.from_defaults(
        session_id="s1", memory_blocks=[Mem0MemoryBlock(memory=memory, user_id="alice")]
    )
    await agent.run(TEAL, memory=first)
    (block,) = first.memory_blocks
    await block.aput(await first.aget_all())  # end of session: keep what is still queued

    llm.script = ["Teal."]
    second = ChatMemory.from_defaults(
        session_id="s2", memory_blocks=[Mem0MemoryBlock(memory=memory, user_id="alice")]
    )
    await agent.run("What is my favourite colour?", memory=second)
    assert "- Favorite colour is teal" in llm.last_prompt
    assert TEAL not in llm.last_prompt  # not the old session's transcript: the memory


def test_the_block_validates_back_onto_the_same_memory(memory: Memory) -> None:
    block = Mem0MemoryBlock(memory=memory, user_id="alice", top_k=2, name="facts")
    data = json.loads(json.dumps(block.model_dump(mode="json")))
    back = Mem0MemoryBlock.model_validate(data)
    assert back.memory is memory
    assert (back.top_k, back.name, back.user_id) == (2, "facts", "alice")
