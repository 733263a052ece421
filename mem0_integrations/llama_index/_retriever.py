"""`Mem0Retriever`: long-term memories as LlamaIndex nodes.

>>> retriever = Mem0Retriever(memory=Memory(path="./memories"), user_id="alice", top_k=5)
>>> engine = CondensePlusContextChatEngine.from_defaults(retriever=retriever, llm=llm)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.callbacks import CallbackManager
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from ..core.config import MemoryConfig
from ..core.errors import InvalidInputError
from ..core.memory import Memory
from ..core.models import MemoryHit
from ._connection import open_memory, scope_ids, scope_of

__all__ = ["Mem0Retriever", "hit_to_node"]

#: Metadata a model sees with each node's text; the rest is for code only.
_SHOWN_TO_LLM = ("stated_at",)


def hit_to_node(hit: MemoryHit) -> NodeWithScore:
    """One search hit as a node: the memory's text, its id, score and metadata.

    Metadata holds the memory's own metadata, then (never overridden by it)
    ``memory_id``, ``score``, ``similarity``, the scope ids that are set,
    ``created_at``/``updated_at``/``stated_at`` as ISO 8601 and ``category``.
    Only ``stated_at`` is shown to the LLM and nothing is embedded.
    """
    record = hit.record
    ours: dict[str, Any] = {
        "memory_id": hit.id,
        "score": hit.score,
        "similarity": hit.similarity,
        **dict(record.scope.items()),
        "created_at": record.created_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
        "stated_at": record.said_at.isoformat(),
        "category": record.category,
    }
    metadata = {**record.metadata, **ours}
    hidden = [k for k in metadata if k not in _SHOWN_TO_LLM]
    node = TextNode(
        id_=hit.id,
        text=hit.memory,
        metadata=metadata,
        excluded_llm_metadata_keys=hidden,
        excluded_embed_metadata_keys=list(metadata),
    )
    return NodeWithScore(node=node, score=hit.score)


class Mem0Retriever(BaseRetriever):
    """Retrieves the scope's memories that best match a query, best first.

    Node scores are the memory's ranking score in ``[0, 1]`` (similarity,
    keywords, recency, importance; see ``Memory.search``). The scope is fixed at
    construction; ``filters`` narrows by the memories' own metadata. An empty
    query returns no nodes.
    """

    def __init__(
        self,
        memory: Memory | None = None,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        top_k: int = 5,
        threshold: float | None = None,
        filters: Mapping[str, Any] | None = None,
        path: str | Path | None = None,
        chroma_host: str | None = None,
        chroma_port: int | None = None,
        config: MemoryConfig | dict[str, Any] | None = None,
        callback_manager: CallbackManager | None = None,
        verbose: bool = False,
    ) -> None:
        self.scope = scope_of(user_id, agent_id, session_id)
        if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1:
            raise InvalidInputError(f"top_k must be a positive integer, got {top_k!r}.")
        self.memory = open_memory(
            memory, path=path, chroma_host=chroma_host, chroma_port=chroma_port, config=config
        )
        self.top_k = top_k
        self.threshold = threshold
        self.filters = dict(filters) if filters is not None else None
        super().__init__(callback_manager=callback_manager, verbose=verbose)

    def _query(self, query_bundle: QueryBundle) -> str:
        return query_bundle.query_str.strip()[: self.memory.config.limits.max_text_chars]

    def _search_kwargs(self) -> dict[str, Any]:
        return {
            **scope_ids(self.scope),
            "limit": self.top_k,
            "threshold": self.threshold,
            "filters": self.filters,
        }

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        query = self._query(query_bundle)
        if not query:
            return []
        return [hit_to_node(h) for h in self.memory.search(query, **self._search_kwargs())]

    async def _aretrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        query = self._query(query_bundle)
        if not query:
            return []
        hits = await self.memory.asearch(query, **self._search_kwargs())
        return [hit_to_node(h) for h in hits]
