"""A LangGraph graph with long-term memory: ``graph.compile(store=Mem0Store(...))``.

Run: python cookbook/langgraph_store.py   (offline; leaves nothing behind)

A node puts what the user states into the namespace ("memories", <user>); in a later
run (a fresh store on the same folder, as in a new process) another node searches that
namespace with the user's question and gives the model what it found.
"""

from __future__ import annotations

import tempfile
import uuid
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import BaseMessage, SystemMessage
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.runtime import Runtime

from mem0_integrations.langchain import Mem0Store

FACT = "I am allergic to penicillin."
QUESTION = "Which antibiotic should my doctor avoid?"


@dataclass
class Context:
    user_id: str


class PromptRecorder(GenericFakeChatModel):
    """A deterministic chat model: always the same reply; keeps the last prompt it got."""

    last_prompt: str = ""

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Any:
        self.last_prompt = "\n".join(m.text for m in messages)
        return super()._generate(messages, *args, **kwargs)


def build(store: Mem0Store, model: PromptRecorder) -> Any:
    def remember(state: MessagesState, runtime: Runtime[Context]) -> dict[str, Any]:
        said = state["messages"][-1].text
        if runtime.store is not None and not said.endswith("?"):
            namespace = ("memories", runtime.context.user_id)
            runtime.store.put(namespace, str(uuid.uuid4()), {"content": said})
        return {}

    def respond(state: MessagesState, runtime: Runtime[Context]) -> dict[str, Any]:
        assert runtime.store is not None
        namespace = ("memories", runtime.context.user_id)
        found = runtime.store.search(namespace, query=state["messages"][-1].text, limit=3)
        facts = "\n".join(f"- {item.value['content']}" for item in found) or "- (nothing yet)"
        system = SystemMessage(f"What you know about this user:\n{facts}")
        return {"messages": [model.invoke([system, *state["messages"]])]}

    builder = StateGraph(MessagesState, context_schema=Context)
    builder.add_node("remember", remember)
    builder.add_node("respond", respond)
    builder.add_edge(START, "remember")
    builder.add_edge("remember", "respond")
    return builder.compile(store=store)


def run(store: Mem0Store, user: str, text: str) -> str:
    model = PromptRecorder(messages=iter(["Understood."]))
    build(store, model).invoke({"messages": [{"role": "user", "content": text}]},
                               context=Context(user))  # fmt: skip
    return model.last_prompt


with tempfile.TemporaryDirectory() as folder:
    first = Mem0Store(path=folder)  # the Memory() defaults: embedded Chroma, offline embedder
    run(first, "alice", FACT)
    first.memory.close()  # what a process does at exit

    later = Mem0Store(path=folder)
    prompt = run(later, "alice", QUESTION)
    print(f"--- alice's later run: the model was given ---\n{prompt}\n")
    other = run(later, "bob", QUESTION)
    print(f"--- bob's run ---\n{other}\n")

    for item in later.search(("memories", "alice"), query=QUESTION):
        print(f"Stored in {item.namespace}: {item.value} (score {item.score:.2f})")
    print("Why: the node put the statement under ('memories', 'alice'), which maps to the")
    print("memory scope user_id='alice'; the search ranked alice's items against the question.")
    later.memory.close()

if FACT not in prompt:
    raise SystemExit("FAILED: the later run was not given the fact stored earlier.")
if "penicillin" in other:
    raise SystemExit("FAILED: bob was given alice's memory.")
print("\nOK: the later run's prompt contains the fact, and only for alice.")
