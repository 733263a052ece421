"""``Mem0Retriever``: a LangChain retriever over one scope's memories.

>>> retriever = Mem0Retriever(memory=Memory(path="./memories"), user_id="alice", k=5)
>>> docs = retriever.invoke("what is alice allergic to?", k=2)
>>> chain = {"context": retriever, "question": RunnablePassthrough()} | prompt | model

Also holds the two helpers every LangChain surface of this package builds on:
:func:`open_memory` (the core's :func:`~mem0_integrations.core.connect.open_memory`: a
shared ``Memory``, or the one live ``Memory`` of this process for a ``path=``/
``chroma_host=``/``config=``) and :func:`require_scope` (at least one valid scope id,
else ``ScopeError``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    CallbackManagerForRetrieverRun,
)
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import Field

from ..core.config import MemoryConfig
from ..core.connect import open_memory
from ..core.errors import InvalidInputError
from ..core.memory import Memory
from ..core.models import MemoryHit, Scope
from ._messages import scope_kwargs

__all__ = ["Mem0Retriever", "hit_document", "open_memory", "require_scope"]


def require_scope(
    user_id: str | None, agent_id: str | None, session_id: str | None
) -> dict[str, str]:
    """The scope ids as ``Memory`` keyword arguments, validated; ``ScopeError`` if none is set."""
    Scope(user_id=user_id, agent_id=agent_id, session_id=session_id)
    return scope_kwargs(user_id, agent_id, session_id)


def hit_document(hit: MemoryHit) -> Document:
    """A ``Document`` for a search hit: the memory text, with its id, scores, scope,
    timestamps (ISO strings) and category in metadata, over the memory's own metadata
    (on a key clash the fields named here win)."""
    record = hit.record
    own: dict[str, Any] = {
        "id": hit.id,
        "score": hit.score,
        "similarity": hit.similarity,
        "user_id": record.scope.user_id,
        "agent_id": record.scope.agent_id,
        "session_id": record.scope.session_id,
        "created_at": record.created_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
        "stated_at": record.said_at.isoformat(),
        "category": record.category,
    }
    return Document(id=hit.id, page_content=hit.memory, metadata={**record.metadata, **own})


class Mem0Retriever(BaseRetriever):
    """The memories of one scope that best match a query, as ``Document``s, best first.

    ``page_content`` is the memory text; ``metadata`` holds ``id``, ``score`` (the
    ranking score), ``similarity`` (cosine), ``user_id``/``agent_id``/``session_id``,
    ``created_at``/``updated_at``/``stated_at`` (ISO 8601) and ``category``, merged over
    the memory's own metadata.

    The scope is fixed at construction (at least one of ``user_id``, ``agent_id``,
    ``session_id``); a read with ``user_id`` alone sees that user's memories of every
    agent and session. ``k`` (default 4) and ``filters`` (as in ``Memory.search``) can
    be overridden per call: ``retriever.invoke("query", k=2, filters={"category": "x"})``.
    Each returned memory counts as used (reinforcement) unless ``reinforce=False``.
    """

    memory: Memory = Field(description="The shared mem0-integrations Memory.")
    user_id: str | None = None
    agent_id: str | None = None
    session_id: str | None = None
    k: int = Field(default=4, ge=1, description="Number of documents to return.")
    filters: dict[str, Any] | None = Field(
        default=None, description="Filters (category, key, your metadata) under the scope."
    )
    threshold: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Drop memories scoring below this."
    )
    reinforce: bool = True

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
        require_scope(data.get("user_id"), data.get("agent_id"), data.get("session_id"))
        core = open_memory(
            memory, path=path, chroma_host=chroma_host, chroma_port=chroma_port, config=config
        )
        data["memory"] = core
        super().__init__(**data)

    def _search_kwargs(self, k: int | None, filters: Mapping[str, Any] | None) -> dict[str, Any]:
        limit = self.k if k is None else k
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidInputError(f"k must be a positive integer, got {limit!r}.")
        return {
            **scope_kwargs(self.user_id, self.agent_id, self.session_id),
            "limit": limit,
            "filters": self.filters if filters is None else filters,
            "threshold": self.threshold,
            "reinforce": self.reinforce,
        }

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        k: int | None = None,
        filters: Mapping[str, Any] | None = None,
    ) -> list[Document]:
        hits = self.memory.search(query, **self._search_kwargs(k, filters))
        return [hit_document(hit) for hit in hits]

    async def _aget_relevant_documents(
        self,
        query: str,
        *,
        run_manager: AsyncCallbackManagerForRetrieverRun,
        k: int | None = None,
        filters: Mapping[str, Any] | None = None,
    ) -> list[Document]:
        hits = await self.memory.asearch(query, **self._search_kwargs(k, filters))
        return [hit_document(hit) for hit in hits]
