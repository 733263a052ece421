"""Fixtures for unit tests: a deterministic fake embedder and an in-memory Chroma."""

from __future__ import annotations

import hashlib
import math
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import chromadb
import pytest
from chromadb.config import Settings

from mem0_integrations import BaseEmbedder, Memory

_WORD = re.compile(r"[a-z0-9]+")


class HashEmbedder(BaseEmbedder):
    """Bag-of-words hashed into 64 dimensions: similar words, similar vectors.

    A stand-in for a real model in unit tests; counts its calls so tests can
    check batching.
    """

    batch_size = 8

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    @property
    def name(self) -> str:
        return "test-hash-64"

    def _embed_batch(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        out = []
        for text in texts:
            vec = [0.0] * 64
            for word in _WORD.findall(text.lower()):
                slot = int(hashlib.md5(word.encode()).hexdigest(), 16) % 64
                vec[slot] += 1.0
            norm = math.sqrt(sum(v * v for v in vec)) or 1.0
            out.append([v / norm for v in vec] if any(vec) else [1.0] + [0.0] * 63)
        return out


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def chroma_client() -> chromadb.api.ClientAPI:
    return chromadb.EphemeralClient(settings=Settings(anonymized_telemetry=False))


@pytest.fixture
def memory(
    chroma_client: chromadb.api.ClientAPI, embedder: HashEmbedder, clock: FakeClock
) -> Iterator[Memory]:
    prefix = "u" + uuid.uuid4().hex[:12]
    m = Memory(
        client=chroma_client,
        embedder=embedder,
        clock=clock,
        config={"store": {"collection_prefix": prefix}},
    )
    yield m
    m.reset()
