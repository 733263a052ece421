"""`Mem0ChatMemory`: a ``ChatMemoryBuffer`` drop-in that also remembers across sessions.

Swap one line and a chat engine or agent remembers what the user said in
earlier sessions::

    memory = ChatMemoryBuffer.from_defaults(token_limit=3000)                  # before
    memory = Mem0ChatMemory.from_defaults(token_limit=3000, user_id="alice")   # after
    engine = SimpleChatEngine.from_defaults(llm=llm, memory=memory)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.bridge.pydantic import Field, PrivateAttr
from llama_index.core.llms.llm import LLM
from llama_index.core.memory.types import BaseMemory
from llama_index.core.utils import get_tokenizer

from ..core.config import MemoryConfig
from ..core.errors import InvalidInputError
from ..core.memory import Memory
from ..core.models import MemoryHit, Message, Scope
from ..core.rank.context import DEFAULT_HEADER, render_memories
from ._connection import (
    Linked,
    MemoryLink,
    aadd_turn,
    add_turn,
    attach_memory,
    scope_ids,
    scope_of,
)
from ._messages import is_reply, latest_user_text, message_text, to_core_messages

__all__ = ["Mem0ChatMemory"]

DEFAULT_TOKEN_LIMIT = 3000
DEFAULT_TOKEN_LIMIT_RATIO = 0.75  # of the LLM's context window, as ChatMemoryBuffer does


class _Turn(NamedTuple):
    """Messages to write as one turn, and how many newer messages stay unsaved."""

    messages: list[Message]
    keep: int


class Mem0ChatMemory(Linked, BaseMemory):
    """Short-term chat buffer plus long-term memories, usable wherever ``ChatMemoryBuffer`` is.

    * ``get(input=None)`` returns the most recent messages that fit ``token_limit``,
      preceded by one system message listing the long-term memories relevant to
      ``input`` (or, without it, to the latest user message), rendered with
      :func:`~mem0_integrations.core.rank.context.render_memories`.
    * ``put``/``put_messages`` add to the buffer and write a whole turn to long-term
      memory at once when its assistant answer arrives (one extraction per turn,
      not per message; queued in the background with ``background=True``).
      :meth:`flush` writes an unfinished turn and waits for queued writes.
    * ``set``/``reset`` replace or clear the short-term buffer (writing a pending
      turn first); long-term memories stay. Forget them with the ``Memory``.
    * ``to_dict``/``from_dict`` (and a workflow ``Context`` round trip) keep the
      buffer and reconnect to the same store; see :mod:`._connection`.

    Messages given through ``chat_history=``/``set`` are context, not new
    statements: they are not written to long-term memory.
    """

    user_id: str | None = Field(default=None, description="The user whose memories these are.")
    agent_id: str | None = Field(default=None, description="The agent that owns the memories.")
    session_id: str | None = Field(
        default=None,
        description="Names the conversation. Long-term facts live under user_id/agent_id when "
        "either is set, so every session shares them (Scope.long_term); with session_id alone "
        "they stay in that session.",
    )
    token_limit: int = Field(default=DEFAULT_TOKEN_LIMIT, gt=0, description="Tokens of get().")
    top_k: int = Field(default=5, ge=1, le=100, description="Long-term memories per get().")
    threshold: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Least search score a memory needs."
    )
    infer: bool = Field(default=True, description="Extract facts (False: store turns verbatim).")
    background: bool = Field(default=False, description="Write turns in a background thread.")
    header: str | None = Field(default=DEFAULT_HEADER, description="Heading of the memory list.")
    chat_history: list[ChatMessage] = Field(default_factory=list, description="Short-term.")
    unsaved: int = Field(default=0, ge=0, description="Trailing messages not yet written.")
    link: MemoryLink = Field(description="How to reach the Memory again after from_dict.")
    tokenizer_fn: Callable[[str], list[Any]] = Field(default_factory=get_tokenizer, exclude=True)

    _memory: Memory = PrivateAttr()
    _last_query: str | None = PrivateAttr(default=None)

    def __init__(
        self,
        *,
        memory: Memory | None = None,
        path: str | Path | None = None,
        chroma_host: str | None = None,
        chroma_port: int | None = None,
        config: MemoryConfig | dict[str, Any] | None = None,
        **data: Any,
    ) -> None:
        """Prefer :meth:`from_defaults`; this is what it and :meth:`from_dict` call."""
        scope_of(data.get("user_id"), data.get("agent_id"), data.get("session_id"))
        opened = attach_memory(
            data, memory, path=path, chroma_host=chroma_host, chroma_port=chroma_port, config=config
        )
        super().__init__(**data)
        self._memory = opened if opened is not None else self.link.open()

    @classmethod
    def class_name(cls) -> str:
        return "Mem0ChatMemory"

    @classmethod
    def from_defaults(
        cls,
        chat_history: list[ChatMessage] | None = None,
        llm: LLM | None = None,
        token_limit: int | None = None,
        tokenizer_fn: Callable[[str], list[Any]] | None = None,
        *,
        memory: Memory | None = None,
        path: str | Path | None = None,
        chroma_host: str | None = None,
        chroma_port: int | None = None,
        config: MemoryConfig | dict[str, Any] | None = None,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        top_k: int = 5,
        threshold: float | None = None,
        infer: bool = True,
        background: bool = False,
        header: str | None = DEFAULT_HEADER,
        **kwargs: Any,
    ) -> Mem0ChatMemory:
        """Build the memory like ``ChatMemoryBuffer.from_defaults``, plus where and whose.

        ``token_limit`` defaults to 75% of ``llm``'s context window, else 3000.
        Pass a shared ``memory=`` or where to open one (``path=``, ``chroma_host=`` +
        ``chroma_port=``, ``config=``); at least one of ``user_id``, ``agent_id``,
        ``session_id`` is required (:class:`ScopeError` otherwise).
        """
        if kwargs:
            raise InvalidInputError(
                f"Unexpected arguments: {', '.join(sorted(kwargs))}. Mem0ChatMemory keeps its "
                "short-term buffer itself (serialised with to_dict), so chat_store= and "
                "chat_store_key= are not used; long-term memory lives in the Memory store."
            )
        scope_of(user_id, agent_id, session_id)
        if token_limit is None:
            token_limit = (
                int(llm.metadata.context_window * DEFAULT_TOKEN_LIMIT_RATIO)
                if llm is not None
                else DEFAULT_TOKEN_LIMIT
            )
        return cls(
            memory=memory,
            path=path,
            chroma_host=chroma_host,
            chroma_port=chroma_port,
            config=config,
            user_id=user_id,
            agent_id=agent_id,
            session_id=session_id,
            token_limit=token_limit,
            top_k=top_k,
            threshold=threshold,
            infer=infer,
            background=background,
            header=header,
            chat_history=list(chat_history or []),
            tokenizer_fn=tokenizer_fn or get_tokenizer(),
        )

    # --- serialisation --------------------------------------------------------------------

    def to_dict(self, **kwargs: Any) -> dict[str, Any]:
        """A JSON-ready dict: settings, the short-term buffer and the store's config."""
        data = self.model_dump(mode="json", **kwargs)
        data["class_name"] = self.class_name()
        return data

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], memory: Memory | None = None, **kwargs: Any
    ) -> Mem0ChatMemory:
        """Rebuild from :meth:`to_dict`; ``memory=`` overrides the stored connection."""
        fields = {**data, **kwargs}
        fields.pop("class_name", None)
        return cls(memory=memory, **fields)

    # --- pure helpers ---------------------------------------------------------------------

    def _scope(self) -> Scope:
        """Where this conversation's long-term facts are read and written."""
        return scope_of(self.user_id, self.agent_id, self.session_id).long_term()

    def _query(self, input: Any) -> str | None:
        text = message_text(input) if isinstance(input, ChatMessage) else input
        if not isinstance(text, str) or not text.strip():
            text = latest_user_text(self.chat_history)
        return text.strip()[: self._memory.config.limits.max_text_chars] if text else None

    def _search_kwargs(self, query: str) -> dict[str, Any]:
        """An agent reads memory at every step of a turn with the same query: only the
        first read counts as a use of the memories it finds (reinforcement)."""
        again, self._last_query = query == self._last_query, query
        return {
            **scope_ids(self._scope()),
            "limit": self.top_k,
            "threshold": self.threshold,
            "reinforce": not again,
        }

    def _count(self, messages: Sequence[ChatMessage]) -> int:
        return len(self.tokenizer_fn(" ".join(str(m.content) for m in messages))) if messages else 0

    def _compose(self, hits: list[MemoryHit], initial_token_count: int) -> list[ChatMessage]:
        """The memory message (worst hits dropped until it fits) and the newest history."""
        budget = self.token_limit - initial_token_count
        if budget < 0:
            raise InvalidInputError(
                f"initial_token_count={initial_token_count} exceeds token_limit="
                f"{self.token_limit}. Raise token_limit or shorten the prefix messages."
            )
        system: list[ChatMessage] = []
        for n in range(len(hits), 0, -1):
            msg = ChatMessage(
                role=MessageRole.SYSTEM, content=render_memories(hits[:n], header=self.header)
            )
            if self._count([msg]) <= budget:
                system = [msg]
                break
        history = _window(self.chat_history, budget - self._count(system), self._count)
        lead = next(
            (i for i, m in enumerate(history) if m.role != MessageRole.SYSTEM), len(history)
        )
        return [*history[:lead], *system, *history[lead:]]

    def _append(self, messages: Sequence[ChatMessage]) -> _Turn | None:
        """Add to the buffer; the turns finished by the last assistant answer among them."""
        self.chat_history.extend(messages)
        self.unsaved += len(messages)
        last = max((i for i, m in enumerate(messages) if is_reply(m)), default=None)
        return None if last is None else self._pending(keep=len(messages) - 1 - last)

    def _pending(self, keep: int = 0) -> _Turn | None:
        """The unsaved messages but the last ``keep``, as core messages; None if no text."""
        self.unsaved = min(self.unsaved, len(self.chat_history))
        if self.unsaved <= keep:
            return None
        self._last_query = None  # a new turn: its reads count as uses again
        cfg = self._memory.config
        roles = {"user", "assistant", *cfg.extraction.fact_roles}
        end = len(self.chat_history) - keep
        pending = self.chat_history[end - self.unsaved + keep : end]
        core = to_core_messages(pending, roles=roles, limits=cfg.limits)
        if not core:
            self.unsaved = keep
            return None
        return _Turn(core, keep)

    # --- sync shell -----------------------------------------------------------------------

    def _write(self, turn: _Turn | None) -> None:
        if turn is not None:
            add_turn(
                self._memory,
                turn.messages,
                self._scope(),
                infer=self.infer,
                background=self.background,
            )
            self.unsaved = turn.keep

    def get(
        self, input: str | None = None, initial_token_count: int = 0, **kwargs: Any
    ) -> list[ChatMessage]:
        """Relevant long-term memories (one system message) and the newest messages."""
        query = self._query(input)
        hits: list[MemoryHit] = []
        if query is not None:
            hits = self._memory.search(query, **self._search_kwargs(query))
        return self._compose(hits, initial_token_count)

    def get_all(self) -> list[ChatMessage]:
        """The whole short-term buffer."""
        return list(self.chat_history)

    def put(self, message: ChatMessage) -> None:
        """Add one message; an assistant answer writes its turn to long-term memory."""
        self._write(self._append([message]))

    def put_messages(self, messages: list[ChatMessage]) -> None:
        """Add messages; if the last is an assistant answer, the turn is written, once."""
        self._write(self._append(messages))

    def set(self, messages: list[ChatMessage]) -> None:
        """Replace the short-term buffer (a pending turn is written first)."""
        self._write(self._pending())
        self.chat_history = list(messages)
        self.unsaved = 0
        self._last_query = None

    def reset(self) -> None:
        """Clear the short-term buffer (a pending turn is written first); memories stay."""
        self.set([])

    def flush(self, timeout: float | None = None) -> None:
        """Write an unfinished turn now and wait for background writes (raises their errors)."""
        self._write(self._pending())
        self._memory.flush(timeout)

    # --- async shell ----------------------------------------------------------------------

    async def _awrite(self, turn: _Turn | None) -> None:
        if turn is not None:
            await aadd_turn(
                self._memory,
                turn.messages,
                self._scope(),
                infer=self.infer,
                background=self.background,
            )
            self.unsaved = turn.keep

    async def aget(
        self, input: str | None = None, initial_token_count: int = 0, **kwargs: Any
    ) -> list[ChatMessage]:
        """Async :meth:`get` (searches with ``Memory.asearch``)."""
        query = self._query(input)
        hits: list[MemoryHit] = []
        if query is not None:
            hits = await self._memory.asearch(query, **self._search_kwargs(query))
        return self._compose(hits, initial_token_count)

    async def aget_all(self) -> list[ChatMessage]:
        """The whole short-term buffer."""
        return list(self.chat_history)

    async def aput(self, message: ChatMessage) -> None:
        """Async :meth:`put` (writes with ``Memory.aadd``)."""
        await self._awrite(self._append([message]))

    async def aput_messages(self, messages: list[ChatMessage]) -> None:
        """Async :meth:`put_messages`."""
        await self._awrite(self._append(messages))

    async def aset(self, messages: list[ChatMessage]) -> None:
        """Async :meth:`set`."""
        await self._awrite(self._pending())
        self.chat_history = list(messages)
        self.unsaved = 0
        self._last_query = None

    async def areset(self) -> None:
        """Async :meth:`reset`."""
        await self.aset([])

    async def aflush(self) -> None:
        """Async :meth:`flush` (bound its wait with ``asyncio.timeout``)."""
        await self._awrite(self._pending())
        await self._memory.aflush()


def _window(
    history: list[ChatMessage], budget: int, count: Callable[[Sequence[ChatMessage]], int]
) -> list[ChatMessage]:
    """The newest messages within ``budget`` tokens, as ``ChatMemoryBuffer.get`` picks them.

    The window never starts with an assistant or tool message, and holds at least
    the last message (so an over-long message reaches the model and fails loudly).
    """
    n = len(history)
    if n == 0:
        return []
    while n > 1 and count(history[-n:]) > budget:
        n -= 1
        while n > 1 and history[-n].role in (MessageRole.TOOL, MessageRole.ASSISTANT):
            n -= 1
    return history[-n:] if count(history[-n:]) <= budget else history[-1:]
