"""Mem0Retriever and Mem0ToolSpec, on the fake embedder and in-memory Chroma."""

from __future__ import annotations

from datetime import datetime
from unittest import mock

import pytest
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.chat_engine import CondensePlusContextChatEngine
from llama_index.core.memory import ChatMemoryBuffer
from llama_index.core.schema import MetadataMode

from mem0_integrations import Memory, MemoryNotFoundError, ScopeError
from mem0_integrations.llama_index import Mem0Retriever, Mem0ToolSpec
from tests.llama_index_fakes import RecordingLLM, ScriptedAgentLLM

# workflows' step discovery (inspect.getmembers on FunctionAgent) reads pydantic's deprecated
# attributes; that is LlamaIndex's business, not ours.
pytestmark = pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecationWarning")

TEAL = "My favourite colour is teal."
SCOPE_NAMES = {"user_id", "agent_id", "session_id", "run_id"}


@pytest.fixture
def spec(memory: Memory) -> Mem0ToolSpec:
    return Mem0ToolSpec(memory=memory, user_id="alice")


def failing_sync_core() -> mock._patch[mock.Mock]:
    failing = mock.Mock(side_effect=AssertionError("sync core call from an async method"))
    return mock.patch.multiple(
        Memory, add=failing, search=failing, update=failing, delete=failing, forget=failing
    )


# --- retriever ------------------------------------------------------------------------------


def test_retriever_requires_a_scope(memory: Memory) -> None:
    with pytest.raises(ScopeError):
        Mem0Retriever(memory=memory)


def test_nodes_carry_the_memorys_metadata(memory: Memory) -> None:
    (event,) = memory.add(TEAL, user_id="alice", metadata={"source": "crm", "score": 99}).events
    memory.add("My favourite colour is red.", user_id="bob")
    (node,) = Mem0Retriever(memory=memory, user_id="alice").retrieve("favourite colour")
    assert node.node.get_content() == "Favorite colour is teal"
    assert node.node.node_id == event.id
    meta = node.node.metadata
    assert meta["memory_id"] == event.id
    assert meta["user_id"] == "alice"
    assert meta["score"] == node.score != 99
    assert 0 < meta["similarity"] <= 1
    assert meta["source"] == "crm"
    assert meta["category"] == "preference"
    assert datetime.fromisoformat(meta["stated_at"]).isoformat() == "2026-01-01T12:00:00+00:00"
    assert meta["created_at"] == meta["updated_at"] == meta["stated_at"]
    assert "agent_id" not in meta
    assert "session_id" not in meta
    shown = node.node.get_content(metadata_mode=MetadataMode.LLM)
    assert "stated_at: 2026-01-01" in shown
    assert "memory_id" not in shown


def test_empty_queries_and_filters(memory: Memory) -> None:
    memory.add(TEAL, user_id="alice", metadata={"source": "crm"})
    memory.add("I live in Lisbon.", user_id="alice", metadata={"source": "chat"})
    assert Mem0Retriever(memory=memory, user_id="alice").retrieve("  ") == []
    nodes = Mem0Retriever(memory=memory, user_id="alice", filters={"source": "chat"}).retrieve(
        "colour"
    )
    assert [n.node.get_content() for n in nodes] == ["Lives in Lisbon"]


async def test_aretrieve_uses_the_async_search(memory: Memory) -> None:
    memory.add(TEAL, user_id="alice")
    with failing_sync_core():
        nodes = await Mem0Retriever(memory=memory, user_id="alice", top_k=1).aretrieve("colour")
    assert [n.node.get_content() for n in nodes] == ["Favorite colour is teal"]


def test_condense_plus_context_engine_with_the_retriever(memory: Memory) -> None:
    memory.add(TEAL, user_id="alice")
    llm = RecordingLLM()
    engine = CondensePlusContextChatEngine.from_defaults(
        retriever=Mem0Retriever(memory=memory, user_id="alice"),
        llm=llm,
        memory=ChatMemoryBuffer.from_defaults(token_limit=2000),
    )
    engine.chat("Which colour should I paint the kitchen?")
    assert "Favorite colour is teal" in llm.last_prompt


# --- tool spec ------------------------------------------------------------------------------


def test_the_model_never_sees_a_scope_argument(spec: Mem0ToolSpec) -> None:
    tools = spec.to_tool_list()
    names = [t.metadata.name for t in tools]
    assert names == ["search_memory", "save_memory", "update_memory", "forget_memory"]
    for tool in tools:
        params = set(tool.metadata.get_parameters_dict()["properties"])
        assert params
        assert not params & SCOPE_NAMES
        assert tool.async_fn is not None


def test_save_search_update_forget(spec: Mem0ToolSpec, memory: Memory) -> None:
    saved = spec.save_memory("Prefers window seats")
    (record,) = memory.get_all(user_id="alice")
    assert saved == f"Saved memory {record.id}: Prefers window seats"
    assert "Already remembered" in spec.save_memory("prefers window seats.")
    found = spec.search_memory("seats")
    assert f"- id={record.id}: Prefers window seats (stated 2026-01-01)" in found
    assert spec.update_memory(record.id, "Prefers aisle seats").startswith(
        f"Updated memory {record.id}: now 'Prefers aisle seats'"
    )
    assert spec.forget_memory(record.id) == f"Forgot memory {record.id}."
    assert memory.get_all(user_id="alice") == []
    assert spec.forget_memory(record.id) == f"Memory {record.id!r} was already forgotten."
    assert spec.search_memory("seats") == "No memories match 'seats'."


def test_mistakes_come_back_as_text_the_model_can_act_on(
    spec: Mem0ToolSpec, memory: Memory
) -> None:
    (bobs,) = memory.add("I like jazz.", user_id="bob").events
    for answer in (spec.update_memory(bobs.id, "hacked"), spec.forget_memory("no-such-id")):
        assert "No memory with id" in answer
        assert "search_memory" in answer
    assert memory.get(bobs.id).text == bobs.memory  # another user's memory is out of reach
    assert spec.save_memory("   ").startswith("Error: ")
    assert "again" in spec.save_memory("")
    assert spec.search_memory("seats", limit=-1).startswith("Error: limit must be")


def test_erase_hard_deletes(memory: Memory) -> None:
    spec = Mem0ToolSpec(memory=memory, user_id="alice", erase=True)
    (event,) = memory.add(TEAL, user_id="alice").events
    assert spec.forget_memory(event.id) == f"Forgot memory {event.id}."
    with pytest.raises(MemoryNotFoundError):
        memory.get(event.id)
    assert "already forgotten" in spec.forget_memory(event.id)


async def test_async_tools_use_the_cores_async_twins(spec: Mem0ToolSpec) -> None:
    with failing_sync_core():
        saved = await spec.asave_memory("Prefers window seats")
        memory_id = saved.split()[2].rstrip(":")
        assert memory_id in await spec.asearch_memory("seats")
        assert "now 'Prefers aisle seats'" in await spec.aupdate_memory(
            memory_id, "Prefers aisle seats"
        )
        assert await spec.aforget_memory(memory_id) == f"Forgot memory {memory_id}."
        assert "already forgotten" in await spec.aforget_memory(memory_id)
        assert "search_memory" in await spec.aforget_memory("no-such-id")
        eraser = Mem0ToolSpec(memory=spec.memory, user_id="alice", erase=True)
        assert await eraser.aforget_memory(memory_id) == f"Forgot memory {memory_id}."
        assert "already forgotten" in await eraser.aforget_memory(memory_id)


async def test_function_agent_saves_then_finds_a_memory(spec: Mem0ToolSpec) -> None:
    llm = ScriptedAgentLLM(script=[("save_memory", {"text": "Prefers window seats"}), "Saved."])
    agent = FunctionAgent(tools=spec.to_tool_list(), llm=llm, streaming=False)
    with failing_sync_core():
        await agent.run("Remember that I like window seats.")
        llm.script = [("search_memory", {"query": "seat preference"}), "Window."]
        await agent.run("Which seat do I like?")
    assert "tool: Memories, best match first:\n- id=" in llm.last_prompt
    assert "Prefers window seats" in llm.last_prompt
