"""Memory tools for agents: search, save, update and forget, with the scope injected.

>>> tools = create_memory_tools(memory, user_id="alice")              # scope bound now
>>> agent = create_agent(model, tools=tools)

>>> tools = create_memory_tools(memory, scope_from_context=True)      # scope per run
>>> agent = create_agent(model, tools=tools, context_schema=Context)
>>> agent.invoke({"messages": [...]}, context=Context(user_id="alice"))

The model never chooses whose memories it reads or writes: the scope is bound when the
tools are built, and/or read from the run's context (``runtime.context.user_id``,
``agent_id``, ``session_id``; a dataclass, pydantic model or dict) through a ``runtime``
argument LangChain injects and hides from the model's schema. Ids given both ways must
agree. Errors the model can act on come back as the tool's answer (e.g. "No memory with
id X in your memories; call search_memory first to find the id."); a missing or
conflicting scope is the developer's to fix and raises ``ScopeError``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from langchain_core.tools import BaseTool, InjectedToolArg, ToolException
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from ..core.config import MemoryConfig
from ..core.errors import InvalidInputError, MemoryNotFoundError, ScopeError
from ..core.memory import Memory
from ..core.models import AddResult, EventType, MemoryEvent, MemoryHit, Scope
from ..core.rank.context import DEFAULT_HEADER, render_memories
from ._messages import context_field, merge_scope, scope_kwargs
from ._retriever import open_memory

__all__ = [
    "ForgetMemoryTool",
    "SaveMemoryTool",
    "SearchMemoryTool",
    "UpdateMemoryTool",
    "create_memory_tools",
]

_SCOPE_FIELDS = ("user_id", "agent_id", "session_id")
_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
_Runtime = Annotated[Any, InjectedToolArg]
"""The ``ToolRuntime`` LangChain injects (never part of the model's schema)."""


def _context_ids(runtime: Any) -> dict[str, str]:
    context = getattr(runtime, "context", None)
    if context is None:
        return {}
    found = {name: context_field(context, name) for name in _SCOPE_FIELDS}
    return {k: v for k, v in found.items() if v is not None}


@contextmanager
def _for_the_model(memory_id: str | None = None) -> Iterator[None]:
    """Turn errors the model can fix into ``ToolException`` (its answer); re-raise the rest."""
    try:
        yield
    except ScopeError:
        raise
    except MemoryNotFoundError as e:
        raise ToolException(
            f"No memory with id {memory_id!r} in your memories; call search_memory first to "
            "find the id."
        ) from e
    except InvalidInputError as e:
        raise ToolException(f"{e} Fix the arguments and call the tool again.") from e


def _invalid_arguments(error: Exception) -> str:
    """The model's answer to arguments that do not fit the schema."""
    errors = error.errors() if isinstance(error, ValidationError) else []
    found = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
    return f"Invalid arguments ({found or error}). Call the tool again with valid arguments."


class SearchArgs(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)
    query: _Text = Field(description="What to look for, in plain words.")
    limit: int | None = Field(default=None, ge=1, le=20, description="At most this many.")
    runtime: _Runtime = None


class SaveArgs(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)
    text: _Text = Field(description="One fact about the user, stated plainly and completely.")
    runtime: _Runtime = None


class UpdateArgs(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)
    memory_id: _Text = Field(description="The id from search_memory (the text in brackets).")
    text: _Text = Field(description="The corrected fact, replacing the old text entirely.")
    runtime: _Runtime = None


class ForgetArgs(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)
    memory_id: _Text = Field(description="The id from search_memory (the text in brackets).")
    runtime: _Runtime = None


class _MemoryTool(BaseTool):
    """Shared by the memory tools: the core, the bound scope and how errors reach the model."""

    memory: Memory
    user_id: str | None = None
    agent_id: str | None = None
    session_id: str | None = None
    scope_from_context: bool = Field(
        default=False, description="Read the scope ids from the run's context."
    )

    def __init__(
        self,
        memory: Memory | None = None,
        *,
        path: str | Path | None = None,
        chroma_host: str | None = None,
        chroma_port: int | None = None,
        config: MemoryConfig | Mapping[str, Any] | None = None,
        **data: Any,
    ) -> None:
        ids = {k: data.get(k) for k in _SCOPE_FIELDS}
        if any(v is not None for v in ids.values()):
            Scope(**ids)
        elif not data.get("scope_from_context"):
            raise ScopeError(
                f"{type(self).__name__} needs a scope: pass user_id= (or agent_id=, "
                "session_id=), or scope_from_context=True to read them from the run's context."
            )
        data.setdefault("handle_tool_error", True)
        data.setdefault("handle_validation_error", _invalid_arguments)
        data["memory"] = open_memory(
            memory, path=path, chroma_host=chroma_host, chroma_port=chroma_port, config=config
        )
        super().__init__(**data)

    def _scope(self, runtime: Any) -> dict[str, Any]:
        """The bound ids merged with the run context's (when enabled); they must agree."""
        fixed = scope_kwargs(self.user_id, self.agent_id, self.session_id)
        found = _context_ids(runtime) if self.scope_from_context else {}
        return merge_scope(fixed, found, self.name)


class SearchMemoryTool(_MemoryTool):
    """``search_memory``: what is remembered about the user that matches a query."""

    name: str = "search_memory"
    description: str = (
        "Search the long-term memories about the user (preferences, facts, past events). "
        "Returns the best matches with their ids; use an id with update_memory or forget_memory."
    )
    args_schema: type[BaseModel] = SearchArgs
    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"
    k: int = Field(default=5, ge=1, description="Default number of memories returned.")

    def _answer(self, query: str, hits: list[MemoryHit]) -> tuple[str, list[dict[str, Any]]]:
        artifact = [{"id": h.id, "memory": h.memory, "score": h.score} for h in hits]
        if not hits:
            return f"No memories match {query!r}.", artifact
        # One render_memories line per hit ("- text (stated date)"), with the id put in.
        lines = [f"- [{h.id}] " + render_memories([h], header=None)[2:] for h in hits]
        return "\n".join([DEFAULT_HEADER.rstrip(":") + " (ids in brackets):", *lines]), artifact

    def _run(
        self, query: str, limit: int | None = None, runtime: _Runtime = None
    ) -> tuple[str, list[dict[str, Any]]]:
        with _for_the_model():
            hits = self.memory.search(query, **self._scope(runtime), limit=limit or self.k)
        return self._answer(query, hits)

    async def _arun(
        self, query: str, limit: int | None = None, runtime: _Runtime = None
    ) -> tuple[str, list[dict[str, Any]]]:
        with _for_the_model():
            hits = await self.memory.asearch(query, **self._scope(runtime), limit=limit or self.k)
        return self._answer(query, hits)


def _saved(result: AddResult) -> str:
    if result.skipped and not result.events:
        reasons = "; ".join(s.reason for s in result.skipped)
        return f"Not saved: {reasons}. Do not try to store this."
    parts = []
    for event in result.events:
        if event.event is EventType.NONE:
            parts.append(f"Already remembered as [{event.id}]: {event.memory}")
        else:
            parts.append(f"Saved as [{event.id}]: {event.memory}")
    return "\n".join(parts) or "Nothing to save."


class SaveMemoryTool(_MemoryTool):
    """``save_memory``: store one fact about the user, verbatim (``Memory.add(infer=False)``)."""

    name: str = "save_memory"
    description: str = (
        "Save one lasting fact about the user (a preference, a fact about their life, a "
        "decision) so it is remembered in later conversations. To change a stored fact, "
        "find it with search_memory and call update_memory instead."
    )
    args_schema: type[BaseModel] = SaveArgs

    def _run(self, text: str, runtime: _Runtime = None) -> str:
        with _for_the_model():
            result = self.memory.add(text, **self._scope(runtime), infer=False)
        return _saved(result)

    async def _arun(self, text: str, runtime: _Runtime = None) -> str:
        with _for_the_model():
            result = await self.memory.aadd(text, **self._scope(runtime), infer=False)
        return _saved(result)


def _updated(event: MemoryEvent) -> str:
    return f"Updated [{event.id}]: {event.previous_memory!r} is now {event.memory!r}."


class UpdateMemoryTool(_MemoryTool):
    """``update_memory``: replace the text of one of the user's memories (history kept)."""

    name: str = "update_memory"
    description: str = (
        "Correct a stored memory: replace its text. Get its id from search_memory first."
    )
    args_schema: type[BaseModel] = UpdateArgs

    def _run(self, memory_id: str, text: str, runtime: _Runtime = None) -> str:
        with _for_the_model(memory_id):
            event = self.memory.update(memory_id, text, **self._scope(runtime))
        return _updated(event)

    async def _arun(self, memory_id: str, text: str, runtime: _Runtime = None) -> str:
        with _for_the_model(memory_id):
            event = await self.memory.aupdate(memory_id, text, **self._scope(runtime))
        return _updated(event)


def _forgotten(event: MemoryEvent) -> str:
    return f"Forgot [{event.id}]: {event.previous_memory or event.memory!r}."


class ForgetMemoryTool(_MemoryTool):
    """``forget_memory``: delete one of the user's memories (a soft delete: history kept,
    ``Memory.restore`` brings it back; ``Memory.forget`` is the hard delete)."""

    name: str = "forget_memory"
    description: str = (
        "Delete a stored memory that is wrong or that the user asked you to forget. Get its "
        "id from search_memory first."
    )
    args_schema: type[BaseModel] = ForgetArgs

    def _run(self, memory_id: str, runtime: _Runtime = None) -> str:
        with _for_the_model(memory_id):
            event = self.memory.delete(memory_id, **self._scope(runtime))
        return _forgotten(event)

    async def _arun(self, memory_id: str, runtime: _Runtime = None) -> str:
        with _for_the_model(memory_id):
            event = await self.memory.adelete(memory_id, **self._scope(runtime))
        return _forgotten(event)


_TOOLS: dict[str, type[_MemoryTool]] = {
    "search": SearchMemoryTool,
    "save": SaveMemoryTool,
    "update": UpdateMemoryTool,
    "forget": ForgetMemoryTool,
}


def create_memory_tools(
    memory: Memory | None = None,
    *,
    user_id: str | None = None,
    agent_id: str | None = None,
    session_id: str | None = None,
    scope_from_context: bool = False,
    include: tuple[Literal["search", "save", "update", "forget"], ...] = (
        "search",
        "save",
        "update",
        "forget",
    ),
    path: str | Path | None = None,
    chroma_host: str | None = None,
    chroma_port: int | None = None,
    config: MemoryConfig | Mapping[str, Any] | None = None,
) -> list[BaseTool]:
    """The memory tools (``search_memory``, ``save_memory``, ``update_memory``,
    ``forget_memory``) over one ``Memory``, for ``create_agent(tools=...)``.

    Bind the scope here (``user_id=`` ...) or set ``scope_from_context=True`` to read
    it per run from the agent's context (both: the ids must agree). ``include`` picks
    tools, e.g. ``("search",)`` for a read-only agent.
    """
    unknown = [name for name in include if name not in _TOOLS]
    if unknown:
        raise InvalidInputError(f"Unknown tools {unknown}; choose from {sorted(_TOOLS)}.")
    core = open_memory(
        memory, path=path, chroma_host=chroma_host, chroma_port=chroma_port, config=config
    )
    ids: dict[str, Any] = {"user_id": user_id, "agent_id": agent_id, "session_id": session_id}
    return [
        _TOOLS[name](core, scope_from_context=scope_from_context, **ids)
        for name in dict.fromkeys(include)
    ]
