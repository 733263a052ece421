"""Configuration as pydantic models.

Nothing here touches the disk or the network: paths are resolved and clients
created when :class:`~mem0_integrations.Memory` is constructed, never at import.

Environment variables (read when a ``Memory`` is built, only for options the
caller left unset):

========================  ===============================================
``MEM0I_PATH``            folder of the embedded Chroma store
``MEM0I_CHROMA_HOST``     host of a Chroma server (switches to server mode)
``MEM0I_CHROMA_PORT``     port of that server (default 8000)
========================  ===============================================
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .errors import ConfigurationError

__all__ = [
    "DEFAULT_PATH",
    "Clock",
    "DecayConfig",
    "EmbedderConfig",
    "ExtractionConfig",
    "LLMConfig",
    "LimitsConfig",
    "MemoryConfig",
    "RankingConfig",
    "StoreConfig",
    "utc_now",
]

#: Where the embedded store lives when neither ``path`` nor ``MEM0I_PATH`` is given:
#: a folder named ``mem0_memories`` in the current working directory.
DEFAULT_PATH = "mem0_memories"

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The default clock: the current time in UTC."""
    return datetime.now(UTC)


class StoreConfig(BaseModel):
    """Where memories are stored: an embedded folder or a Chroma server."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    path: Path | None = Field(
        default=None,
        description="Folder of the embedded Chroma store. Default: $MEM0I_PATH, else "
        "./mem0_memories in the current working directory.",
    )
    chroma_host: str | None = Field(
        default=None, description="Host of a Chroma server (`chroma run`); enables server mode."
    )
    chroma_port: int | None = Field(default=None, ge=1, le=65535, description="Server port.")
    chroma_ssl: bool = Field(default=False, description="Use https to reach the server.")
    chroma_headers: dict[str, str] = Field(
        default_factory=dict, description="Extra HTTP headers, e.g. for an auth proxy."
    )
    collection_prefix: str = Field(
        default="mem0i",
        pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._-]{0,400}[a-zA-Z0-9]$",
        description="Prefix of the two Chroma collections (memories and history).",
    )

    @model_validator(mode="after")
    def _exclusive(self) -> StoreConfig:
        if self.path is not None and self.chroma_host is not None:
            raise ConfigurationError(
                "Both path= and chroma_host= are set. Use path= for the embedded store or "
                "chroma_host=/chroma_port= for a Chroma server, not both."
            )
        if self.chroma_port is not None and self.chroma_host is None:
            raise ConfigurationError(
                "chroma_port= is set without chroma_host=. Add chroma_host='127.0.0.1' "
                "(or the server's address)."
            )
        return self

    def resolved(self, environ: Mapping[str, str] | None = None) -> StoreConfig:
        """A copy with environment defaults applied and the path made absolute."""
        env = os.environ if environ is None else environ
        data = self.model_dump()
        if self.path is None and self.chroma_host is None:
            if env.get("MEM0I_CHROMA_HOST"):
                data["chroma_host"] = env["MEM0I_CHROMA_HOST"]
            else:
                data["path"] = Path(env.get("MEM0I_PATH") or DEFAULT_PATH)
        if data["chroma_host"] is not None and data["chroma_port"] is None:
            port = env.get("MEM0I_CHROMA_PORT", "8000")
            if not port.isdigit():
                raise ConfigurationError(f"MEM0I_CHROMA_PORT={port!r} is not a port number.")
            data["chroma_port"] = int(port)
        if data["path"] is not None:
            data["path"] = Path(data["path"]).expanduser().resolve()
        return StoreConfig.model_validate(data)


class EmbedderConfig(BaseModel):
    """Which embedding model turns text into vectors."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    provider: Literal["onnx-minilm", "openai"] = Field(
        default="onnx-minilm",
        description="onnx-minilm: offline all-MiniLM-L6-v2 (int8 ONNX, ships with the install). "
        "openai: any OpenAI-compatible /embeddings endpoint.",
    )
    model: str | None = Field(
        default=None, description="Model name for provider='openai', e.g. text-embedding-3-small."
    )
    base_url: str | None = Field(default=None, description="OpenAI-compatible base URL.")
    api_key: str | None = Field(default=None, description="API key; $OPENAI_API_KEY if unset.")
    dimensions: int | None = Field(default=None, ge=1, description="Requested vector size.")
    batch_size: int = Field(default=64, ge=1, le=2048, description="Texts per embedding call.")

    @model_validator(mode="after")
    def _openai_needs_model(self) -> EmbedderConfig:
        if self.provider == "openai" and not self.model:
            raise ConfigurationError(
                "provider='openai' needs model=, e.g. EmbedderConfig(provider='openai', "
                "model='text-embedding-3-small')."
            )
        return self


class LLMConfig(BaseModel):
    """An OpenAI-compatible chat endpoint used for fact extraction (optional).

    Leave ``model`` unset to extract offline. A LangChain chat model or a
    LlamaIndex LLM can be passed to ``Memory(llm=...)`` instead.
    """

    model_config = ConfigDict(defer_build=True, extra="forbid")

    model: str | None = Field(
        default=None, description="Chat model name, e.g. gpt-4o-mini; unset: no LLM."
    )
    base_url: str | None = Field(
        default=None, description="OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1."
    )
    api_key: str | None = Field(default=None, description="API key; $OPENAI_API_KEY if unset.")
    timeout: float = Field(default=30.0, gt=0, description="Seconds per request.")
    max_retries: int = Field(
        default=3, ge=0, le=10, description="Retries on timeouts, 429 and 5xx (with backoff)."
    )
    backoff: float = Field(default=0.5, ge=0, description="First retry delay in seconds.")
    max_backoff: float = Field(default=8.0, ge=0, description="Longest retry delay in seconds.")
    response_format: Literal["auto", "json_schema", "json_object", "text"] = Field(
        default="auto",
        description="auto: JSON schema, falling back to json_object and then plain text when "
        "the server rejects it.",
    )
    temperature: float = Field(default=0.0, ge=0, le=2)
    max_tokens: int = Field(default=1024, ge=16, description="Completion token budget.")


class ExtractionConfig(BaseModel):
    """How ``add(..., infer=True)`` turns messages into memories."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    on_llm_error: Literal["fallback", "raise"] = Field(
        default="fallback",
        description="When the LLM fails after retries: fallback extracts offline (and says so "
        "on the result); raise raises ExtractionError. Either way nothing half-applied.",
    )
    fact_roles: tuple[Literal["user", "assistant", "system", "tool"], ...] = Field(
        default=("user",),
        description="Roles whose statements may become facts. Add 'assistant' to opt in.",
    )
    neighbours: int = Field(
        default=8, ge=0, le=50, description="Similar memories shown to the LLM per turn."
    )
    max_facts: int = Field(default=10, ge=1, le=50, description="Facts the LLM may return.")
    context_messages: int = Field(
        default=2,
        ge=0,
        le=10,
        description="With infer=False and a conversation (messages from two or more speakers: "
        "roles, or names), each stored message keeps this many messages said just before it "
        "in the same add() call as keyword context: BM25 search matches an answer by the "
        "words of the question it answered. 0 turns it off (README: 'Ranking' has the "
        "LOCOMO numbers behind the default).",
    )
    episodes: bool = Field(
        default=True,
        description="With infer=True, also keep every message of fact_roles verbatim as an "
        "episode (MemoryRecord.kind 'episode'), linked both ways to the facts taken from it: "
        "the evidence beside the current-truth facts, found by search even when extraction "
        "kept nothing of the turn. False stores the extracted facts only.",
    )
    refer_threshold: float = Field(
        default=0.35,
        ge=0,
        le=2,
        description="With infer=True, a statement that says something changed ('switched "
        "to', 'broke up', 'actually') changes the older memory of the same speaker it is "
        "most about when their affinity (cosine similarity plus a bonus per shared name or "
        "word) reaches this: a fact taken from it supersedes that memory, else the memory is "
        "retracted (a fact) or marked past (an episode).",
    )
    follow_threshold: float = Field(
        default=0.45,
        ge=0,
        le=2,
        description="With infer=True, a statement that changes nothing outright still "
        "records the older memory of the same speaker it is most about (MemoryRecord.follows) "
        "when their affinity reaches this; search then ranks the newer above the older and "
        "shows the older as the newer hit's previous value.",
    )
    offer_threshold: float = Field(
        default=0.2,
        ge=-1.0,
        le=1.0,
        description="Least similarity a stored memory needs to be shown to the LLM (memories "
        "with the turn's keys are always shown).",
    )
    duplicate_threshold: float = Field(
        default=0.95,
        ge=0.0,
        le=1.0,
        description="Cosine similarity at or above which a new fact is the same as a stored "
        "one (NONE: the stored memory is reinforced).",
    )
    update_threshold: float = Field(
        default=0.85,
        ge=0.0,
        le=1.0,
        description="Similarity at or above which (and below duplicate_threshold) a new fact "
        "that adds words replaces the stored one (UPDATE, old kept in history).",
    )
    retract_threshold: float = Field(
        default=0.6,
        ge=0.0,
        le=1.0,
        description="Similarity a retraction ('I no longer eat meat') needs to delete a stored "
        "memory that has no matching key.",
    )
    background_workers: int = Field(
        default=2, ge=1, le=32, description="Threads for add(background=True); order per scope."
    )

    @model_validator(mode="after")
    def _ordered(self) -> ExtractionConfig:
        if self.update_threshold > self.duplicate_threshold:
            raise ConfigurationError(
                f"update_threshold={self.update_threshold} is above duplicate_threshold="
                f"{self.duplicate_threshold}; it must be lower or equal."
            )
        return self


class RankingConfig(BaseModel):
    """How search ranks: a weighted mean of signals, each in ``[0, 1]``.

    ``score = sum(weight * signal) / sum(weights)`` over similarity (cosine),
    keyword (BM25 over memory text), recency (halves every
    ``recency_half_life_days`` since the fact was stated), importance and
    reinforcement (``uses / (uses + reinforcement_saturation)``). A weight of 0
    turns a signal off. The defaults were chosen on LOCOMO evidence recall and
    the update scenarios; README ("Ranking") lists the measurements.
    """

    model_config = ConfigDict(defer_build=True, extra="forbid")

    similarity_weight: float = Field(default=1.0, ge=0, description="Cosine similarity.")
    keyword_weight: float = Field(default=1.0, ge=0, description="BM25 keyword match.")
    recency_weight: float = Field(default=0.1, ge=0, description="Recency of the statement.")
    importance_weight: float = Field(default=0.5, ge=0, description="Importance (feedback).")
    reinforcement_weight: float = Field(
        default=0.02, ge=0, description="Reinforcement from retrievals and confirmations."
    )
    past_factor: float = Field(
        default=1.0,
        ge=0,
        le=1,
        description="Score multiplier for a memory that no longer holds at the search time (an "
        "episode whose facts were superseded since). Whatever it is, such a memory ranks just "
        "below what replaced it when both are found, and is returned with current=False; "
        "below 1 it also sinks among unrelated memories (0.85 cost LOCOMO infer=True 0.4 "
        "points of recall@10 and changed no blind update).",
    )
    recency_half_life_days: float = Field(
        default=30.0, gt=0, description="Days after which the recency signal halves."
    )
    reinforcement_saturation: float = Field(
        default=5.0, gt=0, description="Uses at which the reinforcement signal reaches 0.5."
    )
    bm25_k1: float = Field(default=1.2, ge=0, description="BM25 term-frequency saturation.")
    bm25_b: float = Field(default=0.75, ge=0, le=1, description="BM25 length normalisation.")
    keyword_index_ttl: float = Field(
        default=60.0,
        ge=0,
        description="Seconds a scope's in-process keyword index is trusted before it is "
        "reloaded, to pick up other processes' writes (this process's own are applied at once).",
    )
    candidates: int = Field(
        default=20,
        ge=1,
        le=1000,
        description="Memories re-ranked per search: at least this many (and 2 x limit) by "
        "similarity, plus the limit + 10 best keyword matches the similarity read missed.",
    )

    @model_validator(mode="after")
    def _some_weight(self) -> RankingConfig:
        if not (self.similarity_weight or self.keyword_weight):
            raise ConfigurationError(
                "similarity_weight and keyword_weight are both 0, so nothing relates a hit to "
                "the query. Keep at least one of them above 0."
            )
        return self


def _default_half_lives() -> dict[str, float | None]:
    return {
        "identity": None,
        "health": None,
        "relations": 3650.0,
        "pets": 3650.0,
        "diet": 730.0,
        "skill": 730.0,
        "preference": 730.0,
        "habit": 365.0,
        "goal": 365.0,
        "other": 365.0,
        "event": 180.0,
        "plan": 14.0,
        "task": 7.0,
        "mood": 2.0,
        "transient": 7.0,
        "episode": 120.0,
        "default": 365.0,
    }


class DecayConfig(BaseModel):
    """How memories lose strength with disuse, and when they are archived.

    A memory's retention is ``0.5 ** (idle_days / half_life)``: ``idle_days``
    count from the last time it was stated, confirmed, retrieved or (for a
    dated fact such as an exam) due; ``half_life`` is its class's half-life,
    multiplied by ``1 + ln(1 + uses)`` (reinforcement) and by
    ``0.5 + importance``. Below ``archive_threshold`` it leaves default search,
    and ``consolidate()`` archives it (restorable).

    The class is the memory's category, except that a fact about a current
    state ("this week", "today", "right now") is ``transient``. Keys of
    ``half_lives`` are categories (identity, relations, pets, health, diet,
    preference, habit, skill, goal, plan, event, other, and any custom one),
    ``transient``, ``mood``, ``task``, ``episode`` for the verbatim turns
    ``infer=True`` keeps beside its facts, and ``default`` for memories without a
    category (``infer=False``). ``None`` means never decays.
    """

    model_config = ConfigDict(defer_build=True)

    model_config = ConfigDict(defer_build=True, extra="forbid")

    enabled: bool = Field(default=True, description="False: nothing decays or is archived.")
    half_lives: dict[str, float | None] = Field(
        default_factory=_default_half_lives,
        description="Half-life in days per decay class; None never decays. Keys you leave out "
        "keep their default.",
    )
    archive_threshold: float = Field(
        default=0.05,
        ge=0.0,
        lt=1.0,
        description="Retention below which a memory is hidden and archived (0.05: about 4.3 "
        "half-lives of disuse).",
    )

    @model_validator(mode="before")
    @classmethod
    def _merge_defaults(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("half_lives"), dict):
            data = {**data, "half_lives": {**_default_half_lives(), **data["half_lives"]}}
        return data

    @model_validator(mode="after")
    def _positive(self) -> DecayConfig:
        for name, days in self.half_lives.items():
            if days is not None and not days > 0:
                raise ConfigurationError(
                    f"half_lives[{name!r}] = {days}; a half-life is a positive number of days, "
                    "or None for never."
                )
        return self


class LimitsConfig(BaseModel):
    """Input bounds; larger inputs are rejected with InvalidInputError before any write."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    max_text_chars: int = Field(default=16_000, ge=1, description="Characters per message/text.")
    max_messages: int = Field(default=1_000, ge=1, description="Messages per add() call.")
    max_metadata_chars: int = Field(default=8_000, ge=2, description="JSON size of metadata.")
    max_search_limit: int = Field(default=1_000, ge=1, description="Largest search limit.")


class MemoryConfig(BaseModel):
    """Everything a :class:`~mem0_integrations.Memory` can be configured with."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    store: StoreConfig = Field(default_factory=StoreConfig)
    embedder: EmbedderConfig = Field(default_factory=EmbedderConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    llm: LLMConfig = Field(default_factory=LLMConfig)
    extraction: ExtractionConfig = Field(default_factory=ExtractionConfig)
    ranking: RankingConfig = Field(default_factory=RankingConfig)
    decay: DecayConfig = Field(default_factory=DecayConfig)
    deadline: float | None = Field(
        default=120.0,
        gt=0,
        description="Seconds any public call of Memory may take before it raises "
        "DeadlineExceededError, having written nothing (None: no deadline). Waits on the LLM, "
        "the embedder and Chroma reads are cut off; a change that started writing finishes.",
    )

    @classmethod
    def located(
        cls,
        config: MemoryConfig | Mapping[str, Any] | None = None,
        *,
        path: str | Path | None = None,
        chroma_host: str | None = None,
        chroma_port: int | None = None,
    ) -> MemoryConfig:
        """``config`` (a model, a dict or None) with the location arguments that are set
        written into its store section; not yet :meth:`StoreConfig.resolved`."""
        cfg = config if isinstance(config, MemoryConfig) else cls.model_validate(config or {})
        where = {"path": path, "chroma_host": chroma_host, "chroma_port": chroma_port}
        overrides = {k: v for k, v in where.items() if v is not None}
        if not overrides:
            return cfg
        store = cfg.store.model_validate({**cfg.store.model_dump(), **overrides})
        return cfg.model_copy(update={"store": store})
