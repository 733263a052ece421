"""`Mem0ToolSpec`: search, save, update and forget long-term memories, as agent tools.

>>> spec = Mem0ToolSpec(memory=Memory(path="./memories"), user_id="alice")
>>> agent = FunctionAgent(tools=spec.to_tool_list(), llm=llm)

Whose memories they are is fixed here, never an argument the model sees or
chooses. Mistakes the model can fix (an unknown id, an empty text) come back as
text telling it what to do, not as exceptions.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from llama_index.core.tools.tool_spec.base import SPEC_FUNCTION_TYPE, BaseToolSpec

from ..core.config import MemoryConfig
from ..core.errors import InvalidInputError, MemoryNotFoundError
from ..core.memory import Memory
from ..core.models import AddResult, EventType, MemoryEvent, MemoryHit, MemoryStatus
from ._connection import open_memory, scope_ids, scope_of

__all__ = ["Mem0ToolSpec"]


def _found(query: str, hits: list[MemoryHit]) -> str:
    if not hits:
        return f"No memories match {query!r}."
    lines = [
        f"- id={h.id}: {h.memory} (stated {h.record.said_at.date().isoformat()})" for h in hits
    ]
    return "\n".join(["Memories, best match first:", *lines])


def _saved(text: str, result: AddResult) -> str:
    if not result.events:
        why = "; ".join(s.reason for s in result.skipped) or "no fact found in it"
        return f"Nothing was saved from {text!r}: {why}. Rephrase it as a plain fact."
    lines = []
    for e in result.events:
        if e.event is EventType.ADD:
            lines.append(f"Saved memory {e.id}: {e.memory}")
        elif e.event is EventType.NONE:
            lines.append(f"Already remembered as memory {e.id}: {e.memory}")
        elif e.event is EventType.UPDATE:
            lines.append(f"Updated memory {e.id}: {e.previous_memory!r} -> {e.memory!r}")
        else:
            lines.append(f"Removed memory {e.id} ({e.previous_memory!r}), contradicted by it")
    return "\n".join(lines)


def _updated(event: MemoryEvent) -> str:
    return f"Updated memory {event.id}: now {event.memory!r} (was {event.previous_memory!r})."


def _not_found(memory_id: str) -> str:
    return (
        f"No memory with id {memory_id!r} among this user's memories. Call search_memory to "
        "find the right id, then try again."
    )


def _invalid(error: InvalidInputError) -> str:
    return f"Error: {error} Fix the arguments and call the tool again."


class Mem0ToolSpec(BaseToolSpec):
    """Four tools over one scope's long-term memory.

    ``search_memory``, ``save_memory`` (stored verbatim and deduplicated;
    ``infer=True`` extracts facts instead), ``update_memory`` and
    ``forget_memory`` (a soft delete, restorable and kept in history;
    ``erase=True`` hard-deletes with ``Memory.forget``). Each has a sync and an
    async implementation; agents use the async one.
    """

    spec_functions: list[SPEC_FUNCTION_TYPE] = [  # noqa: RUF012 - BaseToolSpec's protocol
        ("search_memory", "asearch_memory"),
        ("save_memory", "asave_memory"),
        ("update_memory", "aupdate_memory"),
        ("forget_memory", "aforget_memory"),
    ]

    def __init__(
        self,
        memory: Memory | None = None,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        top_k: int = 5,
        infer: bool = False,
        erase: bool = False,
        path: str | Path | None = None,
        chroma_host: str | None = None,
        chroma_port: int | None = None,
        config: MemoryConfig | dict[str, Any] | None = None,
    ) -> None:
        self.scope = scope_of(user_id, agent_id, session_id)
        self.memory = open_memory(
            memory, path=path, chroma_host=chroma_host, chroma_port=chroma_port, config=config
        )
        self.top_k = top_k
        self.infer = infer
        self.erase = erase

    # --- shared ---------------------------------------------------------------------------

    def _ids(self) -> dict[str, Any]:
        return scope_ids(self.scope)

    @staticmethod
    def _guard(memory_id: str | None, work: Callable[[], str]) -> str:
        try:
            return work()
        except MemoryNotFoundError:
            return _not_found(str(memory_id))
        except InvalidInputError as e:
            return _invalid(e)

    @staticmethod
    async def _aguard(memory_id: str | None, work: Callable[[], Awaitable[str]]) -> str:
        try:
            return await work()
        except MemoryNotFoundError:
            return _not_found(str(memory_id))
        except InvalidInputError as e:
            return _invalid(e)

    def _forgotten(self, memory_id: str, count: int) -> str:
        if count == 0:
            return f"Memory {memory_id!r} was already forgotten."
        return f"Forgot memory {memory_id}."

    # --- sync tools (their docstrings are what the model reads) ---------------------------

    def search_memory(self, query: str, limit: int | None = None) -> str:
        """Search what you remember about the user from earlier conversations.

        Returns matching memories, best first, each with the id that update_memory
        and forget_memory need.

        Args:
            query (str): What to look for, e.g. "food preferences".
            limit (int): How many memories to return at most (default 5).
        """
        return self._guard(
            None,
            lambda: _found(
                query, self.memory.search(query, limit=limit or self.top_k, **self._ids())
            ),
        )

    def save_memory(self, text: str) -> str:
        """Remember a fact about the user for future conversations.

        Save one self-contained fact per call, e.g. "Prefers window seats".

        Args:
            text (str): The fact, phrased so it makes sense on its own later.
        """
        return self._guard(
            None,
            lambda: _saved(text, self.memory.add(text, infer=self.infer, **self._ids())),
        )

    def update_memory(self, memory_id: str, text: str) -> str:
        """Replace the text of a remembered fact that changed or was wrong.

        Find the id with search_memory first.

        Args:
            memory_id (str): The id of the memory, as search_memory shows it.
            text (str): The corrected fact.
        """
        return self._guard(
            memory_id, lambda: _updated(self.memory.update(memory_id, text, **self._ids()))
        )

    def forget_memory(self, memory_id: str) -> str:
        """Forget a remembered fact the user wants gone or that is no longer true.

        Find the id with search_memory first.

        Args:
            memory_id (str): The id of the memory, as search_memory shows it.
        """

        def work() -> str:
            if self.erase:
                return self._forgotten(memory_id, self.memory.forget(memory_id, **self._ids()))
            if self.memory.get(memory_id, **self._ids()).status is MemoryStatus.DELETED:
                return self._forgotten(memory_id, 0)
            self.memory.delete(memory_id, **self._ids())
            return self._forgotten(memory_id, 1)

        return self._guard(memory_id, work)

    # --- async twins ----------------------------------------------------------------------

    async def asearch_memory(self, query: str, limit: int | None = None) -> str:
        """Async :meth:`search_memory`."""

        async def work() -> str:
            hits = await self.memory.asearch(query, limit=limit or self.top_k, **self._ids())
            return _found(query, hits)

        return await self._aguard(None, work)

    async def asave_memory(self, text: str) -> str:
        """Async :meth:`save_memory`."""

        async def work() -> str:
            return _saved(text, await self.memory.aadd(text, infer=self.infer, **self._ids()))

        return await self._aguard(None, work)

    async def aupdate_memory(self, memory_id: str, text: str) -> str:
        """Async :meth:`update_memory`."""

        async def work() -> str:
            return _updated(await self.memory.aupdate(memory_id, text, **self._ids()))

        return await self._aguard(memory_id, work)

    async def aforget_memory(self, memory_id: str) -> str:
        """Async :meth:`forget_memory`."""

        async def work() -> str:
            if self.erase:
                return self._forgotten(
                    memory_id, await self.memory.aforget(memory_id, **self._ids())
                )
            record = await self.memory.aget(memory_id, **self._ids())
            if record.status is MemoryStatus.DELETED:
                return self._forgotten(memory_id, 0)
            await self.memory.adelete(memory_id, **self._ids())
            return self._forgotten(memory_id, 1)

        return await self._aguard(memory_id, work)
