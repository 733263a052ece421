"""Each LangChain surface in a real chain, across two processes.

Process 1 (a subprocess) talks to a ``ConversationChain`` with ``Mem0Memory``, a
``RunnableWithMessageHistory`` with ``Mem0ChatMessageHistory`` and an agent with the
memory tools, all on one embedded folder, then exits. This process opens the same folder
and checks that what was said there reaches the prompt its deterministic model receives.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_classic.chains import ConversationChain
from langchain_core.documents import Document
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatResult
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder
from langchain_core.runnables import RunnablePassthrough
from langchain_core.runnables.history import RunnableWithMessageHistory
from pydantic import Field

from mem0_integrations import Memory, OnnxMiniLMEmbedder
from mem0_integrations.langchain import (
    Mem0ChatMessageHistory,
    Mem0Memory,
    Mem0Retriever,
    create_memory_tools,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore::langchain_core._api.LangChainDeprecationWarning"),
]

PROCESS_1 = """
import json, sys
from dataclasses import dataclass
from langchain.agents import create_agent
from langchain_classic.chains import ConversationChain
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder
from langchain_core.runnables.history import RunnableWithMessageHistory
from mem0_integrations import Memory
from mem0_integrations.langchain import (
    Mem0ChatMessageHistory, Mem0Memory, create_memory_tools,
)

class Scripted(GenericFakeChatModel):
    def bind_tools(self, tools, **kwargs):
        return self

@dataclass
class Context:
    user_id: str

memory = Memory(path=sys.argv[1])

# 1. classic chain, long-term write queued in the background
chain = ConversationChain(
    llm=Scripted(messages=iter(["I will remember that."])),
    memory=Mem0Memory(memory, user_id="alice", session_id="monday", background=True),
)
chain.invoke({"input": "I am allergic to penicillin."})

# 2. RunnableWithMessageHistory
prompt = ChatPromptTemplate.from_messages(
    [MessagesPlaceholder("history"), ("human", "{question}")]
)
talk = RunnableWithMessageHistory(
    prompt | Scripted(messages=iter(["What a good name."])),
    lambda sid: Mem0ChatMessageHistory(memory, user_id="bob", session_id=sid),
    input_messages_key="question",
    history_messages_key="history",
)
talk.invoke({"question": "My dog is called Rex."}, {"configurable": {"session_id": "chat-1"}})

# 3. an agent saving with the memory tools, scope from the run context
call = {"name": "save_memory", "args": {"text": "The user prefers window seats."}, "id": "c1"}
model = Scripted(messages=iter([AIMessage("", tool_calls=[call]), AIMessage("Saved.")]))
agent = create_agent(
    model, tools=create_memory_tools(memory, scope_from_context=True), context_schema=Context
)
agent.invoke({"messages": [("user", "I like window seats.")]}, context=Context("carol"))

memory.close()  # waits for the background write of step 1
print(json.dumps({"done": True}))
"""


class RecordingModel(GenericFakeChatModel):
    """Replies from a script and records the messages of every call."""

    received: list[list[BaseMessage]] = Field(default_factory=list)

    def bind_tools(self, tools: Any, **kwargs: Any) -> RecordingModel:
        return self

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        self.received.append(list(messages))
        return super()._generate(messages, *args, **kwargs)

    def prompt(self, call: int = -1) -> str:
        """The text of every message of one call, one per line."""
        return "\n".join(str(m.content) for m in self.received[call])


def model(*replies: str | AIMessage) -> RecordingModel:
    items: Iterator[str | AIMessage] = iter(replies)
    return RecordingModel(messages=items)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, embedder: OnnxMiniLMEmbedder) -> Memory:
    """The folder process 1 wrote (it has exited), opened in this process."""
    folder = tmp_path_factory.mktemp("classic") / "store"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEM0I_")}
    proc = subprocess.run(
        [sys.executable, "-c", PROCESS_1, str(folder)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, f"process 1 failed:\n{proc.stderr[-4000:]}"
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == {"done": True}
    return Memory(path=folder, embedder=embedder)


def test_conversation_chain_recalls_a_fact_said_in_another_process(store: Memory) -> None:
    llm = model("Avoid penicillin.")
    memory = Mem0Memory(store, user_id="alice", session_id="tuesday")
    chain = ConversationChain(llm=llm, memory=memory)
    chain.invoke({"input": "Which antibiotic am I allergic to?"})
    prompt = llm.prompt()
    assert "- Allergic to penicillin (stated " in prompt
    assert "Human: I am allergic to penicillin." not in prompt  # a new session: no old turns
    assert prompt.rstrip().endswith("Human: Which antibiotic am I allergic to?\nAI:")


async def test_the_same_session_resumes_its_recent_turns(store: Memory) -> None:
    llm = model("You told me about penicillin.")
    memory = Mem0Memory(store, user_id="alice", session_id="monday", search_limit=0)
    chain = ConversationChain(llm=llm, memory=memory)
    await chain.ainvoke({"input": "What did I just tell you?"})
    assert "Human: I am allergic to penicillin.\nAI: I will remember that." in llm.prompt()


def test_runnable_with_message_history_continues_the_conversation(store: Memory) -> None:
    llm = model("Your dog is Rex.")
    prompt = ChatPromptTemplate.from_messages(
        [MessagesPlaceholder("history"), ("human", "{question}")]
    )
    chain = RunnableWithMessageHistory(
        prompt | llm,
        lambda sid: Mem0ChatMessageHistory(store, user_id="bob", session_id=sid),
        input_messages_key="question",
        history_messages_key="history",
    )
    config: Any = {"configurable": {"session_id": "chat-1"}}
    chain.invoke({"question": "What is my dog called?"}, config)
    assert [(m.type, m.content) for m in llm.received[0]] == [
        ("human", "My dog is called Rex."),
        ("ai", "What a good name."),
        ("human", "What is my dog called?"),
    ]
    stored = Mem0ChatMessageHistory(store, user_id="bob", session_id="chat-1").messages
    assert [m.content for m in stored][-2:] == ["What is my dog called?", "Your dog is Rex."]


def test_retriever_in_an_lcel_chain_reads_facts_from_the_chat_history(store: Memory) -> None:
    llm = model("Rex.")

    def lines(docs: list[Document]) -> str:
        return "\n".join(d.page_content for d in docs)

    prompt = ChatPromptTemplate.from_template("Known facts:\n{context}\n\nQuestion: {question}")
    retriever = Mem0Retriever(store, user_id="bob", k=2)
    chain = {"context": retriever | lines, "question": RunnablePassthrough()} | prompt | llm
    chain.invoke("What is the name of my dog?")
    assert "Known facts:\nHas a dog named Rex" in llm.prompt()


@dataclass
class Context:
    user_id: str


def test_agent_tools_find_what_another_process_saved(store: Memory) -> None:
    call = {"name": "search_memory", "args": {"query": "seat preference"}, "id": "c1"}
    llm = model(AIMessage("", tool_calls=[call]), AIMessage("A window seat."))
    agent = create_agent(
        llm, tools=create_memory_tools(store, scope_from_context=True), context_schema=Context
    )
    agent.invoke({"messages": [("user", "Book me a seat.")]}, context=Context("carol"))
    answer = llm.received[-1][-1]
    assert isinstance(answer, ToolMessage)
    assert "The user prefers window seats. (stated " in str(answer.content)


def test_written_through_langchain_read_through_the_core(store: Memory) -> None:
    # The LlamaIndex adapter reads through this same core call once it lands.
    (hit,) = store.search("penicillin allergy", user_id="alice", limit=1)
    assert hit.memory == "Allergic to penicillin"
    assert hit.record.scope.session_id is None
    assert [r.text for r in store.get_all(user_id="carol")] == ["The user prefers window seats."]


def test_transcripts_and_windows_persist_on_both_backends(
    memory: Memory, reopen: Callable[..., Memory]
) -> None:
    history = Mem0ChatMessageHistory(memory, user_id="dana", session_id="s1", extract_facts=False)
    history.add_messages([HumanMessage("ok"), AIMessage("ok"), HumanMessage("ok")])
    window = Mem0Memory(memory, user_id="dana", session_id="s1", k=1, search_limit=0)
    window.save_context({"input": "first"}, {"response": "one"})
    window.save_context({"input": "second"}, {"response": "two"})
    other = reopen(memory)
    again = Mem0ChatMessageHistory(other, user_id="dana", session_id="s1")
    assert [m.content for m in again.messages] == ["ok", "ok", "ok"]
    resumed = Mem0Memory(other, user_id="dana", session_id="s1", k=1, search_limit=0)
    assert resumed.load_memory_variables({"input": "x"}) == {"history": "Human: second\nAI: two"}
    # Forgetting the user in one process erases the conversation and window for every process.
    other.forget(user_id="dana")
    assert memory.get_all(user_id="dana", include_inactive=True) == []
    assert Mem0ChatMessageHistory(memory, user_id="dana", session_id="s1").messages == []
    fresh = Mem0Memory(memory, user_id="dana", session_id="s1", k=1, search_limit=0)
    assert fresh.load_memory_variables({"input": "x"}) == {"history": ""}
