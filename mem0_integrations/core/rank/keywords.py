"""Keyword matching: the terms of a text, and BM25 over a set of memories.

Pure functions. :func:`terms` turns text into lower-case, lightly stemmed
terms without stop words; :mod:`.keyword_index` indexes a scope's memories by
them and scores matches with :func:`idf` and :func:`term_weight`.

BM25 (Robertson and Zaragoza, 2009) with Lucene's non-negative IDF::

    idf(t)     = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))
    bm25(q, d) = sum over query terms t in d of
                 idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(d) / avglen))

and the keyword signal is ``min(1, bm25 / sum of idf(t) over the query's terms
that occur in the collection)``: about 1 when a memory of average length holds
every such term once; the rare terms (names, numbers) weigh the most, and query
words no memory holds count for nothing.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["KeywordScore", "idf", "stem", "term_weight", "terms"]

_APOSTROPHE = "\u2019"
_TOKEN = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")

_STOP = """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing don down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    also get got im ive id ill youre dont didnt doesnt isnt wasnt cant wont yes yeah oh ok okay
    hey hi hello really like just thing things something anything much many lot lots well
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP.split())


def stem(word: str) -> str:
    """A light suffix stripper: plurals, -ing, -ed, -ly (same rules for text and query)."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, repl, keep in (
        ("sses", "ss", 2),
        ("ies", "y", 3),
        ("ing", "", 4),
        ("edly", "", 4),
        ("ed", "", 4),
        ("ly", "", 4),
        ("es", "", 4),
        ("s", "", 3),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            if suffix == "es" and not word.endswith(("ches", "shes", "xes", "zes", "sses")):
                continue
            base = word[: len(word) - len(suffix)] + repl
            if suffix in ("ing", "ed") and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]  # running -> run, stopped -> stop
            return base
    return word


def terms(text: str) -> list[str]:
    """The text's terms in order: NFKC, case-folded, possessives and stop words dropped,
    stemmed. ``"Caroline's dogs"`` gives ``["caroline", "dog"]``."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    out: list[str] = []
    for token in _TOKEN.findall(folded):
        token = token.replace(_APOSTROPHE, "'")
        if token.endswith("'s"):
            token = token[:-2]
        token = token.replace("'", "")
        if token and token not in STOP_WORDS:
            out.append(stem(token))
    return out


@dataclass(frozen=True)
class KeywordScore:
    """The keyword signal of one memory for one query."""

    value: float
    """``min(1, bm25 / sum of the query terms' idf)``."""
    bm25: float
    matched: tuple[str, ...]


def idf(total: int, df: int) -> float:
    """Lucene's non-negative BM25 idf of a term found in ``df`` of ``total`` documents."""
    return math.log(1.0 + (total - df + 0.5) / (df + 0.5))


def term_weight(term_idf: float, tf: int, length: int, avglen: float, k1: float, b: float) -> float:
    """One term's BM25 contribution to a document of ``length`` terms."""
    norm = k1 * (1.0 - b + b * length / avglen)
    return term_idf * tf * (k1 + 1.0) / (tf + norm)
