"""Vocabularies of the offline rule extractor, read from ``_data/rules_*.txt``.

Each file holds one entry a line (``#`` starts a comment); a mapping file holds
``phrase -> value`` lines. Files are read once, on first use of this module, never
at package import (``rules`` is imported lazily by the pipeline).
"""

from __future__ import annotations

import functools
import re

from ..vocab import data_lines
from .dates import NUM as _NUM
from .dates import WEEKDAYS as _WEEKDAYS


@functools.cache
def lines(name: str) -> tuple[str, ...]:
    """The entries of ``_data/rules_<name>.txt``, in file order."""
    return tuple(data_lines(__package__, f"rules_{name}.txt"))


@functools.cache
def words(name: str) -> frozenset[str]:
    return frozenset(lines(name))


def alternation(name: str) -> str:
    """The entries as a ``|``-separated string (the form :func:`_alt` takes)."""
    return "|".join(lines(name))


@functools.cache
def mapping(name: str) -> dict[str, str]:
    pairs = (ln.split("->", 1) for ln in lines(name))
    return {k.strip(): v.strip() for k, v in pairs}


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


_ADV = (
    r"(?:(?:really|also|now|just|recently|finally|actually|still|absolutely|totally|truly|"
    r"definitely|currently|kinda|so|usually|generally|mostly|officially|even|honestly|"
    r"already|lately|happily|newly|genuinely|seriously|do|kind\s+of|sort\s+of|very)\s+)*"
)
_I = r"(?:i|we)(?:\s+|(?='))"
_IM = r"(?:i'm|i\s+am|im|we're|we\s+are)\s+"
_IM1 = r"(?:i'm|i\s+am|im)\s+"
_NUM |= {"seven": 7, "eight": 8, "nine": 9, "ten": 10, "a couple of": 2, "couple of": 2}
_HARD = words("phrase_stops")
_PREP = words("prepositions")
_DROP = words("determiners")
_LIGHT = words("light_verbs")
_PARTICLES = words("particles")
_BAD_OBJECT = _rx(
    r"\b(?:you|your|yours|u|ya|it|that|this|these|those|them|him|her|something|anything|me|"
    r"everything|nothing|stuff|what|how|which|when|where|why|much|enough|there|here|one)\b"
    r"|^(?:the\s+)?(?:idea|way|fact|sound|feeling|vibe|look|colou?rs?|energy|photos?|pics?|"
    r"pictures?|view|thought|name|story|stories|message|quote|details?|seeing|hearing|out|"
    r"well|a\s+lot|too|very|at|so|more|taste|rush|atmosphere|process|challenge|results?|"
    r"smell|concept|experience|support|connection|freedom|moment|moments|a\s+ton|tons|lots|"
    r"a\s+bunch|it\s+all|all\s+of\s+(?:it|them|this)|real|really|hard|late|i|we|they|he|she|"
    r"us|love)\b"
)
_KIN = alternation("kin")
_CONTACTS = alternation("contacts")
_REL_KEY = mapping("relation_keys")
_MOD = (
    r"(?:(?:older|younger|little|big|baby|twin|eldest|oldest|youngest|step|half|late|new|dear)\s+)?"
)
_PETS = alternation("pets")
_OCC = alternation("occupations")
_OCC_BAD_MOD = _rx(
    r"\b(?:good|great|bad|terrible|awful|decent|natural|huge|big|amateur|aspiring|wannabe|"
    r"former|ex|future|fellow|proud|hobby|weekend|born|better|best|lucky|true|total|real)\b"
)
_CONDITIONS = alternation("conditions")
_COND_ADJ = mapping("condition_adjectives")
_BODY = alternation("body_parts")
_MEDS = alternation("medications")
_DRUG_SUFFIX = _rx(
    r"^[a-z]+(?:mab|pril|sartan|statin|olol|azole|cillin|mycin|xetine|prazole|zepam|afil|"
    r"tidine|triptan|dipine|profen|oxin|amine|formin)\b"
)
_DIETS = alternation("diets")
_FOODS = words("foods")
_LANGS = alternation("languages")
_EXERCISE = alternation("exercise")
_EX_NAME = mapping("exercise_names")
_HABIT_VERBS = alternation("habit_verbs")
_HOBBY_VERBS = words("hobby_verbs")
_FREQ = _rx(
    r"\b(?:every\s+(?:single\s+)?(?:day|morning|evening|night|week|weekend|month|other\s+day|"
    + _WEEKDAYS
    + r")|daily|weekly|nightly|each\s+(?:day|morning|evening|night|week)|(?:once|twice|"
    r"three\s+times|four\s+times|five\s+times|\d+\s+times|a\s+few\s+times|several\s+times|"
    r"a\s+couple\s+(?:of\s+)?times)\s+(?:a|per|each|every)\s+(?:day|week|month)|"
    r"on\s+(?:the\s+)?(?:weekends?|weekdays|mondays|tuesdays|wednesdays|thursdays|fridays|"
    r"saturdays|sundays)|(?:in\s+the\s+)?(?:mornings|evenings)|before\s+(?:bed|work|breakfast)|"
    r"after\s+(?:work|school|dinner))\b"
)
_USUALLY = _rx(r"\b(?:usually|always|often|regularly|normally|typically|sometimes)\b")
_DISTANCE = _rx(r"\b\d+(?:\.\d+)?\s*(?:km|k|kilometers|kilometres|miles?|mi|laps|minutes|mins)\b")
_NOT_CONTENT = words("not_content")
_RETRACT_VERBS = words("retract_verbs")
_COLLECTIVE = words("collective_nouns")
_NOT_PLURAL = words("not_plural")
