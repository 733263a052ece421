"""Embedders: the offline default against fp32 reference vectors, OpenAI, adapters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import openai
import pytest

from mem0_integrations import (
    BaseEmbedder,
    ConfigurationError,
    Embedder,
    EmbedderConfig,
    EmbeddingError,
    OnnxMiniLMEmbedder,
    OpenAIEmbedder,
    as_embedder,
)
from mem0_integrations.core.embedders import embedder_from_config

from .conftest import HashEmbedder

REFERENCE = Path(__file__).parent.parent / "data" / "minilm_fp32_reference.json"


@pytest.fixture(scope="module")
def minilm() -> OnnxMiniLMEmbedder:
    return OnnxMiniLMEmbedder(batch_size=16)


def test_offline_default_matches_fp32_minilm(minilm: OnnxMiniLMEmbedder) -> None:
    """Cosine >= 0.99 against sentence-transformers' fp32 all-MiniLM-L6-v2 on 60 sentences.

    The reference vectors were made by benchmarks/reference_embeddings.py; they include
    paragraphs longer than 256 tokens, so truncation must match too.
    """
    ref = json.loads(REFERENCE.read_text(encoding="utf-8"))
    ours = np.asarray(minilm.embed(ref["sentences"]))
    theirs = np.asarray(ref["embeddings"])
    assert ours.shape == theirs.shape == (60, 384)
    cosine = (ours * theirs).sum(axis=1) / (
        np.linalg.norm(ours, axis=1) * np.linalg.norm(theirs, axis=1)
    )
    assert cosine.min() >= 0.99, [ref["sentences"][i] for i in np.where(cosine < 0.99)[0]]
    assert cosine.mean() >= 0.995


def test_order_is_kept_when_batching_by_length(minilm: OnnxMiniLMEmbedder) -> None:
    texts = ["a much longer sentence about my sister who lives in Rome " * 3, "tea", "I like tea"]
    together = minilm.embed(texts)
    alone = [minilm.embed([t])[0] for t in texts]
    for a, b in zip(together, alone, strict=True):
        assert np.allclose(a, b, atol=1e-4)
    assert np.isclose(np.linalg.norm(together[0]), 1.0, atol=1e-4)


def test_empty_input_makes_no_call() -> None:
    fake = HashEmbedder()
    assert fake.embed([]) == []
    assert fake.calls == []


def test_template_batches() -> None:
    fake = HashEmbedder()
    out = fake.embed([f"text {i}" for i in range(20)])
    assert len(out) == 20
    assert [len(c) for c in fake.calls] == [8, 8, 4]


class _Broken(BaseEmbedder):
    def __init__(self, result: list[list[float]] | Exception) -> None:
        self.result = result

    @property
    def name(self) -> str:
        return "broken"

    def _embed_batch(self, texts: list[str]) -> list[list[float]]:
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


@pytest.mark.parametrize(
    ("result", "match"),
    [
        (RuntimeError("boom"), "boom"),
        ([[1.0]], "1 vectors for 2 texts"),
        ([[1.0], [1.0, 2.0]], "mixed"),
        ([[], []], "zero"),
    ],
)
def test_failures_become_embedding_errors(result: Any, match: str) -> None:
    with pytest.raises(EmbeddingError, match=match):
        _Broken(result).embed(["a", "b"])


def _openai_client(handler: Any) -> openai.OpenAI:
    return openai.OpenAI(
        api_key="test",
        base_url="http://127.0.0.1:9/v1",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        max_retries=2,
    )


def _embedding_response(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    data = [
        {"object": "embedding", "index": i, "embedding": [float(len(t)), 1.0]}
        for i, t in enumerate(body["input"])
    ]
    return httpx.Response(
        200,
        json={
            "object": "list",
            "data": list(reversed(data)),
            "model": body["model"],
            "usage": {"prompt_tokens": 1, "total_tokens": 1},
        },
    )


def test_openai_embedder_batches_and_orders_by_index() -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return _embedding_response(request)

    emb = OpenAIEmbedder(
        "text-embedding-3-small", client=_openai_client(handler), batch_size=2, dimensions=2
    )
    out = emb.embed(["a", "bbb", "cc"])
    assert out == [[1.0, 1.0], [3.0, 1.0], [2.0, 1.0]]
    assert [s["input"] for s in seen] == [["a", "bbb"], ["cc"]]
    assert all(s["model"] == "text-embedding-3-small" and s["dimensions"] == 2 for s in seen)
    assert emb.name == "openai:text-embedding-3-small:2"


def test_openai_embedder_retries_429_then_succeeds() -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return httpx.Response(
                429, json={"error": {"message": "slow down"}}, headers={"retry-after-ms": "1"}
            )
        return _embedding_response(request)

    emb = OpenAIEmbedder("m", client=_openai_client(handler))
    assert emb.embed(["xy"]) == [[2.0, 1.0]]
    assert calls["n"] == 2


def test_openai_embedder_final_failure_is_typed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            500, json={"error": {"message": "down"}}, headers={"retry-after-ms": "1"}
        )

    with pytest.raises(EmbeddingError, match="openai:m"):
        OpenAIEmbedder("m", client=_openai_client(handler)).embed(["x"])


def test_config_builds_embedders() -> None:
    assert isinstance(embedder_from_config(EmbedderConfig()), OnnxMiniLMEmbedder)
    built = embedder_from_config(
        EmbedderConfig(provider="openai", model="m", base_url="http://127.0.0.1:1/v1", api_key="k")
    )
    assert isinstance(built, OpenAIEmbedder)
    assert built.model == "m"
    with pytest.raises(ConfigurationError, match="model="):
        EmbedderConfig(provider="openai")


class _LangChainLike:
    model = "lc-model"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[1.0, float(len(t))] for t in texts]


class _LlamaIndexLike:
    model_name = "li-model"

    def get_text_embedding_batch(self, texts: list[str]) -> list[list[float]]:
        return [[2.0, float(len(t))] for t in texts]


def test_as_embedder_adapts_framework_objects() -> None:
    lc = as_embedder(_LangChainLike())
    li = as_embedder(_LlamaIndexLike())
    assert lc.name == "langchain:lc-model"
    assert lc.embed(["ab"]) == [[1.0, 2.0]]
    assert li.name == "llamaindex:li-model"
    assert li.embed(["abc"]) == [[2.0, 3.0]]
    fake = HashEmbedder()
    assert as_embedder(fake) is fake
    assert isinstance(fake, Embedder)
    with pytest.raises(ConfigurationError, match="not an embedder"):
        as_embedder(object())
