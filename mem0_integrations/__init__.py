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
    ExtractionConfig,
    LimitsConfig,
    LLMConfig,
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
    BackgroundWriteError,
    ConfigurationError,
    DeadlineExceededError,
    EmbeddingError,
    ExtractionError,
    InvalidInputError,
    Mem0IntegrationsError,
    MemoryNotFoundError,
    ScopeError,
    StoreError,
    StoreLockedError,
)
from .core.lifecycle.purge import PurgeReport, purge
from .core.llm import LLM, LangChainLLM, LlamaIndexLLM, LLMReply, OpenAILLM, as_llm
from .core.memory import Memory
from .core.models import (
    AddResult,
    ConsolidationReport,
    EventType,
    HistoryEntry,
    LLMUsage,
    MemoryEvent,
    MemoryHit,
    MemoryRecord,
    MemorySource,
    MemoryStatus,
    Message,
    QuarantinedItem,
    Scope,
    SkippedFact,
)
from .core.rank.context import render_memories

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_PATH",
    "LLM",
    "AddResult",
    "BackgroundWriteError",
    "BaseEmbedder",
    "ConfigurationError",
    "ConsolidationReport",
    "DeadlineExceededError",
    "Embedder",
    "EmbedderConfig",
    "EmbeddingError",
    "EventType",
    "ExtractionConfig",
    "ExtractionError",
    "HistoryEntry",
    "InvalidInputError",
    "LLMConfig",
    "LLMReply",
    "LLMUsage",
    "LangChainLLM",
    "LimitsConfig",
    "LlamaIndexLLM",
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
    "OpenAILLM",
    "PurgeReport",
    "QuarantinedItem",
    "Scope",
    "ScopeError",
    "SkippedFact",
    "StoreConfig",
    "StoreError",
    "StoreLockedError",
    "__version__",
    "as_embedder",
    "as_llm",
    "purge",
    "render_memories",
]
