"""The offline fact extractor: first-person statements -> keyed facts, no model, no network.

:class:`RuleExtractor` reads the messages of the given roles (``user`` by
default), splits them into sentences and clauses, and matches precompiled
regular expressions anchored on a first-person subject ("I", "I'm", "my", "we").

Keys (the merge layer relies on them): a bare name is a single-valued slot, so a
new value supersedes the old one; ``slot:item`` (lowercase, ``item`` in
snake_case) is one of many, so a new item adds and the same item supersedes.

Single-valued (category, example):

- ``name`` (identity): my name is Anna / call me Anna
- ``age`` (identity): I'm 34 / I just turned 30
- ``birthday`` (identity): my birthday is on March 3rd
- ``occupation`` (identity): I'm a nurse / I work as a chef / I'm retired
- ``employer`` (identity): I work at Google / I got a job at Acme
- ``work_field`` (identity): I work in marketing
- ``location`` (identity): I live in Paris / I moved to Lyon
- ``hometown`` (identity): I'm from Porto / I grew up in Ohio
- ``birth_year`` (identity): I was born in 1990
- ``relationship_status`` (identity): I'm married / we got engaged / I broke up
- ``education`` (identity): I graduated from MIT / I'm majoring in law
- ``diet`` (diet): I'm vegan / I went keto
- ``exercise_routine`` (habit): I run 5 km every morning / I started swimming
- ``address`` (identity): a street address ("I live at 12 Baker Street in London")

Multi-valued:

- ``family:<rel>[:<name>]`` (relations): I have a sister named Anna / I have two kids
- ``family:<rel>[:<name>]:<attr>`` (relations), attr ``location``, ``occupation``,
  ``employer`` or ``age``: my sister Anna lives in Rome
- ``contact:...`` (relations): the same for friend, boss, coworker, neighbour ...
- ``pet:<name or species>`` (pets): I have a dog named Max / we adopted a cat
- ``allergy:<item>``, ``condition:<item>``, ``injury:<body part>``,
  ``medication:<item>`` (health): I'm allergic to penicillin / I have asthma /
  I sprained my ankle / I take metformin
- ``avoids:<item>`` (diet): I don't eat pork / I gave up sugar
- ``preference:<item>``, ``favorite:<kind>``, ``uses:<item>`` (preference):
  I love coffee / my favorite food is lasagna / I switched from Windows to Linux
- ``habit:<item>`` (habit): I meditate every morning / I play guitar
- ``skill:<item>`` (skill): I'm learning Spanish / I can now play 3 songs on guitar
- ``goal:<item>`` (goal) and ``plan:<item>`` (plan): I want to run a marathon next
  year / I have an exam next Friday

Dates: relative expressions (today, tomorrow, yesterday, next/last/this week,
month, year, weekend or weekday, in N days/weeks/months/years, N ... ago, March
3rd, the 3rd of June, in June) resolve against the message time; keyed texts
carry the result ("Has an exam on 2024-05-17"), unkeyed texts keep the words and
add it in brackets.

Change: "used to X" is past, never a current fact (a multi-valued X is
retracted). "no longer", "don't ... anymore", "stopped", "quit", "gave up" and
"forget that/my ..." give ``action=DELETE`` candidates: ``text`` describes the
retracted fact, ``key`` names the slot, ``value`` is the retracted value when
the statement names it and ``None`` when it does not, so a merge layer can check
a single-valued slot before deleting it. A retraction no rule can key ("I no
longer eat meat") is a DELETE with ``key=None`` and text "Eats meat", plus an
ADD ``avoids:meat`` when the verb is eat or drink.

Dropped: questions, greetings and filler, hypotheticals ("if", "I'd", "I
wish", "maybe"), instructions ("always answer in French"), sentences near a
secret (password, API key, card number) and sentences without a first-person
subject. A lead that only sets a statement aside ("From now on I'm vegetarian",
"Never mind, I ...", "Ignore my typos, I ...", "Disregard what I said about Berlin,
I actually live in Munich") is dropped and the statement after it read. A
first-person statement that no rule keys is kept as an unkeyed fact
(``key=None``, category ``other``), verbatim but for leading interjections and
with relative dates resolved in brackets ("I went hiking yesterday (2023-05-07).")
only if it stands on its own: four words or more, at least three content words
(not feelings or praise), no "it/this photo/there/them" pointing back into the
talk, no "you", no reaction ("I'm so happy for you"). :func:`why_nothing` says, in
a short phrase, why a turn gave no fact.

Surface form: one pass (:mod:`.rules_normalize`) runs before any rule. It strips
emojis and decoration, restores "i" and apostrophe-less contractions ("ive", "im",
"dont"; "ill", "id", "its", "were" from context), drops a colon lead without a
first-person word ("Nicolas: I ...", "Big news: we ...", "that was a typo earlier:
I'm 24"), drops a correction's rejected value ("I'm 24, not 42" -> age 24),
capitalises the name after a slot cue in an all-lowercase message ("i live in
houston" -> Houston) and starts sentences with a capital. Per clause, a fronted
adverbial ("On weekends I ...", "Since 2019 I ...") is moved after the clause, so the
subject comes first and the meaning stays. "We" speaks for the user's household. A
correction that names no slot ("actually it's Berlin, not Munich") is an unkeyed
fact "Correction: Berlin, not Munich" that keeps both values for the merge layer.

Layout: vocabularies and the rule patterns are data (``_data/rules_*.txt``, read by
:mod:`.rules_vocab` and :mod:`.rules_table`); handlers live in :mod:`.rules_identity`
and :mod:`.rules_activity`, phrase helpers in :mod:`.rules_phrases`, retractions and
corrections in :mod:`.rules_retract`, sentences, filters and the unkeyed fallback in
:mod:`.rules_sentences`, the reasons of :func:`why_nothing` in :mod:`.rules_why`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import date, datetime

from ..models import EventType, MemorySource, Message
from .dates import context as _context
from .extraction import Candidate
from .rules_normalize import normalize
from .rules_phrases import _cap, _Fact
from .rules_retract import _correction, _flip, _retraction
from .rules_sentences import (
    _FIRST,
    _FORGET,
    _FORGET_SLOTS,
    _HYPO,
    _INSTRUCTION,
    _QUESTION,
    _SET_ASIDE,
    _TAG,
    _clauses,
    _fallback,
    _sentences,
    _strip_lead,
)
from .rules_table import _keyed
from .rules_vocab import _BAD_OBJECT
from .rules_why import EMPTY, sentence_reason
from .safety import contains_secret, instruction_reason

__all__ = ["RuleExtractor", "unextracted_reason", "why_nothing"]


def _forget(what: str, ref: date) -> list[_Fact]:
    what = what.strip()
    low = " ".join(what.lower().split())
    slot = _FORGET_SLOTS.get(re.sub(r"^(?:my|about\s+my)\s+", "", low))
    if slot:
        name = re.sub(r"^(?:my|about\s+my)\s+", "", what, flags=re.I)
        return [_Fact(_cap(name), key, None, "identity", delete=True) for key in slot]
    if _BAD_OBJECT.fullmatch(low) or low in {"everything", "all of it", "all that", "it all"}:
        return []
    if not _FIRST.match(what):
        return []
    facts = _flip([f for c, said in _clauses(what) for f in _keyed(c, _context(said, ref))])
    if facts:
        return facts
    return [_Fact(_cap(what), None, None, "other", delete=True)]


def _set_aside(sentence: str) -> str:
    """``sentence`` without a lead that only sets a statement aside (see
    :data:`_SET_ASIDE`), unless the sentence is an instruction to the assistant."""
    m = _SET_ASIDE.match(sentence)
    if m is None or instruction_reason(sentence) is not None:
        return sentence
    rest = sentence[m.end() :]
    return rest[:1].upper() + rest[1:]


def _sentence_facts(sentence: str, ref: date) -> list[_Fact]:
    if contains_secret(sentence):
        return []
    sentence = _set_aside(sentence)
    lead = _strip_lead(sentence)
    m = _FORGET.match(lead)
    if m:
        return _forget(m.group("x"), ref)
    if sentence.endswith("?"):
        tag = _TAG.search(sentence)
        if not tag:
            return []
        sentence = sentence[: tag.start()]
        lead = _strip_lead(sentence)
    if _QUESTION.match(lead) or _INSTRUCTION.match(lead):
        return []
    facts: list[_Fact] = []
    clauses = list(_clauses(sentence))
    for clause, said in clauses:
        if _HYPO.search(said):
            continue
        ctx = _context(said, ref)
        retracted = _retraction(clause, ctx)
        facts.extend(_keyed(clause, ctx) if retracted is None else retracted)
    facts = facts or _correction(sentence)
    if facts:
        return facts
    fallback = _fallback(sentence, clauses, _context(sentence, ref))
    return [fallback] if fallback else []


def _facts(content: str, ref: date) -> list[_Fact]:
    seen: set[tuple[str, str | None, bool]] = set()
    out: list[_Fact] = []
    for sentence in _sentences(normalize(content)):
        for fact in _sentence_facts(sentence, ref):
            mark = (fact.text, fact.key, fact.delete)
            if mark not in seen:
                seen.add(mark)
                out.append(fact)
    return out


def why_nothing(text: str, *, now: datetime | None = None) -> str | None:
    """Why ``text`` (one user turn) yields no fact, or ``None`` when it yields one.

    The reason is short and readable ("a question, not a statement", "only a greeting,
    thanks or small talk", "no statement about the speaker (...)", "hypothetical or
    uncertain (...)", "too short to stand on its own", ...); for several sentences the
    distinct reasons are joined with "; " in order. ``now`` resolves relative dates
    (only whether a fact comes out matters here); it defaults to today.
    """
    ref = (now or datetime.now()).date()
    return None if _facts(text, ref) else unextracted_reason(text)


def unextracted_reason(text: str) -> str:
    """Why ``text``, which the extractor already gave no fact, gave none (see
    :func:`why_nothing`, which extracts first)."""
    sentences = [s for s in _sentences(normalize(text)) if any(ch.isalnum() for ch in s)]
    if not sentences:
        return EMPTY
    return "; ".join(dict.fromkeys(sentence_reason(s) for s in sentences))


class RuleExtractor:
    """Turns first-person statements in messages into keyed facts; no model, no network.

    Only messages whose role is in ``roles`` are read (``user`` by default: what
    an assistant, tool or system says is never a fact about the user). See the
    module docstring for the keys, the change patterns and what is dropped.
    """

    def __init__(self, *, roles: Collection[str] = ("user",)) -> None:
        self._roles = frozenset(roles)

    def extract(self, messages: Sequence[Message], *, now: datetime) -> list[Candidate]:
        """Candidate facts in order of appearance.

        Relative dates ("next Friday") resolve against each message's
        ``created_at``, or ``now`` when it has none; ``stated_at`` is the
        message's ``created_at``.
        """
        out: list[Candidate] = []
        for index, msg in enumerate(messages):
            if msg.role not in self._roles:
                continue
            ref = (msg.created_at or now).date()
            ids = [msg.id] if msg.id else []
            for fact in _facts(msg.content, ref):
                out.append(
                    Candidate(
                        text=fact.text,
                        source=MemorySource(role=msg.role, message_ids=list(ids), name=msg.name),
                        key=fact.key,
                        value=fact.value,
                        category=fact.category,
                        action=EventType.DELETE if fact.delete else EventType.ADD,
                        stated_at=msg.created_at,
                        origin=index,
                    )
                )
        return out
