"""Pydantic data models: scopes, messages, memory records, hits, events and history.

These are the values users, adapters and benchmarks exchange with
:class:`~mem0_integrations.Memory`. They validate themselves, so a record read
back from the store or from an export file is checked the same way as one
built in code.
"""

from __future__ import annotations

import copy
import hashlib
import re
import threading
import unicodedata
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import ScopeError

__all__ = [
    "SCOPE_KEYS",
    "AddResult",
    "ConsolidationReport",
    "EventType",
    "HistoryEntry",
    "LLMUsage",
    "MemoryEvent",
    "MemoryHit",
    "MemoryKind",
    "MemoryRecord",
    "MemorySource",
    "MemoryStatus",
    "Message",
    "Scope",
    "ScoreExplanation",
    "ScorePart",
    "SkippedFact",
    "build_schemas",
    "content_hash",
    "is_unicode_text",
    "normalize_text",
    "validate_scope_id",
]

#: The metadata keys that carry scope ids. Caller metadata may never use them.
SCOPE_KEYS: tuple[str, ...] = ("user_id", "agent_id", "session_id", "run_id")

_MAX_ID_LEN = 256
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPACES = re.compile(r"\s+")


_SCHEMAS_LOCK = threading.Lock()
_schemas_built = False


def build_schemas() -> None:
    """Build the validators of every model of this package, once, under a lock.

    The models are declared with ``defer_build=True`` so that importing the package
    does not pay for them (about 0.1 s of the import). :class:`~mem0_integrations.Memory`
    calls this before it starts a thread, so no two threads race to build the same
    model's validator (pydantic/pydantic#11849); a model used earlier builds itself.
    """
    global _schemas_built
    if _schemas_built:
        return
    with _SCHEMAS_LOCK:
        pending = list(BaseModel.__subclasses__())
        while pending:
            model = pending.pop()
            pending.extend(model.__subclasses__())
            if (
                model.__module__.startswith("mem0_integrations.")
                and not model.__pydantic_complete__
            ):
                model.model_rebuild()
        _schemas_built = True


def is_unicode_text(value: str) -> bool:
    """False if ``value`` holds a lone surrogate (e.g. ``"\\ud800"``, from a bad decode):
    such text has no UTF-8 form, so no store, JSON file or model can take it."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def validate_scope_id(name: str, value: object) -> str:
    """Return ``value`` if it is a valid scope id, else raise :class:`ScopeError`.

    A scope id is a plain, non-empty string of at most 256 characters without
    surrounding whitespace or control characters. Operators (``{"$ne": "x"}``),
    wildcards (``"*"``) and non-strings are rejected, so a scope can never
    widen into another user's memory.
    """
    if not isinstance(value, str):
        raise ScopeError(
            f"{name} must be a plain string, got {type(value).__name__} ({value!r}). "
            f"Pass the id itself, e.g. {name}='alice'; filters and operators are not accepted here."
        )
    if not value:
        raise ScopeError(f"{name} is an empty string. Pass a non-empty id such as {name}='alice'.")
    if value != value.strip():
        raise ScopeError(
            f"{name}={value!r} has surrounding whitespace. Strip it: {name}={value.strip()!r}."
        )
    if len(value) > _MAX_ID_LEN:
        raise ScopeError(f"{name} is {len(value)} characters long; the limit is {_MAX_ID_LEN}.")
    if _CONTROL.search(value) or not is_unicode_text(value):
        raise ScopeError(
            f"{name}={value!r} contains control characters or lone surrogates. Use printable text."
        )
    if value == "*" or value.startswith("$"):
        raise ScopeError(
            f"{name}={value!r} looks like a wildcard or an operator. Scope ids match exactly; "
            "pass the id of one user, agent or session."
        )
    return value


class Scope(BaseModel):
    """Who a memory belongs to: any combination of user, agent and session.

    At least one id is set. ``run_id`` is accepted as an alias of
    ``session_id`` (Mem0 compatibility).
    """

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid", populate_by_name=True)

    user_id: str | None = Field(default=None, description="The end user the memory is about.")
    agent_id: str | None = Field(default=None, description="The agent that owns the memory.")
    session_id: str | None = Field(
        default=None, description="The conversation or run; alias run_id."
    )

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as e:
            raise _scope_error(e) from None

    @model_validator(mode="before")
    @classmethod
    def _accept_run_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and "run_id" in data:
            data = dict(data)
            run_id = data.pop("run_id")
            session_id = data.get("session_id")
            if run_id is not None and session_id is not None and run_id != session_id:
                raise ScopeError(
                    f"run_id={run_id!r} and session_id={session_id!r} disagree; run_id is an "
                    "alias of session_id, so pass only one of them."
                )
            if run_id is not None:
                data["session_id"] = run_id
        return data

    @field_validator("user_id", "agent_id", "session_id", mode="before")
    @classmethod
    def _valid_id(cls, value: object, info: Any) -> object:
        if value is None:
            return None
        return validate_scope_id(info.field_name, value)

    @model_validator(mode="after")
    def _at_least_one(self) -> Scope:
        if self.user_id is None and self.agent_id is None and self.session_id is None:
            raise ScopeError(
                "No scope given. Pass at least one of user_id=, agent_id= or session_id= "
                "(run_id= is an alias of session_id=), e.g. user_id='alice'."
            )
        return self

    def items(self) -> list[tuple[str, str]]:
        """The ``(name, id)`` pairs that are set, in a fixed order."""
        pairs = [
            ("user_id", self.user_id),
            ("agent_id", self.agent_id),
            ("session_id", self.session_id),
        ]
        return [(k, v) for k, v in pairs if v is not None]

    def long_term(self) -> Scope:
        """Where a conversation's long-term facts live: this scope without its
        ``session_id`` when a ``user_id`` or ``agent_id`` is set (so every session of
        that user or agent shares them), else this scope (a session on its own).

        The chat-memory adapters of both frameworks read and write facts here, and
        keep ``session_id`` for the conversation's recent turns.
        """
        if self.session_id is None or (self.user_id is None and self.agent_id is None):
            return self
        return Scope(user_id=self.user_id, agent_id=self.agent_id)

    def contains(self, other: Scope) -> bool:
        """True if a read with this scope may see a memory stored under ``other``."""
        return all(getattr(other, k) == v for k, v in self.items())

    def __str__(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.items())


def _scope_error(error: ValidationError) -> Exception:
    """The :class:`ScopeError` a validator raised, unwrapped from pydantic's error."""
    for item in error.errors():
        cause = (item.get("ctx") or {}).get("error")
        if isinstance(cause, ScopeError):
            return cause
    return ScopeError(f"Invalid scope: {error.errors()[0]['msg']}.")


class MemoryStatus(StrEnum):
    """Life cycle of a memory. Only ``active`` memories are searched by default.

    ``superseded``: replaced by a newer fact (``superseded_by``); ``deleted``:
    soft-deleted or retracted; ``archived``: its decayed strength fell below the
    archive threshold (or it expired), restorable with ``Memory.restore``.
    """

    ACTIVE = "active"
    SUPERSEDED = "superseded"
    DELETED = "deleted"
    ARCHIVED = "archived"


class EventType(StrEnum):
    """What a write did to one memory.

    ``ADD``, ``UPDATE``, ``DELETE`` and ``NONE`` are the outcomes of adds (Mem0's
    names); ``ARCHIVE``, ``RESTORE`` and ``FORGET`` appear in history only: decay
    or expiry archived the memory, a caller restored it, or it was hard-deleted
    with its history kept.
    """

    ADD = "ADD"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    NONE = "NONE"
    ARCHIVE = "ARCHIVE"
    RESTORE = "RESTORE"
    FORGET = "FORGET"


Role = Literal["user", "assistant", "system", "tool"]
MemoryKind = Literal["fact", "episode"]


class Message(BaseModel):
    """One chat message given to :meth:`Memory.add`."""

    model_config = ConfigDict(defer_build=True, extra="ignore")

    role: Role = "user"
    content: str
    id: str | None = Field(default=None, description="The caller's message id, kept as provenance.")
    name: str | None = None
    created_at: datetime | None = Field(
        default=None,
        description="When the message was said; the clock is used when absent. A time "
        "without a timezone is taken as UTC.",
    )

    @field_validator("created_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class MemorySource(BaseModel):
    """Where a memory came from: the role that said it and the message ids."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    role: Role | None = None
    message_ids: list[str] = Field(default_factory=list)
    name: str | None = Field(
        default=None, description="The speaker's name, when the message carried one."
    )


def keyword_text(text: str, context: str | None) -> str:
    """What keyword search matches for a memory: its text, then its context if any."""
    return f"{text}\n{context}" if context else text


class MemoryRecord(BaseModel):
    """One stored memory, with everything the store keeps about it."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    id: str
    text: str
    scope: Scope
    key: str | None = Field(default=None, description="Structured key, e.g. 'allergies'.")
    value: Any = Field(default=None, description="Structured value, e.g. ['penicillin'].")
    category: str | None = None
    source: MemorySource = Field(default_factory=MemorySource)
    created_at: datetime
    updated_at: datetime
    last_accessed_at: datetime | None = None
    access_count: int = Field(default=0, ge=0)
    importance: float = Field(default=0.5, ge=0.0, le=1.0)
    status: MemoryStatus = MemoryStatus.ACTIVE
    superseded_by: str | None = Field(
        default=None,
        description="The newer memory that replaced this one: for a superseded fact, its "
        "successor; for an episode marked past (valid_until), the newer fact or turn that "
        "changed what it said (the episode itself stays active as evidence).",
    )
    expires_at: datetime | None = Field(
        default=None, description="After this time the memory is hidden from reads."
    )
    stated_at: datetime | None = Field(
        default=None,
        description="When the fact was said: the message's created_at, else the clock at add "
        "time. None only for records written before this field existed (created_at is used).",
    )
    valid_until: datetime | None = Field(
        default=None,
        description="When the fact stopped being true: the stated time of the fact that "
        "superseded or retracted it. None while it holds.",
    )
    event_start: date | None = Field(
        default=None,
        description="First day the fact is about (an exam on 2026-11-27, a trip in the week of "
        "...), resolved from absolute or relative dates in the text; None if it names none.",
    )
    event_end: date | None = Field(default=None, description="Last day the fact is about.")
    hash: str
    metadata: dict[str, Any] = Field(default_factory=dict)
    kind: MemoryKind = Field(
        default="fact",
        description="'fact': the current-truth layer (what extraction or the caller stated); "
        "'episode': a user turn kept verbatim by add(infer=True) as the evidence its facts "
        "were taken from.",
    )
    links: list[str] = Field(
        default_factory=list,
        description="For an episode, the facts taken from it; for a fact, the episodes it "
        "was taken from.",
    )
    follows: str | None = Field(
        default=None,
        description="An older memory of the same speaker about the same thing that this one "
        "likely updates, where the evidence was too weak to supersede it: search ranks this "
        "one above it and shows it as this hit's previous value.",
    )
    context: str | None = Field(
        default=None,
        description="The messages said just before the one this memory was taken from "
        "(ExtractionConfig.context_messages of them). Keyword search covers it, so an answer "
        "such as 'Yes, twice last year' is found by the words of the question it answered; it "
        "is never shown as the memory.",
    )

    def detached(self) -> MemoryRecord:
        """A copy that shares nothing mutable with this record: the same as
        ``model_copy(deep=True)``, at a fraction of its cost (only the containers are
        copied; strings, datetimes and the frozen scope are shared)."""
        return self.model_copy(
            update={
                "source": MemorySource(
                    role=self.source.role,
                    message_ids=list(self.source.message_ids),
                    name=self.source.name,
                ),
                "value": copy.deepcopy(self.value)
                if isinstance(self.value, list | dict)
                else self.value,
                "metadata": copy.deepcopy(self.metadata) if self.metadata else {},
                "links": list(self.links),
            }
        )

    def expired(self, now: datetime) -> bool:
        """True if ``expires_at`` is set and not after ``now``."""
        return self.expires_at is not None and self.expires_at <= now

    @property
    def keyword_text(self) -> str:
        """What keyword search matches: the text, then its context when there is one."""
        return keyword_text(self.text, self.context)

    def past(self, at: datetime) -> bool:
        """True if what this memory says stopped holding by ``at`` (``valid_until``): a
        superseded fact, or an episode one of whose facts was superseded since."""
        return self.valid_until is not None and self.valid_until <= at

    @property
    def said_at(self) -> datetime:
        """When the fact was stated (``stated_at``, else ``created_at``)."""
        return self.stated_at or self.created_at


class ScorePart(BaseModel):
    """One signal of a search score: its value in ``[0, 1]``, weight and contribution."""

    model_config = ConfigDict(defer_build=True)

    value: float
    weight: float
    contribution: float = Field(description="weight * value / total weight.")


class ScoreExplanation(BaseModel):
    """Why a hit scored what it did (``search(..., explain=True)``).

    ``score`` = sum of the parts' contributions = weighted mean of their values.
    ``retention`` is the memory's decayed strength (it is archived below the
    archive threshold); ``half_life_days`` the half-life it decays with.
    """

    model_config = ConfigDict(defer_build=True)

    parts: dict[str, ScorePart]
    retention: float
    half_life_days: float | None = Field(description="None: this memory never decays.")
    decay_class: str
    age_days: float = Field(description="Days since the fact was stated.")
    idle_days: float = Field(description="Days since the fact was last stated, used or due.")
    matched_terms: list[str] = Field(default_factory=list)

    def __str__(self) -> str:
        parts = " + ".join(
            f"{name} {p.value:.3f}x{p.weight:g}" for name, p in self.parts.items() if p.weight
        )
        return f"{parts} (retention {self.retention:.3f}, {self.decay_class})"


class MemoryHit(BaseModel):
    """One search result: the memory and its ranking score in ``[0, 1]``.

    ``score`` is the weighted mean of the ranking signals (see
    :mod:`~mem0_integrations.core.rank.ranking`); ``similarity`` the cosine
    similarity alone. ``explanation`` is set with ``search(..., explain=True)``.
    """

    model_config = ConfigDict(defer_build=True)

    id: str
    memory: str
    score: float = Field(ge=0.0, le=1.0)
    similarity: float = Field(default=0.0, ge=0.0, le=1.0)
    record: MemoryRecord
    explanation: ScoreExplanation | None = None
    current: bool = Field(
        default=True,
        description="False when what the hit says no longer holds at the search time: a "
        "superseded or retracted fact, or an episode whose facts were superseded since.",
    )
    previous: MemoryRecord | None = Field(
        default=None,
        description="An older memory of the scope about the same subject that this one is "
        "likely to replace, when the evidence was too weak to supersede it outright.",
    )

    @property
    def kind(self) -> MemoryKind:
        """``'fact'`` or ``'episode'`` (see :attr:`MemoryRecord.kind`)."""
        return self.record.kind

    @property
    def metadata(self) -> dict[str, Any]:
        """The caller's metadata of the memory."""
        return self.record.metadata

    @property
    def scope(self) -> Scope:
        """The scope the memory belongs to."""
        return self.record.scope


class MemoryEvent(BaseModel):
    """What one write did: the event type, the memory after and before it."""

    model_config = ConfigDict(defer_build=True)

    id: str
    event: EventType
    memory: str | None = Field(default=None, description="The memory text after the event.")
    previous_memory: str | None = Field(default=None, description="The text before the event.")
    record: MemoryRecord | None = None
    previous_record: MemoryRecord | None = None


class LLMUsage(BaseModel):
    """LLM traffic of one call: requests sent (retries and repairs included) and tokens.

    Token counts are what the server reported; a client that reports none counts 0.
    """

    model_config = ConfigDict(defer_build=True)

    calls: int = Field(default=0, ge=0)
    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)

    def __add__(self, other: LLMUsage) -> LLMUsage:
        return LLMUsage(
            calls=self.calls + other.calls,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


class QuarantinedItem(BaseModel):
    """Text kept aside instead of stored as a memory (an instruction, a link to follow);
    see :mod:`~mem0_integrations.core.extract.quarantine`. Never searched or returned as a
    memory."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    id: str
    text: str
    scope: Scope
    reason: str
    role: Role | None = None
    created_at: datetime


class SkippedFact(BaseModel):
    """A candidate that was not stored, and why (e.g. said by the assistant, an instruction)."""

    model_config = ConfigDict(defer_build=True)

    text: str
    reason: str
    role: Role | None = None


ExtractorName = Literal["verbatim", "facts", "offline", "llm", "offline-fallback"]


class AddResult(BaseModel):
    """The events of one :meth:`Memory.add` or :meth:`Memory.remember` call."""

    model_config = ConfigDict(defer_build=True)

    events: list[MemoryEvent] = Field(
        default_factory=list,
        description="What happened to the facts (the current-truth layer): ADD, UPDATE "
        "(a supersede or an edit), DELETE (a retraction) and NONE (a repeat, reinforced).",
    )
    episodes: list[MemoryEvent] = Field(
        default_factory=list,
        description="With infer=True, the turns kept verbatim as episodes: ADD for a new one, "
        "NONE for a turn stored before (ExtractionConfig.episodes).",
    )
    usage: LLMUsage = Field(default_factory=LLMUsage)
    skipped: list[SkippedFact] = Field(default_factory=list)
    extractor: ExtractorName | None = Field(
        default=None,
        description="What produced the facts: verbatim (infer=False), facts (remember), "
        "offline, llm, or offline-fallback (the LLM failed; the offline extractor ran).",
    )
    warnings: list[str] = Field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        """Ids of the memories the events are about, in order."""
        return [e.id for e in self.events]


class ConsolidationReport(BaseModel):
    """What one :meth:`Memory.consolidate` run changed (ids), and what it looked at."""

    model_config = ConfigDict(defer_build=True)

    scanned: int = 0
    archived: list[str] = Field(
        default_factory=list, description="Decayed below the archive threshold."
    )
    expired: list[str] = Field(default_factory=list, description="Past their expires_at.")
    merged: list[tuple[str, str]] = Field(
        default_factory=list,
        description="(kept id, superseded id) pairs of near duplicates merged into one.",
    )
    skipped: int = Field(default=0, description="Changed by another writer meanwhile; left.")

    @property
    def changed(self) -> int:
        """Number of memories changed."""
        return len(self.archived) + len(self.expired) + len(self.merged)


class HistoryEntry(BaseModel):
    """One event in the life of a memory, with full snapshots before and after."""

    model_config = ConfigDict(defer_build=True)

    id: str
    memory_id: str
    previous_memory_id: str | None = None
    event: EventType
    before: MemoryRecord | None = None
    after: MemoryRecord | None = None
    created_at: datetime
    seq: int = Field(
        default=0,
        description="Tie-breaker among events with the same created_at: wall-clock "
        "nanoseconds when written plus the event's position in its call.",
    )
    reason: str | None = None

    @property
    def old_memory(self) -> str | None:
        """The memory text before the event (Mem0's name)."""
        return self.before.text if self.before else None

    @property
    def new_memory(self) -> str | None:
        """The memory text after the event (Mem0's name)."""
        return self.after.text if self.after else None


def normalize_text(text: str) -> str:
    """The form used for exact-duplicate detection.

    Unicode NFKC, case folded, runs of whitespace collapsed, and trailing
    sentence punctuation dropped: "I like tea." and "i like  TEA" are the same.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _SPACES.sub(" ", folded).strip().rstrip(".!;").strip()


def content_hash(text: str) -> str:
    """sha256 hex digest of :func:`normalize_text`."""
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()
