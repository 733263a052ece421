"""Written through one framework, read through the other, on the same store.

Two writer processes run at once, each on its own embedded folder, and exit:

* process "langchain" talks to a ``ConversationChain`` with ``Mem0Memory`` (background
  write), a ``create_agent`` agent with ``Mem0Middleware`` and one with the memory tools;
* process "llama_index" talks to a ``SimpleChatEngine`` with ``Mem0ChatMemory`` (background
  write), a ``FunctionAgent`` with ``Mem0ToolSpec`` and a ``Mem0MemoryBlock``.

This process then reads each folder through the *other* framework with deterministic
models that record what they received, and asserts on those prompts. A last group does
both directions in one process on one shared ``Memory``, sync and async.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_classic.chains import ConversationChain
from langchain_core.documents import Document
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import BaseMessage, SystemMessage
from langchain_core.outputs import ChatResult
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnablePassthrough
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.chat_engine import CondensePlusContextChatEngine, SimpleChatEngine
from llama_index.core.memory import ChatMemoryBuffer
from llama_index.core.memory import Memory as ChatMemory
from pydantic import Field

from mem0_integrations import Memory, OnnxMiniLMEmbedder
from mem0_integrations import langchain as lc
from mem0_integrations import llama_index as li
from tests.integration.conftest import TickingClock
from tests.llama_index_fakes import NoRetriever, RecordingLLM, ScriptedAgentLLM

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore::langchain_core._api.LangChainDeprecationWarning"),
    pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecationWarning"),
]

ROOT = Path(__file__).resolve().parents[2]

WRITE_THROUGH_LANGCHAIN = """
import json, sys
from dataclasses import dataclass
from langchain.agents import create_agent
from langchain_classic.chains import ConversationChain
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from mem0_integrations import Memory
from mem0_integrations.langchain import Mem0Memory, Mem0Middleware, create_memory_tools

class Scripted(GenericFakeChatModel):
    def bind_tools(self, tools, **kwargs):
        return self

@dataclass
class Context:
    user_id: str

memory = Memory(path=sys.argv[1])
chain = ConversationChain(
    llm=Scripted(messages=iter(["I will remember that."])),
    memory=Mem0Memory(memory, user_id="alice", session_id="monday", background=True),
)
chain.invoke({"input": "I am allergic to penicillin."})

agent = create_agent(
    Scripted(messages=iter(["Teal is lovely."])),
    middleware=[Mem0Middleware(memory)],
    context_schema=Context,
)
agent.invoke({"messages": [("user", "My favourite colour is teal.")]}, context=Context("alice"))

call = {"name": "save_memory", "args": {"text": "Prefers window seats"}, "id": "c1"}
agent = create_agent(
    Scripted(messages=iter([AIMessage("", tool_calls=[call]), AIMessage("Saved.")])),
    tools=create_memory_tools(memory, user_id="alice"),
)
agent.invoke({"messages": [("user", "Remember that I like window seats.")]})

memory.flush()  # waits for the background writes
print(json.dumps(sorted(r.text for r in memory.get_all(user_id="alice"))))
memory.close()
"""

WRITE_THROUGH_LLAMA_INDEX = """
import asyncio, json, sys
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.core.llms import ChatMessage
from mem0_integrations import Memory
from mem0_integrations.llama_index import Mem0ChatMemory, Mem0MemoryBlock, Mem0ToolSpec
from tests.llama_index_fakes import RecordingLLM, ScriptedAgentLLM

memory = Memory(path=sys.argv[1])
chat_memory = Mem0ChatMemory.from_defaults(memory=memory, user_id="bob", background=True)
SimpleChatEngine.from_defaults(llm=RecordingLLM(), memory=chat_memory).chat("I live in Lisbon.")

llm = ScriptedAgentLLM(script=[("save_memory", {"text": "Plays the cello"}), "Saved."])
agent = FunctionAgent(
    tools=Mem0ToolSpec(memory=memory, user_id="bob").to_tool_list(), llm=llm, streaming=False
)
block = Mem0MemoryBlock(memory=memory, user_id="bob")
said = [ChatMessage(role="user", content="My dog is called Rex."),
        ChatMessage(role="assistant", content="Nice name.")]

async def main():
    await agent.run("Remember that I play the cello.")
    await block.aput(said)

asyncio.run(main())
memory.flush()  # waits for the background write
print(json.dumps(sorted(r.text for r in memory.get_all(user_id="bob"))))
memory.close()
"""


@dataclass
class Writer:
    """A finished writer process: the folder it wrote and what it stored."""

    folder: Path
    stored: list[str]


@pytest.fixture(scope="module")
def writers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Writer]:
    """Both writer processes, run side by side; each has exited before any test reads."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEM0I_")}
    root = tmp_path_factory.mktemp("cross_framework")
    scripts = {"langchain": WRITE_THROUGH_LANGCHAIN, "llama_index": WRITE_THROUGH_LLAMA_INDEX}
    running = {
        name: (
            root / name,
            subprocess.Popen(
                [sys.executable, "-c", code, str(root / name)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
        for name, code in scripts.items()
    }
    done = {}
    for name, (folder, process) in running.items():
        out, err = process.communicate(timeout=180)
        assert process.returncode == 0, f"process {name!r} failed:\n{err[-4000:]}"
        done[name] = Writer(folder, json.loads(out.strip().splitlines()[-1]))
    return done


@pytest.fixture(scope="module")
def from_langchain(writers: dict[str, Writer], embedder: OnnxMiniLMEmbedder) -> Iterator[Memory]:
    """The folder the LangChain process wrote, opened here after it exited."""
    with Memory(path=writers["langchain"].folder, embedder=embedder) as memory:
        yield memory


@pytest.fixture(scope="module")
def from_llama_index(writers: dict[str, Writer], embedder: OnnxMiniLMEmbedder) -> Iterator[Memory]:
    """The folder the LlamaIndex process wrote, opened here after it exited."""
    with Memory(path=writers["llama_index"].folder, embedder=embedder) as memory:
        yield memory


class RecordingModel(GenericFakeChatModel):
    """A LangChain chat model that replies from a script and records every call."""

    received: list[list[BaseMessage]] = Field(default_factory=list)

    def bind_tools(self, tools: Any, **kwargs: Any) -> RecordingModel:
        return self

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        self.received.append(list(messages))
        return super()._generate(messages, *args, **kwargs)

    @property
    def prompt(self) -> str:
        """The text of every message of the last call, one per line."""
        assert self.received, "the model was never called"
        return "\n".join(str(m.content) for m in self.received[-1])


def recording_model(*replies: str) -> RecordingModel:
    return RecordingModel(messages=iter(replies))


def rendered(fact: str) -> str:
    """How ``render_memories`` shows a fact to a model (up to its date)."""
    return f"- {fact} (stated "


# --- written through LangChain, read through LlamaIndex --------------------------------------


def test_the_langchain_process_stored_each_fact(writers: dict[str, Writer]) -> None:
    assert writers["langchain"].stored == [
        "Allergic to penicillin",
        "Favorite colour is teal",
        "Prefers window seats",
    ]


def test_classic_memory_fact_reaches_a_llama_index_chat_engine(from_langchain: Memory) -> None:
    llm = RecordingLLM()
    memory = li.Mem0ChatMemory.from_defaults(memory=from_langchain, user_id="alice", top_k=1)
    SimpleChatEngine.from_defaults(llm=llm, memory=memory).chat("Which antibiotic should I avoid?")
    system, *rest = llm.chats[-1]
    assert system.role.value == "system"
    assert rendered("Allergic to penicillin") in str(system.content)
    assert [(m.role.value, m.content) for m in rest] == [
        ("user", "Which antibiotic should I avoid?")
    ]


def test_middleware_fact_reaches_a_llama_index_retriever(from_langchain: Memory) -> None:
    llm = RecordingLLM()
    engine = CondensePlusContextChatEngine.from_defaults(
        retriever=li.Mem0Retriever(memory=from_langchain, user_id="alice", top_k=1),
        llm=llm,
        memory=ChatMemoryBuffer.from_defaults(token_limit=2000),
    )
    engine.chat("What colour should I paint my bike?")
    assert "Favorite colour is teal" in llm.last_prompt
    assert "penicillin" not in llm.last_prompt  # top_k=1: only the relevant memory


async def test_tool_fact_reaches_a_llama_index_agent(from_langchain: Memory) -> None:
    llm = ScriptedAgentLLM(script=["A window seat."])
    block = li.Mem0MemoryBlock(memory=from_langchain, user_id="alice", top_k=1)
    memory = ChatMemory.from_defaults(session_id="new", memory_blocks=[block])
    agent = FunctionAgent(tools=[], llm=llm, streaming=False)
    await agent.run("Which seat should I book on my flight?", memory=memory)
    assert rendered("Prefers window seats") in llm.last_prompt


# --- written through LlamaIndex, read through LangChain --------------------------------------


def test_the_llama_index_process_stored_each_fact(writers: dict[str, Writer]) -> None:
    assert writers["llama_index"].stored == [
        "Has a dog named Rex",
        "Lives in Lisbon",
        "Plays the cello",
    ]


def test_chat_engine_fact_reaches_a_langchain_retriever_chain(from_llama_index: Memory) -> None:
    llm = recording_model("Lisbon.")

    def joined(docs: list[Document]) -> str:
        return "\n".join(d.page_content for d in docs)

    retriever = lc.Mem0Retriever(from_llama_index, user_id="bob", k=1)
    prompt = ChatPromptTemplate.from_template("Known facts:\n{context}\n\nQuestion: {question}")
    chain = {"context": retriever | joined, "question": RunnablePassthrough()} | prompt | llm
    chain.invoke("Where do I live?")
    assert llm.prompt == "Known facts:\nLives in Lisbon\n\nQuestion: Where do I live?"


async def test_agent_tool_fact_reaches_a_langchain_conversation_chain(
    from_llama_index: Memory,
) -> None:
    llm = recording_model("The cello.")
    memory = lc.Mem0Memory(from_llama_index, user_id="bob", session_id="tuesday", search_limit=1)
    await ConversationChain(llm=llm, memory=memory).ainvoke({"input": "Which instrument?"})
    assert rendered("Plays the cello") in llm.prompt
    assert "Lisbon" not in llm.prompt


def test_memory_block_fact_reaches_langchain_middleware(from_llama_index: Memory) -> None:
    llm = recording_model("Rex.")
    middleware = lc.Mem0Middleware(from_llama_index, user_id="bob", limit=1, save=False)
    agent = create_agent(llm, middleware=[middleware], system_prompt="Be brief.")
    state: Any = {"messages": [("user", "What is my dog called?")]}
    agent.invoke(state)
    system = llm.received[-1][0]
    assert isinstance(system, SystemMessage)
    assert str(system.content).startswith("Be brief.\n\n")
    assert rendered("Has a dog named Rex") in str(system.content)


def test_another_user_reads_nothing_through_either_framework(
    from_langchain: Memory, from_llama_index: Memory
) -> None:
    llm = RecordingLLM()
    memory = li.Mem0ChatMemory.from_defaults(memory=from_langchain, user_id="bob")
    SimpleChatEngine.from_defaults(llm=llm, memory=memory).chat("Which antibiotic should I avoid?")
    assert llm.last_prompt == "user: Which antibiotic should I avoid?"
    lc_model = recording_model("I do not know.")
    chain = ConversationChain(llm=lc_model, memory=lc.Mem0Memory(from_llama_index, user_id="alice"))
    chain.invoke({"input": "Where do I live?"})
    assert "Lisbon" not in lc_model.prompt
    assert "Long-term memories" not in lc_model.prompt


# --- both directions in one process, on one shared Memory ------------------------------------


@pytest.fixture
def shared(tmp_path: Path, embedder: OnnxMiniLMEmbedder, clock: TickingClock) -> Iterator[Memory]:
    with Memory(path=tmp_path / "store", embedder=embedder, clock=clock) as memory:
        yield memory


async def test_both_ways_on_one_shared_memory_async(shared: Memory) -> None:
    lc_model = recording_model("Noted.", "You play the cello.")
    chain = ConversationChain(
        llm=lc_model, memory=lc.Mem0Memory(shared, user_id="carol", session_id="s1")
    )
    li_llm = RecordingLLM()
    engine = SimpleChatEngine.from_defaults(
        llm=li_llm, memory=li.Mem0ChatMemory.from_defaults(memory=shared, user_id="carol")
    )
    await chain.ainvoke({"input": "I am allergic to penicillin."})
    await engine.achat("I play the cello.")
    await engine.achat("Which antibiotic should I avoid?")
    assert rendered("Allergic to penicillin") in li_llm.last_prompt
    await chain.ainvoke({"input": "Which instrument do I play?"})
    assert rendered("Plays the cello") in lc_model.prompt


def test_the_same_scope_arguments_share_facts_across_frameworks(shared: Memory) -> None:
    chain = ConversationChain(
        llm=recording_model("Noted."),
        memory=lc.Mem0Memory(shared, user_id="dana", session_id="monday"),
    )
    chain.invoke({"input": "I am allergic to penicillin."})
    llm = RecordingLLM()
    memory = li.Mem0ChatMemory.from_defaults(memory=shared, user_id="dana", session_id="tuesday")
    SimpleChatEngine.from_defaults(llm=llm, memory=memory).chat("Which antibiotic should I avoid?")
    assert rendered("Allergic to penicillin") in llm.last_prompt


def test_a_condense_engine_sees_a_langchain_fact_through_the_chat_memory(shared: Memory) -> None:
    chain = ConversationChain(
        llm=recording_model("Noted."),
        memory=lc.Mem0Memory(shared, user_id="erin", session_id="monday"),
    )
    chain.invoke({"input": "I work as a nurse."})
    llm = RecordingLLM()
    engine = CondensePlusContextChatEngine.from_defaults(
        retriever=NoRetriever(),
        llm=llm,
        memory=li.Mem0ChatMemory.from_defaults(memory=shared, user_id="erin"),
    )
    engine.chat("What is my job?")
    assert rendered("Works as a nurse") in llm.last_prompt
