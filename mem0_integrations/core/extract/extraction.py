"""From messages to candidate facts: input validation and the offline extractor.

Everything here is pure: no store, no clock, no network.

The keyed offline extractor lives in :mod:`.rules`, the LLM one in
:mod:`.llm_extractor`; :func:`statements` is the cheap gate that decides
whether a turn says anything an extractor could use.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from ..config import LimitsConfig
from ..errors import InvalidInputError
from ..models import EventType, MemoryKind, MemorySource, Message, is_unicode_text
from ..store.codec import dumps
from ..vocab import data_sections

__all__ = [
    "CATEGORIES",
    "Candidate",
    "asks_the_assistant",
    "check_text",
    "episode_candidates",
    "fact_candidates",
    "not_an_episode",
    "parse_messages",
    "render_fact",
    "statements",
    "verbatim_candidates",
]


#: The categories every extractor uses: the offline rules and the LLM (its schema's enum).
CATEGORIES: tuple[str, ...] = (
    "identity",
    "relations",
    "pets",
    "health",
    "diet",
    "preference",
    "habit",
    "skill",
    "goal",
    "plan",
    "event",
    "other",
)


@dataclass(frozen=True)
class Candidate:
    """A fact proposed for storage, before merging with what is known.

    ``action`` is what the proposer wants: ``ADD`` (the merge layer may still
    turn it into NONE or UPDATE), ``DELETE`` for a retraction ("I no longer eat
    meat": ``text`` describes what is retracted, ``key`` names the slot when
    known), and, from an LLM only, ``UPDATE``/``DELETE``/``NONE`` of the stored
    memory ``target`` (an id the LLM was shown).

    ``key`` follows one convention everywhere: a single-valued slot is a bare
    name (``location``, ``occupation``, ``diet``), a multi-valued one is
    ``slot:item`` (``pet:max``, ``allergy:penicillin``, ``preference:coffee``),
    so a new pet adds and a new home city supersedes.
    """

    text: str
    source: MemorySource = field(default_factory=MemorySource)
    key: str | None = None
    value: Any = None
    category: str | None = None
    action: EventType = EventType.ADD
    target: str | None = None
    stated_at: datetime | None = None
    """When the fact was said (the message time), if the message carried one."""
    context: str | None = None
    """The messages just before the fact's message, for keyword search."""
    kind: MemoryKind = "fact"
    """``"episode"``: a turn kept verbatim as evidence (see :func:`episode_candidates`)."""
    origin: int | None = None
    """Index, in the ``add`` call's messages, of the message the fact was taken from
    (None when the extractor read several, e.g. an LLM)."""


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
    return MemorySource(role=msg.role, message_ids=[msg.id] if msg.id else [], name=msg.name)


#: Longest keyword context kept for one memory, in characters (its most recent part).
MAX_CONTEXT_CHARS = 2000


def verbatim_candidates(messages: Sequence[Message], context: int = 0) -> list[Candidate]:
    """``infer=False``: every non-system message, verbatim.

    When the call is a conversation (its messages come from more than one speaker:
    role, and ``name`` when given), each keeps up to ``context`` non-system messages
    said just before it as its keyword context (:attr:`MemoryRecord.context`). A list
    from one speaker is a list of separate statements: no context.
    """
    said = [m for m in messages if m.role != "system"]
    if len({(m.role, m.name) for m in said}) < 2:
        context = 0
    out: list[Candidate] = []
    for i, m in enumerate(said):
        before = "\n".join(p.content.strip() for p in said[max(0, i - context) : i])
        out.append(
            Candidate(
                text=m.content.strip(),
                source=_source(m),
                stated_at=m.created_at,
                context=before[-MAX_CONTEXT_CHARS:] or None,
            )
        )
    return out


def episode_candidates(
    messages: Sequence[Message], roles: Collection[str], context: int = 0
) -> tuple[list[Candidate], list[str]]:
    """``infer=True``: every message of ``roles`` kept verbatim as an episode.

    An episode is the evidence layer beside the extracted facts: the turn as said,
    who said it (``"Name: text"`` when the message has a ``name``), when (its
    ``created_at``) and, as keyword context, up to ``context`` non-system messages
    said before it. ``origin`` is the message's index in ``messages``, so the facts
    taken from the same message link to it. A turn :func:`not_an_episode` gives a
    reason for is left out, and the second list says why (one note per such turn).
    """
    said = [(i, m) for i, m in enumerate(messages) if m.role != "system"]
    out: list[Candidate] = []
    notes: list[str] = []
    for n, (i, m) in enumerate(said):
        if m.role not in roles:
            continue
        if why := not_an_episode(m.content):
            notes.append(f"Message {i} was not kept verbatim as an episode: {why}.")
            continue
        before = "\n".join(_spoken(p) for _, p in said[max(0, n - context) : n])
        out.append(
            Candidate(
                text=_spoken(m),
                source=_source(m),
                stated_at=m.created_at,
                context=before[-MAX_CONTEXT_CHARS:] or None,
                kind="episode",
                origin=i,
            )
        )
    return out, notes


@functools.cache
def _request_words() -> dict[str, re.Pattern[str]]:
    def phrase(words: str) -> str:
        return r"\s+".join(map(re.escape, words.split()))

    return {
        k: re.compile(r"\b(?:" + "|".join(map(phrase, v)) + r")\b", re.I)
        for k, v in data_sections(__package__, "memory_requests.txt").items()
    }


def asks_the_assistant(text: str) -> bool:
    """True if ``text`` reads as a standing request to the assistant or its memory
    ("from now on the assistant ...", "remember that forever", "save these rules"), not
    as something the speaker says about their life: it names the assistant and a time
    beyond this turn, or asks to keep something (standing, naming the assistant, or as
    an imperative). "You" alone does not count: people say it to each other (on
    LOCOMO, counting it dropped turns worth 1.3 points of recall@10 and caught no
    further attack). Such a turn is not kept verbatim as an episode.
    """
    words = _request_words()
    text = text.replace("\u2019", "'")
    standing = words["standing"].search(text) is not None
    named = words["assistant"].search(text) is not None
    if named and standing:
        return True
    if not any(
        not _SPEAKERS_OWN.search(text, 0, m.start()) for m in words["persist"].finditer(text)
    ):
        return False
    return standing or named or _IMPERATIVE.search(text) is not None


# A persist verb whose subject is the speaker ("I'll always remember", "we store the bikes
# in the shed") is about the speaker's own memory or habits, not a request to keep
# something; searched for as the words right before the verb (endpos = the verb's start).
_SPEAKERS_OWN = re.compile(
    r"\b(?:i|we)(?:'ll|'d|'ve|\s+(?:will|would|can|could|do|did|must|should|have|had|to))?"
    r"(?:\s+(?:always|never|still|also|just|really|definitely|totally|often|usually|ever))*"
    r"\s+$",
    re.I,
)


_IMPERATIVE = re.compile(
    r"(?:^|[.!?:;]\s+|\b(?:please|pls|plz|kindly)\s+)(?:remember|save|store|note|memori[sz]e)\b",
    re.I,
)


def not_an_episode(text: str) -> str | None:
    """Why a turn is not kept verbatim as an episode, or None if it is."""
    if asks_the_assistant(text):
        return (
            "it reads as a standing request to the assistant or its memory (facts taken "
            "from it were screened as usual)"
        )
    if _only_asks(text):
        return "it only asks questions"
    return None


def _only_asks(text: str) -> bool:
    """True if every sentence of ``text`` is a question: it states nothing to keep (its
    words stay the keyword context of the answer that follows)."""
    parts = [p.strip() for p in _SENTENCE.split(text) if p.strip()]
    return bool(parts) and all(p.endswith("?") for p in parts)


def _spoken(msg: Message) -> str:
    """A message's text with its speaker's name in front when it has one."""
    text = msg.content.strip()
    return f"{msg.name}: {text}" if msg.name else text


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
    if not is_unicode_text(text):
        raise InvalidInputError(
            f"{what} holds a lone surrogate character, so it is not valid Unicode text; decode "
            "the bytes it came from correctly (e.g. errors='replace')."
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
#: A subject or possessive first person: "me" and "us" alone ("thanks for showing us")
#: do not make a statement about the speaker.
_FIRST_PERSON = re.compile(r"\b(i|i'm|i've|i'd|i'll|im|my|we|we're|we've|our)\b", re.I)
_FILLER = re.compile(
    r"^(hi|hello|hey|thanks|thank you|ok|okay|sure|yes|no|bye|good (morning|night|evening))\b"
    r"[\s,.!]*$",
    re.I,
)


def statements(messages: Sequence[Message], roles: Collection[str] = ("user",)) -> list[str]:
    """The sentences of ``roles`` messages that state something (a gate, not an extractor).

    Questions, greetings, thanks and fragments of fewer than three words are
    dropped, and so are sentences with no first-person subject or possessive.
    A turn with no statement (and no fact the offline rules found) has nothing
    for an LLM to extract, so it costs no call.
    """
    out: list[str] = []
    for msg in messages:
        if msg.role not in roles:
            continue
        for sentence in _SENTENCE.split(msg.content):
            text = sentence.strip()
            if _is_statement(text):
                out.append(text)
    return out


def _is_statement(text: str) -> bool:
    if not text or text.endswith("?") or _FILLER.match(text):
        return False
    return len(text.split()) >= 3 and bool(_FIRST_PERSON.search(text))
