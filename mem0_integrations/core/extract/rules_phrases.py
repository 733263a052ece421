"""Phrase helpers of the rule extractor: noun-phrase trimming, slugs, person and number."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .dates import DATE as _DATE
from .dates import undated as _undated
from .rules_vocab import _DROP, _HARD, _LIGHT, _PARTICLES, _PREP


@dataclass(frozen=True)
class _Fact:
    text: str
    key: str | None
    value: str | None
    category: str
    delete: bool = False


def _alt(words: str) -> str:
    """A regex alternation of ``|``-separated phrases, longest first, spaces flexible."""
    parts = sorted(words.split("|"), key=len, reverse=True)
    return "(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in parts) + ")"


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


def _words(text: str, sep: str | None = None) -> frozenset[str]:
    return frozenset(text.split(sep))


# --- phrase helpers ---------------------------------------------------------------------


def _trim(text: str, *, preps: bool = True, max_words: int = 6, lists: bool = False) -> str:
    """The leading noun-phrase-like part of ``text``: cut at conjunctions, time words,
    punctuation and (if ``preps``) prepositions; "Bank of America" survives. With
    ``lists``, "and", "or" and commas do not cut ("hiking, biking and swimming")."""
    toks = text.split()
    out: list[str] = []
    for i, raw in enumerate(toks):
        word = raw.strip('"()[]*')
        bare = word.rstrip(",.;:!?")
        low = bare.lower()
        nxt_low = toks[i + 1].lower().strip(",.!?") if i + 1 < len(toks) else ""
        listing = lists and (low in {"and", "or"} or word.endswith(","))
        listing = listing and nxt_low not in _HARD | {"even", "especially", "not", ""}
        listing = listing or (lists and low == "with")
        if not low or low in {"-", "\u2013", "\u2014"} or (out and low in _HARD and not listing):
            break
        if preps and out and low in _PREP:
            nxt = toks[i + 1] if i + 1 < len(toks) else ""
            nxt = toks[i + 2] if nxt.lower() == "the" and i + 2 < len(toks) else nxt
            if not (low == "of" and out[-1][:1].isupper() and nxt[:1].isupper()):
                break
        out.append(word.rstrip(".;:!?") if listing else bare)
        abbreviation = word.lower() in {"st.", "dr.", "mt.", "mr.", "mrs.", "ms.", "jr."}
        if (bare != word and not abbreviation and not listing) or len(out) >= max_words:
            break
    while out and out[-1].lower() in _PREP | _DROP:
        out.pop()
    return " ".join(out)


def _slug(phrase: str, max_words: int = 3) -> str:
    words = [w for w in re.findall(r"[a-z0-9]+(?:'[a-z]+)?", phrase.lower()) if w not in _DROP]
    return "_".join(w.replace("'", "") for w in words[:max_words])


def _item(phrase: str) -> str:
    """The slug of what a verb phrase is about: "run a marathon" -> ``marathon``."""
    words = phrase.split()
    if len(words) > 1 and words[0].lower() in _LIGHT:
        words = words[1:]
    if len(words) > 1 and words[0].lower() in _PARTICLES:
        words = words[1:]
    if len(words) > 1 and words[0].lower() in _PREP:
        words = words[1:]
    return _slug(_trim(" ".join(words))) or _slug(phrase)


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if re.search(r"(?:ch|sh|x|o|ss)es$", word):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _third(verb: str) -> str:
    v = verb.lower()
    irregular = {"have": "has", "do": "does", "go": "goes", "be": "is", "am": "is"}
    if v in irregular:
        return irregular[v]
    if re.search(r"(?:s|sh|ch|x|z|o)$", v):
        return v + "es"
    return v[:-1] + "ies" if re.search(r"[^aeiou]y$", v) else v + "s"


def _gerund(verb: str) -> str:
    v = verb.lower()
    if v.endswith("ing"):
        return v
    if v.endswith("ie"):
        return v[:-2] + "ying"
    if v.endswith("e") and not v.endswith(("ee", "ye", "oe")) and len(v) > 2:
        return v[:-1] + "ing"
    if re.fullmatch(r"[^aeiou]*[aeiou][^aeiouwxy]", v):
        return v + v[-1] + "ing"
    return v + "ing"


_POV = {"my": "their", "me": "them", "myself": "themself", "mine": "theirs", "i": "they"}
_POV |= {
    "i'm": "they're",
    "i've": "they've",
    "i'll": "they'll",
    "i'd": "they'd",
    "i am": "they are",
}
_POV_RE = re.compile(r"\b(?:i'm|i've|i'll|i'd|i\s+am|my|me|myself|mine|i)\b", re.I)


def _pov(text: str) -> str:
    """First person -> third person for fact texts: "walk my dog" -> "walk their dog"."""
    return _POV_RE.sub(lambda m: _POV[" ".join(m.group(0).lower().split())], text)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _phrase(text: str, *, max_words: int = 8, lists: bool = False) -> str:
    """A short, dateless, third-person phrase from the rest of a clause."""
    return _pov(_trim(_undated(text), preps=False, max_words=max_words, lists=lists))


_LIST_END = _rx(
    r"\s+(?:but|because|since|so|which|when|if|though)\b|[;.!?()]|\s+[-\u2013\u2014]\s+"
    r"|,\s+(?:and\s+|but\s+)?(?=(?:they|it|he|she|i|i'm|we|you|that|this|which|the|its|it's|"
    r"there|what|so|such|my|our|especially|plus|all)\b)"
)


def _items(text: str) -> list[str]:
    """ "peanuts, shellfish and latex" -> three items; one item if a part is long or a
    gerund governs the list ("organizing workshops and events")."""
    head = _trim(_undated(_LIST_END.split(text)[0]), preps=False, max_words=14, lists=True)
    if not re.search(r"\s(?:and|or|&)\s", head):
        head = head.split(",")[0]
    parts = re.split(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+", head)
    found = [p for p in (_trim(x, preps=False) for x in parts) if p]
    gerund = found and found[0].split()[0].lower().endswith("ing")
    if (
        not found
        or any(len(p.split()) > 4 for p in found)
        or (gerund and not all(p.split()[0].lower().endswith("ing") for p in found))
    ):
        first = _trim(_undated(text), preps=False, max_words=8)
        return [first] if first else []
    found = [
        re.sub(r"\s+(?:itself|themselves|myself|ourselves)$", "", p, flags=re.I) for p in found
    ]
    return [re.sub(r"^(?:also|really|just|so|too|even)\s+", "", p, flags=re.I) for p in found[:6]]


def _is_name(word: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][a-zA-Z'-]{1,20}", word)) and not re.match(r"I\b|I'", word)


def _names(text: str) -> list[str]:
    found: list[str] = []
    for part in re.split(r",\s*(?:and\s+)?|\s+and\s+|\s+&\s+", text.strip()):
        word = part.split()[0].rstrip(".,!?;:") if part.split() else ""
        if not _is_name(word) or _DATE.fullmatch(word):
            break
        found.append(word)
    return found


_PLACE_NOUN = _rx(
    r"^(?:the\s+|an?\s+)(?:\w+\s+)?(?:city|town|village|suburbs?|countryside|country|state|"
    r"province|island|coast|mountains|area|neighbou?rhood|bay\s+area|midwest|south|north|east|"
    r"west)\b"
)


def _placeish(value: str) -> bool:
    words = value.split()
    if not words:
        return False
    head = words[1] if words[0].lower() == "the" and len(words) > 1 else words[0]
    return _is_name(head) or bool(_PLACE_NOUN.match(value))


def _fact(text: str, key: str | None, value: str | None, category: str) -> _Fact:
    return _Fact(" ".join(text.split()), key, value, category)


# --- rules: one regex and one handler each ----------------------------------------------
