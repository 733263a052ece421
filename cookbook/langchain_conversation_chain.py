"""Migrate a classic ConversationChain to Mem0Memory: one line changes, and it remembers.

Run: python cookbook/langchain_conversation_chain.py   (offline; leaves nothing behind)

Two "sessions" each build a fresh chain. With ConversationBufferMemory the second session
starts empty; with Mem0Memory it is given what the user said in the first one.
"""

from __future__ import annotations

import tempfile
import warnings
from typing import Any

from langchain_classic.chains import ConversationChain
from langchain_classic.memory import ConversationBufferMemory
from langchain_core._api import LangChainDeprecationWarning
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult

from mem0_integrations.langchain import Mem0Memory

# ConversationChain and ConversationBufferMemory are deprecated; this is a migration demo.
warnings.filterwarnings("ignore", category=LangChainDeprecationWarning)

FACT = "I am allergic to penicillin."
QUESTION = "Which antibiotic should my doctor avoid?"


class PromptRecorder(GenericFakeChatModel):
    """A deterministic chat model: always the same reply; keeps the last prompt it got."""

    last_prompt: str = ""

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        self.last_prompt = "\n".join(str(m.content) for m in messages)
        return super()._generate(messages, *args, **kwargs)


def session(memory: Any, said: str) -> str:
    """A fresh chain (as in a new process) says one thing; returns the model's prompt."""
    model = PromptRecorder(messages=iter(["Understood."]))
    chain = ConversationChain(llm=model, memory=memory)
    chain.invoke({"input": said})
    return model.last_prompt


def show(title: str, prompt: str) -> None:
    print(f"--- {title}: the model was given ---\n{prompt}\n")


# BEFORE: the buffer lives in the chain's process; a new session starts from nothing.
session(ConversationBufferMemory(), FACT)
before = session(ConversationBufferMemory(), QUESTION)
show("before, session 2", before)

with tempfile.TemporaryDirectory() as folder:
    # AFTER: the one changed line. Recent turns stay per session, facts persist per user.
    monday = Mem0Memory(path=folder, user_id="alice", session_id="monday")
    session(monday, FACT)
    monday.memory.close()  # what a process does at exit: finish writes, release the store

    tuesday = Mem0Memory(path=folder, user_id="alice", session_id="tuesday")
    after = session(tuesday, QUESTION)
    show("after, session 2", after)

    remembered = tuesday.memory.get_all(user_id="alice")
    print("Stored for alice:", [r.text for r in remembered])
    print("Why: Mem0Memory.save_context passed the turn to Memory.add, which extracted")
    print("the user's statement as a fact; load_memory_variables searched for the question.")
    tuesday.memory.close()

if "penicillin" in before:
    raise SystemExit("ConversationBufferMemory unexpectedly carried the fact over.")
if "Allergic to penicillin" not in after:
    raise SystemExit("FAILED: session 2 was not given the fact from session 1.")
print("\nOK: the second session's prompt contains the fact from the first.")
