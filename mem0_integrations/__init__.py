"""mem0-integrations: persistent, self-improving long-term memory for LLM applications.

>>> from mem0_integrations import Memory
>>> m = Memory(path="./memories")
>>> m.add("I'm allergic to penicillin.", user_id="alice")
>>> m.search("what is alice allergic to?", user_id="alice")

Importing this package is light: Chroma and the embedding model load when a
``Memory`` is built, not at import.
"""

from .core.config import (
    DEFAULT_PATH,
    EmbedderConfig,
    LimitsConfig,
    MemoryConfig,
    StoreConfig,
)
from .core.embedders import (
    BaseEmbedder,
    Embedder,
    OnnxMiniLMEmbedder,
    OpenAIEmbedder,
    as_embedder,
)
from .core.errors import (
    ConfigurationError,
    EmbeddingError,
    InvalidInputError,
    Mem0IntegrationsError,
    MemoryNotFoundError,
    ScopeError,
    StoreError,
)
from .core.memory import Memory
from .core.models import (
    AddResult,
    EventType,
    HistoryEntry,
    MemoryEvent,
    MemoryHit,
    MemoryRecord,
    MemorySource,
    MemoryStatus,
    Message,
    Scope,
)

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_PATH",
    "AddResult",
    "BaseEmbedder",
    "ConfigurationError",
    "Embedder",
    "EmbedderConfig",
    "EmbeddingError",
    "EventType",
    "HistoryEntry",
    "InvalidInputError",
    "LimitsConfig",
    "Mem0IntegrationsError",
    "Memory",
    "MemoryConfig",
    "MemoryEvent",
    "MemoryHit",
    "MemoryNotFoundError",
    "MemoryRecord",
    "MemorySource",
    "MemoryStatus",
    "Message",
    "OnnxMiniLMEmbedder",
    "OpenAIEmbedder",
    "Scope",
    "ScopeError",
    "StoreConfig",
    "StoreError",
    "__version__",
    "as_embedder",
]
