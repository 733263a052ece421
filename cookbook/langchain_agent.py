"""A ``create_agent`` that remembers: ``Mem0Middleware`` plus the memory tools.

Run: python cookbook/langchain_agent.py   (offline; leaves nothing behind)

The middleware gives every model call the user's relevant memories (for that call only:
the checkpointed conversation never holds them) and saves what the user says after each
turn. The tools let the model search, save, update and forget memories itself; the
scope of both comes from the run's context, never from the model.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from typing import Any

from langchain.agents import create_agent
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langgraph.checkpoint.memory import InMemorySaver
from pydantic import Field

from mem0_integrations import Memory
from mem0_integrations.langchain import Mem0Middleware, create_memory_tools


@dataclass
class Context:
    user_id: str


class ScriptedModel(GenericFakeChatModel):
    """A deterministic chat model: scripted replies; keeps the system prompt of each call."""

    system_prompts: list[str] = Field(default_factory=list)

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedModel:  # type: ignore[override]
        return self

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Any:
        system = messages[0].text if messages and messages[0].type == "system" else ""
        self.system_prompts.append(system)
        return super()._generate(messages, *args, **kwargs)


def agent_for(memory: Memory, replies: list[AIMessage | str]) -> tuple[Any, ScriptedModel]:
    model = ScriptedModel(messages=iter(replies))
    agent = create_agent(
        model,
        tools=create_memory_tools(memory, scope_from_context=True),
        middleware=[Mem0Middleware(memory=memory)],
        context_schema=Context,
        checkpointer=InMemorySaver(),
        system_prompt="You are a helpful travel assistant.",
    )
    return agent, model


def say(agent: Any, text: str, thread: str) -> None:
    config = {"configurable": {"thread_id": thread}}
    agent.invoke(
        {"messages": [{"role": "user", "content": text}]}, config, context=Context("alice")
    )


with tempfile.TemporaryDirectory() as folder:
    memory = Memory(path=folder)  # embedded Chroma and the offline embedder
    save = AIMessage("", tool_calls=[{"name": "save_memory", "id": "c1",
                                      "args": {"text": "Prefers window seats."}}])  # fmt: skip
    agent, _ = agent_for(memory, [save, "Noted: window seats, and no penicillin."])
    say(agent, "I am allergic to penicillin. Book me a window seat, always.", thread="monday")
    memory.close()  # what a process does at exit: finish the background save

    memory = Memory(path=folder)  # a new process on the same folder
    agent, model = agent_for(memory, ["A window seat, and I told the airline about penicillin."])
    say(agent, "Plan my flight to Lisbon. Anything the airline should know?", thread="tuesday")
    prompt = model.system_prompts[-1]
    print(f"--- tuesday: the model's system prompt ---\n{prompt}\n")
    state = agent.get_state({"configurable": {"thread_id": "tuesday"}}).values["messages"]
    print("Checkpointed on tuesday:", [m.type for m in state])
    print("Stored for alice:", [r.text for r in memory.get_all(user_id="alice")])
    print("Why: the middleware saved monday's message through Memory.add (a fact was")
    print("extracted), the save_memory tool stored the seat preference, and on tuesday the")
    print("middleware searched alice's memories with her question.")
    memory.close()

if "Allergic to penicillin" not in prompt or "window seats" not in prompt:
    raise SystemExit("FAILED: tuesday's prompt lacks what alice said on monday.")
if any("Allergic to penicillin" in m.text for m in state):
    raise SystemExit("FAILED: the injected memories were written into the conversation state.")
print("\nOK: tuesday's prompt has monday's facts, and the checkpoint does not.")
