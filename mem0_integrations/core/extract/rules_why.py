"""Why a sentence gave the rule extractor no fact: one short reason, from the same
filters that dropped it (see :func:`.rules.why_nothing`)."""

from __future__ import annotations

import re

from .rules_sentences import (
    _ABOUT_ME,
    _FIRST,
    _HYPO,
    _INSTRUCTION,
    _QUESTION,
    _REACTION,
    _SECOND_PERSON,
    _TAG,
    _clauses,
    _content_words,
    _strip_lead,
    _unresolved,
)
from .rules_vocab import words
from .safety import contains_secret

_SPEAKER = re.compile(r"\b(?:i|i'm|i've|i'd|i'll|me|my|we|we're|our)\b", re.I)

SECRET = "looks like a secret (a password, key or card number), so it is not kept"
QUESTION = "a question, not a statement"
INSTRUCTION = "an instruction to the assistant, not a fact about the speaker"
SMALL_TALK = "only a greeting, thanks or small talk"
NOT_ABOUT_SPEAKER = "no statement about the speaker (no I, my or we as its subject)"
HYPOTHETICAL = "hypothetical or uncertain (if, maybe, would, might)"
REACTION = "a reaction to the other person, not a fact about the speaker"
TOO_SHORT = "too short to stand on its own"
UNRESOLVED = "points back at something it does not name (it, this, there, them)"
TOO_VAGUE = "a statement about the speaker that no rule recognises and that says too little"
EMPTY = "empty: no words, only emojis or punctuation"


def sentence_reason(sentence: str) -> str:
    """The reason one sentence gave no fact, checked in the order the extractor drops."""
    if contains_secret(sentence):
        return SECRET
    if sentence.endswith("?") and not _TAG.search(sentence):
        return QUESTION
    lead = _strip_lead(sentence)
    if _QUESTION.match(lead):
        return QUESTION
    if _INSTRUCTION.match(lead):
        return INSTRUCTION
    if not lead.strip(" .!,") or (
        _content_words(_unchatty(lead)) == 0 and not _SPEAKER.search(lead)
    ):
        return SMALL_TALK
    return _clause_reason(sentence)


def _unchatty(text: str) -> str:
    """``text`` without the words of greetings, thanks and filler."""
    small = words("small_talk")
    return " ".join(w for w in text.split() if w.strip(".,!?;:").lower() not in small)


def _clause_reason(sentence: str) -> str:
    mine = [
        (clause, said)
        for clause, said in _clauses(sentence)
        if _FIRST.match(clause) or _ABOUT_ME.match(clause)
    ]
    if not mine:
        hypothetical = _HYPO.search(sentence) and _SPEAKER.search(sentence)
        return HYPOTHETICAL if hypothetical else NOT_ABOUT_SPEAKER
    if all(_HYPO.search(said) for _, said in mine):
        return HYPOTHETICAL
    if all(_REACTION.match(c) or _SECOND_PERSON.search(s) for c, s in mine):
        return REACTION
    if len(sentence.split()) < 4:
        return TOO_SHORT
    if _unresolved(_strip_lead(sentence)):
        return UNRESOLVED
    return TOO_VAGUE
