"""`Mem0Middleware`: long-term memory for ``langchain.agents.create_agent``.

>>> from dataclasses import dataclass
>>> from langchain.agents import create_agent
>>> from mem0_integrations import Memory
>>> from mem0_integrations.langchain import Mem0Middleware
>>> @dataclass
... class Context:
...     user_id: str
>>> memory = Mem0Middleware(memory=Memory(path="./memories"))
>>> agent = create_agent(model, tools=[...], middleware=[memory], context_schema=Context)
>>> agent.invoke({"messages": [{"role": "user", "content": "hi"}]}, context=Context("alice"))
>>> memory.flush()                     # wait for the background saves (e.g. before exiting)

Before **each model call** it searches the scope's memories with the latest user
message and appends them (rendered by :func:`~mem0_integrations.core.rank.context.render_memories`)
to the system message of that call only: the agent's state, and so its checkpoints,
never hold them. **After the agent turn** it saves what the user said in that turn
(the human messages after the previous answer) through ``Memory.add``, in the
background by default.

The scope comes from the run's context (``runtime.context``: a dataclass, pydantic
model or dict with ``user_id``/``agent_id``/``session_id``), from ids given here, or
both (they must then agree). ``context_scope={"user_id": "customer_id"}`` reads other
context fields; a function ``context -> {"user_id": ...}`` computes them. The model
never chooses the scope. As in the chat memories of both frameworks, facts live under
the user or agent when the scope names one (:meth:`Scope.long_term`): a ``session_id``
names the conversation and does not split the user's memory.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from langchain.agents.middleware.types import (
    AgentMiddleware,
    AgentState,
    ModelCallResult,
    ModelRequest,
    ModelResponse,
)
from langchain_core.messages import BaseMessage, SystemMessage
from langgraph.runtime import Runtime

from ..core.config import MemoryConfig
from ..core.errors import ConfigurationError
from ..core.memory import Memory
from ..core.models import MemoryHit, Message, Scope
from ..core.rank.context import DEFAULT_HEADER, render_memories
from ._messages import (
    context_field,
    latest_user_text,
    merge_scope,
    scope_kwargs,
    to_core_messages,
)
from ._retriever import open_memory

__all__ = ["Mem0Middleware", "turn_user_messages"]

_SCOPE_NAMES = ("user_id", "agent_id", "session_id")
ContextScope = Mapping[str, str] | Callable[[Any], Mapping[str, str | None]]


def turn_user_messages(messages: Sequence[BaseMessage]) -> list[BaseMessage]:
    """The human messages of the latest turn: the run of them ending at the last one."""
    last = max((i for i, m in enumerate(messages) if m.type == "human"), default=None)
    if last is None:
        return []
    start = last
    while start > 0 and messages[start - 1].type == "human":
        start -= 1
    return list(messages[start : last + 1])


class Mem0Middleware(AgentMiddleware[AgentState[Any], Any]):
    """Injects relevant memories before each model call; saves the user's turn after.

    Args:
        memory: A shared :class:`~mem0_integrations.Memory`; else one is opened from
            ``path`` / ``chroma_host`` + ``chroma_port`` / ``config``.
        user_id, agent_id, session_id: Fixed scope ids (the context may add others).
        context_scope: Scope name -> context field name, or a function of the context
            returning scope ids. Default: the context's ``user_id``, ``agent_id`` and
            ``session_id`` fields.
        limit, threshold, filters: Passed to ``Memory.search`` for each model call.
        header: The line above the memories (None: no header).
        save: False to only read memories, never write.
        infer, background: Passed to ``Memory.add`` after each turn (``background=True``
            returns at once; call :meth:`flush` to wait and to see failures).
    """

    def __init__(
        self,
        memory: Memory | None = None,
        *,
        path: str | Path | None = None,
        chroma_host: str | None = None,
        chroma_port: int | None = None,
        config: MemoryConfig | Mapping[str, Any] | None = None,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        context_scope: ContextScope | None = None,
        limit: int = 5,
        threshold: float | None = None,
        filters: Mapping[str, Any] | None = None,
        header: str | None = DEFAULT_HEADER,
        save: bool = True,
        infer: bool = True,
        background: bool = True,
    ) -> None:
        super().__init__()
        self.memory = open_memory(
            memory, path=path, chroma_host=chroma_host, chroma_port=chroma_port, config=config
        )
        self._fixed = scope_kwargs(user_id, agent_id, session_id)
        if self._fixed:
            Scope(**self._fixed)  # validate now: a bad id fails at construction
        if isinstance(context_scope, Mapping) and not set(context_scope) <= set(_SCOPE_NAMES):
            raise ConfigurationError(
                f"context_scope keys must be among {_SCOPE_NAMES}, got {sorted(context_scope)}; "
                "e.g. context_scope={'user_id': 'customer_id'}."
            )
        self._context_scope: ContextScope = context_scope or {n: n for n in _SCOPE_NAMES}
        self.limit = limit
        self.threshold = threshold
        self.filters = filters
        self.header = header
        self.save = save
        self.infer = infer
        self.background = background

    # --- scope ----------------------------------------------------------------------------

    def _context_ids(self, context: Any) -> dict[str, str]:
        if context is None:
            return {}
        mapping = self._context_scope
        if callable(mapping):
            found = dict(mapping(context))
        else:
            found = {scope: context_field(context, name) for scope, name in mapping.items()}
        return {k: v for k, v in found.items() if v is not None}

    def scope(self, runtime: Runtime[Any] | None) -> dict[str, str]:
        """The scope ids of a run: the fixed ones and the context's, which must agree."""
        found = self._context_ids(getattr(runtime, "context", None))
        return merge_scope(self._fixed, found, "Mem0Middleware")

    def long_term_scope(self, runtime: Runtime[Any] | None) -> dict[str, str]:
        """Where the run's facts are read and written (:meth:`Scope.long_term`): the user
        or agent when the scope names one, so every session (thread) shares them."""
        return dict(Scope(**self.scope(runtime)).long_term().items())

    # --- before each model call -----------------------------------------------------------

    def _query(self, request: ModelRequest[Any]) -> str | None:
        text = latest_user_text(request.messages)
        return text[: self.memory.config.limits.max_text_chars] if text else None

    def _search_kwargs(self, request: ModelRequest[Any]) -> dict[str, Any]:
        """Search arguments. Only the turn's first model call (the one answering the user's
        message) counts as a use of the memories found; the calls after tool results
        search again, with the same query, without reinforcing."""
        messages = request.messages
        first = bool(messages) and messages[-1].type == "human"
        return {
            **self.long_term_scope(request.runtime),
            "limit": self.limit,
            "threshold": self.threshold,
            "filters": self.filters,
            "reinforce": first,
        }

    def _with_memories(
        self, request: ModelRequest[Any], hits: Sequence[MemoryHit]
    ) -> ModelRequest[Any]:
        """The same request with the memories appended to its system message."""
        block = render_memories(hits, header=self.header)
        if not block:
            return request
        system = request.system_message
        if system is None:
            return request.override(system_message=SystemMessage(content=block))
        content: Any = system.content
        if isinstance(content, str):
            content = f"{content}\n\n{block}" if content.strip() else block
        else:
            content = [*content, {"type": "text", "text": block}]
        return request.override(system_message=system.model_copy(update={"content": content}))

    def wrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], ModelResponse[Any]],
    ) -> ModelCallResult[Any]:
        """Call the model with the scope's relevant memories in this call's system message."""
        query = self._query(request)
        if query is None:
            return handler(request)
        hits = self.memory.search(query, **self._search_kwargs(request))
        return handler(self._with_memories(request, hits))

    async def awrap_model_call(
        self,
        request: ModelRequest[Any],
        handler: Callable[[ModelRequest[Any]], Awaitable[ModelResponse[Any]]],
    ) -> ModelCallResult[Any]:
        """Async :meth:`wrap_model_call`, searching with ``Memory.asearch``."""
        query = self._query(request)
        if query is None:
            return await handler(request)
        hits = await self.memory.asearch(query, **self._search_kwargs(request))
        return await handler(self._with_memories(request, hits))

    # --- after the agent turn -------------------------------------------------------------

    def _turn(self, state: AgentState[Any]) -> list[Message]:
        if not self.save:
            return []
        limit = self.memory.config.limits.max_text_chars
        return [
            m.model_copy(update={"content": m.content[:limit]})
            for m in to_core_messages(turn_user_messages(state.get("messages", [])))
        ]

    def after_agent(self, state: AgentState[Any], runtime: Runtime[Any]) -> dict[str, Any] | None:
        """Save the human messages of this turn (in the background unless configured)."""
        messages = self._turn(state)
        if messages:
            add: Callable[..., object] = self.memory.add  # overloaded on background's literal
            scope = self.long_term_scope(runtime)
            add(messages, **scope, infer=self.infer, background=self.background)
        return None

    async def aafter_agent(
        self, state: AgentState[Any], runtime: Runtime[Any]
    ) -> dict[str, Any] | None:
        """Async :meth:`after_agent`, saving with ``Memory.aadd``."""
        messages = self._turn(state)
        if messages:
            aadd: Callable[..., Awaitable[object]] = self.memory.aadd
            scope = self.long_term_scope(runtime)
            await aadd(messages, **scope, infer=self.infer, background=self.background)
        return None

    # --- background saves -----------------------------------------------------------------

    def flush(self, timeout: float | None = None) -> None:
        """Wait for the background saves queued so far; raises ``BackgroundWriteError``
        if some failed (each failed save wrote nothing)."""
        self.memory.flush(timeout)

    async def aflush(self) -> None:
        """Async :meth:`flush`."""
        await self.memory.aflush()
