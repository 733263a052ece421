"""``Mem0ChatMessageHistory`` for ``RunnableWithMessageHistory``, and the transcript store.

Where the turns live: a transcript is a log, not a set of memories, so it is not written
through ``Memory.add``. ``add(infer=False)`` would merge repeated lines ("ok", "thanks")
into one memory, refuse lines that look like secrets or instructions, let them decay, and
return them from every long-term search of the user. Instead each message is one row of a
dedicated ``<collection_prefix>_chat`` collection in the *same* Chroma as the ``Memory``
(its embedded folder or its server), so every process that opens that store sees the same
turns, in order. Rows carry the scope ids, the message serialized with LangChain's
``message_to_dict``, and a sequence number; they have no meaningful vector.
``Memory.reset()``, ``delete_all()`` and ``forget()`` work on memories and leave these rows
alone: delete a conversation with ``clear()``.

Long-term facts are separate: with ``extract_facts=True`` (the default) the added
messages also go through ``Memory.add`` (the core's extraction and merging).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

from langchain_core.chat_history import BaseChatMessageHistory
from langchain_core.messages import BaseMessage, message_to_dict, messages_from_dict

from ..core.config import MemoryConfig
from ..core.errors import Mem0IntegrationsError, StoreError
from ..core.memory import Memory
from ..core.models import Message
from ._messages import to_core_messages
from ._retriever import open_memory, require_scope

__all__ = ["Mem0ChatMessageHistory", "Transcript", "fact_messages", "long_term_scope"]

log = logging.getLogger("mem0_integrations")

T = TypeVar("T")
_PAGE = 1_000
_VECTOR = [1.0]
_seq_lock = threading.Lock()
_last_seq = 0


def _next_seq() -> int:
    """Nanoseconds since the epoch, strictly increasing within this process."""
    global _last_seq
    with _seq_lock:
        _last_seq = max(time.time_ns(), _last_seq + 1)
        return _last_seq


def long_term_scope(
    user_id: str | None, agent_id: str | None, session_id: str | None
) -> dict[str, Any]:
    """Where a conversation's long-term facts go: ``user_id``/``agent_id`` when either is set
    (so every session of that user shares them), else the ``session_id`` alone."""
    ids = {"user_id": user_id, "agent_id": agent_id}
    kept: dict[str, Any] = {k: v for k, v in ids.items() if v is not None}
    return kept or ({"session_id": session_id} if session_id is not None else {})


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


class Transcript:
    """The ordered messages of one conversation, persisted next to a ``Memory``'s store.

    ``kind`` separates the full transcripts of :class:`Mem0ChatMessageHistory` (``"chat"``)
    from the recent-turn windows of ``Mem0Memory`` (``"window"``), so one never trims the
    other. Methods are synchronous (Chroma's client is); async callers use a thread.
    """

    def __init__(
        self, memory: Memory, kind: Literal["chat", "window"], scope: dict[str, str]
    ) -> None:
        self.memory = memory
        self.scope = dict(scope)
        ids = [scope.get(k) for k in ("user_id", "agent_id", "session_id")]
        self.key = f"{kind}:{json.dumps(ids)}"
        self._collection: Any = None

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except Mem0IntegrationsError:
            raise
        except Exception as e:
            raise StoreError(
                f"Chroma failed to {what} of the conversation {self.key}: {type(e).__name__}: "
                f"{e}. If this is a server, check that it is running."
            ) from e

    @property
    def collection(self) -> Any:
        """The ``<prefix>_chat`` collection of the memory's Chroma (opened on first use)."""
        if self._collection is None:
            # The Memory's own client: the same folder, server or injected client.
            client = self.memory._store.client
            name = f"{self.memory.config.store.collection_prefix}_chat"
            self._collection = self._call(
                "open the transcript collection",
                lambda: client.get_or_create_collection(
                    name, metadata={"mem0i_schema": 1}, embedding_function=None
                ),
            )
        return self._collection

    def rows(self) -> list[tuple[str, BaseMessage]]:
        """``(row id, message)`` pairs, oldest first."""
        found: list[tuple[int, str, dict[str, Any]]] = []
        offset = 0
        while True:
            res = self._call(
                "read the messages",
                functools.partial(
                    self.collection.get,
                    where={"conversation": self.key},
                    limit=_PAGE,
                    offset=offset,
                    include=["documents", "metadatas"],
                ),
            )
            for i, doc, meta in zip(res["ids"], res["documents"], res["metadatas"], strict=True):
                found.append((int(meta["seq"]), i, json.loads(doc)))
            if len(res["ids"]) < _PAGE:
                break
            offset += _PAGE
        found.sort(key=lambda row: (row[0], row[1]))
        messages = messages_from_dict([row[2] for row in found])
        return [(row[1], msg) for row, msg in zip(found, messages, strict=True)]

    def append(self, messages: Sequence[BaseMessage]) -> list[str]:
        """Store ``messages`` after the ones already there; returns their row ids."""
        if not messages:
            return []
        ids = [uuid.uuid4().hex for _ in messages]
        metadatas = [{**self.scope, "conversation": self.key, "seq": _next_seq()} for _ in ids]
        documents = [json.dumps(message_to_dict(m), ensure_ascii=False) for m in messages]
        self._call(
            "write the messages",
            lambda: self.collection.add(
                ids=ids,
                documents=documents,
                metadatas=metadatas,
                embeddings=[_VECTOR] * len(ids),
            ),
        )
        return ids

    def delete(self, ids: Sequence[str]) -> None:
        """Delete these rows (unknown ids are ignored)."""
        if ids:
            self._call("delete messages", lambda: self.collection.delete(ids=list(ids)))

    def clear(self) -> None:
        """Delete every message of this conversation (and nothing else)."""
        self._call(
            "delete the messages", lambda: self.collection.delete(where={"conversation": self.key})
        )


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
    ``Memory.delete_all``/``Memory.forget`` for those).
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
        return f"Mem0ChatMessageHistory({self.transcript.key!r}, memory={self.memory!r})"

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
        rows = await asyncio.to_thread(self.transcript.rows)
        return [message for _, message in rows]

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
        await asyncio.to_thread(self.transcript.append, messages)
        if (kwargs := self._fact_kwargs(messages)) is not None:
            await self.memory.aadd(**kwargs)

    def clear(self) -> None:
        """Delete this conversation's messages; long-term memories are kept."""
        self.transcript.clear()

    async def aclear(self) -> None:
        """Async :meth:`clear`."""
        await asyncio.to_thread(self.transcript.clear)
