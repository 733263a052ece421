"""The LlamaIndex adapters across processes, on real embedded Chroma and the offline embedder.

Process 1 (a subprocess) talks through each write surface (a ``SimpleChatEngine``
with ``Mem0ChatMemory``, a ``FunctionAgent`` with ``Mem0ToolSpec``, a
``Mem0MemoryBlock``) and exits. Process 2 (another subprocess) rebuilds the chat
memory from its ``to_dict`` dump. Then this process opens the same folder and
checks that each read surface put those facts in what the deterministic model
received.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.chat_engine import CondensePlusContextChatEngine, SimpleChatEngine
from llama_index.core.memory import ChatMemoryBuffer
from llama_index.core.memory import Memory as ChatMemory

from mem0_integrations import Memory, OnnxMiniLMEmbedder
from mem0_integrations.llama_index import (
    Mem0ChatMemory,
    Mem0MemoryBlock,
    Mem0Retriever,
    Mem0ToolSpec,
)
from tests.llama_index_fakes import NoRetriever, RecordingLLM, ScriptedAgentLLM

pytestmark = [
    pytest.mark.integration,
    # workflows' step discovery reads pydantic's deprecated attributes; not ours to fix.
    pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecationWarning"),
]

ROOT = Path(__file__).resolve().parents[2]

PROCESS_1 = """
import asyncio, json, sys
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.core.llms import ChatMessage
from mem0_integrations.llama_index import Mem0ChatMemory, Mem0MemoryBlock, Mem0ToolSpec
from tests.llama_index_fakes import RecordingLLM, ScriptedAgentLLM

path, dump = sys.argv[1], sys.argv[2]
chat_memory = Mem0ChatMemory.from_defaults(path=path, user_id="alice")
engine = SimpleChatEngine.from_defaults(llm=RecordingLLM(), memory=chat_memory)
engine.chat("My favourite colour is teal.")
chat_memory.put(ChatMessage(role="user", content="I am training for the Lisbon marathon."))
with open(dump, "w") as fh:  # the marathon turn has no answer yet: still pending
    json.dump(chat_memory.to_dict(), fh)

store = chat_memory.memory
llm = ScriptedAgentLLM(script=[("save_memory", {"text": "Prefers window seats"}), "Saved."])
tools = Mem0ToolSpec(memory=store, user_id="alice").to_tool_list()
block = Mem0MemoryBlock(memory=store, user_id="alice")
said = [ChatMessage(role="user", content="I am allergic to penicillin."),
        ChatMessage(role="assistant", content="Noted.")]

async def main():
    agent = FunctionAgent(tools=tools, llm=llm, streaming=False)
    await agent.run("Remember that I like window seats.")
    await block.aput(said)

asyncio.run(main())
store.flush()
print(json.dumps(sorted(r.text for r in store.get_all(user_id="alice"))))
store.close()
"""

PROCESS_2 = """
import json, sys
from mem0_integrations.llama_index import Mem0ChatMemory

with open(sys.argv[1]) as fh:
    chat_memory = Mem0ChatMemory.from_dict(json.load(fh))
messages = chat_memory.get(input="What colour should I paint my bike?")
chat_memory.flush()  # writes the pending marathon turn
store = chat_memory.memory
print(json.dumps({
    "path": str(store.config.store.path),
    "messages": [[m.role.value, m.content] for m in messages],
    "memories": sorted(r.text for r in store.get_all(user_id="alice")),
}))
store.close()
"""


def run_python(code: str, *args: str) -> Any:
    """Run ``code`` in a fresh interpreter at the repo root; its last stdout line, as JSON."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("llama_index") / "store"


@pytest.fixture(scope="module")
def processes(folder: Path) -> dict[str, Any]:
    """Process 1 writes, then process 2 rebuilds the chat memory; both exit."""
    dump = folder.parent / "chat_memory.json"
    written = run_python(PROCESS_1, str(folder), str(dump))
    rebuilt = run_python(PROCESS_2, str(dump))
    return {"written": written, "rebuilt": rebuilt}


@pytest.fixture(scope="module")
def store(processes: dict[str, Any], folder: Path, embedder: OnnxMiniLMEmbedder) -> Memory:
    """This process's Memory on the folder, opened only after the others exited."""
    return Memory(path=folder, embedder=embedder)


def test_process_1_wrote_through_every_surface(processes: dict[str, Any]) -> None:
    assert processes["written"] == [
        "Allergic to penicillin",
        "Favorite colour is teal",
        "Prefers window seats",
    ]


def test_another_process_rebuilds_the_chat_memory_from_its_dict(
    processes: dict[str, Any], folder: Path
) -> None:
    rebuilt = processes["rebuilt"]
    assert rebuilt["path"] == str(folder.resolve())
    (system_role, system), *history = rebuilt["messages"]
    assert system_role == "system"
    assert "- Favorite colour is teal (stated " in system
    assert history[0] == ["user", "My favourite colour is teal."]
    assert history[-1] == ["user", "I am training for the Lisbon marathon."]
    assert any("marathon" in m.lower() for m in rebuilt["memories"])  # the pending turn


def test_simple_chat_engine(store: Memory) -> None:
    llm = RecordingLLM()
    memory = Mem0ChatMemory.from_defaults(memory=store, user_id="alice", top_k=2)
    SimpleChatEngine.from_defaults(llm=llm, memory=memory).chat("What colour is my bike?")
    assert "Favorite colour is teal" in llm.last_prompt


def test_condense_plus_context_engine_with_the_retriever(store: Memory) -> None:
    llm = RecordingLLM()
    engine = CondensePlusContextChatEngine.from_defaults(
        retriever=Mem0Retriever(memory=store, user_id="alice", top_k=2),
        llm=llm,
        memory=ChatMemoryBuffer.from_defaults(token_limit=2000),
    )
    engine.chat("Which seat should I book on my flight?")
    assert "Prefers window seats" in llm.last_prompt


def test_condense_plus_context_engine_with_the_chat_memory(store: Memory) -> None:
    llm = RecordingLLM()
    engine = CondensePlusContextChatEngine.from_defaults(
        retriever=NoRetriever(),
        llm=llm,
        memory=Mem0ChatMemory.from_defaults(memory=store, user_id="alice", top_k=2),
    )
    engine.chat("Which antibiotics should I avoid?")
    assert "Allergic to penicillin" in llm.last_prompt


async def test_function_agent_with_the_chat_memory(store: Memory) -> None:
    llm = ScriptedAgentLLM(script=["Teal."])
    agent = FunctionAgent(tools=[], llm=llm, streaming=False)
    memory = Mem0ChatMemory.from_defaults(memory=store, user_id="alice", top_k=2)
    await agent.run("What colour should my new bike be?", memory=memory)
    assert "Favorite colour is teal" in llm.last_prompt


async def test_function_agent_with_the_memory_block(store: Memory) -> None:
    llm = ScriptedAgentLLM(script=["Avoid penicillin."])
    agent = FunctionAgent(tools=[], llm=llm, streaming=False)
    block = Mem0MemoryBlock(memory=store, user_id="alice", top_k=2)
    memory = ChatMemory.from_defaults(session_id="new-session", memory_blocks=[block])
    await agent.run("Which antibiotics should I avoid?", memory=memory)
    assert "Allergic to penicillin" in llm.last_prompt


async def test_function_agent_with_the_tool_spec(store: Memory) -> None:
    script: list[Any] = [("search_memory", {"query": "seat preference"}), "Window."]
    llm = ScriptedAgentLLM(script=script)
    spec = Mem0ToolSpec(memory=store, user_id="alice")
    agent = FunctionAgent(tools=spec.to_tool_list(), llm=llm, streaming=False)
    await agent.run(
        "Which seat do I like?", memory=ChatMemoryBuffer.from_defaults(token_limit=2000)
    )
    assert "Prefers window seats" in llm.last_prompt.split("tool: ", 1)[1]
