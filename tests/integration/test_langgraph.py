"""LangGraph and agents on real embedded Chroma with the real offline embedder.

A ``StateGraph`` compiled with ``store=Mem0Store(...)`` and a ``create_agent`` with
``Mem0Middleware`` (and LangMem's tools on the store): a fact said in one process is in
the prompt a second process's model received, and injected memories are never part of
the checkpointed state.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.runtime import Runtime
from langmem import create_manage_memory_tool, create_search_memory_tool
from pydantic import Field

from mem0_integrations import Memory, OnnxMiniLMEmbedder
from mem0_integrations.core.merge.keyed_ops import keyed_id
from mem0_integrations.langchain import Mem0Middleware, Mem0Store

pytestmark = pytest.mark.integration

FACT = "I am allergic to penicillin."


class RecordingModel(GenericFakeChatModel):
    """Answers from a script and records the messages of every call (tools accepted)."""

    seen: list[list[BaseMessage]] = Field(default_factory=list)

    def bind_tools(self, tools: Any, **kwargs: Any) -> RecordingModel:  # type: ignore[override]
        return self

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Any:
        self.seen.append(list(messages))
        return super()._generate(messages, *args, **kwargs)

    def prompt(self, call: int = -1) -> str:
        return "\n".join(m.text for m in self.seen[call])


@dataclass
class Context:
    user_id: str


def run_child(code: str, *args: str, cwd: Path) -> str:
    """Run ``code`` in a fresh interpreter that exits before the test goes on."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEM0I_")}
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=cwd,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, f"child failed ({proc.returncode}):\n{proc.stderr[-4000:]}"
    return proc.stdout.strip().splitlines()[-1]


GRAPH_WRITER = """
import sys, uuid
from dataclasses import dataclass
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.runtime import Runtime
from mem0_integrations.langchain import Mem0Store

@dataclass
class Context:
    user_id: str

def remember(state: MessagesState, runtime: Runtime[Context]) -> dict:
    said = state["messages"][-1].content
    runtime.store.put(("memories", runtime.context.user_id), str(uuid.uuid4()), {"content": said})
    return {}

builder = StateGraph(MessagesState, context_schema=Context)
builder.add_node("remember", remember)
builder.add_edge(START, "remember")
store = Mem0Store(path=sys.argv[1])
graph = builder.compile(store=store)
graph.invoke({"messages": [{"role": "user", "content": sys.argv[2]}]}, context=Context("alice"))
store.memory.flush()
print(len(store.search(("memories", "alice"))))
store.memory.close()
"""


def answering_graph(model: RecordingModel, store: Mem0Store) -> Any:
    def respond(state: MessagesState, runtime: Runtime[Context]) -> dict[str, Any]:
        assert runtime.store is not None
        question = state["messages"][-1].text
        found = runtime.store.search(("memories", runtime.context.user_id), query=question)
        facts = "\n".join(f"- {item.value['content']}" for item in found)
        system = SystemMessage(f"What you know about the user:\n{facts}")
        return {"messages": [model.invoke([system, *state["messages"]])]}

    builder = StateGraph(MessagesState, context_schema=Context)
    builder.add_node("respond", respond)
    builder.add_edge(START, "respond")
    return builder.compile(store=store)


def test_graph_store_fact_from_another_process_reaches_the_prompt(
    tmp_path: Path, embedder: OnnxMiniLMEmbedder
) -> None:
    folder = tmp_path / "store"
    assert run_child(GRAPH_WRITER, str(folder), FACT, cwd=tmp_path) == "1"

    store = Mem0Store(memory=Memory(path=folder, embedder=embedder))
    model = RecordingModel(messages=iter(["Avoid penicillin.", "I know nothing about you."]))
    graph = answering_graph(model, store)
    question = {"messages": [{"role": "user", "content": "Which antibiotic must I avoid?"}]}
    graph.invoke(question, context=Context("alice"))
    assert f"- {FACT}" in model.prompt()
    graph.invoke(question, context=Context("bob"))
    assert "penicillin" not in model.prompt()  # another user's namespace and scope
    assert [h.memory for h in store.memory.search("antibiotic", user_id="alice")] == [FACT]


AGENT_WRITER = """
import sys
from dataclasses import dataclass
from langchain.agents import create_agent
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from mem0_integrations.langchain import Mem0Middleware

class Model(GenericFakeChatModel):
    def bind_tools(self, tools, **kwargs):
        return self

@dataclass
class Context:
    user_id: str

middleware = Mem0Middleware(path=sys.argv[1])
agent = create_agent(Model(messages=iter(["Noted."])), middleware=[middleware],
                     context_schema=Context)
agent.invoke({"messages": [{"role": "user", "content": sys.argv[2]}]}, context=Context("alice"))
middleware.flush()
print([r.text for r in middleware.memory.get_all(user_id="alice")])
middleware.memory.close()
"""


def test_agent_middleware_fact_from_another_process_reaches_the_prompt(
    tmp_path: Path, embedder: OnnxMiniLMEmbedder
) -> None:
    folder = tmp_path / "store"
    saved = run_child(AGENT_WRITER, str(folder), FACT, cwd=tmp_path)
    assert "penicillin" in saved.lower()

    memory = Memory(path=folder, embedder=embedder)
    middleware = Mem0Middleware(memory=memory)
    model = RecordingModel(messages=iter(["Avoid penicillin."]))
    agent = create_agent(
        model, middleware=[middleware], context_schema=Context, checkpointer=InMemorySaver()
    )
    config = {"configurable": {"thread_id": "second-process"}}
    ask = {"messages": [{"role": "user", "content": "Which antibiotic must I avoid?"}]}
    agent.invoke(ask, config, context=Context("alice"))
    middleware.flush()

    system = model.seen[-1][0]
    assert isinstance(system, SystemMessage)
    assert "penicillin" in system.text.lower()
    state = agent.get_state(config).values["messages"]
    assert [m.type for m in state] == ["human", "ai"]  # no memory in the checkpoint
    assert all("allergic" not in m.text.lower() for m in state)


def test_agent_with_store_langmem_tools_and_middleware(
    tmp_path: Path, embedder: OnnxMiniLMEmbedder
) -> None:
    memory = Memory(path=tmp_path / "store", embedder=embedder)
    store = Mem0Store(memory=memory)
    namespace = ("memories", "{langgraph_user_id}")
    tools = [create_manage_memory_tool(namespace), create_search_memory_tool(namespace)]
    middleware = Mem0Middleware(memory=memory, save=False)
    save = AIMessage(
        content="",
        tool_calls=[
            {
                "name": "manage_memory",
                "args": {"content": "The user's favourite colour is teal.", "action": "create"},
                "id": "call-1",
            }
        ],
    )
    model = RecordingModel(messages=iter([save, "Saved.", "Teal, then."]))
    agent = create_agent(
        model,
        tools=tools,
        middleware=[middleware],
        store=store,
        context_schema=Context,
        checkpointer=InMemorySaver(),
    )

    def ask(text: str, thread: str) -> dict[str, Any]:
        config = {"configurable": {"thread_id": thread, "langgraph_user_id": "alice"}}
        agent.invoke(
            {"messages": [{"role": "user", "content": text}]}, config, context=Context("alice")
        )
        return dict(config)

    ask("Remember that I love teal.", thread=str(uuid.uuid4()))
    items = store.search(("memories", "alice"))
    assert [i.value for i in items] == [{"content": "The user's favourite colour is teal."}]

    config = ask("What colour should I paint my room?", thread=str(uuid.uuid4()))
    assert "favourite colour is teal" in model.seen[-1][0].text  # the store item is a memory
    state = agent.get_state(config).values["messages"]
    assert all("favourite colour" not in m.text for m in state)


def test_store_contract_on_embedded_and_server(memory: Memory) -> None:
    """Prefix clauses (``$contains`` on a list column) and TTL refresh on both backends."""
    store = Mem0Store(memory=memory)
    store.put(("memories", "alice"), "a", {"content": FACT, "n": 1})
    store.put(("memories", "alice", "work"), "b", {"content": "Alice works at a bakery."})
    store.put(("memories", "bob"), "a", {"content": "Bob is allergic to peanuts."})
    store.put(("memories", "carol"), "t", {"content": "Carol is in Rome this week."}, ttl=60)
    assert store.list_namespaces(prefix=("memories",), max_depth=2) == [
        ("memories", "alice"),
        ("memories", "bob"),
        ("memories", "carol"),
    ]
    found = store.search(("memories", "alice"), query="Which antibiotic must I avoid?")
    assert (found[0].key, found[0].value) == ("a", {"content": FACT, "n": 1})
    assert sorted(i.key for i in found) == ["a", "b"]
    assert [i.key for i in store.search(("memories", "alice", "work"))] == ["b"]
    assert [i.key for i in store.search(("memories",), filter={"n": 1})] == ["a"]

    carol = keyed_id(("memories", "carol"), "t")
    before = memory.get(carol)
    assert [i.key for i in store.search(("memories", "carol"))] == ["t"]  # refreshes the TTL
    after = memory.get(carol)
    assert before.expires_at is not None
    assert after.expires_at is not None
    assert after.expires_at > before.expires_at  # the injected clock ticked meanwhile
    assert after.updated_at == before.updated_at
