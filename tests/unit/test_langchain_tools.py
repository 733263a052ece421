"""Memory tools: langchain-tests ToolsUnitTests, injected scope, errors for the model."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatResult
from langchain_core.tools import BaseTool
from langchain_tests.unit_tests import ToolsUnitTests
from pydantic import Field

from mem0_integrations import Memory, ScopeError
from mem0_integrations.langchain import (
    ForgetMemoryTool,
    SaveMemoryTool,
    SearchMemoryTool,
    UpdateMemoryTool,
    create_memory_tools,
)

# --- the standard suite, once per tool ------------------------------------------------------


class _Standard(ToolsUnitTests):
    memory: Memory

    @pytest.fixture(autouse=True)
    def _bind_memory(self, memory: Memory) -> None:
        self.memory = memory

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"memory": self.memory, "user_id": "alice"}


class TestSearchMemoryToolStandard(_Standard):
    @property
    def tool_constructor(self) -> type[BaseTool]:
        return SearchMemoryTool

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"query": "what does the user drink?", "limit": 3}


class TestSaveMemoryToolStandard(_Standard):
    @property
    def tool_constructor(self) -> type[BaseTool]:
        return SaveMemoryTool

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"text": "The user drinks green tea."}


class TestUpdateMemoryToolStandard(_Standard):
    @property
    def tool_constructor(self) -> type[BaseTool]:
        return UpdateMemoryTool

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"memory_id": "0b1c", "text": "The user drinks black tea."}


class TestForgetMemoryToolStandard(_Standard):
    @property
    def tool_constructor(self) -> type[BaseTool]:
        return ForgetMemoryTool

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"memory_id": "0b1c"}


# --- behaviour ------------------------------------------------------------------------------


@pytest.fixture
def tools(memory: Memory) -> dict[str, BaseTool]:
    return {t.name: t for t in create_memory_tools(memory, user_id="alice")}


def test_the_model_never_sees_scope_or_runtime(tools: dict[str, BaseTool]) -> None:
    assert sorted(tools) == ["forget_memory", "save_memory", "search_memory", "update_memory"]
    for tool in tools.values():
        schema = tool.tool_call_schema.model_json_schema()  # type: ignore[union-attr]
        visible = set(schema["properties"])
        assert not visible & {"runtime", "user_id", "agent_id", "session_id", "memory"}
    params = tools["update_memory"].tool_call_schema.model_json_schema()  # type: ignore[union-attr]
    assert set(params["properties"]) == {"memory_id", "text"}


def test_save_search_update_forget(memory: Memory, tools: dict[str, BaseTool]) -> None:
    saved = tools["save_memory"].invoke({"text": "The user drinks green tea."})
    (record,) = memory.get_all(user_id="alice")
    assert saved == f"Saved as [{record.id}]: The user drinks green tea."
    again = tools["save_memory"].invoke({"text": "The user drinks green tea."})
    assert again.startswith(f"Already remembered as [{record.id}]")
    found = tools["search_memory"].invoke({"query": "what does the user drink?"})
    assert f"- [{record.id}] The user drinks green tea. (stated " in found
    assert found.startswith("Long-term memories")
    updated = tools["update_memory"].invoke({"memory_id": record.id, "text": "Drinks black tea."})
    assert "is now 'Drinks black tea.'" in updated
    assert memory.get(record.id).text == "Drinks black tea."
    forgot = tools["forget_memory"].invoke({"memory_id": record.id})
    assert forgot.startswith(f"Forgot [{record.id}]")
    assert memory.get_all(user_id="alice") == []


def test_search_returns_an_artifact_for_tool_calls(
    memory: Memory, tools: dict[str, BaseTool]
) -> None:
    memory.add("The user drinks green tea.", user_id="alice", infer=False)
    call = {"name": "search_memory", "args": {"query": "tea"}, "id": "c1", "type": "tool_call"}
    message = tools["search_memory"].invoke(call)
    assert isinstance(message, ToolMessage)
    assert [a["memory"] for a in message.artifact] == ["The user drinks green tea."]
    assert tools["search_memory"].invoke({"query": "tea", "limit": 1}).count("\n- ") == 1
    assert tools["search_memory"].invoke({"query": "tea"}, config=None).startswith("Long-term")


def test_errors_are_answers_the_model_can_act_on(
    memory: Memory, tools: dict[str, BaseTool]
) -> None:
    missing = tools["update_memory"].invoke({"memory_id": "nope", "text": "x"})
    assert missing == (
        "No memory with id 'nope' in your memories; call search_memory first to find the id."
    )
    bob = memory.add("I live in Oslo.", user_id="bob").ids[0]
    assert tools["forget_memory"].invoke({"memory_id": bob}).startswith("No memory with id")
    assert memory.get(bob).text == "Lives in Oslo"  # another user's memory is untouched
    empty = tools["save_memory"].invoke({"text": "   "})
    assert empty.startswith("Invalid arguments (text: String should have at least 1 character)")
    invalid = tools["update_memory"].invoke({"memory_id": bob})
    assert invalid.startswith("Invalid arguments (text: Field required)")
    secret = tools["save_memory"].invoke({"text": "The user's password is hunter2."})
    assert secret.startswith("Not saved: looks like a secret")
    assert memory.get_all(user_id="alice") == []


def test_scope_is_required(memory: Memory) -> None:
    with pytest.raises(ScopeError, match="scope_from_context"):
        create_memory_tools(memory)
    with pytest.raises(ScopeError):
        SearchMemoryTool(memory, user_id="")


def test_scope_from_the_run_context(memory: Memory) -> None:
    (save,) = create_memory_tools(memory, scope_from_context=True, include=("save",))
    runtime = SimpleNamespace(context={"user_id": "carol"})
    save.invoke({"text": "The user likes jazz.", "runtime": runtime})
    assert [r.text for r in memory.get_all(user_id="carol")] == ["The user likes jazz."]
    with pytest.raises(ScopeError, match="has no scope for this run"):
        save.invoke({"text": "The user likes jazz."})


def test_bound_and_context_ids_must_agree(memory: Memory) -> None:
    (save,) = create_memory_tools(
        memory, user_id="alice", scope_from_context=True, include=("save",)
    )
    both = SimpleNamespace(context=SimpleNamespace(user_id="alice", session_id="s1"))
    save.invoke({"text": "The user likes jazz.", "runtime": both})
    assert memory.get_all(user_id="alice", session_id="s1")[0].text == "The user likes jazz."
    with pytest.raises(ScopeError, match="run's context has user_id='mallory'"):
        save.invoke({"text": "x y z", "runtime": SimpleNamespace(context={"user_id": "mallory"})})


def test_context_is_ignored_unless_enabled(memory: Memory, tools: dict[str, BaseTool]) -> None:
    runtime = SimpleNamespace(context={"user_id": "mallory"})
    tools["save_memory"].invoke({"text": "The user likes jazz.", "runtime": runtime})
    assert memory.get_all(user_id="mallory") == []
    assert len(memory.get_all(user_id="alice")) == 1


async def test_async_tools_use_the_async_core(memory: Memory, tools: dict[str, BaseTool]) -> None:
    def sync_called(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a sync core method was called")

    for name in ("add", "search", "update", "delete"):
        setattr(memory, name, sync_called)
    saved = await tools["save_memory"].ainvoke({"text": "The user drinks green tea."})
    memory_id = saved.split("[")[1].split("]")[0]
    assert memory_id in await tools["search_memory"].ainvoke({"query": "tea"})
    assert "is now" in await tools["update_memory"].ainvoke({"memory_id": memory_id, "text": "a b"})
    assert (await tools["forget_memory"].ainvoke({"memory_id": memory_id})).startswith("Forgot")
    missing = await tools["forget_memory"].ainvoke({"memory_id": memory_id})
    assert "already deleted" in missing


# --- inside create_agent, scope from the context ---------------------------------------------


class ScriptedModel(GenericFakeChatModel):
    """Replies from a script and records every list of messages it was given."""

    received: list[list[BaseMessage]] = Field(default_factory=list)

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedModel:
        return self

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        self.received.append(list(messages))
        return super()._generate(messages, *args, **kwargs)


@dataclass
class Context:
    user_id: str


def scripted(*replies: AIMessage) -> Iterator[AIMessage]:
    return iter(replies)


def test_agent_tools_take_the_scope_from_the_context(memory: Memory) -> None:
    save_call = {"name": "save_memory", "args": {"text": "The user is vegan."}, "id": "c1"}
    search_call = {"name": "search_memory", "args": {"query": "diet"}, "id": "c2"}
    model = ScriptedModel(
        messages=scripted(
            AIMessage("", tool_calls=[save_call]),
            AIMessage("Saved."),
            AIMessage("", tool_calls=[search_call]),
            AIMessage("You are vegan."),
            AIMessage("", tool_calls=[{**search_call, "id": "c3"}]),
            AIMessage("I do not know."),
        )
    )
    tools = create_memory_tools(memory, scope_from_context=True)
    agent = create_agent(model, tools=tools, context_schema=Context)
    agent.invoke({"messages": [("user", "I am vegan.")]}, context=Context(user_id="dana"))
    assert [r.text for r in memory.get_all(user_id="dana")] == ["The user is vegan."]
    agent.invoke({"messages": [("user", "what do I eat?")]}, context=Context(user_id="dana"))
    tool_answer = model.received[-1][-1]
    assert isinstance(tool_answer, ToolMessage)
    assert "The user is vegan." in str(tool_answer.content)
    agent.invoke({"messages": [("user", "what do I eat?")]}, context=Context(user_id="erin"))
    assert model.received[-1][-1].content == "No memories match 'diet'."
