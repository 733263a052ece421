"""Synthetic, deterministic data: personal facts from templates, questions about them, users."""

from __future__ import annotations

import random
import string

__all__ = ["make_facts", "make_questions", "user_ids"]


def _opts(text: str) -> tuple[str, ...]:
    """Slot values, written as ``"a|b|c"`` to keep the tables compact."""
    return tuple(text.split("|"))


_SLOTS: dict[str, tuple[str, ...]] = {
    "name": _opts(
        "Alice|Ben|Chloe|Daniel|Elena|Farid|Grace|Hiro|Isabel|Jonas|Kofi|Lena|Marco|"
        "Nadia|Omar|Priya|Quentin|Rosa|Sven|Tara"
    ),
    "city": _opts(
        "Rome|Lisbon|Toronto|Osaka|Nairobi|Berlin|Denver|Lyon|Krakow|Melbourne|Austin|"
        "Porto|Seoul|Dublin|Valencia|Montreal"
    ),
    "job": _opts(
        "nurse|software engineer|architect|teacher|pharmacist|data analyst|chef|lawyer|"
        "graphic designer|electrician|accountant|physiotherapist"
    ),
    "company": _opts("logistics|fintech|healthcare|renewable energy|gaming|publishing|biotech"),
    "allergen": _opts(
        "penicillin|peanuts|shellfish|latex|bee stings|cat dander|pollen|sesame|"
        "ibuprofen|dust mites"
    ),
    "remedy": _opts(
        "an epinephrine pen|antihistamines|a printed allergy card|my inhaler|a medical bracelet"
    ),
    "drink": _opts(
        "black coffee|green tea|oat milk lattes|espresso|chai|hot chocolate|matcha|sparkling water"
    ),
    "breakfast": _opts(
        "oatmeal|a croissant|scrambled eggs|yogurt and berries|avocado toast|granola"
    ),
    "cuisine": _opts(
        "Thai|Italian|Ethiopian|Mexican|Japanese|Lebanese|Korean|Peruvian|Georgian|Indian"
    ),
    "dish": _opts(
        "green curry|carbonara|injera with lentils|tacos al pastor|ramen|falafel|"
        "bibimbap|ceviche|khachapuri|dal makhani"
    ),
    "place": _opts("my office|the train station|our old apartment|the river|my gym|the university"),
    "pet": _opts("dog|cat|parrot|rabbit|tortoise|hamster"),
    "petname": _opts("Biscuit|Luna|Pepper|Milo|Ziggy|Nala|Olive|Rocket|Mochi|Toby"),
    "n": tuple(str(i) for i in range(2, 13)),
    "race": _opts("half marathon|marathon|10K race|trail ultra|triathlon"),
    "month": _opts(
        "January|February|March|April|May|June|July|August|September|October|November|December"
    ),
    "day": tuple(str(i) for i in range(1, 29)),
    "weekday": _opts("Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"),
    "school": _opts("kindergarten|primary school|middle school|high school|university"),
    "hobby": _opts("drawing|chess|swimming|robotics|ballet|football|piano"),
    "language": _opts("Spanish|Japanese|German|Portuguese|Italian|Korean|Dutch"),
    "season": _opts("spring|summer|autumn|winter"),
    "food": _opts("gluten|dairy|red meat|sugar|spicy food|caffeine|alcohol|raw fish"),
    "condition": _opts(
        "migraines|high blood pressure|acid reflux|type 2 diabetes|asthma|eczema|insomnia"
    ),
    "instrument": _opts("bass guitar|drums|violin|saxophone|piano|cello|trumpet"),
    "band": _opts("jazz|indie rock|folk|funk|brass|blues"),
    "color": _opts("red|silver|dark blue|white|green|black"),
    "car": _opts("Toyota Corolla|Volkswagen Golf|Honda Civic|Subaru Outback|Ford Focus|Mazda 3"),
    "diet": _opts("vegetarian|vegan|pescatarian"),
    "project": _opts("quarterly sales|budget|customer churn|hiring|security audit|roadmap"),
    "time": _opts("9:30 pm|10 pm|10:30 pm|11 pm|midnight"),
    "time2": _opts("5:30 am|6 am|6:45 am|7 am|7:30 am"),
    "book": _opts(
        "Dune|Middlemarch|The Left Hand of Darkness|Pride and Prejudice|Beloved|"
        "The Name of the Rose|Norwegian Wood"
    ),
    "country": _opts("Japan|Portugal|Iceland|Chile|Vietnam|Morocco|New Zealand|Greece"),
    "relative": _opts("mother|father|brother|sister|grandmother|partner|cousin|best friend"),
    "gift": _opts(
        "jazz records|gardening tools|dark chocolate|mystery novels|board games|scented candles"
    ),
    "medication": _opts(
        "metformin|levothyroxine|lisinopril|vitamin D|an iron supplement|omega-3 capsules"
    ),
    "team": _opts(
        "Arsenal|the Chicago Cubs|Boca Juniors|the Toronto Raptors|Bayern Munich|the All Blacks"
    ),
    "year": tuple(str(i) for i in range(2008, 2025)),
    "equipment": _opts("rowing machine|squat rack|treadmill|set of kettlebells|exercise bike"),
}
_SLOTS["city2"] = _SLOTS["city"]
_SLOTS["drink2"] = _SLOTS["drink"]

#: (fact template, question templates): personal facts and what a user would ask about them.
_TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "I am allergic to {allergen}, so I always carry {remedy} when I travel abroad.",
        ("What am I allergic to?", "Do I have any allergies I should tell the doctor about?"),
    ),
    (
        "My sister {name} lives in {city} and works as a {job} at a {company} company.",
        ("Where does my sister live?", "What does my sister do for a living?"),
    ),
    (
        "I prefer {drink} over {drink2} in the morning, usually with {breakfast}.",
        ("What do I like to drink in the morning?", "What do I usually eat for breakfast?"),
    ),
    (
        "My favorite cuisine is {cuisine}, especially the {dish} at a small place near {place}.",
        ("What kind of food do I like?", "Which dish do I love at my favorite restaurant?"),
    ),
    (
        "I have a {pet} named {petname} who is {n} years old and hates long car rides.",
        ("What is my pet's name?", "Do I have any pets at home?"),
    ),
    (
        "I'm training for a {race} in {month} and I run {n} kilometers every {weekday}.",
        ("What race am I training for?", "How often do I go running?"),
    ),
    (
        "I work as a {job} for a {company} company in {city} and commute by train.",
        ("What is my job?", "Where do I work and how do I get there?"),
    ),
    (
        "My daughter {name} starts {school} in {month} and she loves {hobby}.",
        ("What are my daughter's hobbies?", "When does my daughter start school?"),
    ),
    (
        "I'm learning {language} because we plan to move to {city} next {season}.",
        ("Which language am I learning?", "Where are we planning to move?"),
    ),
    (
        "My doctor told me to avoid {food} because of my {condition}.",
        ("What foods should I avoid?", "What health problems do I have?"),
    ),
    (
        "I play {instrument} in a {band} band that rehearses every {weekday} evening.",
        ("What instrument do I play?", "When does my band rehearse?"),
    ),
    (
        "Our wedding anniversary is on {month} {day}, and we usually celebrate with {cuisine} "
        "food.",
        ("When is our wedding anniversary?", "How do we usually celebrate our anniversary?"),
    ),
    (
        "I drive a {color} {car} but I'm thinking about switching to an electric car next "
        "{season}.",
        ("What car do I drive?", "Am I planning to buy a new car?"),
    ),
    (
        "I stopped eating {food} when I became {diet} about {n} years ago.",
        ("What is my diet?", "Why don't I eat certain foods?"),
    ),
    (
        "My manager {name} wants the {project} report on her desk every {weekday} before noon.",
        ("When is my weekly report due?", "Who is my manager?"),
    ),
    (
        "On weekdays I usually go to bed around {time} and wake up at {time2}.",
        ("What time do I usually wake up?", "What is my sleep schedule?"),
    ),
    (
        "My favorite book is {book}, and I reread it every {season} on vacation.",
        ("What is my favorite book?", "What do I like to read on holiday?"),
    ),
    (
        "I'm saving money for a trip to {country} with my {relative} in {month} next year.",
        ("Where am I planning to travel?", "Who am I going on the trip with?"),
    ),
    (
        "My {relative} {name} has a birthday on {month} {day} and really likes {gift}.",
        ("When is my {relative}'s birthday?", "What gift should I buy for my {relative}?"),
    ),
    (
        "I take {medication} every morning for my {condition}, prescribed by Dr. {name}.",
        ("What medication do I take?", "Who prescribed my medication?"),
    ),
    (
        "I support {team} and watch every match with my friend {name} at a pub in {city}.",
        ("Which team do I support?", "Who do I watch the games with?"),
    ),
    (
        "I moved from {city} to {city2} in {year} for a new job as a {job}.",
        ("Where did I live before?", "When did I move to my current city?"),
    ),
    (
        "My home gym has a {equipment}, and I lift weights {n} times a week.",
        ("What exercise equipment do I own?", "How often do I work out?"),
    ),
    (
        "My {relative} {name} is visiting us from {city} for {n} days in {month}.",
        ("Who is coming to visit us?", "When is my {relative} visiting?"),
    ),
    (
        "I need to renew my passport before the trip to {country} in {month}.",
        ("What do I need to do before my trip?", "Is my passport still valid?"),
    ),
    (
        "My {pet} {petname} needs medicine twice daily.",
        ("Does my pet need any medicine?", "How do I care for my {pet}?"),
    ),
    (
        "Last {season} my {relative} {name} and I hiked from {city} to the coast, and we want "
        "to do it again with the kids in {month}.",
        ("What trips have I done with my family?", "Where did I go hiking last year?"),
    ),
)


def _fields(template: str) -> list[str]:
    return [f for _, f, _, _ in string.Formatter().parse(template) if f]


def _fill(rng: random.Random, template: str) -> str:
    return template.format(**{f: rng.choice(_SLOTS[f]) for f in _fields(template)})


def make_facts(rng: random.Random, count: int) -> list[str]:
    """``count`` unique personal facts of 8 to 25 words."""
    seen: set[str] = set()
    out: list[str] = []
    attempts = 0
    while len(out) < count:
        attempts += 1
        if attempts > 100 * count + 1_000:
            raise RuntimeError(f"could not generate {count} unique facts")
        text = _fill(rng, rng.choice(_TOPICS)[0])
        if text not in seen and 8 <= len(text.split()) <= 25:
            seen.add(text)
            out.append(text)
    return out


def make_questions(rng: random.Random, count: int) -> list[str]:
    """``count`` questions a user could ask about their own memories."""
    return [_fill(rng, rng.choice(rng.choice(_TOPICS)[1])) for _ in range(count)]


def user_ids(count: int) -> list[str]:
    return [f"user-{i:03d}" for i in range(count)]
