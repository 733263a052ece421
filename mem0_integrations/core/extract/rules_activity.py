"""Rule handlers for what the speaker does: skills, exercise, hobbies, goals, plans, habits."""

from __future__ import annotations

import re

from .dates import Context as _Ctx
from .dates import undated as _undated
from .rules_phrases import (
    _alt,
    _cap,
    _Fact,
    _fact,
    _gerund,
    _is_name,
    _item,
    _phrase,
    _pov,
    _rx,
    _slug,
    _third,
    _trim,
    _words,
)
from .rules_vocab import (
    _BAD_OBJECT,
    _DIETS,
    _DISTANCE,
    _EX_NAME,
    _FREQ,
    _HOBBY_VERBS,
    _LANGS,
    _LIGHT,
    _PREP,
    _USUALLY,
    words,
)


def _skill_item(verb: str, obj: str) -> str:
    on = re.search(r"\b(?:on|in)\s+(?:the\s+|my\s+)?(\w+)", obj, re.I)
    if on and not re.match(r"\d", on.group(1)):
        return _slug(on.group(1))
    if not obj or re.match(r"\d|a\s+(?:mile|few|lot)", obj, re.I):
        return _gerund(verb)
    return _item(obj)


_SKILL_VERBS = _words("play speak cook code drive swim dance sing paint draw knit sew ski surf")
_LESSONS = _rx(r"(?:some\s+|a\s+)?(.{2,30}?)\s+(?:lessons|classes|class|courses?)\b")
_SCHOOLING = _rx(r".*\b(?:for|at|degree|major|masters|phd|college|university)\b")
_LEARN_VERB = _rx(r"^(?:how\s+)?(?:to\s+)?")


def _learning(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    verb = " ".join(m.group("v").lower().split())
    rest = _undated(m.group("x"))
    if verb == "taking":
        lesson = _LESSONS.match(rest)
        if not lesson:
            return []
        obj = _trim(lesson.group(1), max_words=3)
        phrase = f"taking {obj} lessons"
    elif verb == "studying" and _SCHOOLING.match(rest):
        return []
    else:
        obj = _trim(_LEARN_VERB.sub("", rest, count=1), preps=False, max_words=6)
        phrase = f"{verb} {_trim(rest, preps=False, max_words=6)}"
    words = obj.split()
    if (
        not words
        or _BAD_OBJECT.search(obj)
        or _incomplete(rest, _trim(rest, preps=False, max_words=6))
    ):
        return []
    first = words[0].lower()
    item = _skill_item(first, " ".join(words[1:])) if first in _SKILL_VERBS else _item(obj)
    started = re.search(r"\b(?:started|began|begun)\b", m.group(0), re.I)
    text = f"Started {_pov(phrase)}{c.when}" if started else _cap(_pov(phrase))
    return [_fact(text, f"skill:{item}", _pov(phrase), "skill")]


def _can(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    verb = m.group("v").lower()
    obj = _trim(_undated(m.group("x") or ""), preps=False, max_words=8)
    if re.match(r"(?:better|well|more|faster|again|anymore|now|too|so)\b", obj, re.I):
        return []
    if _BAD_OBJECT.search(obj) or (
        not obj and verb in {"do", "make", "fix", "build", "read", "write"}
    ):
        return []
    text = f"Can {verb} {_pov(obj)}".strip()
    return [_fact(text, f"skill:{_skill_item(verb, obj)}", text.lower(), "skill")]


def _speaks(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    langs = re.findall(_alt(_LANGS), m.group("x"), re.I)
    how = "Fluent in" if "fluent" in m.group(0).lower() else "Speaks"
    return [
        _fact(
            f"{how} {_cap(lang)}", f"skill:{_slug(lang)}", how.lower() + " " + lang.lower(), "skill"
        )
        for lang in langs
    ]


def _good_at(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    obj = _trim(_undated(m.group("x")), preps=False, max_words=5)
    if not obj or _BAD_OBJECT.search(obj):
        return []
    return [_fact(f"Good at {_pov(obj)}", f"skill:{_item(obj)}", f"good at {obj}", "skill")]


def _been_doing(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    obj = _trim(m.group("x"), preps=False, max_words=4)
    span = _trim(m.group("d"), preps=False, max_words=5)
    if not obj or _BAD_OBJECT.search(obj) or re.fullmatch(r"\w+ly", obj):
        return []
    value = f"{m.group('v').lower()} {_pov(obj)} {span}"
    return [_fact(f"Has been {value}", f"skill:{_item(obj)}", value, "skill")]


def _exercise(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    started = m.group("s") or ""
    rest = m.group("rest") or ""
    freq = _FREQ.search(rest)
    progressive = started.lower().split()[-1:] in (["am"], ["'m"], ["been"])
    if not freq and (not started or progressive):
        return []
    act = " ".join(m.group("a").lower().split())
    if progressive and not act.endswith(("ing", "yoga", "pilates", "crossfit")):
        return []
    parts = [_EX_NAME.get(act, act)]
    dist = _DISTANCE.search(rest)
    if dist:
        parts.append(" ".join(dist.group(0).split()))
    if freq:
        parts.append(" ".join(freq.group(0).lower().split()))
    value = ", ".join(parts)
    return [_fact(f"Exercise routine: {' '.join(parts)}", "exercise_routine", value, "habit")]


_HOBBY_NOUNS = _rx(
    r"^(?:yoga|pilates|meditation|therapy|journaling|gardening|an?\s+(?:new\s+)?(?:blog|podcast|"
    r"garden|business|company|band|youtube\s+channel|channel|book\s+club|club|nonprofit|"
    r"charity|hobby|side\s+hustle|shop|store|studio))\b"
)
_NOT_ACTIVITY = _rx(
    r"^(?:to|by|at|in|for|on|with|learning|studying|taking|thinking|feeling|wondering|realizing|realising|noticing|"
    r"trying|looking|planning|getting|going\s+to\s+(?!the\s+gym|church|therapy))\b"
)


def _started(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    rest = _undated(m.group("x"))
    first = rest.split()[0].lower() if rest.split() else ""
    if _NOT_ACTIVITY.match(rest) or not (first.endswith("ing") or _HOBBY_NOUNS.match(rest)):
        return []
    phrase = _trim(rest, preps=False, max_words=6)
    words = phrase.split()
    if not phrase or _BAD_OBJECT.search(phrase) or _incomplete(rest, phrase):
        return []
    if first.endswith("ing") and (len(words) > 4 or any(_is_name(w) for w in words[1:])):
        return []
    item = _item(phrase) if first.endswith("ing") else _slug(phrase)
    return [_fact(f"Started {_pov(phrase)}{c.when}", f"habit:{item}", _pov(phrase), "habit")]


_GOAL_TEXT = {
    "want": "Wants to", "wanna": "Wants to", "hope": "Hopes to", "plan": "Plans to",
    "planning": "Plans to", "intend": "Intends to", "aim": "Aims to", "aiming": "Aims to",
    "hoping": "Hopes to", "trying": "Is trying to", "decided": "Decided to",
    "determined": "Is determined to", "working": "Is working towards", "saving": "Is saving for",
    "training": "Is training for", "goal": "Goal is to", "dream": "Dream is to",
    "resolution": "Resolution is to", "mission": "Mission is to",
}  # fmt: skip
_NOT_GOAL = _rx(
    r"^(?:say|thank|let|tell|ask|know|see|hear|share|show|check|make\s+sure|give|talk|chat|"
    r"apologi[sz]e|congratulate|wish|remind|mention|add|point\s+out|clarify|hug|catch\s+up|"
    r"do\s+it|try\s+it|keep|be\s+honest|get\s+back|go|come|sleep|rest|relax|stay|figure\s+out|"
    r"be|have\s+a\s+look|take\s+a\s+look|read\s+more|just\s+.*)$|^(?:say|thank|tell|ask|let|know|hear|share|"
    r"show|check|remind|mention|point|clarify|hug|congratulate|apologi[sz]e|make\s+sure|brag)\b"
)


_GOAL_PREPS: dict[str, set[str | None]] = {
    "wanna": {None}, "plan": {"to", "on"}, "planning": {"to", "on"}, "aiming": {"to", "for"},
    "working": {"towards", "toward"}, "saving": {"for", "up for"}, "training": {"for"},
}  # fmt: skip
_PRONOUN_NEXT = _words("this that it these those them one him her there here")


def _incomplete(raw: str, phrase: str) -> bool:
    """True if ``phrase`` stopped at a pronoun ("decided to use | this money", "love
    escaping | to that world") or is a bare light verb."""
    words = phrase.split()
    rest = [w.lower().strip(",.!") for w in _undated(raw).split()[len(words) : len(words) + 2]]
    if rest and rest[0] in _PREP:
        rest = rest[1:]
    if rest and rest[0] in _PRONOUN_NEXT:
        return True
    return len(words) == 1 and words[0].lower() in _LIGHT | {"use", "feel", "be"}


def _goal_fact(label: str, raw: str, ns: str, c: _Ctx) -> list[_Fact]:
    phrase = _phrase(raw, max_words=14, lists=True).rstrip(",")
    phrase = re.sub(r"\s+(?:and|or)$", "", phrase)
    if not phrase or _BAD_OBJECT.search(phrase) or _NOT_GOAL.match(phrase):
        return []
    if _incomplete(raw, phrase):
        return []
    value = f"{phrase}{c.when}"
    return [_fact(f"{label} {value}", f"{ns}:{_item(phrase)}", value, ns)]


def _goal(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    if not m.group("v"):
        word = m.group("g").lower().split()[-1]
        if (m.group("p") or "").lower() != "to":
            return []
        ns = "plan" if word == "plan" else "goal"
        return _goal_fact(_GOAL_TEXT.get(word, "Goal is to"), m.group("x"), ns, c)
    verb = m.group("v").lower().split()[-1]
    prep = " ".join((m.group("p") or "").lower().split()) or None
    if prep not in _GOAL_PREPS.get(verb, {"to"}):
        return []
    label = "Plans on" if prep == "on" else _GOAL_TEXT.get(verb, "Wants to")
    ns = "plan" if verb in {"plan", "planning", "intend", "decided"} else "goal"
    return _goal_fact(label, m.group("x"), ns, c)


def _plan_my(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    thing = _trim(m.group("x"), max_words=3)
    if not c.future or not c.when or not thing or _BAD_OBJECT.search(thing):
        return []
    return [_fact(f"{_cap(thing)}{c.when}", f"plan:{_slug(thing)}", f"{thing}{c.when}", "plan")]


def _plan(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    if not c.future or not c.when:
        return []
    aux = " ".join(m.group("v").lower().split())
    phrase = _phrase(m.group("x"), max_words=8)
    if not phrase or _BAD_OBJECT.search(phrase) or _incomplete(m.group("x"), phrase):
        return []
    first = phrase.split()[0].lower()
    if aux in {"'m", "am", "are", "'re"}:
        if not first.endswith("ing") or first in {
            "feeling",
            "thinking",
            "looking",
            "hoping",
            "trying",
            "wondering",
        }:
            return []
        head = ""
    elif aux in {"have", "'ve got", "have got", "got"}:
        if first not in {"a", "an", "my", "the", "some", "two", "three", "another", "our"}:
            return []
        head = "Has "
    elif aux in {"have to", "'ve got to", "got to"}:
        head = "Has to "
    else:
        head = "Will "
    text = _cap(f"{head}{phrase}{c.when}")
    item = "wedding" if phrase.lower().startswith("getting married") else _item(phrase)
    return [_fact(text, f"plan:{item}", f"{phrase}{c.when}", "plan")]


def _habit(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    verb = " ".join(m.group("v").lower().split())
    rest = m.group("x") or ""
    freq = _FREQ.search(rest)
    usual = _USUALLY.search(m.group("adv") or "")
    if not (freq or usual or verb in _HOBBY_VERBS):
        return []
    if re.match(r"\s*(?:down|up|out|for|on|around|through)\b", rest, re.I):
        return []  # "hunt down bottle caps", "fish for compliments": not the hobby
    body = _undated(rest.replace(freq.group(0), " ") if freq else rest)
    obj = _trim(body, preps=False, max_words=6)
    if _BAD_OBJECT.search(obj) or re.match(r"(?:sure|my\s+best|out\b)", obj, re.I):
        return []
    if (
        verb in {"do", "go", "take", "make", "work", "spend", "call", "visit", "attend", "watch"}
        and not obj
    ):
        return []
    if obj.lower().split()[:1] in (["to"], ["with"]) and verb not in {"go", "listen to"}:
        return []
    words = verb.split()
    said = " ".join([_third(words[0]), *words[1:]])
    tail = " ".join(x for x in (_pov(obj), freq.group(0).lower() if freq else "") if x)
    adv = usual.group(0).lower() + " " if usual and not freq else ""
    item = _item(obj) if obj and words[0] in _LIGHT else _gerund(words[0]).replace(" ", "_")
    text = _cap(f"{adv}{said} {tail}".strip())
    return [_fact(text, f"habit:{item}", text.lower(), "habit")]


_SUBJECT = _rx(r"\b(?:i|we|you|they|he|she|it|who|that|which)\b")


def _routine(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    """Any verb in the present with a frequency is a habit: "I restore bikes on weekends"."""
    verb = m.group("v").lower()
    if verb in words("not_routine_verbs") or verb.endswith(("ed", "ing", "s")):
        return []
    rest = (m.group("x") or "").rstrip(" .!,;")
    freq = _FREQ.search(rest)
    if freq is None or freq.end() != len(rest) or _SUBJECT.search(rest[: freq.start()]):
        return []  # "a daily schedule", "the joy they bring daily": not a routine of theirs
    return _habit(m, c)


def _uses(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    new = _trim(_undated(m.group("b")), max_words=4)
    if not new or _BAD_OBJECT.search(new):
        return []
    if re.fullmatch(_alt(_DIETS), new, re.I):
        return [_fact(f"Follows a {new.lower()} diet", "diet", new.lower(), "diet")]
    return [_fact(f"Uses {new}", f"uses:{_slug(new)}", new, "preference")]
