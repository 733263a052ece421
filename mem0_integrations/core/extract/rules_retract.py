"""Retractions: "used to", "stopped", "no longer", "not ... anymore" -> DELETE candidates."""

from __future__ import annotations

import re
from dataclasses import replace

from .dates import Context as _Ctx
from .dates import undated as _undated
from .rules_phrases import _cap, _Fact, _fact, _pov, _rx, _slug, _third, _trim
from .rules_table import _keyed
from .rules_vocab import _ADV, _BAD_OBJECT, _FOODS, _RETRACT_VERBS

_STOPPED = _rx(
    r"(?:i|we)\s+(?:(?:have|'ve)\s+)?(?:(?:just|recently|finally|already|officially|completely|"
    r"totally|mostly)\s+)*(?P<v>stopped|quit|gave\s+up|given\s+up|kicked)\s+(?P<x>.+)"
)
_NO_LONGER = _rx(
    r"(?:i|we)\s+(?:(?:really\s+|just\s+)?no\s+longer\s+(?P<x>.+)|(?:don't|do\s+not)\s+(?:really\s+)?"
    r"(?P<y>.+?)\s+(?:any\s?more|these\s+days)$)"
)
_NOT_ANYMORE = _rx(
    r"(?:i'm|i\s+am|we're|we\s+are)\s+(?:no\s+longer\s+(?P<x>.+)|not\s+(?P<y>.+?)\s+any\s?more$)"
)
_USED_TO = _rx(r"(?:i|we)\s+" + _ADV + r"used\s+to\s+(?P<x>.+)")
_NOT_STOPPED = _rx(
    r"^(?:by|at|in|to|for|and|because|on|with|there|here|over|it|that|this|them|him|her|me|you|being|worrying|caring)\b"
)


def _flip(facts: list[_Fact]) -> list[_Fact]:
    """ADDs -> DELETEs of the same slot; "Started X" texts become the fact itself, "X"."""
    return [
        replace(
            f,
            delete=True,
            text=_cap(f.value) if f.text.startswith("Started") and f.value else f.text,
        )
        for f in facts
        if f.key and not f.delete
    ]


def _generic_retraction(vp: str, ctx: _Ctx) -> list[_Fact]:
    phrase = _trim(_undated(vp), preps=False, max_words=6)
    words = phrase.split()
    if not words or words[0].lower() not in _RETRACT_VERBS or _BAD_OBJECT.search(phrase):
        return []
    verb, obj = words[0].lower(), " ".join(words[1:])
    facts = [_Fact(_cap(_pov(f"{_third(verb)} {obj}".strip())), None, None, "other", delete=True)]
    if verb in {"eat", "drink"} and obj:
        facts.append(_fact(f"Does not {verb} {obj}", f"avoids:{_slug(obj)}", obj, "diet"))
    return facts


def _retraction(clause: str, ctx: _Ctx) -> list[_Fact] | None:
    """The facts of a retraction clause, or None when the clause is not one."""
    m = _USED_TO.match(clause)
    if m:
        x = m.group("x")
        positive = "I'm " + x[3:] if x.lower().startswith("be ") else "I " + x
        return [f for f in _flip(_keyed(positive, ctx)) if f.key and ":" in f.key]
    m = _STOPPED.match(clause)
    if m:
        x = m.group("x")
        if _NOT_STOPPED.match(x):
            return []
        if re.match(r"my\s+(?:\w+\s+)?job\b", x, re.I):
            return _keyed(clause, ctx)
        first = x.split()[0].lower()
        if first.endswith("ing"):
            facts = _flip(_keyed("I started " + x, ctx))
            return facts or _generic_retraction(re.sub(r"^(\w+?)(?:ing)\b", r"\1", x), ctx)
        noun = _trim(_undated(x), max_words=4)
        if not noun or _BAD_OBJECT.search(noun):
            return []
        facts = [_Fact(f"Habit: {_pov(noun)}", f"habit:{_slug(noun)}", noun, "habit", delete=True)]
        if noun.lower() in _FOODS:
            facts.append(_fact(f"Avoids {noun}", f"avoids:{_slug(noun)}", noun, "diet"))
        return facts
    m = _NO_LONGER.match(clause)
    if m:
        vp = m.group("x") or m.group("y")
        return _flip(_keyed("I " + vp, ctx)) or _generic_retraction(vp, ctx)
    m = _NOT_ANYMORE.match(clause)
    if m:
        return _flip(_keyed("I'm " + (m.group("x") or m.group("y")), ctx))
    return None


_CUE = r"(?:actually|sorry|oops|correction|no|nope|wait|my\s+bad|typo|scratch\s+that)[,:!.]?\s+"
_SHORT = r"(?:[^\s,;]+\s+){0,3}[^\s,;.!?]+"
_CORRECTION = _rx(
    r"(?:(?:oh|ah|hmm|um|uh|well|so|ok|okay|hey)[,!.]?\s+)*"
    rf"(?:(?:{_CUE})+(?:it's|it\s+is|it\s+was|that's|that\s+is)|(?:{_CUE})*i\s+meant?)"
    rf"\s+(?P<x>{_SHORT}),\s+not\s+(?P<y>{_SHORT})[.!]*$"
)
"""A correction that names no slot: "actually it's Berlin, not Munich"."""


def _correction(sentence: str) -> list[_Fact]:
    """An unkeyed fact that keeps both values, so the merge layer can find the memory it
    corrects (the change cue "correction" and the rejected value it shares)."""
    m = _CORRECTION.match(sentence)
    if m is None or _BAD_OBJECT.fullmatch(m.group("x")) or _BAD_OBJECT.fullmatch(m.group("y")):
        return []
    return [_fact(f"Correction: {m.group('x')}, not {m.group('y')}", None, None, "other")]
