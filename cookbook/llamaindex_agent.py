"""A LlamaIndex ``FunctionAgent`` with long-term memory and memory tools.

Two ways in, over one shared ``Memory``:

* ``Mem0ChatMemory`` as the agent's ``memory=``: each turn is written once (facts
  extracted from what the user said) and relevant memories come back as a system
  message in later runs;
* ``Mem0ToolSpec``: ``search_memory``, ``save_memory``, ``update_memory`` and
  ``forget_memory`` tools, bound to the user at construction (the model never
  chooses whose memory it touches).

Runs offline: the default embedder, a temporary folder, and a deterministic fake
function-calling model (LlamaIndex's ``MockFunctionCallingLLM``) that calls
``save_memory`` for a standing wish ("from now on ...", an instruction the chat
memory's extractor does not store as a fact) and books from what it was sent.
Exits with status 1 if session 2 did not get both memories from session 1.

    python cookbook/llamaindex_agent.py
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Sequence
from typing import Any

from llama_index.core.agent.workflow import FunctionAgent, ToolCallResult
from llama_index.core.base.llms.types import ChatMessage, ToolCallBlock
from llama_index.core.llms.mock import MockFunctionCallingLLM

from mem0_integrations import Memory
from mem0_integrations.llama_index import Mem0ChatMemory, Mem0ToolSpec

prompts: list[str] = []  # every prompt the fake model received


def fake_model(messages: Sequence[ChatMessage], **kwargs: Any) -> ChatMessage:
    """Saves seat wishes with the tool, books from what the prompt holds, else says noted."""
    prompt = "\n".join(f"{m.role.value}: {m.content}" for m in messages)
    prompts.append(prompt)
    last = str(messages[-1].content)
    if messages[-1].role.value == "tool":
        return ChatMessage(role="assistant", content="Done, I will remember that.")
    if "from now on" in last.lower():  # a standing wish: worth a memory of its own
        wish = "Prefers aisle seats on flights" if "aisle" in last else last
        call = ToolCallBlock(tool_call_id="c1", tool_name="save_memory", tool_kwargs={"text": wish})
        return ChatMessage(role="assistant", blocks=[call])
    if "book" in last.lower():
        meal = "a vegetarian" if "vegetarian" in prompt else "a standard"
        seat = "an aisle" if "aisle" in prompt else "any"
        return ChatMessage(role="assistant", content=f"Booked {meal} meal and {seat} seat.")
    return ChatMessage(role="assistant", content="Noted.")


async def session(memory: Memory, *messages: str) -> None:
    """One session: a new agent, a new chat memory, the same long-term store."""
    tools = Mem0ToolSpec(memory=memory, user_id="alice").to_tool_list()
    llm = MockFunctionCallingLLM(response_generator=fake_model)
    agent = FunctionAgent(tools=tools, llm=llm, streaming=False)
    chat_memory = Mem0ChatMemory.from_defaults(memory=memory, user_id="alice")
    for text in messages:
        print(f"  user: {text}")
        handler = agent.run(text, memory=chat_memory)
        async for event in handler.stream_events():
            if isinstance(event, ToolCallResult):
                print(f"    tool {event.tool_name}{event.tool_kwargs} -> {event.tool_output}")
        print(f"  agent: {await handler}")


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder, Memory(path=folder) as memory:
        print("Session 1")
        await session(memory, "I'm vegetarian.", "From now on, book aisle seats for me.")
        print("Remembered (the diet extracted from the chat turn, the wish saved by the tool):")
        for record in memory.get_all(user_id="alice"):
            print(f"  - {record.text}")

        print("\nSession 2 (a new agent and chat memory)")
        await session(memory, "Book my flight to Lisbon: a meal and a seat.")

    print("\nThe system message the model received in session 2:")
    print(prompts[-1].split("\nuser: ", 1)[0])
    if "vegetarian" not in prompts[-1] or "aisle" not in prompts[-1]:
        print("\nFAILED: session 2's model did not receive both memories from session 1.")
        raise SystemExit(1)
    print("\nOK: session 2 booked from what session 1 said and saved.")


if __name__ == "__main__":
    asyncio.run(main())
