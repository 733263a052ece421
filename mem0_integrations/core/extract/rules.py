"""The offline fact extractor: first-person statements -> keyed facts, no model, no network.

:class:`RuleExtractor` reads the messages of the given roles (``user`` by
default), splits them into sentences and clauses, and matches precompiled
regular expressions anchored on a first-person subject ("I", "I'm", "my", "we").

Keys (the merge layer relies on them): a bare name is a single-valued slot, so a
new value supersedes the old one; ``slot:item`` (lowercase, ``item`` in
snake_case) is one of many, so a new item adds and the same item supersedes.

Single-valued (category, example):

- ``name`` (identity): my name is Anna / call me Anna
- ``age`` (identity): I'm 34 / I just turned 30
- ``birthday`` (identity): my birthday is on March 3rd
- ``occupation`` (identity): I'm a nurse / I work as a chef / I'm retired
- ``employer`` (identity): I work at Google / I got a job at Acme
- ``work_field`` (identity): I work in marketing
- ``location`` (identity): I live in Paris / I moved to Lyon
- ``hometown`` (identity): I'm from Porto / I grew up in Ohio
- ``birth_year`` (identity): I was born in 1990
- ``relationship_status`` (identity): I'm married / we got engaged / I broke up
- ``education`` (identity): I graduated from MIT / I'm majoring in law
- ``diet`` (diet): I'm vegan / I went keto
- ``exercise_routine`` (habit): I run 5 km every morning / I started swimming
- ``address`` (identity): a street address ("I live at 12 Baker Street in London")

Multi-valued:

- ``family:<rel>[:<name>]`` (relations): I have a sister named Anna / I have two kids
- ``family:<rel>[:<name>]:<attr>`` (relations), attr ``location``, ``occupation``,
  ``employer`` or ``age``: my sister Anna lives in Rome
- ``contact:...`` (relations): the same for friend, boss, coworker, neighbour ...
- ``pet:<name or species>`` (pets): I have a dog named Max / we adopted a cat
- ``allergy:<item>``, ``condition:<item>``, ``injury:<body part>``,
  ``medication:<item>`` (health): I'm allergic to penicillin / I have asthma /
  I sprained my ankle / I take metformin
- ``avoids:<item>`` (diet): I don't eat pork / I gave up sugar
- ``preference:<item>``, ``favorite:<kind>``, ``uses:<item>`` (preference):
  I love coffee / my favorite food is lasagna / I switched from Windows to Linux
- ``habit:<item>`` (habit): I meditate every morning / I play guitar
- ``skill:<item>`` (skill): I'm learning Spanish / I can now play 3 songs on guitar
- ``goal:<item>`` (goal) and ``plan:<item>`` (plan): I want to run a marathon next
  year / I have an exam next Friday

Dates: relative expressions (today, tomorrow, yesterday, next/last/this week,
month, year, weekend or weekday, in N days/weeks/months/years, N ... ago, March
3rd, the 3rd of June, in June) resolve against the message time; keyed texts
carry the result ("Has an exam on 2024-05-17"), unkeyed texts keep the words and
add it in brackets.

Change: "used to X" is past, never a current fact (a multi-valued X is
retracted). "no longer", "don't ... anymore", "stopped", "quit", "gave up" and
"forget that/my ..." give ``action=DELETE`` candidates: ``text`` describes the
retracted fact, ``key`` names the slot, ``value`` is the retracted value when
the statement names it and ``None`` when it does not, so a merge layer can check
a single-valued slot before deleting it. A retraction no rule can key ("I no
longer eat meat") is a DELETE with ``key=None`` and text "Eats meat", plus an
ADD ``avoids:meat`` when the verb is eat or drink.

Dropped: questions, greetings and filler, hypotheticals ("if", "I'd", "I
wish", "maybe"), instructions ("always answer in French"), sentences near a
secret (password, API key, card number) and sentences without a first-person
subject. A lead that only sets a statement aside ("From now on I'm vegetarian",
"Never mind, I ...", "Ignore my typos, I ...", "Disregard what I said about Berlin,
I actually live in Munich") is dropped and the statement after it read. A
first-person statement that no rule keys is kept as an unkeyed fact
(``key=None``, category ``other``), verbatim but for leading interjections and
with relative dates resolved in brackets ("I went hiking yesterday (2023-05-07).")
only if it stands on its own: four words or more, at least three content words
(not feelings or praise), no "it/this photo/there/them" pointing back into the
talk, no "you", no reaction ("I'm so happy for you").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from ..models import EventType, MemorySource, Message
from .dates import (
    DATE as _DATE,
)
from .dates import (
    NUM as _NUM,
)
from .dates import (
    WEEKDAYS as _WEEKDAYS,
)
from .dates import (
    Context as _Ctx,
)
from .dates import (
    annotate as _annotate,
)
from .dates import (
    context as _context,
)
from .dates import (
    has_date as _has_date,
)
from .dates import (
    undated as _undated,
)
from .extraction import Candidate
from .safety import contains_secret, instruction_reason

__all__ = ["RuleExtractor"]


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


# --- vocabulary -------------------------------------------------------------------------

_ADV = (
    r"(?:(?:really|also|now|just|recently|finally|actually|still|absolutely|totally|truly|"
    r"definitely|currently|kinda|so|usually|generally|mostly|officially|even|honestly|"
    r"already|lately|happily|newly|genuinely|seriously|do|kind\s+of|sort\s+of|very)\s+)*"
)
_I = r"(?:i|we)(?:\s+|(?='))"
_IM = r"(?:i'm|i\s+am|im|we're|we\s+are)\s+"
_IM1 = r"(?:i'm|i\s+am|im)\s+"
_NUM |= {"seven": 7, "eight": 8, "nine": 9, "ten": 10, "a couple of": 2, "couple of": 2}
_HARD = _words(
    "and but so because since as when while after before until which who whom whose that "
    "where though although if or than unless cause cuz every each last next this these ago "
    "yesterday today tomorrow tonight now recently lately already anymore again too also lol "
    "haha with soon originally"
)
_PREP = _words("in on at to from for of by about near around into over through during")
_DROP = _words("a an the my our their some own")
_LIGHT = _words(
    "have has having get getting go going do doing make making take taking run play playing "
    "visit visiting see seeing attend attending buy become finish complete try practice "
    "practise watch drink drinking eat eating learn start starting open build write read fly "
    "flying head heading travel traveling travelling drive driving meet meeting leave leaving "
    "be watching listen listening reading writing learning collecting checking check putting "
    "put hosting host throwing throw organizing organize"
)
_PARTICLES = _words("out up off back down away together over")
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
_KIN = (
    "wife|husband|partner|spouse|boyfriend|girlfriend|fiance|fiancee|fiancé|fiancée|mom|mum|"
    "mother|mommy|dad|father|daddy|parents|stepmom|stepdad|stepmother|stepfather|sister|sis|"
    "brother|bro|sibling|siblings|son|daughter|kids|children|kid|child|baby|twins|grandma|"
    "grandmother|granny|grandpa|grandfather|grandparents|granddaughter|grandson|grandkids|"
    "grandchildren|aunt|auntie|uncle|cousin|cousins|niece|nephew|in-laws|mother-in-law|"
    "father-in-law|sister-in-law|brother-in-law|sisters|brothers|sons|daughters|family|"
    "ex-wife|ex-husband|ex-boyfriend|ex-girlfriend|ex|hubby"
)
_CONTACTS = (
    "friend|friends|best friend|bff|buddy|pal|roommate|flatmate|housemate|neighbor|neighbour|"
    "coworker|co-worker|colleague|boss|manager|mentor|teammate|classmate|teacher|coach|therapist"
)
_REL_KEY = {
    "mum": "mom", "mother": "mom", "mommy": "mom", "father": "dad", "daddy": "dad",
    "sis": "sister", "bro": "brother", "granny": "grandma", "grandmother": "grandma",
    "grandfather": "grandpa", "auntie": "aunt", "fiancee": "fiance", "fiancé": "fiance",
    "fiancée": "fiance", "kids": "children", "kid": "child", "neighbour": "neighbor",
    "co-worker": "coworker", "bff": "best_friend", "best friend": "best_friend",
    "hubby": "husband",
}  # fmt: skip
_MOD = (
    r"(?:(?:older|younger|little|big|baby|twin|eldest|oldest|youngest|step|half|late|new|dear)\s+)?"
)
_PETS = (
    "dog|dogs|puppy|puppies|pup|cat|cats|kitten|kittens|kitty|bird|birds|parrot|budgie|hamster|"
    "guinea pig|rabbit|bunny|goldfish|turtle|tortoise|snake|lizard|gecko|horse|pony|ferret|"
    "chinchilla|hedgehog|chickens|goat"
)
_OCC = (
    "teacher|professor|lecturer|tutor|nurse|doctor|physician|surgeon|dentist|pharmacist|"
    "therapist|counselor|counsellor|psychologist|psychiatrist|social worker|engineer|developer|"
    "programmer|designer|architect|scientist|researcher|analyst|consultant|accountant|lawyer|"
    "attorney|paralegal|judge|manager|director|executive|ceo|cto|founder|co-founder|"
    "entrepreneur|chef|baker|barista|bartender|waiter|waitress|cashier|clerk|realtor|banker|"
    "broker|trader|economist|writer|author|journalist|editor|reporter|blogger|photographer|"
    "artist|painter|musician|singer|songwriter|guitarist|drummer|dj|producer|actor|actress|"
    "dancer|filmmaker|animator|illustrator|student|intern|mechanic|electrician|plumber|"
    "carpenter|contractor|technician|pilot|firefighter|police officer|cop|detective|soldier|"
    "farmer|gardener|vet|veterinarian|librarian|secretary|receptionist|administrator|paramedic|"
    "caregiver|nanny|coach|personal trainer|instructor|athlete|freelancer|streamer|youtuber|"
    "influencer|pastor|priest|biologist|chemist|physicist|mathematician|statistician|marketer|"
    "recruiter|midwife|optometrist|chiropractor|physiotherapist|physical therapist|hairdresser|"
    "barber|stylist|tailor|butcher|welder|machinist|janitor|security guard|courier|"
    "truck driver|taxi driver|bus driver|delivery driver|flight attendant|sailor|"
    "software engineer|data scientist|web developer|product manager|project manager|"
    "graphic designer|ux designer|game developer|interior designer|fashion designer|"
    "tattoo artist|makeup artist|teaching assistant|grad student|phd student|"
    "stay-at-home mom|stay-at-home dad|stay-at-home parent|homemaker|retiree|veteran"
)
_OCC_BAD_MOD = _rx(
    r"\b(?:good|great|bad|terrible|awful|decent|natural|huge|big|amateur|aspiring|wannabe|"
    r"former|ex|future|fellow|proud|hobby|weekend|born|better|best|lucky|true|total|real)\b"
)
_CONDITIONS = (
    "asthma|diabetes|type 1 diabetes|type 2 diabetes|hypertension|high blood pressure|"
    "low blood pressure|high cholesterol|migraines|migraine|arthritis|celiac disease|"
    "coeliac disease|ibs|crohn's disease|crohn's|colitis|depression|anxiety|adhd|autism|ocd|"
    "ptsd|bipolar disorder|epilepsy|eczema|psoriasis|insomnia|sleep apnea|chronic pain|"
    "back pain|fibromyalgia|lupus|multiple sclerosis|parkinson's|cancer|breast cancer|covid|"
    "long covid|the flu|flu|a cold|pneumonia|bronchitis|hay fever|seasonal allergies|"
    "lactose intolerance|gluten intolerance|a heart condition|heart disease|kidney disease|"
    "hypothyroidism|hyperthyroidism|anemia|gout|scoliosis|tinnitus|vertigo|endometriosis|pcos|"
    "dyslexia|a concussion|tendonitis|dementia|alzheimer's|an eating disorder|chronic fatigue"
)
_COND_ADJ = {
    "diabetic": "diabetes", "asthmatic": "asthma", "epileptic": "epilepsy",
    "lactose intolerant": "lactose intolerance", "gluten intolerant": "gluten intolerance",
    "celiac": "celiac disease", "coeliac": "celiac disease", "autistic": "autism",
    "anemic": "anemia", "anaemic": "anemia", "pregnant": "pregnancy", "dyslexic": "dyslexia",
    "colorblind": "color blindness", "deaf": "deafness", "prediabetic": "prediabetes",
    "pre-diabetic": "prediabetes", "insomniac": "insomnia",
}  # fmt: skip
_BODY = (
    "arm|leg|wrist|ankle|foot|knee|back|neck|shoulder|hip|hand|finger|toe|rib|ribs|elbow|nose|"
    "jaw|collarbone|hamstring|achilles|thumb|head|tooth|spine|calf|groin|pelvis|shin|"
    "left arm|right arm|left leg|right leg|left knee|right knee|left ankle|right ankle|"
    "lower back|left wrist|right wrist|left shoulder|right shoulder"
)
_MEDS = (
    "insulin|metformin|aspirin|ibuprofen|advil|tylenol|acetaminophen|paracetamol|lisinopril|"
    "atorvastatin|lipitor|simvastatin|levothyroxine|synthroid|omeprazole|prozac|fluoxetine|"
    "zoloft|sertraline|lexapro|escitalopram|xanax|alprazolam|adderall|ritalin|wellbutrin|"
    "bupropion|lithium|antidepressants|antidepressant|antibiotics|birth control|the pill|"
    "blood thinners|warfarin|eliquis|prednisone|albuterol|an inhaler|inhaler|melatonin|"
    "vitamin d|vitamin c|vitamin b12|vitamins|fish oil|iron supplements|supplements|probiotics|"
    "antihistamines|zyrtec|claritin|benadryl|methotrexate|ozempic|wegovy|semaglutide|"
    "amoxicillin|statins|beta blockers|chemo|chemotherapy|medication|medications|meds|"
    "hormones|testosterone|estrogen|hrt|epipen|gabapentin|tramadol|steroids"
)
_DRUG_SUFFIX = _rx(
    r"^[a-z]+(?:mab|pril|sartan|statin|olol|azole|cillin|mycin|xetine|prazole|zepam|afil|"
    r"tidine|triptan|dipine|profen|oxin|amine|formin)\b"
)
_DIETS = (
    "vegetarian|vegan|pescatarian|pescetarian|keto|ketogenic|paleo|gluten-free|gluten free|"
    "dairy-free|dairy free|low-carb|low carb|plant-based|plant based|kosher|halal|carnivore|"
    "flexitarian|raw vegan|whole30|mediterranean|low-fat|sugar-free|intermittent fasting"
)
_FOODS = _words(
    "meat|red meat|pork|beef|chicken|fish|seafood|dairy|milk|cheese|sugar|gluten|alcohol|coffee|"
    "caffeine|soda|carbs|junk food|fast food|sweets|chocolate|bread|eggs|wine|beer|"
    "meat and dairy|animal products|processed food",
    sep="|",
)
_LANGS = (
    "english|spanish|french|german|italian|portuguese|mandarin|chinese|cantonese|japanese|"
    "korean|arabic|hindi|russian|dutch|swedish|norwegian|danish|finnish|polish|greek|turkish|"
    "hebrew|vietnamese|thai|indonesian|tagalog|swahili|urdu|bengali|punjabi|persian|farsi|"
    "ukrainian|czech|hungarian|romanian|irish|welsh|latin|sign language|asl"
)
_EXERCISE = (
    "running|run|jogging|jog|swimming|swim|cycling|cycle|biking|bike|lifting weights|"
    "lift weights|weightlifting|working out|work out|going to the gym|go to the gym|"
    "hitting the gym|hit the gym|doing yoga|do yoga|yoga|pilates|crossfit|rowing|boxing|"
    "kickboxing|rock climbing|spinning|strength training|going for runs|go for runs|"
    "going for a run|go for a run|going running|go running|going swimming|go swimming"
)
_EX_NAME = {
    "run": "running", "jog": "jogging", "swim": "swimming", "cycle": "cycling", "bike": "biking",
    "lift weights": "lifting weights", "work out": "working out", "go to the gym": "gym",
    "going to the gym": "gym", "hitting the gym": "gym", "hit the gym": "gym",
    "doing yoga": "yoga", "do yoga": "yoga", "going for runs": "running",
    "go for runs": "running", "going for a run": "running", "go for a run": "running",
    "going running": "running", "go running": "running", "going swimming": "swimming",
    "go swimming": "swimming",
}  # fmt: skip
_HABIT_VERBS = (
    "drink|eat|meditate|read|write|journal|cook|bake|paint|draw|sketch|play|practice|practise|"
    "watch|listen to|take|go|do|visit|volunteer|garden|knit|sew|pray|study|stretch|nap|smoke|"
    "vape|call|clean|dance|sing|blog|vlog|code|program|stream|surf|ski|skate|climb|fish|hunt|"
    "camp|travel|attend|walk|wake up|get up|go to bed|sleep|shop|ride|collect|spend|work|hike"
)
_HOBBY_VERBS = _words(
    "play practice practise paint draw sketch knit sew bake garden surf ski skate climb fish "
    "hunt volunteer meditate journal blog vlog collect smoke vape sing"
)
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


def _uses(m: re.Match[str], c: _Ctx) -> list[_Fact]:
    new = _trim(_undated(m.group("b")), max_words=4)
    if not new or _BAD_OBJECT.search(new):
        return []
    if re.fullmatch(_alt(_DIETS), new, re.I):
        return [_fact(f"Follows a {new.lower()} diet", "diet", new.lower(), "diet")]
    return [_fact(f"Uses {new}", f"uses:{_slug(new)}", new, "preference")]


_GOAL_VERBS = (
    r"(?P<v>want|wanna|hope|plan|intend|aim|(?:am|'m|are|'re)\s+(?:planning|hoping|aiming|"
    r"trying|determined|working|saving|training)|(?:have|'ve)\s+decided|decided|"
    r"(?:have|'ve)\s+been\s+(?:trying|saving|training|planning|working))"
)
# fmt: off
_RULES: list[tuple[str, re.Pattern[str], _Handler]] = [
    ("i", _rx(
        r"(?:i\s+(?:have\s+|'ve\s+)?(?:just\s+|finally\s+|recently\s+)*(?:quit|left|"
        r"resigned\s+from|lost|got\s+fired\s+from|was\s+fired\s+from|"
        r"got\s+laid\s+off\s+from|"
        r"was\s+laid\s+off\s+from)\s+my\s+(?:\w+\s+)?job(?:\s+at\s+(?P<x>.+))?|"
        r"i\s+(?:just\s+)?(?:got|was)\s+(?:fired|laid\s+off|let\s+go))\b"
    ), _quit_job),
    ("my call i", _rx(
        r"(?:my\s+name(?:'s|\s+is)|call\s+me|i\s+go\s+by|(?:i'm|"
        r"i\s+am)(?=\s+(?-i:[A-Z])[a-z]+$))\s+(?P<x>.+)"
    ), _name),
    ("i", _rx(
        _IM1
        + r"(\d{1,3})(?:\s+years?\s+old|\s+y/?o)?$|"
        + _IM1
        + r"(\d{1,3})\s+years?\s+old|i\s+(?:just\s+|recently\s+)?turned\s+(\d{1,3})\b|"
        + _IM1
        + r"an?\s+(\d{1,3})[-\s]year[-\s]old"
    ), _age),
    ("my", _rx(
        r"my\s+birthday\s+(?:is|was|'s)\s+(?P<x>.+)"
    ), _birthday),
    ("i we", _rx(
        _IM
        + _ADV
        + r"(?:severely\s+|deathly\s+|mildly\s+|a\s+bit\s+|a\s+little\s+|highly\s+|"
        r"extremely\s+)?allergic\s+to\s+(?P<x>.+)|"
        + _I
        + _ADV
        + r"(?:have|'ve\s+got|have\s+got|got|developed)\s+(?:an?\s+|some\s+)?(?:severe\s+|"
        r"mild\s+|bad\s+)?(?:(?P<y>[\w-]+)\s+allerg(?:y|ies)\b|allergies\s+to\s+(?P<z>.+))"
    ), _allergy),
    ("i we", _rx(
        _I
        + _ADV
        + r"(?:have|'ve\s+got|have\s+got|got|suffer\s+from|(?:am|'m)\s+suffering\s+from|"
        r"struggle\s+with|live\s+with|deal\s+with|(?:have|'ve)\s+been\s+(?:dealing|"
        r"struggling|living|battling)\s+with|(?:am|'m)\s+(?:dealing|struggling)\s+with|"
        r"developed|caught)\s+(?:a\s+|an\s+|mild\s+|severe\s+|chronic\s+|bad\s+|"
        r"really\s+bad\s+|some\s+)?(?P<x>"
        + _alt(_CONDITIONS)
        + r")\b|"
        + _I
        + r"(?:was|were|got|have\s+been|'ve\s+been|"
        r"just\s+got)\s+diagnosed\s+with\s+(?P<y>.+)|"
        + _IM1
        + _ADV
        + r"(?P<z>"
        + _alt("|".join(_COND_ADJ))
        + r")\b"
    ), _condition),
    ("i", _rx(
        r"i\s+(?:have\s+|'ve\s+)?"
        + _ADV
        + r"(?P<v>broke|broken|fractured|sprained|twisted|injured|hurt|pulled|tore|torn|"
        r"dislocated|bruised)\s+my\s+(?P<x>"
        + _alt(_BODY)
        + r")\b"
    ), _injury),
    ("i my", _rx(
        r"(?:i\s+"
        + _ADV
        + r"(?:take|(?:am|'m|have\s+been|'ve\s+been)\s+(?:taking|on)|started\s+taking|"
        r"began\s+taking|started\s+on)|my\s+doctor\s+(?:put\s+me\s+on|"
        r"prescribed(?:\s+me)?|started\s+me\s+on)|i\s+(?:was|got|have\s+been|'ve\s+been|"
        r"am|'m)\s+(?:just\s+)?prescribed)\s+(?:a\s+|an\s+|some\s+|my\s+|"
        r"daily\s+)?(?P<x>.+)"
    ), _medication),
    ("i we", _rx(
        r"(?:"
        + _IM
        + _ADV
        + r"(?:a\s+|on\s+an?\s+|doing\s+|following\s+an?\s+|eating\s+)?|"
        + _I
        + _ADV
        + r"(?:eat|follow|went|go|(?:have|'ve)\s+gone|switched\s+to|started|began|"
        r"started\s+eating|do|stick\s+to)\s+(?:an?\s+)?)(?P<x>"
        + _alt(_DIETS)
        + r")(?![\w-])(?:\s+diet)?(?!\s+(?:restaurant|food|recipe|dish|option|place|cafe|"
        r"friend|cookbook|meal|version|cheese|burger))"
    ), _diet),
    ("i we", _rx(
        _I
        + r"(?:(?:don't|do\s+not|never|can't|cannot|try\s+not\s+to)\s+(?P<v>eat|drink)|"
        r"(?:avoid|(?:have|'ve)\s+cut\s+out|cut\s+out|stay\s+away\s+from))\s+(?P<x>.+)"
    ), _avoids),
    ("i we", _rx(
        _IM
        + _ADV
        + r"(?P<s>married|single|engaged|divorced|separated|widowed|in\s+a\s+relationship|"
        r"in\s+a\s+long-distance\s+relationship|dating\s+someone)(?![\w-])(?!\s+(?:in|"
        r"with|by|to\s+the|life|parent|mom|dad))(?P<t>.*)|"
        + _I
        + _ADV
        + r"got\s+(?P<g>married|engaged|divorced|hitched)\b|"
        + _I
        + _ADV
        + r"(?P<b>broke\s+up|split\s+up)\b(?:\s+with\s+(?P<w>.+))?"
    ), _relationship),
    ("my", _rx(
        r"my\s+(?:\w+\s+)?(?P<s>"
        + _alt(_PETS)
        + r")(?:'s\s+name\s+is|,?\s+(?:is\s+)?(?:named|"
        r"called))?\s*,?\s+(?P<n>(?-i:[A-Z])[\w'-]+(?:\s*(?:,|and|"
        r"&)\s*(?-i:[A-Z])[\w'-]+)*)(?P<p>.*)"
    ), _pet),
    ("i we", _rx(
        _I
        + _ADV
        + r"(?:have|'ve\s+got|have\s+got|got|adopted|rescued|bought|own|brought\s+home|"
        r"took\s+in|(?:have|'ve)\s+adopted)\s+(?P<q>a|an|one|two|three|four|five|"
        r"\d+)\s+(?:new\s+|little\s+|rescue\s+|\w+\s+)?(?P<s>"
        + _alt(_PETS)
        + r")\b(?:\s*,?\s*(?:named|called)\s+(?P<n>.+))?(?P<p>)"
    ), _pet),
    ("my", _rx(
        r"my\s+(?P<s>"
        + _alt(_PETS)
        + r")(?P<n>)(?P<p>\s+(?:passed\s+away|died|ran\s+away|was\s+put\s+down).*)"
    ), _pet),
    ("my", _rx(
        r"my\s+(?P<mod>"
        + _MOD
        + r")(?P<rel>"
        + _alt(_KIN + "|" + _CONTACTS)
        + r")(?:'s\s+name\s+is|,?\s+(?:is\s+)?(?:named|called))\s+(?P<n>.+)(?P<q>)"
    ), _relative_named),
    ("i we", _rx(
        _I
        + _ADV
        + r"(?:have|'ve\s+got|have\s+got)\s+(?P<q>a|an|one|two|three|four|five|six|"
        r"\d+)\s+(?P<mod>"
        + _MOD
        + r")(?P<rel>"
        + _alt(_KIN)
        + r")\b(?:\s*,?\s*(?:named|called)\s+(?P<n>.+))?"
    ), _relative_named),
    ("my", _rx(
        r"my\s+(?P<mod>"
        + _MOD
        + r")(?P<rel>"
        + _alt(_KIN + "|" + _CONTACTS)
        + r")(?:,?\s+(?P<n>(?-i:[A-Z])[a-z]+),?)?\s+(?P<p>(?:is|are|was|were|lives|live|"
        r"works|work|has|have|had|loves|love|likes|like|enjoys|enjoy|plays|play|studies|"
        r"study|goes|go|just|got|passed\s+away|died|moved|turned|started|graduated|"
        r"teaches|recently|also|still|always|gave|made|took|bought|visited|came|won|"
        r"finished|retired|became|helped|taught)\b.*)"
    ), _relative_says),
    ("i we my", _rx(
        r"(?:"
        + _IM1
        + r"(?:originally\s+)?from|(?:we're|we\s+are)\s+(?:originally\s+)?from|"
        r"i\s+(?:originally\s+)?come\s+from|"
        + _I
        + r"(?:grew\s+up|(?:was|were)\s+born\s+and\s+raised|was\s+raised|"
        r"was\s+born)\s+(?:in|on)|my\s+(?:hometown|home\s+town|"
        r"home\s+country)\s+is)\s+(?P<x>.+)"
    ), _hometown),
    ("i we", _rx(
        _I
        + _ADV
        + r"(?:live|(?:am|'m|are|'re)\s+(?:living|based|located)|reside|(?:have|"
        r"'ve)\s+(?:been\s+)?(?:lived|living)|(?:have|'ve)\s+"
        + _ADV
        + r"(?:moved|relocated)|moved(?:\s+back)?|"
        r"relocated)\s+(?:here\s+)?(?:all\s+the\s+way\s+)?(?:from\s+(?P<f>.+?)\s+)?(?P<pre"
        r"p>in|to|into)\s+(?P<x>.+)"
    ), _location),
    ("i we", _rx(
        _I + _ADV + r"(?:live|(?:am|'m)\s+living|reside)\s+at\s+(?P<x>\d+\w*\s+.+)"
    ), _address),
    ("i we", _rx(
        _I
        + _ADV
        + r"(?:am|'m|are|'re)\s+(?:moving|relocating)\s+(?:back\s+)?to\s+(?P<x>.+)"
    ), _moving),
    ("i we", _rx(
        _I
        + _ADV
        + r"(?:work|(?:am|'m)\s+(?:working|employed|interning)|(?:have|"
        r"'ve)\s+been\s+working|got\s+(?:a\s+|my\s+)?(?:new\s+)?(?:job|position|role|"
        r"internship)|(?:have|'ve)\s+got\s+a\s+(?:new\s+)?job|started\s+(?:a\s+new\s+job|"
        r"working|my\s+new\s+job)|got\s+hired|was\s+hired)\s+(?P<prep>at|for|by|in|"
        r"as)\s+(?P<x>.+)"
    ), _employer),
    ("i", _rx(
        r"(?:"
        + _IM1
        + _ADV
        + r"(?:working\s+as\s+|employed\s+as\s+)?|i\s+(?:just\s+|recently\s+|finally\s+|"
        r"officially\s+)?became\s+|(?:i've|"
        r"i\s+have)\s+been\s+)an?\s+(?P<x>(?:[\w-]+\s+){0,2}?"
        + _alt(_OCC)
        + r")(?![\w-])(?P<rest>.*)"
    ), _occupation),
    ("i my", _rx(
        r"(?:i\s+(?:work|am\s+working|'m\s+working)\s+as|my\s+(?:job|job\s+title|"
        r"profession|occupation)\s+is)\s+(?:an?\s+)?(?P<x>.+)(?P<rest>)"
    ), _occupation),
    ("i", _rx(
        _IM1
        + _ADV
        + r"(?P<x>retired|unemployed|self-employed|freelancing|between\s+jobs|"
        r"out\s+of\s+work|a\s+stay-at-home\s+(?:mom|dad|parent))\b|i\s+(?:just\s+|"
        r"recently\s+|finally\s+|officially\s+)?(?P<r>retired)\b"
    ), _occupation_state),
    ("i", _rx(
        r"i\s+(?:(?:have|'ve)\s+)?"
        + _ADV
        + r"(?:(?P<grad>graduated)(?:\s+from\s+(?P<school>.+))?|(?:have|'ve\s+got|hold|"
        r"earned|got|completed|finished)\s+(?:a|an|my)\s+(?P<deg>(?:bachelor'?s|master'?s|"
        r"phd|doctorate|mba|associate'?s)(?:\s+degree)?|degree|"
        r"diploma)(?:\s+in\s+(?P<f>.+))?|(?:am|'m)\s+majoring\s+in\s+(?P<m>.+))"
    ), _education),
    ("i we", _rx(
        _I
        + r"(?:(?:have|'ve)\s+)?"
        + _ADV
        + r"(?:switched|changed|went|transitioned|converted|"
        r"upgraded)\s+(?P<job>(?:jobs|careers|roles|companies|employers)\s+)?from\s+(?P<a>.+?)"
        r"\s+to\s+(?P<b>.+)"
    ), _switch),
    ("i we", _rx(
        r"(?:"
        + _IM
        + _ADV
        + r"|"
        + _I
        + r"(?:have|'ve)\s+been\s+"
        + _ADV
        + r"|"
        + _I
        + r"(?:(?:have|'ve)\s+)?"
        + _ADV
        + r"(?:started|began|begun)\s+)(?P<v>learning|studying|practicing|practising|"
        r"teaching\s+myself|taking|training\s+in)\s+(?P<x>.+)"
    ), _learning),
    ("i", _rx(
        r"i\s+(?:can\s+now|now\s+can|can\s+finally|finally\s+can|can\s+already|can|"
        r"know\s+how\s+to|(?:am|'m)\s+able\s+to|(?:have|'ve)\s+learned\s+(?:how\s+)?to|"
        r"(?:finally\s+)?learned\s+(?:how\s+)?to)\s+(?:now\s+)?(?P<v>play|speak|cook|bake|"
        r"code|program|swim|drive|run|lift|read|write|sing|dance|knit|sew|paint|draw|ski|"
        r"surf|juggle|skate|ride|solve|type|build|fix|do)\b\s*(?P<x>.*)"
    ), _can),
    ("i", _rx(
        r"(?:i\s+"
        + _ADV
        + r"speak|"
        + _IM1
        + _ADV
        + r"(?:fluent|conversational|proficient)\s+in)\s+(?:fluent\s+|some\s+|a\s+little\s+|"
        r"basic\s+)?(?P<x>"
        + _alt(_LANGS)
        + r"\b.*)"
    ), _speaks),
    ("i", _rx(
        _IM1
        + _ADV
        + r"(?:pretty\s+|quite\s+|really\s+|very\s+)?good\s+at\s+(?P<x>.+)"
    ), _good_at),
    ("i we", _rx(
        r"(?:i've|i\s+have|we've|we\s+have)\s+been\s+(?P<v>playing|practicing|practising|"
        r"studying|learning)\s+(?P<x>.+?)\s+(?P<d>(?:for|since)\s+.+)"
    ), _been_doing),
    ("i we", _rx(
        _I
        + r"(?:(?:have|'ve)\s+)?"
        + _ADV
        + r"(?P<s>started|began|begun|took\s+up|picked\s+up|got\s+into|(?:have|'ve)\s+been|"
        r"am|'m)?\s*(?P<a>"
        + _alt(_EXERCISE)
        + r")\b(?P<rest>.*)"
    ), _exercise),
    ("i we", _rx(
        _I
        + r"(?:(?:have|'ve)\s+)?"
        + _ADV
        + r"(?:started|began|begun|took\s+up|picked\s+up|got\s+into|"
        r"got\s+back\s+into)\s+(?P<x>.+)"
    ), _started),
    ("i we my", _rx(
        r"(?:"
        + _I
        + _ADV
        + _GOAL_VERBS
        + r"|my\s+(?:new\s+)?(?P<g>goal|dream|plan|aim|resolution|new\s+year's\s+resolution|"
        r"mission)\s+(?:is|for\s+\w+\s+is))\s+(?P<p>to|on|for|towards?|"
        r"up\s+for)?\s*(?P<x>.+)"
    ), _goal),
    ("one my", _rx(
        r"(?P<one>one\s+of\s+)?my\s+(?:absolute\s+|all-time\s+|all\s+time\s+|current\s+|"
        r"new\s+)?(?:favou?rite|fave|fav)\s+(?P<k>[\w-]+(?:\s+[\w-]+)?)\s+(?:is|are|"
        r"has\s+to\s+be|right\s+now\s+is)\s+(?P<x>.+)(?P<y>)(?P<one2>)(?P<k2>)"
    ), _favorite),
    ("*", _rx(
        r"(?P<y>[\w'&-]+(?:\s+[\w'&-]+){0,5})\s+(?:is|are)\s+(?:definitely\s+|probably\s+|"
        r"totally\s+|still\s+)?(?P<one2>one\s+of\s+)?my\s+(?:absolute\s+|"
        r"all-time\s+)?(?:favou?rite|"
        r"fave)s?(?:\s+(?P<k2>[\w-]+(?:\s+[\w-]+)?))?\s*$(?P<one>)(?P<k>)(?P<x>)"
    ), _favorite),
    ("i we", _rx(
        _I
        + _ADV
        + r"(?:(?P<v>love|like|enjoy|adore|prefer|hate|dislike|detest|loathe|dig|"
        r"can't\s+stand|cannot\s+stand|don't\s+like|do\s+not\s+like|don't\s+really\s+like|"
        r"don't\s+enjoy|do\s+not\s+enjoy|don't\s+care\s+for)\s+(?P<x>.+))|"
        + _IM
        + _ADV
        + r"(?P<w>(?:a\s+)?(?:big\s+|huge\s+|massive\s+|great\s+)?fan\s+of|"
        r"not\s+a\s+(?:big\s+)?fan\s+of|into|not\s+into|passionate\s+about|"
        r"obsessed\s+with|fond\s+of|crazy\s+about|interested\s+in|addicted\s+to|"
        r"hooked\s+on)\s+(?P<y>.+)"
    ), _preference),
    ("i we", _rx(
        _I
        + r"(?:(?:have|'ve)\s+)?(?:also\s+|now\s+)*(?:use|"
        r"switched\s+to)\s+(?P<b>(?-i:[A-Z]).+)"
    ), _uses),
    ("i we", _rx(
        _I
        + r"(?P<adv>(?:(?:usually|always|often|regularly|normally|typically|generally|also|"
        r"still|now|sometimes)\s+)*)(?P<v>"
        + _alt(_HABIT_VERBS)
        + r")\b(?P<x>.*)"
    ), _habit),
    ("my", _rx(
        r"my\s+(?P<x>(?:[\w'-]+\s+){0,2}?[\w'-]+)\s+(?:is|starts|begins|will\s+be|'s)\b"
    ), _plan_my),
    ("i we", _rx(
        _I
        + _ADV
        + r"(?P<v>have\s+to|'ve\s+got\s+to|got\s+to|'ve\s+got|have\s+got|have|got|will|'ll|"
        r"'m|am|are|'re)\s+(?P<x>.+)"
    ), _plan),
]
# fmt: on


_WORD = re.compile(r"[a-z]+")
_BY_FIRST_WORD: dict[str, list[tuple[re.Pattern[str], _Handler]]] = {
    word: [(rx, fn) for words, rx, fn in _RULES if word in words.split() or words == "*"]
    for word in ("i", "we", "my", "call", "one", "")
}
"""The rules that can match a clause, by its first word ("I'm" -> ``i``)."""


def _keyed(clause: str, ctx: _Ctx) -> list[_Fact]:
    first = _WORD.match(clause.lower())
    word = first.group(0) if first else ""
    word = "i" if word == "im" else word
    for rx, handler in _BY_FIRST_WORD.get(word, _BY_FIRST_WORD[""]):
        m = rx.match(clause)
        if m:
            facts = handler(m, ctx)
            if facts:
                return facts
    return []


# --- retractions ------------------------------------------------------------------------

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
_RETRACT_VERBS = _words(
    "eat drink smoke vape play live work use own drive watch read go attend practice practise "
    "wear take do listen visit follow date see"
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


# --- sentences, filters and the fallback ------------------------------------------------

_QUOTES = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\xa0": " ", "\u2014": " - "}
)
_SENT = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n+")
_ABBR = _rx(r"\b(?:dr|mr|mrs|ms|st|jr|sr|vs|etc|e\.g|i\.e|approx|mt|prof)\.$")
_CLAUSE = _rx(
    r"\s*;\s*|\s+[-\u2013\u2014]+\s+|,?\s+(?:but|though|although|whereas)\s+"
    r"|,?\s+(?:and|so|because|plus|cause|cuz)\s+(?=(?:(?:now|then|also|recently|just|finally|"
    r"still|so)\s+)?(?:i|i'm|i've|i'll|my|we|we're|we've)\b)"
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
_COLLECTIVE = _words(
    "people children family friends folks team group everyone crowd kids parents fam guys"
)
_NOT_PLURAL = _words(
    "this was has is its us his yes always sometimes perhaps thanks less across unless guess "
    "process class business stress progress success miss loss pass kiss boss does goes "
    "series news lots plus bus gas yours ours hers"
)


_NOT_CONTENT = _words(
    "a an the and or but so because if then than as of in on at to from for with by about into "
    "over after before during since until while when where what who whom which that this these "
    "those it its it's i i'm i've i'll i'd me my mine myself we we're we've we'll our ours us "
    "you your he she him her his they them their there here is am are was were be been being "
    "have has had having do does did doing done will would can could should may might must "
    "shall gonna wanna gotta just so too also even still always never ever now then again "
    "already quite pretty super kinda sort kind lot lots bit much more most some any all every "
    "each no not nothing something anything everything thing things stuff way time times day "
    "days one ones other another own same such only well back out up down off around away get "
    "got getting go going went gone come came make made making take took taking give gave let "
    "lets keep kept see saw look looking feel feeling felt think thought know knew want wanted "
    "need needed try tried trying like liked love loved enjoy enjoyed glad sure yeah yes oh "
    "wow hey thanks happy excited thankful grateful proud motivated confident peaceful "
    "determined stoked pumped blessed lucky inspired inspiring ready focused positive tough "
    "hard scary fun amazing awesome great cool nice good bad wonderful incredible fantastic "
    "exciting rewarding fulfilling satisfying challenging difficult easy special important "
    "nervous worried sad upset frustrated frustrating overwhelmed overwhelming busy tired "
    "journey progress dream dreams goal goals challenge process moment moments change changes "
    "chapter experience experiences life best better new big little huge many few several "
    "first last next able"
)


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


def _forget(what: str, ref: date) -> list[_Fact]:
    what = what.strip()
    low = " ".join(what.lower().split())
    slot = _FORGET_SLOTS.get(re.sub(r"^(?:my|about\s+my)\s+", "", low))
    if slot:
        name = re.sub(r"^(?:my|about\s+my)\s+", "", what, flags=re.I)
        return [_Fact(_cap(name), key, None, "identity", delete=True) for key in slot]
    if _BAD_OBJECT.fullmatch(low) or low in {"everything", "all of it", "all that", "it all"}:
        return []
    if not _FIRST.match(what):
        return []
    facts = _flip([f for c, said in _clauses(what) for f in _keyed(c, _context(said, ref))])
    if facts:
        return facts
    return [_Fact(_cap(what), None, None, "other", delete=True)]


def _set_aside(sentence: str) -> str:
    """``sentence`` without a lead that only sets a statement aside (see
    :data:`_SET_ASIDE`), unless the sentence is an instruction to the assistant."""
    m = _SET_ASIDE.match(sentence)
    if m is None or instruction_reason(sentence) is not None:
        return sentence
    rest = sentence[m.end() :]
    return rest[:1].upper() + rest[1:]


def _sentence_facts(sentence: str, ref: date) -> list[_Fact]:
    if contains_secret(sentence):
        return []
    sentence = _set_aside(sentence)
    lead = _strip_lead(sentence)
    m = _FORGET.match(lead)
    if m:
        return _forget(m.group("x"), ref)
    if sentence.endswith("?"):
        tag = _TAG.search(sentence)
        if not tag:
            return []
        sentence = sentence[: tag.start()]
        lead = _strip_lead(sentence)
    if _QUESTION.match(lead) or _INSTRUCTION.match(lead):
        return []
    facts: list[_Fact] = []
    clauses = list(_clauses(sentence))
    for clause, said in clauses:
        if _HYPO.search(said):
            continue
        ctx = _context(said, ref)
        retracted = _retraction(clause, ctx)
        facts.extend(_keyed(clause, ctx) if retracted is None else retracted)
    if facts:
        return facts
    fallback = _fallback(sentence, clauses, _context(sentence, ref))
    return [fallback] if fallback else []


def _facts(content: str, ref: date) -> list[_Fact]:
    seen: set[tuple[str, str | None, bool]] = set()
    out: list[_Fact] = []
    for sentence in _sentences(content):
        for fact in _sentence_facts(sentence, ref):
            mark = (fact.text, fact.key, fact.delete)
            if mark not in seen:
                seen.add(mark)
                out.append(fact)
    return out


class RuleExtractor:
    """Turns first-person statements in messages into keyed facts; no model, no network.

    Only messages whose role is in ``roles`` are read (``user`` by default: what
    an assistant, tool or system says is never a fact about the user). See the
    module docstring for the keys, the change patterns and what is dropped.
    """

    def __init__(self, *, roles: Collection[str] = ("user",)) -> None:
        self._roles = frozenset(roles)

    def extract(self, messages: Sequence[Message], *, now: datetime) -> list[Candidate]:
        """Candidate facts in order of appearance.

        Relative dates ("next Friday") resolve against each message's
        ``created_at``, or ``now`` when it has none; ``stated_at`` is the
        message's ``created_at``.
        """
        out: list[Candidate] = []
        for index, msg in enumerate(messages):
            if msg.role not in self._roles:
                continue
            ref = (msg.created_at or now).date()
            ids = [msg.id] if msg.id else []
            for fact in _facts(msg.content, ref):
                out.append(
                    Candidate(
                        text=fact.text,
                        source=MemorySource(role=msg.role, message_ids=list(ids), name=msg.name),
                        key=fact.key,
                        value=fact.value,
                        category=fact.category,
                        action=EventType.DELETE if fact.delete else EventType.ADD,
                        stated_at=msg.created_at,
                        origin=index,
                    )
                )
        return out
