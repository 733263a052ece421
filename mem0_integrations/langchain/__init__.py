"""LangChain and LangGraph adapters over the one :class:`~mem0_integrations.Memory` core.

Install with ``pip install "mem0-integrations[langchain]"``.

>>> from mem0_integrations import Memory
>>> from mem0_integrations.langchain import Mem0Retriever
>>> retriever = Mem0Retriever(memory=Memory(path="./memories"), user_id="alice", k=5)

Each name is imported on first use, so importing this package does not load LangGraph
when only the retriever is wanted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ._chat_history import Mem0ChatMessageHistory
    from ._memory import Mem0Memory
    from ._middleware import Mem0Middleware
    from ._retriever import Mem0Retriever
    from ._store import Mem0Store
    from ._tools import (
        ForgetMemoryTool,
        SaveMemoryTool,
        SearchMemoryTool,
        UpdateMemoryTool,
        create_memory_tools,
    )

_EXPORTS = {
    "ForgetMemoryTool": "._tools",
    "Mem0ChatMessageHistory": "._chat_history",
    "Mem0Memory": "._memory",
    "Mem0Middleware": "._middleware",
    "Mem0Retriever": "._retriever",
    "Mem0Store": "._store",
    "SaveMemoryTool": "._tools",
    "SearchMemoryTool": "._tools",
    "UpdateMemoryTool": "._tools",
    "create_memory_tools": "._tools",
}

__all__ = [
    "ForgetMemoryTool",
    "Mem0ChatMessageHistory",
    "Mem0Memory",
    "Mem0Middleware",
    "Mem0Retriever",
    "Mem0Store",
    "SaveMemoryTool",
    "SearchMemoryTool",
    "UpdateMemoryTool",
    "create_memory_tools",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
