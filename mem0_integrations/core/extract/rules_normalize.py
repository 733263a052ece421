"""The structural front end of the rule extractor: one pass over a message's surface form.

Chat is typed fast. Before any rule runs, :func:`normalize` rewrites a message so the
rules see one shape, whatever the surface:

* decoration goes: emojis, emoticons, ``**bold**`` marks, runs of ``!!!``; an emoji
  between two statements ends the first one;
* a lowercase ``i`` becomes ``I``, and a contraction typed without its apostrophe gets
  it back (``_data/rules_contractions.txt``); the ambiguous ``ill``, ``id``, ``its``
  and ``were`` are restored only where the context says so (:func:`_ambiguous`);
* a lead before a colon that holds no first-person word is dropped when what follows
  does (a speaker prefix "Nicolas: I ...", a label "Big news: we ...", a preface
  "that was a typo earlier: I'm 24"); a lead that holds one ends a sentence instead;
* a correction's rejected alternative goes ("I'm 24, not 42" -> "I'm 24");
* in a message typed without capitals, the name after a slot cue is capitalised
  ("i live in new york" -> "New York", cues in ``_data/rules_name_slots.txt``);
* every sentence starts with a capital letter.

Fronted adverbials ("On weekends I ...") are handled per clause by :func:`front`, which
moves them after the clause instead of dropping them, so their meaning stays.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from .rules_vocab import lines, mapping, words

__all__ = ["front", "normalize"]

_KEEP_SYMBOLS = frozenset("°©®™€£$¥%&@#+=<>|~^")
_EMOJI_PARTS = frozenset({"\u200d", "\ufe0e", "\ufe0f", "\u20e3"})
_EMOTICON = re.compile(
    r"(?<!\w)(?:[:;=][-'^]?[)(\]\[dpoDPO3*|/\\]+|<3+|\^_*\^|[xX][dD]+|:'\(|-_-|o_o|T_T)(?!\w)"
)
_MAY_EMOTE = re.compile(r"[:;=<^_]|[xX][dD]|T_T")
_BOLD = re.compile(r"(\*\*|__|~~)(?=\S)(.+?)(?<=\S)\1")
_REPEATS = re.compile(r"([!?])\1+")
_BOUNDARY = re.compile(r"\s*\x00+\s*(?=[A-Z\"'(])")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_CLAUSE_START = re.compile(r"(?:^|[.!?;:,]\s*|\b(?:and|but|so|then|because|cause)\s+)$", re.I)
_AMBIGUOUS = frozenset({"ill", "id", "its", "were"})
_COLON = re.compile(r"^(?P<head>[^:\n]{1,60}?)\s*:\s+(?P<tail>\S.*)$")
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|I'll|I'd|me|my|we|we're|we've|our)\b", re.I)
_SUBJECT_FIRST = re.compile(r"\W*(?:I|I'm|I've|I'll|I'd|we|we're|we've|my|our)\b", re.I)
_MEANT = re.compile(r"\bI\s+meant?\b", re.I)
_REJECTED = re.compile(
    r",\s*(?:and\s+|but\s+)?not\s+(?!(?:only|just|even|sure|really|that|to|a\s+lot)\b)"
    r"[^,.;!?]{1,30}(?=[.;!?]|$)",
    re.I,
)
_SENTENCE_START = re.compile(r"[.!?] [a-z]")


def _is_decoration(ch: str) -> bool:
    if ch in _EMOJI_PARTS or "\U0001f3fb" <= ch <= "\U0001f3ff":
        return True
    return unicodedata.category(ch) in {"So", "Cs", "Co"} and ch not in _KEEP_SYMBOLS


def _undecorate(text: str) -> str:
    """Emojis, emoticons and emphasis marks out; an emoji between statements ends one."""
    if _MAY_EMOTE.search(text):
        text = _EMOTICON.sub("\x00", text)
    if not text.isascii():
        text = _NON_ASCII.sub(lambda m: "\x00" if _is_decoration(m.group(0)) else m.group(0), text)
    if "\x00" in text:
        text = _BOUNDARY.sub(". ", text).replace("\x00", " ")
        text = re.sub(r"[ \t]+([.!?,;])", r"\1", text)
    if "**" in text or "__" in text or "~~" in text:
        text = _BOLD.sub(r"\2", text)
    text = _REPEATS.sub(r"\1", text)
    return "\n".join(" ".join(ln.split()) for ln in text.split("\n"))


def _ambiguous(word: str, before: str, after: str) -> str | None:
    """``ill``, ``id``, ``its`` and ``were`` as contractions, when the context says so:
    at the start of a clause and followed by a word (``ill call`` -> ``I'll call``),
    or, for ``its``, followed by a word that cannot be its noun (``its so hot``)."""
    nxt = after.split(maxsplit=1)[0].lower() if after.strip() else ""
    starts = bool(_CLAUSE_START.search(before[-12:])) and nxt.isalpha()
    if word == "ill" and starts and nxt not in {"and", "or", "health"}:
        return "I'll"
    if word == "id" and starts and nxt not in {"and", "or", "card", "number"}:
        return "I'd"
    if word == "its" and (nxt in words("its_followers") or (starts and nxt.endswith("ing"))):
        return "it's"
    if (
        word == "were"
        and starts
        and nxt not in words("were_subjects")
        and not after.rstrip().endswith("?")
    ):
        return "we're"
    return None


@functools.cache
def _contraction_words() -> re.Pattern[str]:
    typed = sorted({*mapping("contractions"), *_AMBIGUOUS}, key=len, reverse=True)
    return re.compile(r"\b(?<!')(" + "|".join(typed) + r")\b(?!')")


def _restore(line: str) -> str:
    """Lowercase ``i`` -> ``I`` and apostrophes back into contractions (see the module)."""
    table = mapping("contractions")

    def sub(m: re.Match[str]) -> str:
        word = m.group(1)
        if word in _AMBIGUOUS:
            return _ambiguous(word, line[: m.start()], line[m.end() :]) or word
        return table[word]

    line = _contraction_words().sub(sub, line)
    return re.sub(r"(?<![\w'])i(?='(?:m|ve|ll|d)\b)", "I", line)


def _unlabel(line: str) -> str:
    """Drop a colon lead that holds no first-person word when the rest does; a lead
    that holds one ends a sentence ("I have one rule: I never skip breakfast")."""
    m = _COLON.match(line)
    if m is None or not _SUBJECT_FIRST.match(m.group("tail")):
        return line
    head = m.group("head")
    if not set(head.lower().split()) & words("lead_labels") and len(head.split()) <= 8:
        return _unlabel(m.group("tail"))
    return f"{head.rstrip('.!?')}. {m.group('tail')}"


def _unreject(line: str) -> str:
    """A correction keeps its corrected value: "I'm 24, not 42" -> "I'm 24"."""
    if "not " not in line:
        return line
    parts = re.split(r"(?<=[.!?;])\s+", line)
    return " ".join(_REJECTED.sub("", p) if _keeps_value(p) else p for p in parts)


def _keeps_value(sentence: str) -> bool:
    """A first-person statement names its slot, so the rejected value can go; "I meant
    X, not Y" names none, and keeps it."""
    return bool(_FIRST_PERSON.search(sentence)) and not _MEANT.search(sentence)


@functools.cache
def _slot_cue() -> re.Pattern[str]:
    cues = sorted(lines("name_slots"), key=len, reverse=True)
    alternatives = "|".join(re.escape(c).replace(r"\ ", r"\s+") for c in cues)
    return re.compile(r"\b(?:" + alternatives + r")\s+", re.I)


def _truecase(text: str) -> str:
    """In a message typed without capitals, the name after a cue of
    ``_data/rules_name_slots.txt`` is capitalised ("i live in new york" -> New York)."""
    if re.search(r"[A-Z]", text):
        return text
    stops = words("prepositions") | words("phrase_stops") | words("determiners")
    out, pos = [], 0
    for cue in _slot_cue().finditer(text):
        if cue.start() < pos:
            continue
        name: list[str] = []
        for m in re.finditer(r"[a-z][a-z'-]*|\S+", text[cue.end() :]):
            word = m.group(0)
            ends = word in stops or (not name and word in words("name_slot_stops"))
            if not word.isalpha() or ends or len(name) == 3:
                break
            name.append(word)
        end = cue.end() + len(" ".join(name))
        out.append(text[pos : cue.end()] + " ".join(w.capitalize() for w in name))
        pos = end
    return "".join(out) + text[pos:]


def normalize(text: str) -> str:
    """``text`` with one surface form: see the module docstring."""
    out = []
    text = _truecase(text.replace("\u2019", "'").replace("\u2018", "'"))
    for line in _undecorate(text).split("\n"):
        line = _unreject(_unlabel(_restore(line)))
        out.append(_SENTENCE_START.sub(lambda m: m.group(0).upper(), line[:1].upper() + line[1:]))
    return "\n".join(out)


def _alternation(name: str) -> str:
    entries = sorted(lines(name), key=len, reverse=True)
    return "(?:" + "|".join(re.escape(e) for e in entries) + ")"


@functools.cache
def _fronted() -> re.Pattern[str]:
    """A fronted adverbial: a prepositional phrase, a time phrase ("last year") or a
    lone "-ly" adverb, followed by the subject "I" or "we"."""
    no_subject = (
        r"(?:(?!\b(?:i|i'm|i've|we|we're|we've|my|our|me|you|if|when|because|it|it's|they|"
        r"he|she|there|that|this)\b)[^,])"
    )
    opener = (
        _alternation("fronted_openers")
        + r"\s+"
        + no_subject
        + r"{1,40}?|"
        + _alternation("time_determiners")
        + r"\s+"
        + _alternation("time_nouns")
        + r"\b"
        + no_subject
        + r"{0,30}?|[a-z]+ly"
    )
    return re.compile(
        r"^(?P<adv>" + opener + r"),?\s+(?=(?:i|i'm|i've|i'll|we|we're|we've)\b)", re.I
    )


def front(clause: str) -> str:
    """A clause whose subject follows an adverbial, with the adverbial moved after it:
    "On weekends I restore bikes" -> "I restore bikes on weekends"; a lone "-ly"
    adverb is dropped ("Honestly I ...")."""
    m = _fronted().match(clause)
    if m is None:
        return clause
    adv, rest = m.group("adv"), clause[m.end() :]
    if adv.lower().endswith("ly") and " " not in adv:
        return rest
    lowered = adv if _proper(adv.split()[0]) else adv[:1].lower() + adv[1:]
    return f"{rest.rstrip(' ,')} {lowered}"


def _proper(word: str) -> bool:
    low = word.lower()
    return word[:1].isupper() and low not in words("fronted_openers") | words("time_determiners")
