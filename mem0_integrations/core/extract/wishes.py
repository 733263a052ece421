"""Wishes: what the user asks of the assistant's own answers, kept as preferences.

"Keep your answers short", "reply in Spanish from now on", "call me Sam" are addressed to
the assistant and meant to last, the same shape an injection takes; what tells them apart
is what they ask for. A *wish* asks for the assistant's own manner of answering this user:
length, tone, format, language, the name to call them. An *injection* reaches past that:
other users, memories, tools, the system prompt, secrets, links, earlier instructions, a
role to play (see :mod:`.safety`). A wish is the user's preference and is stored as one
(category ``preference``, "Prefers short answers"); it is never quarantined.

The decision reads structure, from the word classes in ``_data/safety_wishes.txt``:

1. the sentence names nothing of the injection's objects (``[others]``), no address and
   no chat-template marker;
2. it is cut into clauses; in each, the lead ("please", "could you", "from now on",
   "you must", "always") is dropped, and a clause headed by a verb of answering
   (``[verbs]``) or naming the assistant's answers ("your replies ...") is a request;
3. every request asks for a manner (``[length]``, ``[tone]``, ``[format]``,
   ``[languages]``), or is "call me <name>"; a first-person clause is a statement, and
   a request for anything else is no wish.

Pure functions; the word classes are read once, on first use.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from ..models import MemorySource, Message
from ..vocab import data_sections
from .extraction import Candidate

__all__ = ["Wish", "is_advice", "is_wish", "wish_candidates", "wishes"]

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_CLAUSE = re.compile(r"\s*(?:[,;:()]|\s-+\s|\b(?:and|but|or|then|so|plus)\b)\s*")
_ADDRESS = re.compile(
    r"://|\bwww\.|@[\w-]+\.\w|\b[\w-]+\.(?:com|net|org|io|ai|co|xyz|info|biz|ru|cn|app|dev|me)\b"
)
_MARKER = re.compile(r"<\||\|>|\[/?[a-z]+\]|#{2,}|[{}<>]")
_FIRST_PERSON = re.compile(r"^(?:i|i'm|im|i've|i'll|i'd|we|we're|my|our|me)\b")
_NAME = re.compile(
    r"\b(?:call me|address me as|refer to me as)\s+(?P<name>[^\W\d_][\w'-]*"
    r"(?:\s+[^\W\d_][\w'-]*)?)\s*(?:please|from now on|going forward|instead)?[\s.!]*$",
    re.I,
)
_ASPECTS = ("length", "tone", "format", "languages")
_COPULA = re.compile(r"^(?:be|stay|remain|sound|seem)\b")
_ME = re.compile(
    r"\b(?:me|my|your (?:answers?|repl(?:y|ies)|responses?|explanations?|messages?))\b"
)


@dataclass(frozen=True)
class Wish:
    """One preference a sentence asks of the assistant's answers."""

    aspect: str
    """``length``, ``tone``, ``format``, ``language`` or ``name``."""
    fact: str
    """The preference in words: "Prefers short answers", "Wants to be called Sam"."""

    @property
    def key(self) -> str:
        """The memory key: one slot per aspect, so a new language supersedes the old."""
        return f"preference:answer_{self.aspect}" if self.aspect != "name" else "preference:called"


def _plain(text: str) -> str:
    """NFKC, no accents, casefolded, straight quotes, one space between words."""
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


@functools.cache
def _sections() -> dict[str, list[str]]:
    """The sections of ``_data/safety_wishes.txt``: lines without comments or blanks."""
    return data_sections(__package__, "safety_wishes.txt")


def _words(phrases: Sequence[str]) -> re.Pattern[str]:
    ordered = sorted(phrases, key=len, reverse=True)
    alternatives = [r"\s+".join(map(re.escape, p.split())) for p in ordered]
    return re.compile(r"(?<![\w'-])(?:" + "|".join(alternatives) + r")(?![\w-])")


@functools.cache
def _manners() -> list[tuple[str, re.Pattern[str], dict[str, str]]]:
    """Per aspect: a pattern of its words and each word's fact."""
    out = []
    for aspect in _ASPECTS:
        facts: dict[str, str] = {}
        for line in _sections()[aspect]:
            word, _, fact = line.partition(" => ")
            facts[word.strip()] = fact.strip() or f"Prefers answers in {word.strip().title()}"
        out.append(("language" if aspect == "languages" else aspect, _words(list(facts)), facts))
    return out


@dataclass(frozen=True)
class _Classes:
    lead: re.Pattern[str]
    verbs: re.Pattern[str]
    light: re.Pattern[str]
    answers: re.Pattern[str]
    others: re.Pattern[str]
    times: re.Pattern[str]
    parts: re.Pattern[str]


@functools.cache
def _classes() -> _Classes:
    sections = _sections()
    fillers = _words(sections["fillers"]).pattern
    manner = "|".join(p.pattern for _, p, _ in _manners())
    return _Classes(
        lead=re.compile(r"^(?:(?:" + _LEAD + r")\b[\s,!:.]*)+"),
        verbs=re.compile(r"^" + _words(sections["verbs"]).pattern),
        # a light verb whose object is a manner: "keep it short", "be concise"
        light=re.compile(
            r"^"
            + _words(sections["light_verbs"]).pattern
            + r"\s+(?:(?:"
            + fillers
            + r")\s+){0,3}(?:"
            + manner
            + r")"
        ),
        answers=re.compile(
            r"\byour\s+(?:\w+\s+)?"
            + _words(sections["answers"]).pattern
            + r"\s+(?:should|must|need to|have to|ought to|could|can|will|shall|are to|to)\b"
        ),
        others=_words(sections["others"]),
        times=_words(sections["times"]),
        parts=_words(sections["assistant_parts"]),
    )


# What may come before the verb of a request: politeness, "you must", "from now on".
_LEAD = (
    r"please|pls|plz|kindly|hey|hi|ok|okay|oh|so|and|also|just|now|then|actually|"
    r"(?:could|can|would|will) you(?: please| kindly)?|"
    r"i(?:'d| would)? (?:like|love|want|need|prefer|ask) (?:it )?(?:if |that |for )?you(?: to)?|"
    r"it(?:'s| is| would be|'d be) (?:\w+ )?(?:better|nicer|great|good|best|helpful|easier) "
    r"(?:if|when) you|"
    r"you (?:must|should|shall|will|need to|have to|can|could|may|are to|ought to)|"
    r"from now on|going forward|henceforth|in (?:the )?future|for (?:all )?future \w+|"
    r"from here on(?: out)?|always|only|never|don't|do not|do|try to|make sure (?:to|you)|"
    r"remember to|don't forget to|no matter what|whenever you can"
)


def _clauses(sentence: str) -> list[str]:
    return [c.strip(" .!?'\"") for c in _CLAUSE.split(sentence) if c and c.strip(" .!?'\"")]


def _manner(clause: str) -> list[Wish]:
    found = []
    for aspect, pattern, facts in _manners():
        for m in pattern.finditer(clause):
            found.append(Wish(aspect, facts[" ".join(m.group().split())]))
    return found


def _request(clause: str) -> str | None:
    """The clause without its lead if it asks something of the assistant's answers, else
    None (a statement, or no request)."""
    classes = _classes()
    head = classes.lead.sub("", clause, count=1)
    if _FIRST_PERSON.match(head):
        return None
    if classes.verbs.match(head) or classes.light.match(head) or classes.answers.search(clause):
        return head
    return None


def wishes(sentence: str) -> list[Wish]:
    """The preferences ``sentence`` asks of the assistant's answers; empty when it is no
    wish (a statement, an injection, or a request for anything but a manner)."""
    return list(_wishes(sentence))


@functools.lru_cache(maxsize=4096)
def _wishes(sentence: str) -> tuple[Wish, ...]:
    if _ADDRESS.search(sentence.casefold()) or _MARKER.search(sentence.casefold()):
        return ()
    if (name := _NAME.search(sentence.strip())) is not None:
        if _classes().others.search(_plain(sentence[: name.start()])):
            return ()
        return (Wish("name", f"Wants to be called {name.group('name')}"),)
    plain = _plain(sentence)
    if not _manner(plain) or _classes().others.search(_classes().times.sub(" ", plain)):
        return ()
    found: list[Wish] = []
    for clause in _clauses(plain):
        head = _request(clause)
        if head is None:
            continue
        asked = [w for w in _manner(clause) if w.aspect != "tone" or _to_me(head)]
        if not asked:
            return ()  # a request for something other than a manner
        found += asked
    return tuple(dict.fromkeys(found))


def _to_me(head: str) -> bool:
    """A tone after a copula ("be patient", "stay positive") describes people as well as
    answers: it is a wish when aimed at the user or the answers ("be patient with me"),
    not "be patient with yourself"."""
    return not _COPULA.match(head) or _ME.search(head) is not None


def is_wish(sentence: str) -> bool:
    """True if ``sentence`` only asks for the assistant's manner of answering the user."""
    return bool(wishes(sentence))


# "your gut", "your own goals", "yourself": what the listener owns.
_YOURS = re.compile(r"\byour(?:self|selves)?\b")


def is_advice(sentence: str) -> bool:
    """True if ``sentence`` is advice to a person about their own life ("always trust
    your gut", "you should follow your passion", "be kind to yourself"): it concerns what
    the listener owns, names nothing an assistant has (``[assistant_parts]``: answers,
    memory, owner, rules) and none of the injection's objects (``[others]``), no address
    and no marker. An assistant could not follow it, so it is no instruction to one."""
    low = sentence.casefold()
    if _ADDRESS.search(low) or _MARKER.search(low):
        return False
    plain = _plain(sentence)
    classes = _classes()
    if not _YOURS.search(plain) or classes.others.search(classes.times.sub(" ", plain)):
        return False
    return classes.parts.search(plain) is None


def wish_candidates(
    messages: Sequence[Message], roles: Collection[str] = ("user",)
) -> list[Candidate]:
    """The preference facts the ``roles`` messages ask for, one per wish and aspect, each
    with the message it came from (``origin``)."""
    out: list[Candidate] = []
    for i, msg in enumerate(messages):
        if msg.role not in roles:
            continue
        for sentence in _SENTENCE.split(msg.content):
            for wish in wishes(sentence):
                out.append(
                    Candidate(
                        text=wish.fact,
                        source=MemorySource(
                            role=msg.role, message_ids=[msg.id] if msg.id else [], name=msg.name
                        ),
                        key=wish.key,
                        value=sentence.strip(),
                        category="preference",
                        stated_at=msg.created_at,
                        origin=i,
                    )
                )
    return out
