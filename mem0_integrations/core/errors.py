"""The one exception tree of mem0-integrations.

Every error the library raises on purpose is a subclass of
:class:`Mem0IntegrationsError`, so ``except Mem0IntegrationsError`` catches all
of them and nothing else::

    Mem0IntegrationsError
    ├── ConfigurationError      options that cannot work together, or a broken setup
    ├── InvalidInputError       bad arguments to a call (also a ValueError)
    │   └── ScopeError          missing, malformed or smuggled scope ids
    ├── MemoryNotFoundError     an id that no stored memory has (also a LookupError)
    ├── EmbeddingError          the embedder failed or returned vectors of the wrong shape
    └── StoreError              Chroma failed to read or write

Every message says what went wrong *and* how to fix it. A call that raises
one of these leaves the stored memory as it was before the call.
"""

from __future__ import annotations

__all__ = [
    "ConfigurationError",
    "EmbeddingError",
    "InvalidInputError",
    "Mem0IntegrationsError",
    "MemoryNotFoundError",
    "ScopeError",
    "StoreError",
]


class Mem0IntegrationsError(Exception):
    """Root of every error raised by mem0-integrations."""


class ConfigurationError(Mem0IntegrationsError):
    """The configuration cannot work: exclusive options, a missing package, a bad path."""


class InvalidInputError(Mem0IntegrationsError, ValueError):
    """An argument has the wrong type, is empty, or is too large."""


class ScopeError(InvalidInputError):
    """A scope id is missing, malformed, or was smuggled in through metadata or filters."""


class MemoryNotFoundError(Mem0IntegrationsError, LookupError):
    """No stored memory has the given id."""

    def __init__(self, memory_id: str) -> None:
        self.memory_id = memory_id
        super().__init__(
            f"No memory with id {memory_id!r}. Ids come from AddResult.events[i].id, "
            "MemoryHit.id or get_all(); check that you are using the same store path or server."
        )


class EmbeddingError(Mem0IntegrationsError):
    """The embedder failed, or returned vectors of an unexpected count or dimension."""


class StoreError(Mem0IntegrationsError):
    """The Chroma store failed to read or write."""
