"""Transcripts: the ordered messages of conversations, kept next to a ``Memory``'s memories.

A transcript is a log, not a set of memories, so it is not written through
``Memory.add``: ``add(infer=False)`` would merge repeated lines ("ok", "thanks")
into one memory, refuse lines that look like secrets or instructions, let them
decay, and return them from every long-term search of the user. Instead each
message is one row of the ``<collection_prefix>_chat`` collection of the
*same* Chroma as the memories (its embedded folder, its server or its injected
client), so every process that opens that store sees the same turns, in order.

Rows hold an opaque payload string (the adapter serialises its own messages,
e.g. LangChain's ``message_to_dict`` as JSON, so nothing is lost), the scope
ids, the conversation key and a sequence number; their vector is a constant.
A conversation is a ``kind`` (``"chat"`` for full chat histories, ``"window"``
for recent-turn windows, ...) and an exact :class:`~.models.Scope`.

Erasure follows the memories: ``Memory.reset()`` empties every transcript and
``Memory.forget(user_id=...)`` of a whole scope erases the rows of every
conversation that scope reads (:meth:`Transcripts.erase`, the same rule as
``Scope.contains``). The collection is created on the first write, so a store
that never kept a transcript has none.

Methods are synchronous (Chroma's client is); the ``a...`` twins run them in a
worker thread. Chroma's errors are raised as :class:`~.errors.StoreError`.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..deadline import in_thread
from ..errors import InvalidInputError
from ..models import Scope
from .filters import read_where
from .store import LazyCollection, chroma_call

__all__ = ["Transcripts", "conversation_key"]

T = TypeVar("T")
_VECTOR = [1.0]
_KIND = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
_seq_lock = threading.Lock()
_last_seq = 0


def _next_seq() -> int:
    """Nanoseconds since the epoch, strictly increasing within this process."""
    global _last_seq
    with _seq_lock:
        _last_seq = max(time.time_ns(), _last_seq + 1)
        return _last_seq


def _kind(kind: Any) -> str:
    if not isinstance(kind, str) or not _KIND.match(kind):
        raise InvalidInputError(
            f"kind={kind!r} is not a transcript kind: use a short lowercase name such as "
            "'chat' or 'window' (letters, digits, '_' and '-', starting with a letter)."
        )
    return kind


def _scope(scope: Any) -> Scope:
    if not isinstance(scope, Scope):
        raise InvalidInputError(
            f"scope must be a mem0_integrations.Scope, got {type(scope).__name__}; build one "
            "with Scope(user_id='alice', session_id='s1')."
        )
    return scope


def conversation_key(kind: str, scope: Scope) -> str:
    """The key of one conversation: its kind and its exact scope ids."""
    ids = [scope.user_id, scope.agent_id, scope.session_id]
    return f"{_kind(kind)}:{json.dumps(ids)}"


class Transcripts:
    """The transcript rows of one store (``Memory.transcripts``).

    >>> scope = Scope(user_id="alice", session_id="s1")
    >>> ids = memory.transcripts.append("chat", scope, ['{"type": "human", ...}'])
    >>> memory.transcripts.rows("chat", scope)   # [(row id, payload)], oldest first
    >>> memory.transcripts.clear("chat", scope)  # this conversation only
    """

    def __init__(self, client: Any, *, prefix: str) -> None:
        self.name = f"{prefix}_chat"
        """The Chroma collection holding the rows."""
        self._side = LazyCollection(client, self.name, "transcript")

    def __repr__(self) -> str:
        return f"Transcripts({self.name!r})"

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        return chroma_call(f"{what} ({self.name})", fn)

    def _opened(self, *, create: bool) -> Any:
        """The collection; None when it does not exist and ``create`` is False."""
        return self._side.opened(create=create)

    # --- one conversation ------------------------------------------------------------------

    def rows(self, kind: str, scope: Scope) -> list[tuple[str, str]]:
        """``(row id, payload)`` of the conversation, oldest first."""
        key = conversation_key(kind, _scope(scope))
        found = [
            (int(meta["seq"]), i, doc)
            for res in self._side.pages({"conversation": key}, ["documents", "metadatas"])
            for i, doc, meta in zip(res["ids"], res["documents"], res["metadatas"], strict=True)
        ]
        found.sort(key=lambda row: (row[0], row[1]))
        return [(row_id, payload) for _, row_id, payload in found]

    def append(self, kind: str, scope: Scope, payloads: Sequence[str]) -> list[str]:
        """Store ``payloads`` after the conversation's rows; returns their row ids."""
        key = conversation_key(kind, _scope(scope))
        items = [] if isinstance(payloads, str) else list(payloads)
        if isinstance(payloads, str) or not all(isinstance(p, str) for p in items):
            raise InvalidInputError(
                "payloads must be a list of strings (serialise each message yourself, e.g. "
                f"as JSON), got {type(payloads).__name__}."
            )
        if not items:
            return []
        ids = [uuid.uuid4().hex for _ in items]
        ids_meta = dict(scope.items())
        metadatas = [
            {**ids_meta, "kind": kind, "conversation": key, "seq": _next_seq()} for _ in ids
        ]
        collection = self._opened(create=True)
        self._call(
            "write a transcript",
            lambda: collection.add(
                ids=ids,
                documents=items,
                metadatas=metadatas,
                embeddings=[_VECTOR] * len(ids),
            ),
        )
        return ids

    def delete(self, ids: Sequence[str]) -> None:
        """Delete these rows (unknown ids are ignored)."""
        if isinstance(ids, str):
            raise InvalidInputError("ids must be a list of row ids, not one string.")
        collection = self._opened(create=False)
        if ids and collection is not None:
            self._call("delete transcript rows", lambda: collection.delete(ids=list(ids)))

    def clear(self, kind: str, scope: Scope) -> None:
        """Delete every row of this conversation (exactly this kind and scope)."""
        key = conversation_key(kind, _scope(scope))
        collection = self._opened(create=False)
        if collection is not None:
            self._call(
                "delete a transcript", lambda: collection.delete(where={"conversation": key})
            )

    # --- erasure ---------------------------------------------------------------------------

    def erase(self, scope: Scope) -> int:
        """Delete the rows of every conversation, of any kind, that ``scope`` reads.

        ``Scope(user_id="alice")`` erases alice's conversations of every agent and
        session, as ``Memory.forget(user_id="alice")`` does for memories. Returns
        how many rows were deleted.
        """
        return self._side.delete_where(read_where(_scope(scope)))

    def reset(self) -> int:
        """Delete every row of every conversation (keeping the collection)."""
        return self._side.delete_where(None)

    # --- async twins -----------------------------------------------------------------------

    async def arows(self, kind: str, scope: Scope) -> list[tuple[str, str]]:
        """Async :meth:`rows` (in a worker thread)."""
        return await in_thread(self.rows, kind, scope)

    async def aappend(self, kind: str, scope: Scope, payloads: Sequence[str]) -> list[str]:
        """Async :meth:`append` (in a worker thread)."""
        return await in_thread(self.append, kind, scope, payloads)

    async def adelete(self, ids: Sequence[str]) -> None:
        """Async :meth:`delete` (in a worker thread)."""
        await in_thread(self.delete, ids)

    async def aclear(self, kind: str, scope: Scope) -> None:
        """Async :meth:`clear` (in a worker thread)."""
        await in_thread(self.clear, kind, scope)

    async def aerase(self, scope: Scope) -> int:
        """Async :meth:`erase` (in a worker thread)."""
        return await in_thread(self.erase, scope)
