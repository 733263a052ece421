"""A LlamaIndex chat engine that remembers the user across sessions: a one-line swap.

    memory = ChatMemoryBuffer.from_defaults(token_limit=3000)                     # before
    memory = Mem0ChatMemory.from_defaults(token_limit=3000, user_id="alice", ...)  # after

Session 1 tells a ``SimpleChatEngine`` two facts. Session 2 is a new engine with a new
memory object on the same folder: the facts come back as a system message in front of
the conversation, chosen by relevance to the new question.

Runs offline: the default embedder, a deterministic fake model from LlamaIndex that
records what it was sent, and a temporary folder. Exits with status 1 if the second
session's model did not receive what the first session said.

    python cookbook/llamaindex_chat_engine.py
"""

from __future__ import annotations

import tempfile

from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.core.llms.mock import MockLLMWithChatMemoryOfLastCall

from mem0_integrations.llama_index import Mem0ChatMemory


def chat(folder: str, message: str) -> tuple[list[ChatMessage], list[str]]:
    """One session: a fresh engine and memory on ``folder``.

    Returns what the model received and what the store remembers afterwards.
    """
    llm = MockLLMWithChatMemoryOfLastCall()  # answers by echoing; keeps the last prompt
    memory = Mem0ChatMemory.from_defaults(token_limit=3000, user_id="alice", path=folder)
    engine = SimpleChatEngine.from_defaults(llm=llm, memory=memory)
    engine.chat(message)  # the turn is written to long-term memory when the answer arrives
    records = memory.memory.get_all(user_id="alice")
    memory.memory.close()
    remembered = [
        f"{r.text}  [category: {r.category}, said by the {r.source.role}]" for r in records
    ]
    return list(llm.last_chat_messages or []), remembered


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        print("Session 1: the user tells the engine about themselves.")
        _, remembered = chat(folder, "I'm vegetarian and my favourite colour is teal.")
        print("Remembered (facts extracted from the user's message, one write per turn):")
        for line in remembered:
            print(f"  - {line}")

        print("\nSession 2: a new engine and a new memory object on the same folder.")
        received, _ = chat(folder, "Suggest a dinner for tonight.")

    print("What the model received in session 2:")
    for message in received:
        print(f"  {message.role.value}: {message.content}")

    first = received[0] if received else ChatMessage(content="")
    if first.role.value != "system" or "vegetarian" not in str(first.content):
        print("\nFAILED: session 2's model did not receive the vegetarian diet from session 1.")
        raise SystemExit(1)
    print("\nOK: session 2's model knew the user is vegetarian, said in session 1.")


if __name__ == "__main__":
    main()
