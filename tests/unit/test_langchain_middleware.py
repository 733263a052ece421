"""`Mem0Middleware` in a real ``create_agent``: memories injected per model call (never
checkpointed), the user's turn saved after it, the scope taken from the run's context."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypedDict
from unittest import mock

import pytest
from langchain.agents import create_agent
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AnyMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from pydantic import BaseModel, Field

from mem0_integrations import Memory
from mem0_integrations.core.errors import ConfigurationError, ScopeError
from mem0_integrations.core.models import EventType
from mem0_integrations.core.rank.context import DEFAULT_HEADER
from mem0_integrations.langchain import Mem0Middleware
from mem0_integrations.langchain._middleware import turn_user_messages


class RecordingModel(GenericFakeChatModel):
    """Answers from a script and records the messages of every call (tools accepted)."""

    seen: list[list[BaseMessage]] = Field(default_factory=list)

    def bind_tools(self, tools: Any, **kwargs: Any) -> RecordingModel:  # type: ignore[override]
        return self

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Any:
        self.seen.append(list(messages))
        return super()._generate(messages, *args, **kwargs)

    def system_of(self, call: int) -> str:
        first = self.seen[call][0]
        return first.text if isinstance(first, SystemMessage) else ""


def answers(*texts: str) -> Iterator[AIMessage]:
    return iter([AIMessage(content=t) for t in texts])


@dataclass
class Context:
    user_id: str


class DictContext(TypedDict):
    customer_id: str


class ModelContext(BaseModel):
    user_id: str
    session_id: str


@tool
def lookup_weather(city: str) -> str:
    """The weather in a city."""
    return f"Sunny in {city}."


def agent_for(model: RecordingModel, middleware: Mem0Middleware, **kwargs: Any) -> Any:
    return create_agent(model, tools=[lookup_weather], middleware=[middleware], **kwargs)


def ask(agent: Any, text: str, thread: str = "t1", **kwargs: Any) -> Any:
    config = {"configurable": {"thread_id": thread}}
    return agent.invoke({"messages": [{"role": "user", "content": text}]}, config, **kwargs)


def test_memories_reach_every_model_call_but_never_the_state(memory: Memory) -> None:
    memory.add("I am allergic to penicillin.", user_id="alice", infer=False)
    memory.add("I am allergic to peanuts.", user_id="bob", infer=False)
    tool_call = AIMessage(
        content="", tool_calls=[{"name": "lookup_weather", "args": {"city": "Oslo"}, "id": "c1"}]
    )
    model = RecordingModel(messages=iter([tool_call, AIMessage(content="Avoid penicillin.")]))
    middleware = Mem0Middleware(memory=memory)
    agent = agent_for(
        model,
        middleware,
        context_schema=Context,
        checkpointer=InMemorySaver(),
        system_prompt="Be brief.",
    )
    ask(agent, "What medicine should I avoid?", context=Context("alice"))

    assert len(model.seen) == 2  # before and after the tool call
    for call in range(2):
        system = model.system_of(call)
        assert system.startswith("Be brief.\n\n" + DEFAULT_HEADER)
        assert "- I am allergic to penicillin. (stated 2026-01-01)" in system
        assert "peanuts" not in system  # bob's memory
    state = agent.get_state({"configurable": {"thread_id": "t1"}}).values
    dumped = " ".join(str(m.content) for m in state["messages"])
    assert "penicillin" not in dumped.replace("Avoid penicillin.", "")
    assert DEFAULT_HEADER not in dumped
    assert not any(isinstance(m, SystemMessage) for m in state["messages"])


def test_the_users_turn_is_saved_in_the_background(memory: Memory) -> None:
    model = RecordingModel(messages=answers("Noted.", "Noted again.", "You live in Oslo."))
    middleware = Mem0Middleware(memory=memory)
    agent = agent_for(model, middleware, context_schema=Context, checkpointer=InMemorySaver())
    ask(agent, "I live in Oslo.", context=Context("alice"))
    middleware.flush()
    assert [r.text for r in memory.get_all(user_id="alice")] == ["Lives in Oslo"]
    ask(agent, "My dog is called Rex.", context=Context("alice"))  # same thread: history grows
    middleware.flush()
    saved = sorted(r.text for r in memory.get_all(user_id="alice"))
    assert saved == ["Has a dog named Rex", "Lives in Oslo"]
    oslo = next(r for r in memory.get_all(user_id="alice") if "Oslo" in r.text)
    assert [h.event for h in memory.history(oslo.id)] == [EventType.ADD]  # saved once only
    ask(agent, "Where do I live?", thread="t2", context=Context("alice"))
    assert "- Lives in Oslo" in model.system_of(-1)
    assert memory.get_all(user_id="bob") == []


def test_turn_user_messages_takes_the_last_run_of_human_messages() -> None:
    history: list[AnyMessage] = [
        HumanMessage("old"),
        AIMessage("answer"),
        HumanMessage("first"),
        HumanMessage("second"),
        AIMessage("", tool_calls=[{"name": "x", "args": {}, "id": "1"}]),
        AIMessage("final"),
    ]
    assert [m.content for m in turn_user_messages(history)] == ["first", "second"]
    assert turn_user_messages([AIMessage("only ai")]) == []


def test_synchronous_saving_and_read_only_mode(memory: Memory) -> None:
    model = RecordingModel(messages=answers("ok", "ok"))
    sync = Mem0Middleware(memory=memory, user_id="carol", background=False)
    ask(agent_for(model, sync), "I play the violin.")
    assert [r.text for r in memory.get_all(user_id="carol")] == ["Plays the violin"]  # no flush
    read_only = Mem0Middleware(memory=memory, user_id="dave", save=False)
    ask(agent_for(model, read_only), "I play the cello.")
    read_only.flush()
    assert memory.get_all(user_id="dave") == []


def test_scope_sources_mappings_and_errors(memory: Memory) -> None:
    memory.add("Prefers email.", user_id="cust-7", infer=False)
    memory.add("Session note: wants a refund.", user_id="u2", session_id="s2", infer=False)
    model = RecordingModel(messages=answers("a", "b", "c", "d"))

    mapped = Mem0Middleware(memory=memory, context_scope={"user_id": "customer_id"})
    ask(agent_for(model, mapped, context_schema=DictContext), "How to reach me?",
        context={"customer_id": "cust-7"})  # fmt: skip
    assert "- Prefers email." in model.system_of(-1)

    computed = Mem0Middleware(memory=memory, context_scope=lambda ctx: {"user_id": ctx.user_id})
    ask(agent_for(model, computed, context_schema=Context), "Contact?", context=Context("cust-7"))
    assert "- Prefers email." in model.system_of(-1)

    both = Mem0Middleware(memory=memory, user_id="u2", background=False)
    ask(agent_for(model, both, context_schema=ModelContext), "Refund status?",
        context=ModelContext(user_id="u2", session_id="s2"))  # fmt: skip
    assert "wants a refund" in model.system_of(-1)
    assert [r.scope.session_id for r in memory.get_all(user_id="u2", session_id="s2")] == ["s2"]

    with pytest.raises(ScopeError, match="agree"):
        ask(agent_for(model, both, context_schema=Context), "Hi", context=Context("someone"))
    with pytest.raises(ScopeError, match="no scope"):
        ask(agent_for(model, Mem0Middleware(memory=memory)), "Hi")
    with pytest.raises(ScopeError):
        Mem0Middleware(memory=memory, user_id="*")
    with pytest.raises(ConfigurationError, match="context_scope"):
        Mem0Middleware(memory=memory, context_scope={"tenant": "org"})


def test_no_memories_or_no_user_text_leave_the_request_alone(memory: Memory) -> None:
    model = RecordingModel(messages=answers("hello", "hi"))
    middleware = Mem0Middleware(memory=memory, user_id="erin", save=False)
    ask(agent_for(model, middleware, system_prompt="Sys."), "Hello there")
    assert model.system_of(-1) == "Sys."  # nothing stored for erin: the prompt is untouched
    memory.add("Likes green tea.", user_id="erin", infer=False)
    agent = agent_for(model, middleware)
    agent.invoke({"messages": [AIMessage("Welcome back!")]})
    assert not isinstance(model.seen[-1][0], SystemMessage)  # no user text, no search


def test_block_system_messages_and_long_turns(memory: Memory) -> None:
    memory.add("Likes green tea.", user_id="fay", infer=False)
    model = RecordingModel(messages=answers("ok"))
    middleware = Mem0Middleware(memory=memory, user_id="fay", header=None, infer=False)
    system = SystemMessage(content=[{"type": "text", "text": "Rules."}])
    agent = agent_for(model, middleware, system_prompt=system)
    long_text = "tea " * 10_000  # longer than the core accepts: cut, not refused
    agent.invoke({"messages": [{"role": "user", "content": long_text}]})
    middleware.flush()
    assert model.seen[-1][0].content == [
        {"type": "text", "text": "Rules."},
        {"type": "text", "text": "- Likes green tea. (stated 2026-01-01)"},
    ]
    limit = memory.config.limits.max_text_chars
    assert max(len(r.text) for r in memory.get_all(user_id="fay")) == len(long_text[:limit].strip())


async def test_async_agent_uses_the_async_twins(
    memory: Memory, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory.add("I am vegetarian.", user_id="gus", infer=False)

    def sync_forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the async path must use Memory.asearch/aadd")

    model = RecordingModel(messages=answers("Veggie lasagne."))
    middleware = Mem0Middleware(memory=memory)
    agent = agent_for(model, middleware, context_schema=Context)
    searched: list[str] = []
    original = memory.asearch

    async def spy(query: str, **kwargs: Any) -> Any:
        searched.append(query)
        return await original(query, **kwargs)

    monkeypatch.setattr(memory, "asearch", spy)
    monkeypatch.setattr(memory, "search", sync_forbidden)
    monkeypatch.setattr(memory, "add", sync_forbidden)
    await agent.ainvoke(
        {"messages": [{"role": "user", "content": "I live in Lisbon. What should I cook?"}]},
        context=Context("gus"),
    )
    await middleware.aflush()
    assert searched == ["I live in Lisbon. What should I cook?"]
    assert "- I am vegetarian." in model.system_of(-1)
    assert "Lives in Lisbon" in {r.text for r in memory.get_all(user_id="gus")}


def test_facts_are_kept_per_user_across_sessions_and_reinforced_once_per_turn(
    memory: Memory,
) -> None:
    model = RecordingModel(messages=answers("Noted.", "x", "y"))
    middleware = Mem0Middleware(memory=memory, background=False)
    agent = agent_for(model, middleware, context_schema=ModelContext)
    ask(agent, "I am allergic to penicillin.", context=ModelContext(user_id="u1", session_id="s1"))
    [fact] = memory.get_all(user_id="u1")
    assert fact.scope.session_id is None  # the session names the thread, not the memory

    tool_call = AIMessage(
        content="", tool_calls=[{"name": "lookup_weather", "args": {"city": "Oslo"}, "id": "c1"}]
    )
    model = RecordingModel(messages=iter([tool_call, AIMessage(content="Sunny.")]))
    agent = agent_for(model, middleware, context_schema=ModelContext)
    with mock.patch.object(Memory, "search", autospec=True, side_effect=Memory.search) as spy:
        ask(agent, "Any allergy? And the weather in Oslo?", thread="t2",
            context=ModelContext(user_id="u1", session_id="s2"))  # fmt: skip
    assert "Allergic to penicillin" in model.system_of(0)
    assert "Allergic to penicillin" in model.system_of(1)  # after the tool result too
    assert [c.kwargs["reinforce"] for c in spy.call_args_list] == [True, False]
