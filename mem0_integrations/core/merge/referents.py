"""What a newer statement changes: the older memory it refers back to.

A statement that says something changed ("switched to ...", "Marco and I broke up",
"sold the civic", "actually ...") is about something said before, whether or not the
two were given the same structured key. This module finds that older memory from
structure, not from wordings of particular facts:

* the statement carries a *change cue*: a word of the closed class of verbs and
  adverbs of change, ending and correcting (``_data/change_cues.txt``);
* the older memory is by the same speaker (role and name), stated before it;
* the two are about the same thing: the cosine similarity of their vectors, raised
  by each *distinctive* word they share (a name or number: capitalised inside a
  sentence, or holding a digit) and, less, by shared content words (neither
  function words, ``_data/function_words.txt``, nor shorter than four letters).

The best older memory at or above the threshold is the referent. Pure functions:
the caller passes the older memories with their similarity and applies the result
(:func:`~.merging.plan_add` retracts a referent fact nothing replaced and marks a
referent episode as past).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..extract.extraction import Candidate
from ..models import MemoryRecord, MemoryStatus, content_hash
from ..vocab import data_lines

__all__ = ["ReferRules", "affinity", "follows", "has_change_cue", "referents"]

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n)\W*$")
_INFLECT = r"(?:s|es|ed|d|ing)?"
# Who is speaking or spoken to is not what a statement is about: a "Name:" speaker prefix,
# and a name used as a vocative (set off by a comma or after a greeting, and followed by
# punctuation: "Thanks, Mia!", "Hey Jon!", "Wow, Ana, that's great").
_SPEAKER = re.compile(r"^\s*[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?:\s+")
_VOCATIVE = re.compile(
    r"(?P<pre>,\s*|\b(?:[Hh]ey|[Hh]i|[Hh]ello|[Yy]o|[Dd]ear|[Tt]hanks|[Cc]ongrats|[Bb]ye)\s+)"
    r"[A-Z][\w'-]*(?=\s*[,!?.])"
)


def _lines(name: str) -> list[str]:
    return data_lines(__package__, name)


@functools.cache
def _cues() -> re.Pattern[str]:
    alternatives = []
    for cue in _lines("change_cues.txt"):
        words = [re.escape(w) for w in cue.split()]
        alternatives.append(r"\s+".join([*words[:-1], words[-1] + _INFLECT]))
    alternatives.sort(key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.I)


@functools.cache
def _function_words() -> frozenset[str]:
    return frozenset(_lines("function_words.txt"))


def has_change_cue(text: str) -> bool:
    """True if ``text`` says that something changed (see the module docstring)."""
    return _cues().search(text.replace("\u2019", "'")) is not None


def _words(text: str) -> tuple[set[str], set[str]]:
    """(distinctive words, content words) of ``text``, lowercased."""
    names: set[str] = set()
    content: set[str] = set()
    skip = _function_words()
    text = _VOCATIVE.sub(r"\g<pre> ", _SPEAKER.sub("", text.replace("\u2019", "'")))
    for m in _WORD.finditer(text):
        word = m.group()
        low = word.lower().replace("'", "")
        if low in skip:
            continue
        if any(ch.isdigit() for ch in word) or (
            word[0].isupper() and not _SENTENCE_START.search(text[: m.start()])
        ):
            names.add(low)
        if len(low) >= 4 and not low.isdigit():
            content.add(low)
    return names, content


@dataclass(frozen=True)
class ReferRules:
    """Thresholds of :func:`referent` (see ExtractionConfig)."""

    threshold: float = 0.35
    follow_threshold: float = 0.45
    name_bonus: float = 0.15
    word_bonus: float = 0.05


def affinity(new: str, old: str, similarity: float, rules: ReferRules) -> float:
    """How surely ``new`` is about the same thing as ``old``: their similarity, plus a
    bonus per shared distinctive word (at most two) and per shared content word (at
    most two)."""
    new_names, new_content = _words(new)
    old_names, old_content = _words(old)
    names = len((new_names | new_content) & old_names) + len(new_names & old_content)
    words = len(new_content & old_content)
    return similarity + rules.name_bonus * min(2, names) + rules.word_bonus * min(2, words)


def referents(
    statement: Candidate,
    older: Sequence[tuple[MemoryRecord, float]],
    rules: ReferRules,
) -> list[MemoryRecord]:
    """The older memories ``statement`` changes, most surely first.

    ``older`` holds the scope's memories near the statement with their cosine
    similarity. Only a statement with a change cue refers back, and only to current
    memories said before it by the same speaker whose :func:`affinity` with it reaches
    the threshold (an episode and the fact taken from it usually both do).
    """
    if not has_change_cue(statement.text):
        return []
    return _above(statement, older, rules, rules.threshold)


def follows(
    statement: Candidate,
    older: Sequence[tuple[MemoryRecord, float]],
    rules: ReferRules,
) -> MemoryRecord | None:
    """The older memory ``statement`` most likely updates when the evidence is too weak
    to change it (no change cue, or an affinity below the threshold): the current memory
    of the same speaker said before it with the highest affinity at or above
    ``rules.follow_threshold``; None if there is none."""
    found = _above(statement, older, rules, rules.follow_threshold)
    return found[0] if found else None


def _above(
    statement: Candidate,
    older: Sequence[tuple[MemoryRecord, float]],
    rules: ReferRules,
    threshold: float,
) -> list[MemoryRecord]:
    scored: list[tuple[float, str, MemoryRecord]] = []
    for record, similarity in older:
        if not _same_speaker(statement, record) or record.status is not MemoryStatus.ACTIVE:
            continue
        if record.valid_until is not None or record.hash == content_hash(statement.text):
            continue
        if statement.stated_at is not None and record.said_at >= statement.stated_at:
            continue
        value = affinity(statement.text, record.text, similarity, rules)
        if value >= threshold:
            scored.append((value, record.id, record))
    return [record for *_, record in sorted(scored, key=lambda x: (-x[0], x[1]))]


def _same_speaker(statement: Candidate, record: MemoryRecord) -> bool:
    return (
        record.source.role == statement.source.role and record.source.name == statement.source.name
    )
