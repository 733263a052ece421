"""One LLM call per turn: extract the facts *and* decide how each merges.

Mem0's classic pipeline asks the model twice per turn (extract facts, then
decide ADD/UPDATE/DELETE against the similar memories). Here one prompt holds
the new messages and the most similar stored memories of the same scope,
numbered 1..N (short integers: models copy them reliably, unlike UUIDs), and
the reply carries, for each fact, its action and the number it refers to.

The reply is validated as a whole before anything is stored: an action that
names a number that was not offered, a message number out of range, or a
missing fact text make the whole reply invalid (one repair is asked for, see
:func:`~mem0_integrations.core.completion.complete_json`); a fact attributed to a
message whose role may not give facts is skipped, not stored.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from ..completion import RetryPolicy, complete_json
from ..llm import LLM
from ..models import EventType, LLMUsage, MemoryRecord, MemorySource, Message, SkippedFact
from .extraction import CATEGORIES, Candidate

__all__ = ["LLMExtractor", "fact_schema"]


#: Longest fact text; also in the schema, so a grammar-constrained server cannot loop
#: inside one string until max_tokens (small models do).
_MAX_FACT_CHARS = 200
_KEY_CLEAN = re.compile(r"[^a-z0-9_:]+")

_SYSTEM = """You keep a long-term memory about a user. Read the new messages and list the facts \
worth remembering about the user: identity, family and friends, pets, preferences and dislikes, \
health, medications, diet, habits, plans and goals (with dates), skills, notable events.
Compare each fact with the stored memories (numbered) and choose an action:
- ADD: a new fact; id 0.
- UPDATE: the fact replaces stored memory id (a changed value or more detail).
- DELETE: the user retracted stored memory id ("I no longer ...", "forget ...") and nothing \
replaces it.
- NONE: stored memory id already says this.
Rules: only what the user says about themselves (messages marked "context" are for \
understanding only). Never store questions, greetings, instructions to the assistant, \
passwords or other secrets. Write each fact as a short phrase without "User" or "I", e.g. \
"Lives in Paris", "Allergic to penicillin". key: a snake_case slot, one value per slot \
(location, occupation, employer, diet) or slot:item when several can coexist (pet:max, \
allergy:penicillin, preference:coffee); "" if none fits. Resolve relative dates against the \
message date and write them as YYYY-MM-DD. message: the number of the message the fact \
comes from. Reply with JSON only, {"facts": []} when there is nothing to remember:
{"facts": [{"action": "ADD", "id": 0, "fact": "...", "key": "...", "category": "...", \
"message": 1}]}"""


def fact_schema(max_facts: int) -> dict[str, Any]:
    """The JSON schema of the reply, bounded by ``maxItems`` and ``maxLength``.

    Servers that enforce schemas with a grammar (llama.cpp, vLLM, Ollama) keep a
    small model from looping; a server that refuses a keyword makes
    :class:`~mem0_integrations.core.llm.OpenAILLM` fall back to ``json_object``.
    """
    item = {
        "type": "object",
        "properties": {
            "action": {"type": "string", "enum": ["ADD", "UPDATE", "DELETE", "NONE"]},
            "id": {"type": "integer", "minimum": 0},
            "fact": {"type": "string", "maxLength": _MAX_FACT_CHARS},
            "key": {"type": "string", "maxLength": 64},
            "category": {"type": "string", "enum": list(CATEGORIES)},
            "message": {"type": "integer", "minimum": 1},
        },
        "required": ["action", "id", "fact", "key", "category", "message"],
        "additionalProperties": False,
    }
    return {
        "title": "facts",
        "type": "object",
        "properties": {"facts": {"type": "array", "items": item, "maxItems": max_facts}},
        "required": ["facts"],
        "additionalProperties": False,
    }


_ACTIONS = frozenset({"ADD", "UPDATE", "DELETE", "NONE"})


class LLMExtractor:
    """Builds the one prompt of a turn, calls the LLM and turns the reply into candidates."""

    def __init__(
        self,
        llm: LLM,
        *,
        fact_roles: Collection[str] = ("user",),
        max_facts: int = 10,
        max_tokens: int = 1024,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.llm = llm
        self.fact_roles = frozenset(fact_roles)
        self.max_facts = max_facts
        self.max_tokens = max_tokens
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._rng = rng

    def shown(self, messages: Sequence[Message]) -> list[Message]:
        """The messages the prompt lists: fact roles, plus assistant turns as context."""
        return [m for m in messages if m.role in self.fact_roles or m.role == "assistant"]

    def prompt(
        self, messages: Sequence[Message], offered: Sequence[MemoryRecord], now: datetime
    ) -> list[dict[str, str]]:
        """The chat messages of the one request for this turn."""
        lines = [f"Today: {now.date().isoformat()}", "Stored memories:"]
        if offered:
            for n, record in enumerate(offered, 1):
                key = f" (key: {record.key})" if record.key else ""
                lines.append(f"{n}. {record.text}{key}")
        else:
            lines.append("(none)")
        lines.append("New messages:")
        for n, msg in enumerate(self.shown(messages), 1):
            when = (msg.created_at or now).date().isoformat()
            role = msg.role if msg.role in self.fact_roles else f"{msg.role}, context"
            lines.append(f"[{n}] {role}, {when}: {msg.content}")
        return [
            {"role": "system", "content": _SYSTEM},
            {"role": "user", "content": "\n".join(lines)},
        ]

    def extract(
        self, messages: Sequence[Message], offered: Sequence[MemoryRecord], now: datetime
    ) -> tuple[list[Candidate], list[SkippedFact], LLMUsage]:
        """Candidates (with actions and targets) for this turn, skipped facts, and usage.

        Raises :class:`~mem0_integrations.ExtractionError` when the LLM fails after
        retries or its reply stays invalid after one repair.
        """
        shown = self.shown(messages)
        parse = _Decoder(shown, offered, self.fact_roles, self.max_facts)
        (candidates, skipped), usage = complete_json(
            self.llm,
            self.prompt(messages, offered, now),
            schema=fact_schema(self.max_facts),
            validate=parse,
            max_tokens=self.max_tokens,
            retry=self.retry,
            sleep=self._sleep,
            rng=self._rng,
        )
        return candidates, skipped, usage


class _Decoder:
    """Validates a parsed reply into candidates; raises ValueError on anything invalid."""

    def __init__(
        self,
        shown: Sequence[Message],
        offered: Sequence[MemoryRecord],
        fact_roles: Collection[str],
        max_facts: int,
    ) -> None:
        self.shown = shown
        self.offered = offered
        self.fact_roles = fact_roles
        self.max_facts = max_facts

    def __call__(self, reply: Any) -> tuple[list[Candidate], list[SkippedFact]]:
        if isinstance(reply, list):
            reply = {"facts": reply}
        if not isinstance(reply, Mapping) or not isinstance(reply.get("facts"), list):
            raise ValueError('The reply must be a JSON object {"facts": [...]}.')
        facts = reply["facts"]
        if len(facts) > self.max_facts:
            raise ValueError(f"{len(facts)} facts; at most {self.max_facts} are allowed.")
        candidates: list[Candidate] = []
        skipped: list[SkippedFact] = []
        targets: dict[str, str] = {}
        for n, item in enumerate(facts, 1):
            cand = self._one(n, item)
            if cand.target is not None:
                if cand.target in targets and targets[cand.target] != cand.action:
                    raise ValueError(
                        f"Fact {n} gives stored memory {item['id']} a second, different action."
                    )
                targets[cand.target] = cand.action
            if cand.source.role not in self.fact_roles:
                skipped.append(
                    SkippedFact(
                        text=cand.text,
                        reason=f"said by the {cand.source.role}; only "
                        f"{', '.join(sorted(self.fact_roles))} messages give facts",
                        role=cand.source.role,
                    )
                )
                continue
            candidates.append(cand)
        return candidates, skipped

    def _one(self, n: int, item: Any) -> Candidate:
        if not isinstance(item, Mapping):
            raise ValueError(f"Fact {n} is not an object.")
        action = str(item.get("action", "")).strip().upper()
        if action not in _ACTIONS:
            raise ValueError(
                f"Fact {n} has action {item.get('action')!r}; use ADD, UPDATE, DELETE or NONE."
            )
        event = EventType(action)
        text = item.get("fact")
        text = text.strip() if isinstance(text, str) else ""
        if event in (EventType.ADD, EventType.UPDATE) and not text:
            raise ValueError(f"Fact {n} ({action}) has no fact text.")
        if len(text) > _MAX_FACT_CHARS:
            raise ValueError(f"Fact {n} is {len(text)} characters; keep facts short.")
        target: str | None = None
        if event is not EventType.ADD:
            number = item.get("id")
            if (
                isinstance(number, bool)
                or not isinstance(number, int)
                or not (1 <= number <= len(self.offered))
            ):
                offered = f"1 to {len(self.offered)}" if self.offered else "none were offered"
                raise ValueError(
                    f"Fact {n} ({action}) refers to stored memory id {number!r}, which was not "
                    f"offered ({offered})."
                )
            record = self.offered[number - 1]
            target = record.id
            text = text or record.text
        message = item.get("message")
        if (
            isinstance(message, bool)
            or not isinstance(message, int)
            or not (1 <= message <= len(self.shown))
        ):
            raise ValueError(
                f"Fact {n} names message {message!r}; messages are numbered 1 to {len(self.shown)}."
            )
        msg = self.shown[message - 1]
        key = _KEY_CLEAN.sub("_", str(item.get("key") or "").strip().lower()).strip("_:")
        category = item.get("category")
        return Candidate(
            text=text,
            source=MemorySource(role=msg.role, message_ids=[msg.id] if msg.id else []),
            key=key[:128] or None,
            category=category if isinstance(category, str) and category in CATEGORIES else None,
            action=event,
            target=target,
            stated_at=msg.created_at,
        )
