"""``Mem0Memory``: a drop-in for ``ConversationBufferMemory`` in classic LangChain chains.

Change one line and a ``ConversationChain`` (or any ``Chain(memory=...)``, ``LLMChain``)
remembers across sessions:

>>> memory = ConversationBufferMemory()                                   # before
>>> memory = Mem0Memory(path="./memories", user_id="alice", session_id="monday")  # after
>>> chain = ConversationChain(llm=model, memory=memory)
"""

from __future__ import annotations

import threading
import warnings
from collections import deque
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from langchain_classic.base_memory import BaseMemory
from langchain_classic.memory.utils import get_prompt_input_key
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    get_buffer_string,
)
from pydantic import Field, PrivateAttr

from ..core.config import MemoryConfig
from ..core.memory import Memory
from ..core.models import MemoryHit, MemoryRecord, Scope
from ..core.rank.context import render_memories
from ._chat_history import Transcript, fact_messages, long_term_scope
from ._retriever import open_memory, require_scope

__all__ = ["Mem0Memory"]

Row = tuple[str | None, BaseMessage]


class Mem0Memory(BaseMemory):
    """Recent turns verbatim plus the relevant long-term memories, under ``memory_key``.

    **Scope.** At least one of ``user_id``, ``agent_id``, ``session_id``. ``session_id``
    names the conversation (it keys the recent-turn window). Long-term memories are
    written and searched under ``user_id``/``agent_id``, so every session of the user
    shares them; with only ``session_id`` given they stay in that session.

    **What the chain gets** (``load_memory_variables``): the memories that best match
    the input (``Memory.search``, ``search_limit`` of them, rendered with
    :func:`~mem0_integrations.core.rank.context.render_memories`), then the last ``k`` turns
    verbatim. As a string (``human_prefix``/``ai_prefix`` lines, memories first) or, with
    ``return_messages=True``, as messages (a ``SystemMessage`` with the memories first).
    With ``memories_key`` set, the memories go to that variable (a string) and
    ``memory_key`` holds the turns alone, like ``VectorStoreRetrieverMemory`` next to a
    buffer memory.

    **Recent turns** are kept in-process (the last ``k`` turns) and, with
    ``persist_window=True`` (default), written through to the store next to the
    memories (``Memory.transcripts``), so a new process with the same scope starts with
    the same window (only the window is kept there; use ``Mem0ChatMessageHistory`` for
    full transcripts). ``Memory.reset()`` and ``Memory.forget`` of a whole scope (e.g.
    ``forget(user_id="alice")``) erase persisted windows too; an instance already
    holding turns in-process keeps them until :meth:`clear`.

    **Saving** (``save_context``) appends the turn to the window and passes it to
    ``Memory.add``, which extracts the user's facts and merges them with what is known.
    ``background=True`` queues that write and returns at once: a fact may then be missing
    from the very next load; :meth:`flush` (or ``Memory.close()`` before exit) waits for
    the queue and raises the failures of queued writes.

    **Clearing** (``clear()``) empties the recent-turn window (in-process and persisted)
    and nothing else; ``clear(long_term=True)`` also soft-deletes the long-term memories
    stored under exactly this memory's long-term scope (history kept; memories of the
    same user written under another agent or session are not touched).
    """

    memory: Memory = Field(description="The shared mem0-integrations Memory.")
    user_id: str | None = None
    agent_id: str | None = None
    session_id: str | None = None
    memory_key: str = "history"
    memories_key: str | None = Field(
        default=None, description="Put the long-term memories in this variable instead."
    )
    input_key: str | None = None
    output_key: str | None = None
    return_messages: bool = False
    human_prefix: str = "Human"
    ai_prefix: str = "AI"
    k: int = Field(default=5, ge=0, description="Recent turns (human + AI) kept verbatim.")
    search_limit: int = Field(default=5, ge=0, description="Long-term memories per load.")
    persist_window: bool = True
    background: bool = False

    _window: deque[Row] = PrivateAttr()
    _loaded: bool = PrivateAttr(default=False)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _transcript: Transcript = PrivateAttr()

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
        scope = require_scope(data.get("user_id"), data.get("agent_id"), data.get("session_id"))
        core = open_memory(
            memory, path=path, chroma_host=chroma_host, chroma_port=chroma_port, config=config
        )
        data["memory"] = core
        super().__init__(**data)
        self._window = deque(maxlen=2 * self.k)
        self._loaded = not (self.persist_window and self.k)
        self._transcript = Transcript(core, "window", scope)

    @property
    def memory_variables(self) -> list[str]:
        """``[memory_key]``, plus ``memories_key`` when set."""
        return [self.memory_key] + ([self.memories_key] if self.memories_key else [])

    @property
    def long_term_scope(self) -> dict[str, Any]:
        """The scope long-term memories are written and searched under."""
        return long_term_scope(self.user_id, self.agent_id, self.session_id)

    @property
    def recent_messages(self) -> list[BaseMessage]:
        """The recent-turn window, oldest first (read from the store on first use)."""
        self._load_window()
        return self._held()

    # --- pure steps shared by the sync and async shells ------------------------------------

    def _input_text(self, inputs: dict[str, Any]) -> str:
        key = self.input_key or get_prompt_input_key(inputs, self.memory_variables)
        return str(inputs[key])

    def _output_text(self, outputs: dict[str, Any]) -> str:
        key = self.output_key
        if key is None:
            if len(outputs) == 1:
                key = next(iter(outputs))
            elif "output" in outputs:
                key = "output"
                warnings.warn(
                    f"Mem0Memory got several output keys {list(outputs)}; using 'output'. "
                    "Set output_key= to choose.",
                    stacklevel=3,
                )
            else:
                raise ValueError(
                    f"Mem0Memory got several output keys {list(outputs)} and none is "
                    "'output'. Set output_key= to the one to remember."
                )
        return str(outputs[key])

    def _search_kwargs(self, inputs: dict[str, Any]) -> dict[str, Any] | None:
        query = self._input_text(inputs).strip()
        if not query or self.search_limit == 0:
            return None
        cap = self.memory.config.limits.max_text_chars
        return {"query": query[:cap], "limit": self.search_limit, **self.long_term_scope}

    def _held(self) -> list[BaseMessage]:
        with self._lock:
            return [message for _, message in self._window]

    def _adopt(self, rows: Sequence[tuple[str, BaseMessage]]) -> list[str]:
        """Take the persisted window (first use); returns ids of rows older than it."""
        with self._lock:
            if self._loaded:
                return []
            size = 2 * self.k
            stale = [row_id for row_id, _ in rows[: max(len(rows) - size, 0)]]
            held = list(self._window)
            self._window.clear()
            self._window.extend([*rows, *held])
            self._loaded = True
            return stale

    def _variables(self, hits: Sequence[MemoryHit]) -> dict[str, Any]:
        rendered = render_memories(hits)
        window = self._held()
        turns: str | list[BaseMessage] = (
            window
            if self.return_messages
            else get_buffer_string(window, human_prefix=self.human_prefix, ai_prefix=self.ai_prefix)
        )
        if self.memories_key:
            return {self.memory_key: turns, self.memories_key: rendered}
        if isinstance(turns, list):
            return {self.memory_key: ([SystemMessage(rendered)] if rendered else []) + turns}
        return {self.memory_key: "\n\n".join(part for part in (rendered, turns) if part)}

    def _turn(self, inputs: dict[str, Any], outputs: dict[str, Any]) -> list[BaseMessage]:
        return [HumanMessage(self._input_text(inputs)), AIMessage(self._output_text(outputs))]

    def _add_kwargs(self, turn: list[BaseMessage]) -> dict[str, Any] | None:
        facts = fact_messages(self.memory, turn)
        if not facts:
            return None
        return {"messages": facts, **self.long_term_scope, "background": self.background}

    def _push(self, ids: Sequence[str | None], turn: list[BaseMessage]) -> list[str]:
        """Append the turn to the window; returns persisted ids that fell out of it."""
        if not self.k:
            return []
        with self._lock:
            overflow = max(len(self._window) + len(turn) - 2 * self.k, 0)
            dropped = [row_id for row_id, _ in list(self._window)[:overflow] if row_id]
            self._window.extend(zip(ids, turn, strict=True))
            return dropped

    def _exactly_mine(self, records: Sequence[MemoryRecord]) -> list[str]:
        """Ids of the records stored under exactly :attr:`long_term_scope`."""
        scope = Scope(**self.long_term_scope)
        return [r.id for r in records if r.scope == scope]

    # --- sync -------------------------------------------------------------------------------

    def _load_window(self) -> None:
        if not self._loaded:
            self._transcript.delete(self._adopt(self._transcript.rows()))

    def load_memory_variables(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """The long-term memories relevant to the input and the recent turns."""
        self._load_window()
        kwargs = self._search_kwargs(inputs)
        hits = self.memory.search(**kwargs) if kwargs else []
        return self._variables(hits)

    def save_context(self, inputs: dict[str, Any], outputs: dict[str, str]) -> None:
        """Remember the turn: in the recent window, and through ``Memory.add``."""
        turn = self._turn(inputs, outputs)
        if (kwargs := self._add_kwargs(turn)) is not None:
            self.memory.add(**kwargs)
        if not self.k:
            return
        self._load_window()
        ids: list[str | None] = [None] * len(turn)
        if self.persist_window:
            ids = list(self._transcript.append(turn))
        self._transcript.delete(self._push(ids, turn))

    def clear(self, *, long_term: bool = False) -> None:
        """Empty the recent-turn window (in-process and persisted).

        ``long_term=True`` also soft-deletes the memories stored under exactly
        :attr:`long_term_scope` (restorable, history kept).
        """
        with self._lock:
            self._window.clear()
            self._loaded = True
        if self.persist_window:
            self._transcript.clear()
        if long_term:
            records = self.memory.get_all(**self.long_term_scope, limit=None)
            for memory_id in self._exactly_mine(records):
                self.memory.delete(memory_id)

    def flush(self, timeout: float | None = None) -> None:
        """Wait for queued ``background=True`` writes; raises ``BackgroundWriteError``."""
        self.memory.flush(timeout)

    # --- async ------------------------------------------------------------------------------

    async def _aload_window(self) -> None:
        if not self._loaded:
            rows = await self._transcript.arows()
            await self._transcript.adelete(self._adopt(rows))

    async def aload_memory_variables(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """Async :meth:`load_memory_variables` (search through ``Memory.asearch``)."""
        await self._aload_window()
        kwargs = self._search_kwargs(inputs)
        hits = await self.memory.asearch(**kwargs) if kwargs else []
        return self._variables(hits)

    async def asave_context(self, inputs: dict[str, Any], outputs: dict[str, str]) -> None:
        """Async :meth:`save_context` (write through ``Memory.aadd``)."""
        turn = self._turn(inputs, outputs)
        if (kwargs := self._add_kwargs(turn)) is not None:
            await self.memory.aadd(**kwargs)
        if not self.k:
            return
        await self._aload_window()
        ids: list[str | None] = [None] * len(turn)
        if self.persist_window:
            ids = list(await self._transcript.aappend(turn))
        await self._transcript.adelete(self._push(ids, turn))

    async def aclear(self, *, long_term: bool = False) -> None:
        """Async :meth:`clear` (deletes through ``Memory.adelete``)."""
        with self._lock:
            self._window.clear()
            self._loaded = True
        if self.persist_window:
            await self._transcript.aclear()
        if long_term:
            records = await self.memory.aget_all(**self.long_term_scope, limit=None)
            for memory_id in self._exactly_mine(records):
                await self.memory.adelete(memory_id)

    async def aflush(self) -> None:
        """Async :meth:`flush` (wrap it in ``asyncio.timeout`` to bound the wait)."""
        await self.memory.aflush()
