"""Rule handlers for who the speaker is: name, age, health, diet, people, pets, places, work."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from .dates import Context as _Ctx
from .dates import undated as _undated
from .rules_activity import _NOT_GOAL, _incomplete
from .rules_phrases import (
    _alt,
    _cap,
    _Fact,
    _fact,
    _is_name,
    _item,
    _items,
    _names,
    _phrase,
    _placeish,
    _pov,
    _rx,
    _singular,
    _slug,
    _trim,
    _words,
)
from .rules_sentences import _SECOND_PERSON
from .rules_vocab import (
    _BAD_OBJECT,
    _COND_ADJ,
    _CONDITIONS,
    _CONTACTS,
    _DIETS,
    _DRUG_SUFFIX,
    _FOODS,
    _MEDS,
    _OCC,
    _OCC_BAD_MOD,
    _REL_KEY,
)

_Handler = Callable[[re.Match[str], _Ctx], list[_Fact]]


def _name(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    words = m.group("x").split()[:2]
    names = [w.rstrip(".,!") for w in words]
    names = names[:1] if len(names) < 2 or not _is_name(names[1]) else names
    if not names or not _is_name(names[0]):
        return []
    value = " ".join(names)
    return [_fact(f"Name is {value}", "name", value, "identity")]


def _age(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    age = int(next(g for g in m.groups() if g))
    if not 1 <= age <= 120:
        return []
    return [_fact(f"Is {age} years old", "age", str(age), "identity")]


def _birthday(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    if c.day is None:
        return []
    value = f"{c.day:%B} {c.day.day}"
    return [_fact(f"Birthday is {value}", "birthday", value, "identity")]


def _allergy(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    if m.group("y"):
        kind = m.group("y").lower()
        if kind in {"seasonal", "bad", "severe", "food", "some", "terrible", "mild", "many"}:
            text = f"Has {kind} allergies"
            return [_fact(text, f"condition:{_slug(kind)}_allergies", text.lower()[4:], "health")]
        items = [m.group("y")]
    else:
        items = _items(m.group("x") or m.group("z"))
    out = []
    for item in items:
        if item and not _BAD_OBJECT.search(item):
            key = "allergy:" + "_".join(_singular(w) for w in _slug(item).split("_"))
            out.append(_fact(f"Allergic to {_pov(item)}", key, item, "health"))
    return out


def _condition(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    if m.group("x"):
        name = " ".join(m.group("x").split())
        return [_fact(f"Has {name}", f"condition:{_slug(name)}", name, "health")]
    if m.group("y"):
        name = _trim(_undated(m.group("y")))
        if not name or _BAD_OBJECT.search(name):
            return []
        return [_fact(f"Diagnosed with {name}{c.when}", f"condition:{_slug(name)}", name, "health")]
    adj = " ".join(m.group("z").lower().split())
    name = _COND_ADJ[adj]
    return [_fact(f"Is {adj}", f"condition:{_slug(name)}", name, "health")]


def _injury(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    verb = {"broken": "broke", "torn": "tore"}.get(m.group("v").lower(), m.group("v").lower())
    part = " ".join(m.group("x").lower().split())
    value = f"{verb} {part}"
    return [_fact(f"{_cap(value)}{c.when}", f"injury:{_slug(part)}", value, "health")]


def _medication(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    rest = _undated(m.group("x"))
    found = re.match(_alt(_MEDS) + r"\b", rest, re.I)
    prescribed = "prescrib" in m.group(0).lower() or "put me on" in m.group(0).lower()
    context = re.search(r"\b(?:mg|for\s+my|daily|twice|pills?|tablets?)\b", rest, re.I)
    if found:
        name = found.group(0)
    elif prescribed or (_DRUG_SUFFIX.match(rest) and context):
        name = _trim(rest, max_words=2)
    else:
        return []
    value = _trim(rest, preps=False, max_words=8)
    if not name or _BAD_OBJECT.search(value):
        return []
    item = _slug(name)
    if item in {"medication", "medications", "meds"}:
        cond = re.search(r"\bfor\s+(?:my\s+)?(\w+(?:\s+\w+)?)", rest, re.I)
        item = _slug(_trim(cond.group(1))) if cond else item
    return [_fact(f"Takes {_pov(value)}", f"medication:{item}", _pov(value), "health")]


def _diet(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    diet = " ".join(m.group("x").lower().split())
    text = (
        "Does intermittent fasting" if diet == "intermittent fasting" else f"Follows a {diet} diet"
    )
    return [_fact(text, "diet", diet, "diet")]


def _avoids(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    verb = (m.group("v") or "").lower().removesuffix("ing")
    items = _items(m.group("x"))
    out = []
    for item in items:
        bad = _BAD_OBJECT.search(item) or item.lower().split()[0] in {"a", "an", "out", "like"}
        if bad or (not verb and item.lower() not in _FOODS):
            continue
        text = f"Does not {verb} {item}" if verb in {"eat", "drink"} else f"Avoids {item}"
        out.append(_fact(text, f"avoids:{_slug(item)}", item, "diet"))
    return out


_LIKE_TEXT = {
    "love": "Loves", "like": "Likes", "enjoy": "Enjoys", "adore": "Adores", "prefer": "Prefers",
    "hate": "Hates", "dislike": "Dislikes", "detest": "Detests", "loathe": "Loathes",
    "dig": "Likes", "can't stand": "Cannot stand", "cannot stand": "Cannot stand",
    "don't like": "Does not like", "do not like": "Does not like",
    "don't really like": "Does not really like", "don't enjoy": "Does not enjoy",
    "do not enjoy": "Does not enjoy", "don't care for": "Does not care for",
}  # fmt: skip


def _preference(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    if m.group("v"):
        verb = _LIKE_TEXT[" ".join(m.group("v").lower().split())]
        rest = m.group("x")
    else:
        verb = "Is " + " ".join(m.group("w").lower().split())
        rest = m.group("y")
    if rest.lower().startswith("to "):
        phrase = _phrase(rest[3:], max_words=6)
        if not phrase or _BAD_OBJECT.search(phrase) or _NOT_GOAL.match(phrase):
            return []
        if _incomplete(rest[3:], phrase):
            return []
        text = f"{verb} to {phrase}"
        return [_fact(text, f"preference:{_item(phrase)}", text.lower(), "preference")]
    out = []
    items = _items(rest)
    if len(items) == 1 and _incomplete(rest, items[0]):
        return []
    for item in items:
        if not item or _BAD_OBJECT.search(item) or item.lower().startswith(("being", "to ")):
            continue
        if _ANAPHORIC.match(item) or re.match(r"(?:their|its|his|her)\b", item, re.I):
            continue
        text = f"{verb} {_pov(item)}"
        out.append(_fact(text, f"preference:{_item(item)}", text.lower(), "preference"))
    return out


_ANAPHORIC = re.compile(
    r"the\s+(?!(?:beach|ocean|sea|outdoors|mountains|rain|snow|sun|city|countryside|theat(?:er|re)|"
    r"gym|water|forest|woods|movies|cinema|park|desert|lake|river|stars|night\s+sky|arts?|"
    r"piano|guitar|violin|drums|cello|flute|news|radio|opera|ballet|circus|zoo)\b)[a-z]"
)
"""A lowercase "the ..." object points back at something in the talk ("the colors")."""
_FAV_BAD = _words("part thing things one bit moment moments memory memories way")


def _favorite(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    one = m.group("one") or m.group("one2")
    kind = _trim((m.group("k") or m.group("k2") or "").lower())
    value = _trim(_undated(m.group("x") or m.group("y") or ""), preps=False)
    if not value or _BAD_OBJECT.search(value) or kind in _FAV_BAD:
        return []
    if re.match(r"(?:he|she|they|we|it|this|that|i)\b", value, re.I):
        return []
    value = _pov(value)
    if one or not kind:
        shown = f"One of favorite {kind}: {value}" if kind else f"Favorite: {value}"
        return [_fact(shown, f"preference:{_item(value)}", value, "preference")]
    kind = _pov(kind)
    return [_fact(f"Favorite {kind} is {value}", f"favorite:{_slug(kind)}", value, "preference")]


def _rel_parts(m: re.Match[str]) -> tuple[str, str, str]:
    """(namespace, key-part, shown name) of a relative or contact."""
    mod = (m.group("mod") or "").strip().lower()
    rel = " ".join(m.group("rel").lower().split())
    ns = "contact" if re.fullmatch(_alt(_CONTACTS), rel) else "family"
    key_rel = _REL_KEY.get(rel, rel).replace(" ", "_").replace("-", "_")
    shown = f"{mod} {rel}".strip()
    return ns, key_rel, shown


def _relative_named(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    ns, rel, shown = _rel_parts(m)
    names = _names(m.group("n") or "")
    if not names and m.group("n") is None and m.group("q"):
        if ns == "contact":
            return []
        q = m.group("q").lower()
        text = f"Has {q} {shown}"
        return [_fact(text, f"{ns}:{rel}", f"{q} {shown}", "relations")]
    single = {"children": "child", "kids": "kid"}.get(
        shown, _singular(shown) if len(names) > 1 else shown
    )
    return [
        _fact(
            f"Has {'an' if single[0] in 'aeiou' else 'a'} {single} named {n}",
            f"{ns}:{_singular(rel) if len(names) > 1 else rel}:{n.lower()}",
            n,
            "relations",
        )
        for n in names
    ]


_ATTRS = [
    ("location", _rx(r"(?:lives|live|is\s+living|(?:just\s+)?moved)\s+(?:in|to)\s+(?P<v>.+)")),
    ("occupation", _rx(
        r"(?:works|work)\s+as\s+(?:an?\s+)?(?P<v>.+)"
        r"|(?:is|'s)\s+(?:now\s+)?an?\s+(?P<o>(?:[\w-]+\s+){0,2}?" + _alt(_OCC) + r")\b"
    )),
    ("employer", _rx(r"(?:works|work)\s+(?:at|for)\s+(?P<v>.+)")),
    ("age", _rx(r"(?:is|'s|just\s+turned|turned)\s+(?P<v>\d{1,3})(?:\s+years?\s+old)?\s*$")),
]  # fmt: skip


def _relative_says(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    ns, rel, shown = _rel_parts(m)
    name = m.group("n")
    pred = _undated(m.group("p"))
    if re.search(r"\b(?:i|me|my|myself|i'm|i've)\b", pred, re.I) or _SECOND_PERSON.search(pred):
        return []  # "my friends mocked my weight": said as is by the fallback instead
    who = f"{_cap(shown)} {name}" if name else _cap(shown)
    base = f"{ns}:{rel}" + (f":{name.lower()}" if name else "")
    for attr, rx in _ATTRS:
        a = rx.match(pred)
        if a:
            value = _trim(a.group("v") or a.group("o") or "", max_words=5)
            if value and (attr != "location" or _placeish(value)):
                text = f"{who} {_trim(pred, preps=False, max_words=10)}"
                return [_fact(text, f"{base}:{attr}", value, "relations")]
    said = re.split(r"[,;:!?.]|\s[-\u2013]\s|\s+but\s", pred)[0].strip()
    if not 2 <= len(said.split()) <= 14:
        return []
    return [_fact(f"{who} {said}{c.when}", None, None, "relations")]


_PET_ILL = _rx(
    r"\s+(?:has|had|has\s+got|got|has\s+been\s+diagnosed\s+with|was\s+diagnosed\s+with|"
    r"is\s+sick\s+with|is\s+ill\s+with|is\s+suffering\s+from|is\s+being\s+treated\s+for)\s+"
    r"(?:a\s+|an\s+|mild\s+|severe\s+|chronic\s+|bad\s+)?(?P<x>"
    + _alt(
        _CONDITIONS + "|parvo|parvovirus|distemper|heartworm|worms|fleas|ticks|mange|"
        "kennel cough|an ear infection|an infection|a tumor|a tumour|seizures|hip dysplasia|"
        "liver disease|a broken leg|an injury"
    )
    + r")\b|\s+(?P<y>is\s+(?:sick|ill|unwell|not\s+well|at\s+the\s+vet))\b"
)


def _pet_illness(species: str, name: str, said: str) -> list[_Fact]:
    """ "my dog Max has kidney disease" -> "Dog Max has kidney disease" (pets: a pet's health
    is remembered as long as the pet)."""
    m = _PET_ILL.match(said)
    if m is None:
        return []
    what = f"has {m.group('x').lower()}" if m.group("x") else " ".join(m.group("y").split())
    text = f"{species.capitalize()} {name} {what}"
    return [_fact(text, f"pet_health:{name.lower()}", what, "pets")]


def _pet(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    species = _singular(m.group("s").lower())
    species = {"pup": "puppy", "kitty": "cat", "bunny": "rabbit"}.get(species, species)
    names = _names(m.group("n") or "")
    gone = bool(
        re.match(r"\s*(?:passed\s+away|died|ran\s+away|was\s+put\s+down)", m.group("p") or "", re.I)
    )
    if names:
        facts = [
            _fact(f"Has a {species} named {n}", f"pet:{n.lower()}", f"{species} named {n}", "pets")
            for n in names
        ]
        if not gone and len(names) == 1:
            facts += _pet_illness(species, names[0], m.group("p") or "")
    elif m.groupdict().get("q"):
        q = m.group("q").lower()
        shown = f"{q} {m.group('s').lower()}"
        facts = [_fact(f"Has {shown}", f"pet:{species}", shown, "pets")]
    elif gone:
        facts = [_fact(f"Has a {species}", f"pet:{species}", species, "pets")]
    else:
        return []
    return [replace(f, delete=True) for f in facts] if gone else facts


def _hometown(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    raw = _undated(m.group("x"))
    year = re.match(r"(?:in\s+)?(\d{4})\b", raw)
    if year and "born" in m.group(0).lower():
        return [_fact(f"Born in {year.group(1)}", "birth_year", year.group(1), "identity")]
    value = _trim(raw, max_words=5)
    if not _placeish(value):
        return []
    return [_fact(f"Is from {value}", "hometown", value, "identity")]


def _location(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    value = _trim(_undated(m.group("x")), max_words=5)
    if m.group("prep").lower() == "into" or not _placeish(value):
        return []
    return [_fact(f"Lives in {value}", "location", value, "identity")]


def _address(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    value = _trim(m.group("x"), max_words=8)
    return [_fact(f"Lives at {value}", "address", value, "identity")]


def _moving(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    value = _trim(_undated(m.group("x")), max_words=5)
    if not _placeish(value):
        return []
    return [_fact(f"Moving to {value}{c.when}", "plan:move", f"{value}{c.when}", "plan")]


_NOT_EMPLOYER = _rx(
    r"^(?:myself|home|night|nights|weekends|the\s+weekends?|times|least|all|first|once|a\s+living|free|fun|hours|it|you|your|this|that|them|him|her)\b"
)


def _employer(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    prep = m.group("prep").lower()
    raw = _undated(m.group("x"))
    value = _trim(raw, max_words=5)
    if not value or (_NOT_EMPLOYER.match(value) and value.lower() != "myself"):
        return []
    if value.lower() == "myself":
        return [_fact("Is self-employed", "occupation", "self-employed", "identity")]
    if prep == "as":
        facts = _occupation_value(value)
        at = re.search(r"\b(?:at|for)\s+(.+)", raw[len(value) :], re.I)
        employer = _trim(at.group(1), max_words=5) if at else ""
        if facts and employer and not _NOT_EMPLOYER.match(employer):
            facts.append(_fact(f"Works at {employer}", "employer", employer, "identity"))
        return facts
    if prep == "in":
        if _is_name(value.split()[0]) or len(value.split()) > 3:
            return []
        if value.split()[0].lower() in {"a", "an", "the"}:
            return [_fact(f"Works in {value}", "employer", value, "identity")]
        return [_fact(f"Works in {value}", "work_field", value, "identity")]
    facts = [_fact(f"Works at {value}", "employer", value, "identity")]
    role = re.search(r"\bas\s+(?:an?\s+)?(.+)", raw[len(value) :], re.I)
    return facts + (_occupation_value(_trim(role.group(1))) if role else [])


def _occupation_value(value: str) -> list[_Fact]:
    value = re.sub(r"^(?:an?|the)\s+", "", _trim(value, max_words=5), flags=re.I)
    if not value or _BAD_OBJECT.search(value) or _OCC_BAD_MOD.search(value):
        return []
    art = "an" if value[0].lower() in "aeiou" else "a"
    return [_fact(f"Works as {art} {value}", "occupation", value, "identity")]


def _occupation(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    facts = _occupation_value(m.group("x"))
    at = re.match(r"\s+(?:at|for|with)\s+(.+)", m.group("rest") or "", re.I)
    if facts and at:
        employer = _trim(_undated(at.group(1)), max_words=5)
        if employer and not _NOT_EMPLOYER.match(employer):
            facts.append(_fact(f"Works at {employer}", "employer", employer, "identity"))
    return facts


def _occupation_state(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    if not m.group("x"):
        return [_fact(f"Retired{c.when}", "occupation", "retired", "identity")]
    state = " ".join(m.group("x").lower().split())
    value = {"between jobs": "unemployed", "out of work": "unemployed"}.get(state, state)
    return [_fact(f"Is {value}", "occupation", value.removeprefix("a "), "identity")]


def _quit_job(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    at = m.groupdict().get("x")
    employer = _trim(_undated(at), max_words=5) if at else None
    text = f"Works at {employer}" if employer else "Employer (left job)"
    return [
        _Fact(text, "employer", employer, "identity", delete=True),
        _Fact("Occupation (left job)", "occupation", None, "identity", delete=True),
    ]


def _relationship(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    if m.group("s"):
        status = " ".join(m.group("s").lower().split())
        to = re.match(r"\s+to\s+((?-i:[A-Z])\w+)", m.group("t") or "", re.I)
        text = f"Is {status}" + (f" to {to.group(1)}" if to and status == "married" else "")
        return [_fact(text, "relationship_status", status, "identity")]
    if m.group("g"):
        status = m.group("g").lower().replace("hitched", "married")
        return [_fact(f"Got {status}{c.when}", "relationship_status", status, "identity")]
    who = _phrase(m.group("w") or "", max_words=4)
    text = "Broke up" + (f" with {who}" if who and not _BAD_OBJECT.search(who) else "") + c.when
    return [_fact(text, "relationship_status", "single", "identity")]


def _education(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    if m.group("school") is not None or m.group("grad"):
        school = _trim(_undated(m.group("school") or ""), max_words=6)
        text = "Graduated" + (f" from {school}" if school else "") + c.when
        return [_fact(text, "education", text.lower(), "identity")]
    if m.group("deg"):
        field = _trim(_undated(m.group("f") or ""), max_words=5)
        deg = " ".join(m.group("deg").split())
        text = f"Has a {deg}" + (f" in {field}" if field else "")
        return [_fact(text, "education", text.lower()[4:], "identity")]
    value = _phrase(m.group("m"), max_words=6)
    return (
        [_fact(f"Majoring in {value}", "education", f"majoring in {value}", "identity")]
        if value
        else []
    )


_BEING = _rx(r"^(?:being\s+)?(?:an?\s+)?")


def _switch(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    old = _BEING.sub("", _trim(_undated(m.group("a") or ""), preps=False, max_words=4), count=1)
    new = _BEING.sub("", _trim(_undated(m.group("b")), max_words=4), count=1)
    if not new or _BAD_OBJECT.search(new) or (old and _BAD_OBJECT.search(old)):
        return []
    if re.fullmatch(_alt(_DIETS), new, re.I):
        return [_fact(f"Follows a {new.lower()} diet", "diet", new.lower(), "diet")]
    if re.search(_alt(_OCC) + r"$", new, re.I):
        return _occupation_value(new)
    if m.group("job"):  # "switched jobs from Google to Meta": the new value supersedes
        if _is_name(new.split()[0]):
            return [_fact(f"Works at {new}", "employer", new, "identity")]
        if new.lower().endswith("ing"):
            return [_fact(f"Works in {new}", "work_field", new, "identity")]
        return _occupation_value(new)
    facts = [_fact(f"Uses {new}", f"uses:{_slug(new)}", new, "preference")]
    if old:
        facts.append(_Fact(f"Uses {old}", f"uses:{_slug(old)}", old, "preference", delete=True))
    return facts
