"""`Mem0MemoryBlock`: long-term memory as a block of LlamaIndex's ``Memory``.

>>> from llama_index.core.memory import Memory as ChatMemory
>>> block = Mem0MemoryBlock(memory=Memory(path="./memories"), user_id="alice")
>>> chat_memory = ChatMemory.from_defaults(session_id="s1", memory_blocks=[block])

LlamaIndex's ``Memory`` hands a block only the messages it ejects from its
short-term queue once that passes its token limit; to keep the turns still in
the queue when a session ends, pass them on yourself:
``await block.aput(await chat_memory.aget_all())``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.bridge.pydantic import Field, PrivateAttr
from llama_index.core.memory.memory import BaseMemoryBlock
from llama_index.core.utils import get_tokenizer

from ..core.config import MemoryConfig
from ..core.memory import Memory
from ..core.models import Scope
from ..core.rank.context import DEFAULT_HEADER, render_memories
from ._connection import Linked, MemoryLink, aadd_turn, attach_memory, scope_ids, scope_of
from ._messages import latest_user_text, to_core_messages

__all__ = ["Mem0MemoryBlock"]


class Mem0MemoryBlock(Linked, BaseMemoryBlock[str]):
    """Reads the long-term memories relevant to the latest user message; writes turns.

    ``aget`` renders the ``top_k`` best memories with
    :func:`~mem0_integrations.core.rank.context.render_memories` (an empty string when
    none match, so the block is left out). ``aput`` writes the messages it receives
    as one turn (one extraction). The scope is fixed at construction; the
    ``session_id`` LlamaIndex's ``Memory`` passes along is ignored, so memories
    carry over between its sessions. ``priority`` 1 (the default) lets the
    ``Memory`` truncate this block, least relevant memories first, when its token
    limit is reached; 0 never truncates it.
    """

    name: str = Field(default="long_term_memory", description="The block's name (an XML tag).")
    description: str | None = Field(
        default="What the user said in earlier conversations (mem0-integrations).",
        description="A description of the memory block.",
    )
    priority: int = Field(default=1, description="0: never truncate; higher: truncated later.")
    user_id: str | None = Field(default=None, description="The user whose memories these are.")
    agent_id: str | None = Field(default=None, description="The agent that owns the memories.")
    session_id: str | None = Field(
        default=None,
        description="Long-term facts live under user_id/agent_id when either is set, so every "
        "session shares them (Scope.long_term); with session_id alone they stay in it.",
    )
    top_k: int = Field(default=5, ge=1, le=100, description="Memories per read.")
    threshold: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Least search score a memory needs."
    )
    infer: bool = Field(default=True, description="Extract facts (False: store verbatim).")
    background: bool = Field(default=False, description="Write in a background thread.")
    header: str | None = Field(default=DEFAULT_HEADER, description="Heading of the memory list.")
    link: MemoryLink = Field(description="How to reach the Memory again after validation.")
    tokenizer_fn: Any = Field(default_factory=get_tokenizer, exclude=True)

    _memory: Memory = PrivateAttr()

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
        """Pass a shared ``memory=`` or where to open one, and at least one scope id."""
        scope_of(data.get("user_id"), data.get("agent_id"), data.get("session_id"))
        opened = attach_memory(
            data, memory, path=path, chroma_host=chroma_host, chroma_port=chroma_port, config=config
        )
        super().__init__(**data)
        self._memory = opened if opened is not None else self.link.open()

    def _scope(self) -> Scope:
        return scope_of(self.user_id, self.agent_id, self.session_id).long_term()

    async def _aget(self, messages: list[ChatMessage] | None = None, **block_kwargs: Any) -> str:
        """The memories relevant to the latest user message, rendered; "" when none."""
        query = latest_user_text(messages or [])
        if query is None:
            return ""
        hits = await self._memory.asearch(
            query[: self._memory.config.limits.max_text_chars],
            **scope_ids(self._scope()),
            limit=self.top_k,
            threshold=self.threshold,
        )
        return render_memories(hits, header=self.header)

    async def _aput(self, messages: list[ChatMessage]) -> None:
        """Write ``messages`` to long-term memory as one turn."""
        cfg = self._memory.config
        roles = {"user", "assistant", *cfg.extraction.fact_roles}
        core = to_core_messages(messages, roles=roles, limits=cfg.limits)
        if core:
            await aadd_turn(
                self._memory, core, self._scope(), infer=self.infer, background=self.background
            )

    async def atruncate(self, content: str, tokens_to_truncate: int) -> str | None:
        """Drop the least relevant memories (the last lines) until enough tokens are freed.

        Returns None when no memory is left.
        """
        lines = content.splitlines()
        first = (
            len(self.header.splitlines()) if self.header and content.startswith(self.header) else 0
        )
        saved = 0
        while len(lines) > first and saved < tokens_to_truncate:
            saved += len(self.tokenizer_fn(lines.pop())) + 1
        return "\n".join(lines) if len(lines) > first else None
