"""Sentences and clauses of a message, the filters that drop them, and the unkeyed fallback."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .dates import DATE as _DATE
from .dates import Context as _Ctx
from .dates import annotate as _annotate
from .dates import has_date as _has_date
from .rules_normalize import front
from .rules_phrases import _cap, _Fact, _fact, _is_name, _rx
from .rules_vocab import _COLLECTIVE, _NOT_CONTENT, _NOT_PLURAL

_QUOTES = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\xa0": " ", "\u2014": " - "}
)
_SENT = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n+")
_ABBR = _rx(r"\b(?:dr|mr|mrs|ms|st|jr|sr|vs|etc|e\.g|i\.e|approx|mt|prof)\.$")
_CLAUSE = _rx(
    r"\s*;\s*|\s+[-\u2013\u2014]+\s+|,?\s+(?:but|though|although|whereas)\s+"
    r"|,?\s+(?:and|so|because|plus|cause|cuz)\s+(?=(?:(?:now|then|also|recently|just|finally|"
    r"still|so)\s+)?(?:i|i'm|i've|i'll|my|we|we're|we've)\b)"
    r"|,?\s+and\s+(?:then\s+)?(?=(?:moved|relocated|switched|started|began|became|quit|left|took)\b)"
)
_CARRY = _rx(
    r"(?:(?:now|then|also|recently|just|later|eventually|finally)\s+)*(?:moved|relocated|"
    r"switched|started|began|got|became|quit|left|took|now|live|work|am|have)\b"
)
_FIRST = _rx(r"(?:i|i'm|i've|i'll|im|we|we're|we've|we'll|my|our|me\s+and)\b")
_LEAD = _rx(
    r"^(?:(?:oh|ah|aw+|well|so|and|but|also|actually|honestly|anyway|anyways|btw|by\s+the\s+way|"
    r"yeah|yes|yep|yup|nope|no|ok|okay|um|uh|hmm|haha|lol|hey|hi|hello|wow|man|plus|fyi|tbh|"
    r"guess\s+what|fun\s+fact|in\s+fact|please|right|sure|true|totally|definitely|absolutely|"
    r"exactly|cool|nice|great|awesome|omg|gosh|now|currently|nowadays|these\s+days|lately|"
    r"recently|personally|for\s+the\s+record|just\s+so\s+you\s+know|for\s+future\s+reference|"
    r"since\s+(?:we|our)\s+last\s+(?:spoke|talked|chatted|chat|talk|caught\s+up)|"
    r"(?:remember|note|keep\s+in\s+mind|be\s+aware)(?:\s+that)?)\b[,!.:;]*\s*)+"
)
_VOCATIVE = re.compile(
    r"(?!(?:\w+(?:ly|ward|wards|times|day|days|ever|more|over|fore|while)|After|Also|Anyway|"
    r"Besides|However|Meanwhile|Still|Then|Now|So|Plus|Overall|Tonight|Today|Tomorrow|During|In|"
    r"On|At|Before|When|While|Since|For|With|Without|Over|Under|Through|Despite|Like|As|By|From|"
    r"Until|Last|Next|This|That|My|Our|The|Every|Each|Once|If|Because|Although|Though)\b)"
    r"(?:[A-Z][a-z]+)(?:\s+[A-Z][a-z]+)?[,!]\s+(?=\w)"
)
"""A name the speaker addresses ("Caroline, I ..."), not a sentence adverb."""
_INTRO = _rx(
    r"^(?!(?:during|in|on|at|after|before|when|while|whenever|every|each|since|for|if|because|as|"
    r"once|with|without|despite|although|though|until|unless|whether)\b)[^,]{1,40},\s+"
    r"(?=(?:i|i'm|i've|i'll|we|we're|we've|my)\b)"
)
_ANY_INTRO = _rx(r"^[^,]{1,40},\s+(?=(?:i|i'm|i've|i'll|we|we're|we've|my)\b)")
_QUESTION = _rx(
    r"(?:(?:what|how|why|where|when|who|which|whose)(?:'s|\s+(?:do|does|did|is|are|was|were|"
    r"can|could|would|will|should|have|has|about|else)\b)|do\s+you|did\s+you|have\s+you|are\s+you|"
    r"can\s+you|could\s+you|would\s+you|will\s+you|is\s+it|is\s+there|should\s+i|shall\s+we|"
    r"any\s+(?:idea|tips|suggestions))\b"
)
_TAG = _rx(r"(?:,|\s+[-\u2013\u2014])\s*[^,?.!]{0,30}\?$")
_HYPO = _rx(
    r"(?<!even\s)\bif\b|\b(?:unless|suppose|supposing|imagine|hypothetically|wish|would|wouldn't|could|"
    r"couldn't|might|should|shouldn't|maybe|perhaps|probably|i'd|we'd)\b|\bmay\b(?!\s+\d)"
)
_INSTRUCTION = _rx(
    r"(?:ignore|disregard|always|never|from\s+now\s+on|you\s+(?:must|should|will|shall|need|"
    r"are\s+now|have\s+to)|act\s+as|pretend|respond|answer|reply|talk\s+to\s+me|speak\s+to\s+me|"
    r"write|translate|summari[sz]e|tell\s+me|give\s+me|show\s+me|list|explain|make\s+sure|"
    r"don't|do\s+not|stop|use|remind\s+me|keep|be\s+(?:more|less|concise|brief))\b"
    r"|.*\b(?:ignore|disregard)\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier|your)\b"
    r"|.*\b(?:system\s+prompt|jailbreak)\b"
)
_SET_ASIDE = _rx(
    r"(?:(?:sorry|oops|wait|ok|okay|so|oh|ah)[,!.]?\s+)*(?:please\s+)?"
    r"(?:(?:from\s+now\s+on|from\s+today\s+on|from\s+this\s+week\s+on|starting\s+(?:today|now)|"
    r"going\s+forward|(?:do\s+not|don't|never)\s+forget(?:\s+that)?)[,:]?\s+"
    r"|(?:ignore|disregard|forget\s+about|forget\s+(?:what|everything|all)\s+i\s+(?:just\s+)?"
    r"(?:said|wrote|told\s+you)|scratch|never\s*mind|nevermind)\b[^,;:!?]{0,60}"
    r"(?:[,;:]|\s+[-\u2013\u2014]+)\s*(?:(?:sorry|oops)[,!.]?\s+)?"
    r"(?:(?:ignore|disregard|scratch)\b[^,;:!?]{0,60}[,;:]\s*)?)"
    r"(?:i\s+meant(?:\s+to\s+say)?(?:\s+that)?[,:]?\s+)?"
    r"(?=(?:i|i'm|i've|i'll|im|we|we're|we've|we'll|my|our)\b)"
)
"""A lead that sets the rest of the sentence aside as a plain statement: "From now on
I'm vegetarian", "Ignore my typos, I'm on a train", "Never mind, I have ...",
"Disregard what I said about Berlin, I actually live in Munich"."""
_FORGET = _rx(
    r"(?:(?:can|could|would)\s+you\s+(?:please\s+)?|please\s+|you\s+(?:can|should)\s+|"
    r"i\s+(?:want|need)\s+you\s+to\s+)?forget\s+(?:about\s+)?(?:that\s+|the\s+fact\s+that\s+)?"
    r"(?P<x>.+?)[.!?]*$"
)
_FORGET_SLOTS = {
    "address": ["address"], "home address": ["address"], "location": ["location"],
    "city": ["location"], "where i live": ["location", "address"], "name": ["name"],
    "age": ["age"], "birthday": ["birthday"], "job": ["occupation", "employer"],
    "occupation": ["occupation"], "employer": ["employer"], "company": ["employer"],
    "workplace": ["employer"], "diet": ["diet"], "hometown": ["hometown"],
    "relationship status": ["relationship_status"], "exercise routine": ["exercise_routine"],
    "where i work": ["employer"], "what i do": ["occupation"], "education": ["education"],
}  # fmt: skip
_SECOND_PERSON = _rx(r"\b(?:you|your|yours|you're|you've|you'll|yourself|u|ya)\b")
_REACTION = _rx(
    r"(?:i|we)\s+(?:(?:really|totally|completely|so|just|also|definitely|absolutely|do|can)\s+)*"
    r"(?:agree|see|know|understand|hope|bet|guess|wonder|mean|believe|can't\s+wait|"
    r"cannot\s+wait|can\s+imagine|can't\s+imagine|can\s+tell|get\s+it|appreciate|think\s+so|"
    r"love\s+(?:it|that|this|them|those|how|the)|like\s+(?:it|that|this|how)|"
    r"remember\s+that)\b|(?:i'm|i\s+am|we're)\s+(?:(?:so|really|very|super|truly|just|also)\s+)*"
    r"(?:sorry|glad|happy|excited|thrilled|proud|stoked|pumped|curious|sure|jealous|impressed)"
    r"\s+(?:to\s+hear|for|that|of|about\s+(?:it|that|this))\b|i(?:'m|\s+am)\s+(?:doing\s+)?"
    r"(?:good|well|great|fine|ok|okay|alright)\b|(?:i'll|i\s+will|we'll|we\s+will|"
    r"i(?:'m|\s+am)\s+sure|i\s+have\s+to\s+say|i\s+(?:have\s+to|gotta|need\s+to|must)\s+go\b|"
    r"i(?:'m|\s+am)\s+(?:definitely\s+|totally\s+|so\s+)?in\b|count\s+me\s+in|"
    r"i\s+must\s+say|i\s+gotta\s+say)\b"
)
_VAGUE_END = _rx(
    r"\b(?:it|that|this|them|there|so|one|will|can|do|did|am|not|can't|won't|don't|didn't)"
    r"(?:\s+(?:out|up|over|down|too|again|(?:right\s+)?now|later|soon|myself|ourselves))?[.!]*$"
)
_GENERIC_WE = _rx(
    r"we\s+(?:all|can|could|should|must|need|gotta|have\s+(?:to|gotta|got\s+to)|just\s+have\s+to|"
    r"really\s+can|each)\b"
)
"""Platitudes, not facts about the speaker: "We all need some time to relax"."""


def _sentences(text: str) -> Iterator[str]:
    buf = ""
    for part in _SENT.split(text.translate(_QUOTES)):
        buf = f"{buf} {part}" if buf else part
        if _ABBR.search(buf):
            continue
        sentence = " ".join(buf.split()).lstrip("-*~> ")
        buf = ""
        if sentence:
            yield sentence
    if buf.strip():
        yield " ".join(buf.split()).lstrip("-*~> ")


def _strip_lead(text: str) -> str:
    text = _LEAD.sub("", text, count=1)
    m = _VOCATIVE.match(text)
    if m and not _DATE.match(text):
        text = text[m.end() :]
    return text


_DATE_INTRO = _rx(r"^" + _DATE.pattern + r"[,:]?\s+(?=(?:i|i'm|i've|i'll|we|we're|we've|my)\b)")
_IMPLICIT = _rx(
    r"(?P<m>gonna|going\s+to)\b|(?:just\s+(?:got|finished|started|did|made|bought|came|"
    r"returned|signed|had|went|found|saw|moved|adopted|tried|launched|joined|wrapped)|"
    r"been\s+\w+ing|went|got\s+back|finished|started|took|spent|bought|tried|visited|attended|"
    r"joined|signed\s+up|planning|thinking\s+(?:of|about)|had\s+(?:a|an|my|the|some|that|this)|"
    r"can't\s+wait\s+to\s+\w+|loved|enjoyed|trying\s+to|feeling|got\s+(?!it\b|any\b|you\b))\b"
)
_PRONOUN_SUBJECT = (
    r"(?!(?:it|it's|they|he|she|you|there|which|what|who)\b)"
    r"(?!(?:this|that|these|those)\s+(?:is|was|are|were|has|had|'s|will|would|can|could|really|"
    r"just|also|definitely|totally)\b)"
)
_ABOUT_ME = _rx(
    _PRONOUN_SUBJECT + r"(?:[\w'-]+\s+){1,4}(?:really\s+|always\s+|definitely\s+|also\s+|"
    r"truly\s+)?(?:(?:helps?|helped|makes?|made|gives?|gave|keeps?|brings?|brought|reminds?|"
    r"inspires?|inspired|motivates?|motivated|taught|teach(?:es)?|means?\s+(?:a\s+lot|"
    r"so\s+much|the\s+world)\s+to)\s+(?:me|my)|(?:is|are|has\s+been)\s+(?:(?:a\s+)?(?:huge|big|"
    r"important|key)\s+part\s+of\s+my|my|(?:so\s+|super\s+|really\s+|very\s+)?(?:special|"
    r"important|precious|dear)\s+to\s+me))\b"
)
"""A sentence about the speaker without "I": "Dancing helps me de-stress"."""


_CONTRACTION = _rx(r"\b(i|we)'(m|ve|ll|re)\b")
_EXPANDED = {"m": "am", "ve": "have", "ll": "will", "re": "are"}


def _expand(m: re.Match[str]) -> str:
    return f"{m.group(1)} {_EXPANDED[m.group(2).lower()]}"


_COMMA_I = _rx(r",\s+(?=(?:i|i'm|i've|we|we're|we've|my)\b)")


def _split_first_person(raw: str) -> list[str]:
    """ "I'm doing well, I just had a picnic" -> two clauses; "Last Friday, I ..." stays one."""
    return _COMMA_I.split(raw) if _FIRST.match(_strip_lead(raw)) else [raw]


def _clauses(sentence: str) -> Iterator[tuple[str, str]]:
    """(clause to match, clause as said) pairs. The clause to match has leading
    interjections, vocatives and intros stripped, "I'm" expanded to "I am", and "I" put
    back where chat left it out ("Gonna visit Rome" -> "I'm gonna visit Rome")."""
    first_person = False
    pieces = _CLAUSE.split(sentence.rstrip(".!?;:, "))
    pieces = [p for raw in pieces for p in _split_first_person(raw)]
    for i, raw in enumerate(pieces):
        said = raw.strip(" ,")
        clause = _strip_lead(said)
        if not _FIRST.match(clause):
            clause = _strip_lead(_DATE_INTRO.sub("", _INTRO.sub("", clause, count=1), count=1))
        if not _FIRST.match(clause):
            clause = front(clause)
        if not _FIRST.match(clause):
            implicit = _IMPLICIT.match(clause)
            if first_person and _CARRY.match(clause):
                clause = "I " + clause
            elif implicit and (i == 0 or first_person):
                clause = ("I'm " if implicit.group("m") else "I ") + clause
        if clause:
            first_person = bool(_FIRST.match(clause))
            yield _CONTRACTION.sub(_expand, clause), said


_SHOWING = _rx(
    r"\b(?:take\s+a\s+look|have\s+a\s+look|check\s+(?:it|this|them|these|that)\s+out|"
    r"here's|here\s+is|here\s+are|look\s+at\s+(?:this|these|that))\b"
)
"""Talk about a shared photo, not a fact: "Here's a pic of my garden, take a look"."""


_THEY = _rx(r"\b(?:they|them|they're|they've|they'd|theirs)\b")
_THERE = _rx(
    r"\b(?:been|was|were|went|go|going|stayed|stay|live|lived|back|it)\s+there\b(?!\s+(?:is|are|was|were))"
)
_IT_OBJECT = _rx(
    r"\b(?:watched|watch|fixed|fix|make|made|tried|try|did|do|finished|finish|read|saw|see|"
    r"bought|sold|use|used|know|knew|started|start|keep|kept|took|take|show|showed|found|"
    r"brought|bring|to|get|got)\s+it\b(?!\s*(?:'s|is|was|has|had))"
)
_WE = _rx(r"(?:we|we're|we've|we'd|we'll|our)\b")
"""A "we" sentence needs an anchor (a name or a date) to say who or when."""


_MIN_CONTENT = 3
"""Content words an unkeyed fact needs; measured on LOCOMO, 2 keeps about 4 points more
coverage and loses about 7 points of precision (benchmarks/extraction_quality.py)."""


def _content_words(text: str) -> int:
    """Words that say what happened or what the speaker has or does: not function words,
    feelings, praise or "-ly" adverbs ("I was really excited" has none). A name counts
    twice and a date expression once: "I went to Rome last year" is enough."""
    dates = len(_DATE.findall(text)) if _has_date(text) else 0
    words = re.findall(r"[A-Za-z][A-Za-z'-]+", _DATE.sub(" ", text) if dates else text)
    return dates + sum(
        (2 if i and _is_name(w) else 1)
        for i, w in enumerate(words)
        if len(w) > 2 and w.lower() not in _NOT_CONTENT and not w.lower().endswith("ly")
    )


_DEICTIC = _rx(
    r"^(?:[^,]{0,30},\s*)?(?:it|that|this|these|those)(?:'s|\s+(?:is|was|has|had|will|would|"
    r"can|could|really|just|also|made|makes|felt|feels|looks|looked|seems|seemed|sounds|took|"
    r"takes|reminds|reminded))\b"
    r"|\b(?:this|that|these|those)\s+(?:\w+\s+)?(?:pics?|photos?|pictures?|shots?|images?|"
    r"screenshots?|one|ones|spot|color|colour|case|sign|thing|things|stuff|kind)\b"
)
"""A subject or object the listener can see but the memory cannot: "It was so fun",
"I got this awesome pic"."""


def _unresolved(text: str) -> bool:
    """True if "they/them", "there", "it" or "this photo" point at something the
    sentence does not name."""
    if _DEICTIC.search(text):
        return True
    they = _THEY.search(text)
    if they:
        before = re.findall(r"[A-Za-z']+", text[: they.start()])
        if not any(
            w.lower() in _COLLECTIVE
            or (len(w) > 3 and w.lower().endswith("s") and w.lower() not in _NOT_PLURAL)
            or (i > 0 and _is_name(w))
            for i, w in enumerate(before)
        ):
            return True
    if _IT_OBJECT.search(text):
        return True
    names = [_is_name(w.strip(".,!?;:\"'()")) for w in text.split()[1:]]
    if _WE.match(text) and not (_has_date(text) or any(names)):
        return True
    there = _THERE.search(text)
    if there:
        before = text[: there.start()].split()[1:]
        return not any(_is_name(w.strip(",.!")) for w in before)
    return False


def _fallback(sentence: str, clauses: list[tuple[str, str]], ctx: _Ctx) -> _Fact | None:
    """The sentence as an unkeyed fact, or only its first-person clauses when the rest
    speaks to the listener or supposes ("I went to Rome - you'd love it")."""
    text = _strip_lead(sentence)
    if _SHOWING.search(text):
        return None
    keep = [
        said
        for c, said in clauses
        if (_FIRST.match(c) or _ABOUT_ME.match(c) or _FIRST.match(_ANY_INTRO.sub("", c, count=1)))
        and not (_SECOND_PERSON.search(said) or _HYPO.search(said) or _REACTION.match(c))
        and not _GENERIC_WE.match(c)
    ]
    if not keep:
        return None
    if _SECOND_PERSON.search(text) or _HYPO.search(text):
        text = ", ".join(_strip_lead(s) for s in keep) + (
            sentence[-1] if sentence[-1] in ".!" else "."
        )
    words = text.split()
    if len(words) < 4 or _content_words(text) < _MIN_CONTENT or _unresolved(text):
        return None
    if len(words) <= 8 and _VAGUE_END.search(text):
        return None
    return _fact(_cap(_annotate(text, ctx)), None, None, "other")
