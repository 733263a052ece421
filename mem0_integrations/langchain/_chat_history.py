"""``Mem0ChatMessageHistory`` for ``RunnableWithMessageHistory``, and its transcript view.

Where the turns live: in the core's transcripts (``Memory.transcripts``, see
:mod:`mem0_integrations.core.store.transcript`), not in memories. Each message is one row
of the ``<collection_prefix>_chat`` collection in the *same* Chroma as the ``Memory``
(its embedded folder or its server), serialized with LangChain's ``message_to_dict``
as JSON, so every process that opens that store sees the same turns, in order.
``Memory.reset()`` empties them, and ``Memory.forget(user_id=...)`` or
``Memory.delete_all(user_id=...)`` of a whole scope erases that scope's conversations
with its memories; ``delete_all(..., keep_history=True)`` (a soft delete) leaves them.
Delete one conversation with ``clear()``.

Long-term facts are separate: with ``extract_facts=True`` (the default) the added
messages also go through ``Memory.add`` (the core's extraction and merging).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from langchain_core.chat_history import BaseChatMessageHistory
from langchain_core.messages import BaseMessage, message_to_dict, messages_from_dict

from ..core.config import MemoryConfig
from ..core.memory import Memory
from ..core.models import Message, Scope
from ._messages import to_core_messages
from ._retriever import open_memory, require_scope

__all__ = ["Mem0ChatMessageHistory", "Transcript", "fact_messages", "long_term_scope"]

log = logging.getLogger("mem0_integrations")


def long_term_scope(
    user_id: str | None, agent_id: str | None, session_id: str | None
) -> dict[str, Any]:
    """Where a conversation's long-term facts go (:meth:`Scope.long_term`), as ``Memory``
    keyword arguments: ``user_id``/``agent_id`` when either is set, else the ``session_id``."""
    if user_id is None and agent_id is None and session_id is None:
        return {}
    scope = Scope(user_id=user_id, agent_id=agent_id, session_id=session_id)
    return dict(scope.long_term().items())


def fact_messages(memory: Memory, messages: Sequence[BaseMessage]) -> list[Message]:
    """The messages worth extracting facts from: with text, within the core's size limit."""
    cap = memory.config.limits.max_text_chars
    kept = []
    for message in to_core_messages(messages):
        if len(message.content) > cap:
            log.warning(
                "Not extracting facts from a %d-character message (limit %d).",
                len(message.content),
                cap,
            )
            continue
        kept.append(message)
    return kept[-memory.config.limits.max_messages :]


def _payload(message: BaseMessage) -> str:
    return json.dumps(message_to_dict(message), ensure_ascii=False)


class Transcript:
    """One conversation of ``Memory.transcripts``, as LangChain messages.

    ``kind`` separates the full transcripts of :class:`Mem0ChatMessageHistory` (``"chat"``)
    from the recent-turn windows of ``Mem0Memory`` (``"window"``), so one never trims the
    other. Each method has an async twin that runs the core's in a worker thread.
    """

    def __init__(
        self, memory: Memory, kind: Literal["chat", "window"], scope: Mapping[str, str]
    ) -> None:
        self.memory = memory
        self.kind = kind
        self.scope = Scope(**scope)
        self._log = memory.transcripts

    def __repr__(self) -> str:
        return f"Transcript({self.kind!r}, {str(self.scope)!r})"

    @staticmethod
    def _decode(rows: Sequence[tuple[str, str]]) -> list[tuple[str, BaseMessage]]:
        messages = messages_from_dict([json.loads(payload) for _, payload in rows])
        return [(row[0], msg) for row, msg in zip(rows, messages, strict=True)]

    def rows(self) -> list[tuple[str, BaseMessage]]:
        """``(row id, message)`` pairs, oldest first."""
        return self._decode(self._log.rows(self.kind, self.scope))

    async def arows(self) -> list[tuple[str, BaseMessage]]:
        """Async :meth:`rows`."""
        return self._decode(await self._log.arows(self.kind, self.scope))

    def append(self, messages: Sequence[BaseMessage]) -> list[str]:
        """Store ``messages`` after the ones already there; returns their row ids."""
        return self._log.append(self.kind, self.scope, [_payload(m) for m in messages])

    async def aappend(self, messages: Sequence[BaseMessage]) -> list[str]:
        """Async :meth:`append`."""
        return await self._log.aappend(self.kind, self.scope, [_payload(m) for m in messages])

    def delete(self, ids: Sequence[str]) -> None:
        """Delete these rows (unknown ids are ignored)."""
        self._log.delete(ids)

    async def adelete(self, ids: Sequence[str]) -> None:
        """Async :meth:`delete`."""
        await self._log.adelete(ids)

    def clear(self) -> None:
        """Delete every message of this conversation (and nothing else)."""
        self._log.clear(self.kind, self.scope)

    async def aclear(self) -> None:
        """Async :meth:`clear`."""
        await self._log.aclear(self.kind, self.scope)


class Mem0ChatMessageHistory(BaseChatMessageHistory):
    """A persistent chat history for ``RunnableWithMessageHistory``.

    >>> memory = Memory(path="./memories")
    >>> chain = RunnableWithMessageHistory(
    ...     prompt | model,
    ...     lambda session_id: Mem0ChatMessageHistory(memory, session_id=session_id),
    ...     input_messages_key="question", history_messages_key="history",
    ... )

    ``messages`` are the conversation's turns in order, read from the store each time,
    so a new process on the same folder or server sees them (see the module docstring
    for where they live). The conversation is identified by all the scope ids given
    (at least one of ``user_id``, ``agent_id``, ``session_id``).

    ``extract_facts=True`` (default) also passes every added batch of messages to
    ``Memory.add``, which keeps the user's facts as long-term memories under
    ``user_id``/``agent_id`` (or the ``session_id`` when neither is set), searchable by
    ``Mem0Retriever`` or ``Mem0Memory`` in later conversations. ``background=True`` queues
    that extraction (``Memory.flush()`` waits for it and raises its failures).

    ``clear()`` deletes this conversation's messages only; long-term memories stay (use
    ``Memory.delete_all``/``Memory.forget`` for those). Either, for a whole scope (e.g.
    ``delete_all(user_id="alice")``), erases that scope's conversations too, and
    ``Memory.reset()`` every conversation.
    """

    def __init__(
        self,
        memory: Memory | None = None,
        *,
        session_id: str | None = None,
        user_id: str | None = None,
        agent_id: str | None = None,
        extract_facts: bool = True,
        background: bool = False,
        path: str | Path | None = None,
        chroma_host: str | None = None,
        chroma_port: int | None = None,
        config: MemoryConfig | Mapping[str, Any] | None = None,
    ) -> None:
        scope = require_scope(user_id, agent_id, session_id)
        self.memory = open_memory(
            memory, path=path, chroma_host=chroma_host, chroma_port=chroma_port, config=config
        )
        self.user_id, self.agent_id, self.session_id = user_id, agent_id, session_id
        self.extract_facts = extract_facts
        self.background = background
        self.transcript = Transcript(self.memory, "chat", scope)

    def __repr__(self) -> str:
        return f"Mem0ChatMessageHistory({self.transcript!r}, memory={self.memory!r})"

    @property
    def messages(self) -> list[BaseMessage]:
        """The conversation's messages, oldest first (read from the store)."""
        return [message for _, message in self.transcript.rows()]

    @messages.setter
    def messages(self, value: Sequence[BaseMessage]) -> None:
        """Replace the stored conversation with ``value`` (no fact extraction)."""
        self.transcript.clear()
        self.transcript.append(list(value))

    async def aget_messages(self) -> list[BaseMessage]:
        """The conversation's messages, oldest first."""
        return [message for _, message in await self.transcript.arows()]

    def _fact_kwargs(self, messages: Sequence[BaseMessage]) -> dict[str, Any] | None:
        if not self.extract_facts:
            return None
        facts = fact_messages(self.memory, messages)
        if not facts:
            return None
        scope = long_term_scope(self.user_id, self.agent_id, self.session_id)
        return {"messages": facts, **scope, "background": self.background}

    def add_messages(self, messages: Sequence[BaseMessage]) -> None:
        """Append ``messages`` to the conversation, then extract facts from them if enabled."""
        messages = list(messages)
        self.transcript.append(messages)
        if (kwargs := self._fact_kwargs(messages)) is not None:
            self.memory.add(**kwargs)

    async def aadd_messages(self, messages: Sequence[BaseMessage]) -> None:
        """Async :meth:`add_messages` (extraction through ``Memory.aadd``)."""
        messages = list(messages)
        await self.transcript.aappend(messages)
        if (kwargs := self._fact_kwargs(messages)) is not None:
            await self.memory.aadd(**kwargs)

    def clear(self) -> None:
        """Delete this conversation's messages; long-term memories are kept."""
        self.transcript.clear()

    async def aclear(self) -> None:
        """Async :meth:`clear`."""
        await self.transcript.aclear()
