"""LlamaIndex adapters over the one :class:`~mem0_integrations.Memory` core.

Install with ``pip install "mem0-integrations[llamaindex]"``.

>>> from mem0_integrations.llama_index import Mem0ChatMemory
>>> memory = Mem0ChatMemory.from_defaults(user_id="alice", path="./memories")

Each name is imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ._memory import Mem0ChatMemory
    from ._memory_block import Mem0MemoryBlock
    from ._retriever import Mem0Retriever
    from ._tool_spec import Mem0ToolSpec

_EXPORTS = {
    "Mem0ChatMemory": "._memory",
    "Mem0MemoryBlock": "._memory_block",
    "Mem0Retriever": "._retriever",
    "Mem0ToolSpec": "._tool_spec",
}

__all__ = [
    "Mem0ChatMemory",
    "Mem0MemoryBlock",
    "Mem0Retriever",
    "Mem0ToolSpec",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
