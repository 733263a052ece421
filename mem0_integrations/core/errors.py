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
    ├── ExtractionError         the LLM failed or kept answering with unusable output
    ├── BackgroundWriteError    queued add(background=True) calls failed (raised by flush())
    ├── DeadlineExceededError   a call ran out of its deadline (also a TimeoutError)
    └── StoreError              Chroma failed to read or write
        └── StoreLockedError    another process has this embedded folder open

Every message says what went wrong *and* how to fix it. A call that raises
one of these leaves the stored memory as it was before the call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import LLMUsage

__all__ = [
    "BackgroundWriteError",
    "ConfigurationError",
    "DeadlineExceededError",
    "EmbeddingError",
    "ExtractionError",
    "InvalidInputError",
    "Mem0IntegrationsError",
    "MemoryNotFoundError",
    "ScopeError",
    "StoreError",
    "StoreLockedError",
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


class ExtractionError(Mem0IntegrationsError):
    """The LLM could not produce usable facts: it failed after retries, or its output
    was invalid even after one repair. Nothing was written."""

    def __init__(self, message: str, *, attempts: int = 0, usage: LLMUsage | None = None) -> None:
        self.attempts = attempts
        #: The LLM traffic spent before giving up (requests and tokens).
        self.usage = usage
        super().__init__(message)


class BackgroundWriteError(Mem0IntegrationsError):
    """One or more ``add(..., background=True)`` calls failed; raised by ``flush()``.

    ``errors`` holds each failure; every one was also logged when it happened.
    """

    def __init__(self, errors: list[BaseException]) -> None:
        self.errors = list(errors)
        first = errors[0] if errors else None
        super().__init__(
            f"{len(errors)} background add() call(s) failed; the first: "
            f"{type(first).__name__}: {first}. Nothing of a failed call was written."
        )


class StoreError(Mem0IntegrationsError):
    """The Chroma store failed to read or write."""


class StoreLockedError(StoreError):
    """Another process has the embedded store folder open (one process per folder)."""


class DeadlineExceededError(Mem0IntegrationsError, TimeoutError):
    """A call did not finish within ``MemoryConfig.deadline``; it wrote nothing."""
