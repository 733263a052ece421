"""From messages to candidate facts: input validation and the offline extractor.

Everything here is pure: no store, no clock, no network.

The offline extractor in this module is deliberately small and honest: it keeps
the first-person statements a user makes ("I'm allergic to penicillin", "My
sister lives in Rome") and drops questions, greetings and filler. It does not
rewrite sentences into keyed facts; the LLM extractor and the richer rule set
come with the extraction work that builds on this core.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from .codec import dumps
from .config import LimitsConfig
from .errors import InvalidInputError
from .models import MemorySource, Message

__all__ = [
    "Candidate",
    "OfflineExtractor",
    "check_text",
    "fact_candidates",
    "parse_messages",
    "render_fact",
    "verbatim_candidates",
]


@dataclass(frozen=True)
class Candidate:
    """A fact proposed for storage, before merging with what is known."""

    text: str
    source: MemorySource = field(default_factory=MemorySource)
    key: str | None = None
    value: Any = None
    category: str | None = None


def parse_messages(messages: Any, limits: LimitsConfig) -> list[Message]:
    """Validate ``str | dict | Message | list of those`` into messages.

    Raises :class:`InvalidInputError` for wrong types, empty or oversized
    content and too many messages, before anything is written.
    """
    if isinstance(messages, (str, Mapping, Message)):
        items: Sequence[Any] = [messages]
    elif isinstance(messages, Sequence) and not isinstance(messages, (bytes, bytearray)):
        items = messages
    else:
        raise InvalidInputError(
            f"messages must be a string, a {{'role', 'content'}} dict, or a list of them; got "
            f"{type(messages).__name__}."
        )
    if not items:
        raise InvalidInputError("messages is empty. Pass at least one message or a string.")
    if len(items) > limits.max_messages:
        raise InvalidInputError(
            f"{len(items)} messages in one call; the limit is {limits.max_messages} "
            "(LimitsConfig.max_messages). Split the conversation into several add() calls."
        )
    parsed = [_one_message(i, item) for i, item in enumerate(items)]
    for i, msg in enumerate(parsed):
        check_text(msg.content, f"Message {i} content", limits.max_text_chars)
    return parsed


def _one_message(index: int, item: Any) -> Message:
    if isinstance(item, Message):
        return item
    if isinstance(item, str):
        return Message(role="user", content=item)
    if isinstance(item, Mapping):
        try:
            return Message.model_validate(dict(item))
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "message"
            raise InvalidInputError(
                f"Message {index} is invalid at {where!r}: {first['msg']}. Expected "
                "{'role': 'user'|'assistant'|'system'|'tool', 'content': '...'}."
            ) from e
    raise InvalidInputError(
        f"Message {index} is a {type(item).__name__}; pass a string or a "
        "{'role': ..., 'content': ...} dict."
    )


def _source(msg: Message) -> MemorySource:
    return MemorySource(role=msg.role, message_ids=[msg.id] if msg.id else [])


def verbatim_candidates(messages: Sequence[Message]) -> list[Candidate]:
    """``infer=False``: every non-system message, verbatim."""
    return [
        Candidate(text=m.content.strip(), source=_source(m)) for m in messages if m.role != "system"
    ]


def check_text(text: Any, what: str, max_chars: int) -> str:
    """``text`` stripped, or :class:`InvalidInputError` if it is not a non-empty string
    of at most ``max_chars`` characters."""
    if not isinstance(text, str):
        raise InvalidInputError(f"{what} must be a string, got {type(text).__name__}.")
    if not text.strip():
        raise InvalidInputError(f"{what} is empty. Pass some text.")
    if len(text) > max_chars:
        raise InvalidInputError(
            f"{what} is {len(text)} characters; the limit is {max_chars} "
            "(LimitsConfig.max_text_chars)."
        )
    return text.strip()


def fact_candidates(facts: Any, *, category: str | None, limits: LimitsConfig) -> list[Candidate]:
    """Validate ``{key: value}`` facts into keyed candidates (for ``Memory.remember``)."""
    if not isinstance(facts, Mapping) or not facts:
        raise InvalidInputError(
            "facts must be a non-empty dict such as {'allergies': ['penicillin']}."
        )
    if category is not None and (not isinstance(category, str) or not category.strip()):
        raise InvalidInputError(f"category must be a non-empty string, got {category!r}.")
    return [_fact(key, value, category, limits) for key, value in facts.items()]


def _fact(key: Any, value: Any, category: str | None, limits: LimitsConfig) -> Candidate:
    if not isinstance(key, str) or not key.strip() or key != key.strip() or len(key) > 128:
        raise InvalidInputError(
            f"Fact key {key!r} must be a non-empty string of at most 128 characters without "
            "surrounding spaces, e.g. 'allergies'."
        )
    if value is None or value == "" or value == [] or value == {}:
        raise InvalidInputError(
            f"Fact {key!r} has no value. To remove a fact, delete its memory by id."
        )
    try:
        dumps(value)
    except (TypeError, ValueError) as e:
        raise InvalidInputError(
            f"Fact {key!r}: the value must be JSON-serialisable (str, numbers, bools, lists, "
            f"dicts): {e}."
        ) from e
    text = check_text(render_fact(key, value), f"fact {key!r}", limits.max_text_chars)
    return Candidate(
        text=text, source=MemorySource(role="user"), key=key, value=value, category=category
    )


def render_fact(key: str, value: Any) -> str:
    """Readable text of a keyed fact: ``allergies: penicillin, latex``."""
    if isinstance(value, (list, tuple)):
        shown = ", ".join(str(v) for v in value)
    elif isinstance(value, Mapping):
        shown = ", ".join(f"{k}={v}" for k, v in value.items())
    else:
        shown = str(value)
    return f"{key.replace('_', ' ')}: {shown}"


_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_FIRST_PERSON = re.compile(r"\b(i|i'm|i've|i'd|i'll|im|my|mine|me|myself|we|our|us)\b", re.I)
_FILLER = re.compile(
    r"^(hi|hello|hey|thanks|thank you|ok|okay|sure|yes|no|bye|good (morning|night|evening))\b"
    r"[\s,.!]*$",
    re.I,
)


class OfflineExtractor:
    """Keeps the user's first-person statements as facts; no model, no network.

    Only ``user`` messages are read: what an assistant, tool or system says is
    never stored as a fact about the user. Questions, greetings and fragments
    of fewer than three words are dropped.
    """

    min_words = 3

    def extract(self, messages: Sequence[Message]) -> list[Candidate]:
        """Candidate facts from the user's messages, in order of appearance."""
        out: list[Candidate] = []
        for msg in messages:
            if msg.role != "user":
                continue
            for sentence in _SENTENCE.split(msg.content):
                text = sentence.strip()
                if self._is_fact(text):
                    out.append(Candidate(text=text, source=_source(msg)))
        return out

    def _is_fact(self, text: str) -> bool:
        if not text or text.endswith("?") or _FILLER.match(text):
            return False
        return len(text.split()) >= self.min_words and bool(_FIRST_PERSON.search(text))
