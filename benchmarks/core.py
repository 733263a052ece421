"""Benchmark of the core: import, start-up, embedding, add, search, memory and disk.

Run it from the repository root, on demand (it is not a test and asserts nothing)::

    python -m benchmarks.core                      # sizes 1000,10000
    python -m benchmarks.core --sizes 1000 --queries 100 --out results.json

What it measures
----------------
1. Import time of ``mem0_integrations`` in a fresh interpreter (median of 5), and
   whether that import pulled in chromadb, onnxruntime, numpy or tokenizers.
2. Time to a ready ``Memory`` (constructor + first embedding, i.e. the model
   load) in a fresh interpreter (median of 3).
3. Throughput of ``OnnxMiniLMEmbedder().embed`` on 2,000 memory-like sentences,
   and the latency of embedding one query.
4. ``add(..., infer=False)`` throughput with ``--batch`` messages per call (one
   user per call), and with one message per call.
5. ``search`` latency at each ``--sizes`` store size (query embedding included),
   and its parts: the embedding, ``ChromaStore.query`` with a precomputed vector,
   the raw Chroma query with the library's ``where`` clause and with none, and
   the access-count write for the hits (done by a background thread). Also the
   latency of a one-message ``add`` at that size, and of its duplicate check (a
   filtered read by scope ids and content hash).
6. Peak RSS and disk bytes per stored memory at each size.

The breakdown uses private names (``Memory._store``, ``ChromaStore.query``,
``ChromaStore.find``, ``ChromaStore.record_access``, ``filters.read_where``,
``filters.and_``); when the library renames them, update them here.

All data are synthetic and deterministic (``random.Random(--seed)``). Unless
``--path`` is given the store lives in a fresh temporary folder that is deleted
at the end. Timings use ``time.perf_counter``. Throughputs and latency
percentiles are measured ``--repeat`` times and the median is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
HEAVY_MODULES = ("chromadb", "onnxruntime", "numpy", "tokenizers")

TARGET_IMPORT_S = 0.3
TARGET_EMBED_PER_S = 500.0
TARGET_ADD_PER_S = 500.0
TARGET_SEARCH_P95_MS = 15.0
TARGET_SEARCH_SIZE = 10_000

EMBED_SENTENCES = 2_000
ADD_BATCHES_PER_REPEAT = 8
SINGLE_ADDS = 300
WARMUP_QUERIES = 10
SEARCH_LIMIT = 5
SIZE_ADDS = 50

# --- synthetic data ---------------------------------------------------------------------


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


# --- measurement helpers ----------------------------------------------------------------


@dataclass
class Row:
    """One line of the results table."""

    section: str
    metric: str
    value: float | None
    unit: str
    target: str = ""
    passed: bool | None = None
    note: str = ""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        print(f"  {row.section} {row.metric}: {_fmt(row.value, row.unit)} {row.note}", flush=True)


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit in ("/s", "B", "MiB") or abs(value) >= 1_000:
        return f"{value:,.0f} {unit}".strip()
    return f"{value:.3g} {unit}".strip() if abs(value) < 10 else f"{value:.1f} {unit}".strip()


def at_most(value: float, target: float) -> bool:
    return value <= target


def at_least(value: float, target: float) -> bool:
    return value >= target


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 (linear interpolation between closest ranks)."""
    if len(samples) < 2:
        only = float(samples[0]) if samples else float("nan")
        return {"p50": only, "p95": only, "p99": only}
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98]}


def time_each(items: Sequence[Any], fn: Callable[[Any], object]) -> list[float]:
    """Milliseconds per call of ``fn(item)``."""
    out: list[float] = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - start) * 1_000)
    return out


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def current_rss_mib() -> float | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def folder_bytes(path: Path) -> tuple[int, int]:
    """(apparent size, allocated size) of every file under ``path``."""
    apparent = allocated = 0
    for root, _, files in os.walk(path):
        for name in files:
            st = os.stat(os.path.join(root, name))
            apparent += st.st_size
            allocated += getattr(st, "st_blocks", 0) * 512
    return apparent, allocated


@contextmanager
def section(title: str, report: Report, key: str) -> Iterator[None]:
    print(f"\n== {title} (load {load()})", flush=True)
    start = time.perf_counter()
    report.details.setdefault("load", {})[key] = {"start": load()}
    yield
    report.details["load"][key]["end"] = load()
    report.details.setdefault("section_seconds", {})[key] = round(time.perf_counter() - start, 2)


def run_python(code: str, *args: str, env: dict[str, str] | None = None) -> Any:
    """Run ``code`` in a fresh interpreter (repository root as cwd); parse its JSON output."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"subprocess failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- 1. import ---------------------------------------------------------------------------

_IMPORT_CODE = f"""
import json, sys, time
t = time.perf_counter()
import mem0_integrations
seconds = time.perf_counter() - t
print(json.dumps({{"seconds": seconds,
                  "heavy": [m for m in {HEAVY_MODULES!r} if m in sys.modules]}}))
"""


def bench_import(report: Report, runs: int = 5) -> None:
    env = dict(os.environ)
    as_is = (
        "environment as is (PYTHONDONTWRITEBYTECODE set: no .pyc for the package)"
        if env.get("PYTHONDONTWRITEBYTECODE")
        else "environment as is"
    )
    variants: list[tuple[str, dict[str, str], str]] = [
        ("import mem0_integrations", env, as_is),
    ]
    loaded: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="mem0i-pycache-") as cache:
        cached = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cached["PYTHONPYCACHEPREFIX"] = cache
        if env.get("PYTHONDONTWRITEBYTECODE"):
            run_python(_IMPORT_CODE, env=cached)  # fills the private bytecode cache
            variants.append(
                ("import, bytecode cached", cached, "as after pip install (.pyc present)")
            )
        for label, variant_env, why in variants:
            results = [run_python(_IMPORT_CODE, env=variant_env) for _ in range(runs)]
            seconds = median([r["seconds"] for r in results])
            heavy = sorted({m for r in results for m in r["heavy"]})
            loaded.update(heavy)
            report.details.setdefault("import", {})[label] = {
                "runs_s": [r["seconds"] for r in results],
                "median_s": seconds,
                "heavy_modules": heavy,
            }
            report.add(
                Row(
                    "1 import",
                    f"{label} (median of {runs})",
                    seconds,
                    "s",
                    f"<= {TARGET_IMPORT_S} s",
                    at_most(seconds, TARGET_IMPORT_S),
                    why,
                )
            )
        report.add(
            Row(
                "1 import",
                "heavy modules loaded by import",
                float(len(loaded)),
                "",
                "0",
                not loaded,
                ", ".join(sorted(loaded)) if loaded else f"none of {', '.join(HEAVY_MODULES)}",
            )
        )


# --- 2. ready Memory ---------------------------------------------------------------------

_READY_CODE = """
import json, sys, time
t0 = time.perf_counter()
from mem0_integrations import Memory
t1 = time.perf_counter()
m = Memory(path=sys.argv[1])
t2 = time.perf_counter()
m.embedder.embed(["I am allergic to penicillin."])
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "construct": t2 - t1, "first_embed": t3 - t2}))
"""


def bench_ready(report: Report, runs: int = 3) -> None:
    results = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="mem0i-ready-") as folder:
            results.append(run_python(_READY_CODE, str(Path(folder) / "store")))
    parts = {k: median([r[k] for r in results]) for k in ("import", "construct", "first_embed")}
    ready = median([r["construct"] + r["first_embed"] for r in results])
    report.details["ready"] = {"runs": results, "median": parts, "ready_median_s": ready}
    note = (
        f"constructor {parts['construct']:.2f} s + first embed {parts['first_embed']:.2f} s "
        f"(import {parts['import']:.2f} s before)"
    )
    report.add(Row("2 ready", f"Memory() + first embed (median of {runs})", ready, "s", note=note))


# --- 3. embedder -------------------------------------------------------------------------


def bench_embedder(report: Report, facts: list[str], questions: list[str], repeat: int) -> None:
    from mem0_integrations import OnnxMiniLMEmbedder

    embedder = OnnxMiniLMEmbedder()
    embedder.embed(["warm up the model"])
    rates = []
    for _ in range(repeat):
        start = time.perf_counter()
        embedder.embed(facts)
        rates.append(len(facts) / (time.perf_counter() - start))
    rate = median(rates)
    embedder.embed(questions[:WARMUP_QUERIES])
    runs = [percentiles(time_each(questions, lambda q: embedder.embed([q]))) for _ in range(repeat)]
    single = {k: median([r[k] for r in runs]) for k in ("p50", "p95", "p99")}
    words = [len(f.split()) for f in facts]
    report.details["embedder"] = {
        "sentences": len(facts),
        "words_min_mean_max": [min(words), statistics.mean(words), max(words)],
        "rates_per_s": rates,
        "single_query_ms": runs,
    }
    report.add(
        Row(
            "3 embed",
            f"embed {len(facts):,} sentences, batched (median of {repeat})",
            rate,
            "/s",
            f">= {TARGET_EMBED_PER_S:.0f}/s",
            at_least(rate, TARGET_EMBED_PER_S),
            f"runs {', '.join(f'{r:,.0f}' for r in rates)}",
        )
    )
    for k in ("p50", "p95"):
        report.add(Row("3 embed", f"one query, {k}", single[k], "ms"))


# --- 4. add ------------------------------------------------------------------------------


def bench_add(report: Report, folder: Path, facts: Iterator[str], batch: int, repeat: int) -> None:
    from mem0_integrations import Memory

    m = Memory(path=folder)
    m.embedder.embed(["warm up the model"])
    users = user_ids(ADD_BATCHES_PER_REPEAT)
    batched, single = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        for user in users:
            m.add([next(facts) for _ in range(batch)], user_id=user, infer=False)
        batched.append(batch * len(users) / (time.perf_counter() - start))
        texts = [next(facts) for _ in range(SINGLE_ADDS)]
        start = time.perf_counter()
        for i, text in enumerate(texts):
            m.add(text, user_id=users[i % len(users)], infer=False)
        single.append(SINGLE_ADDS / (time.perf_counter() - start))
    report.details["add"] = {
        "batch": batch,
        "batches_per_run": len(users),
        "batched_per_s": batched,
        "single_adds_per_run": SINGLE_ADDS,
        "single_per_s": single,
        "store_count": m._store.count(),
    }
    m.close()
    report.add(
        Row(
            "4 add",
            f"add(infer=False), {batch} msgs/call (median of {repeat})",
            median(batched),
            "/s",
            f">= {TARGET_ADD_PER_S:.0f}/s",
            at_least(median(batched), TARGET_ADD_PER_S),
            f"{len(users)} calls x {batch} per run; runs "
            + ", ".join(f"{r:,.0f}" for r in batched),
        )
    )
    rate = median(single)
    report.add(
        Row(
            "4 add",
            f"add(infer=False), 1 msg/call (median of {repeat})",
            rate,
            "/s",
            note=f"{SINGLE_ADDS} calls per run = {1000 / rate:.1f} ms per call",
        )
    )


# --- 5 and 6. search at each size, memory and disk ---------------------------------------


@dataclass
class Store:
    """The growing store used for search, and what it holds."""

    memory: Any
    folder: Path
    users: list[str]
    count: int = 0


def grow(report: Report, store: Store, size: int, facts: Iterator[str], batch: int) -> None:
    """Add memories, one user per call and at most ``batch`` per call, until ``size``."""
    delta = size - store.count
    if delta <= 0:
        return
    per_user = [delta // len(store.users)] * len(store.users)
    for i in range(delta % len(store.users)):
        per_user[i] += 1
    calls = 0
    start = time.perf_counter()
    for user, quota in zip(store.users, per_user, strict=True):
        while quota > 0:
            n = min(batch, quota)
            store.memory.add([next(facts) for _ in range(n)], user_id=user, infer=False)
            quota -= n
            calls += 1
    seconds = time.perf_counter() - start
    store.count = size
    stored = store.memory._store.count()
    report.details.setdefault("growth", {})[str(size)] = {
        "added": delta,
        "calls": calls,
        "seconds": seconds,
        "per_s": delta / seconds,
        "stored": stored,
    }
    report.add(
        Row(
            f"5 n={size:,}",
            f"grow store to {size:,} ({calls} add calls)",
            delta / seconds,
            "/s",
            note=f"{delta:,} added, avg {delta / calls:.0f} per call; store holds {stored:,}",
        )
    )


def bench_search(
    report: Report,
    store: Store,
    size: int,
    rng: random.Random,
    facts: Iterator[str],
    queries: int,
    repeat: int,
) -> None:
    from mem0_integrations.core.filters import read_where
    from mem0_integrations.core.models import Scope

    m = store.memory
    asks = [(rng.choice(store.users), q) for q in make_questions(rng, queries + WARMUP_QUERIES)]
    warm, asks = asks[:WARMUP_QUERIES], asks[WARMUP_QUERIES:]
    vectors = m.embedder.embed([q for _, q in asks])
    wheres = [read_where(Scope(user_id=u)) for u, _ in asks]
    cases: list[tuple[Any, ...]] = list(zip(asks, vectors, wheres, strict=True))
    collection = m._store.memories
    for user, question in warm:
        m.search(question, user_id=user, limit=SEARCH_LIMIT)

    def raw(vector: list[float], where: dict[str, Any] | None) -> object:
        return collection.query(
            query_embeddings=[vector],
            n_results=SEARCH_LIMIT,
            where=where,
            include=["documents", "metadatas", "distances"],
        )

    parts: dict[str, Callable[[Any], object]] = {
        "search (end to end)": lambda c: m.search(c[0][1], user_id=c[0][0], limit=SEARCH_LIMIT),
        "embed the query": lambda c: m.embedder.embed([c[0][1]]),
        "store.query, precomputed vector": lambda c: m._store.query(
            c[1], where=c[2], limit=SEARCH_LIMIT
        ),
        "chroma query, library where": lambda c: raw(c[1], c[2]),
        "chroma query, no where": lambda c: raw(c[1], None),
        "access-count write of the hits (background)": lambda c: m._store.record_access(c[3]),
    }
    # The records each query returns, for timing the access-count write on its own (search
    # buffers it and a background thread writes it; its cost still lands on the machine).
    cases = [
        (*c, [r for r, _ in m._store.query(c[1], where=c[2], limit=SEARCH_LIMIT)]) for c in cases
    ]
    results: dict[str, dict[str, float]] = {}
    for name, fn in parts.items():
        runs = [percentiles(time_each(cases, fn)) for _ in range(repeat)]
        results[name] = {k: median([r[k] for r in runs]) for k in ("p50", "p95", "p99")}
        report.details.setdefault("search", {}).setdefault(str(size), {})[name] = runs
    sec = f"5 n={size:,}"
    full = results["search (end to end)"]
    hits = m.search(asks[0][1], user_id=asks[0][0], limit=SEARCH_LIMIT)
    report.add(
        Row(
            sec,
            f"search p50 ({len(cases)} queries x {repeat}, {len(store.users)} users)",
            full["p50"],
            "ms",
            note=f"{len(hits)} hits per query",
        )
    )
    is_target = size == TARGET_SEARCH_SIZE
    report.add(
        Row(
            sec,
            "search p95",
            full["p95"],
            "ms",
            f"<= {TARGET_SEARCH_P95_MS:.0f} ms" if is_target else "",
            at_most(full["p95"], TARGET_SEARCH_P95_MS) if is_target else None,
        )
    )
    report.add(Row(sec, "search p99", full["p99"], "ms"))
    for name, values in results.items():
        if name.startswith("search"):
            continue
        note = "p50/p95/p99 " + " / ".join(f"{values[k]:.2f}" for k in ("p50", "p95", "p99"))
        report.add(Row(sec, f"  part: {name}, p50", values["p50"], "ms", note=note))
    report.details.setdefault("search_summary", {})[str(size)] = results

    bench_add_at_size(report, store, size, facts, repeat)

    rss = peak_rss_mib()
    apparent, allocated = folder_bytes(store.folder)
    stored = int(m._store.count())
    now_rss = current_rss_mib()
    report.details.setdefault("resources", {})[str(size)] = {
        "peak_rss_mib": rss,
        "current_rss_mib": now_rss,
        "store_bytes_apparent": apparent,
        "store_bytes_allocated": allocated,
        "memories_stored": stored,
    }
    rss_note = f"current {now_rss:.0f} MiB" if now_rss is not None else ""
    report.add(Row(f"6 n={size:,}", "peak RSS of this process", rss, "MiB", note=rss_note))
    report.add(
        Row(
            f"6 n={size:,}",
            "store folder bytes per memory",
            apparent / stored,
            "B",
            note=f"{apparent / 2**20:.1f} MiB apparent, {allocated / 2**20:.1f} MiB allocated, "
            f"{stored:,} memories + their history",
        )
    )


def bench_add_at_size(
    report: Report, store: Store, size: int, facts: Iterator[str], repeat: int
) -> None:
    """Latency of adding one message to a store of this size (its duplicate check grows)."""
    texts = [next(facts) for _ in range(SIZE_ADDS * repeat)]
    users = [store.users[i % len(store.users)] for i in range(len(texts))]
    runs = []
    for r in range(repeat):
        chunk = range(r * SIZE_ADDS, (r + 1) * SIZE_ADDS)
        runs.append(
            percentiles(
                time_each(
                    chunk, lambda i: store.memory.add(texts[i], user_id=users[i], infer=False)
                )
            )
        )
    store.count += len(texts)
    result = {k: median([run[k] for run in runs]) for k in ("p50", "p95", "p99")}
    report.details.setdefault("add_at_size", {})[str(size)] = runs
    report.add(
        Row(
            f"5 n={size:,}",
            f"add(1 msg) at this size, p50 ({SIZE_ADDS} x {repeat})",
            result["p50"],
            "ms",
            note=f"p95 {result['p95']:.1f} ms; adds {len(texts)} memories after the searches",
        )
    )
    bench_duplicate_check(report, store, size, texts, users, repeat)


def bench_duplicate_check(
    report: Report, store: Store, size: int, texts: list[str], users: list[str], repeat: int
) -> None:
    """The read ``add`` does before writing: scope ids and content hash, like the library."""
    from mem0_integrations.core.filters import and_, read_where
    from mem0_integrations.core.models import Scope, content_hash

    m = store.memory
    probes = [(u, content_hash(t)) for u, t in zip(users, texts, strict=True)][:SIZE_ADDS]

    def find(probe: tuple[str, str]) -> object:
        return m._store.find(
            and_(read_where(Scope(user_id=probe[0])), {"hash": {"$in": [probe[1]]}})
        )

    runs = [percentiles(time_each(probes, find)) for _ in range(repeat)]
    value = {k: median([r[k] for r in runs]) for k in ("p50", "p95", "p99")}
    report.details.setdefault("duplicate_check", {})[str(size)] = runs
    report.add(
        Row(
            f"5 n={size:,}",
            "  add part: duplicate check (store.find), p50",
            value["p50"],
            "ms",
            note="p50/p95/p99 " + " / ".join(f"{value[k]:.2f}" for k in ("p50", "p95", "p99")),
        )
    )


# --- driver ------------------------------------------------------------------------------


def print_table(report: Report) -> None:
    header = ("section", "metric", "measured", "target", "result", "notes")
    lines = [
        (
            r.section,
            r.metric,
            _fmt(r.value, r.unit),
            r.target,
            "" if r.passed is None else ("PASS" if r.passed else "MISS"),
            r.note,
        )
        for r in report.rows
    ]
    widths = [max(len(str(x[i])) for x in [header, *lines]) for i in range(5)]

    def fmt(cells: Sequence[str]) -> str:
        first = "  ".join(
            str(c).rjust(w) if i == 2 else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(cells[:5], widths, strict=True))
        )
        return f"{first}  {cells[5]}".rstrip()

    print()
    print(fmt(header))
    print(fmt(["-" * w for w in widths] + ["-----"]))
    for line in lines:
        print(fmt(line))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.core",
        description=__doc__.split("\n")[0] if __doc__ else None,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )

    def sizes(text: str) -> list[int]:
        try:
            values = sorted({int(s) for s in text.split(",") if s.strip()})
        except ValueError as e:
            raise argparse.ArgumentTypeError(f"bad --sizes {text!r}: {e}") from e
        if not values or values[0] < 1:
            raise argparse.ArgumentTypeError("--sizes needs positive integers, e.g. 1000,10000")
        return values

    parser.add_argument("--sizes", type=sizes, default=[1_000, 10_000], help="store sizes")
    parser.add_argument("--queries", type=int, default=200, help="search queries per size")
    parser.add_argument("--batch", type=int, default=256, help="messages per add() call")
    parser.add_argument("--users", type=int, default=50, help="users in the search store")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timed loop")
    parser.add_argument("--seed", type=int, default=20240601, help="seed of the synthetic data")
    parser.add_argument("--out", type=Path, default=None, help="write results as JSON here")
    parser.add_argument(
        "--path",
        type=Path,
        default=None,
        help="folder for the stores, kept afterwards (None: a temporary folder, deleted)",
    )
    args = parser.parse_args(argv)
    for name in ("queries", "batch", "users", "repeat"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


def cpu_check() -> dict[str, float]:
    """A yardstick for comparing runs: pure-Python loop time and numpy fp32 matmul GFLOPS."""
    import numpy

    loops, flops = [], []
    a = numpy.random.default_rng(0).random((512, 512), dtype=numpy.float32)
    for _ in range(5):
        start = time.perf_counter()
        sum(i * i for i in range(1_000_000))
        loops.append((time.perf_counter() - start) * 1_000)
        start = time.perf_counter()
        for _ in range(20):
            a @ a
        flops.append(20 * 2 * 512**3 / (time.perf_counter() - start) / 1e9)
    return {"python_loop_ms": median(loops), "matmul_gflops": median(flops)}


def git_revision() -> str:
    """The checked-out commit, with ``+dirty`` when the package has uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "mem0_integrations"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def environment() -> dict[str, Any]:
    import chromadb
    import numpy
    import onnxruntime

    return {
        **cpu_check(),
        "git": git_revision(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "chromadb": chromadb.__version__,
        "onnxruntime": onnxruntime.__version__,
        "numpy": numpy.__version__,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def run(args: argparse.Namespace, root: Path, report: Report) -> None:
    rng = random.Random(args.seed)
    need = (
        EMBED_SENTENCES
        + args.repeat * (ADD_BATCHES_PER_REPEAT * args.batch + SINGLE_ADDS)
        + args.sizes[-1]
        + args.repeat * SIZE_ADDS * len(args.sizes)
    )
    facts = make_facts(rng, need)
    pool = iter(facts[EMBED_SENTENCES:])

    with section("1. import time", report, "import"):
        bench_import(report)
    with section("2. time to a ready Memory", report, "ready"):
        bench_ready(report)
    with section("3. offline embedder", report, "embed"):
        bench_embedder(
            report, facts[:EMBED_SENTENCES], make_questions(rng, args.queries), args.repeat
        )
    with section("4. add throughput", report, "add"):
        bench_add(report, root / "add-store", pool, args.batch, args.repeat)

    from mem0_integrations import Memory

    folder = root / "search-store"
    store = Store(Memory(path=folder), folder, user_ids(args.users))
    store.memory.embedder.embed(["warm up the model"])
    try:
        for size in args.sizes:
            with section(f"5-6. store of {size:,} memories", report, f"size {size}"):
                grow(report, store, size, pool, args.batch)
                bench_search(report, store, size, rng, pool, args.queries, args.repeat)
    finally:
        store.memory.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    report = Report()
    report.details["environment"] = environment()
    report.details["arguments"] = {
        k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()
    }
    if args.path is not None:
        root = args.path.resolve()
        if root.exists() and any(root.iterdir()):
            print(f"--path {root} is not empty; give an empty or new folder.", file=sys.stderr)
            return 2
        root.mkdir(parents=True, exist_ok=True)
        where = f"{root} (kept)"
    else:
        root = Path(tempfile.mkdtemp(prefix="mem0i-bench-"))
        where = f"{root} (temporary, deleted at the end)"
    env = report.details["environment"]
    print(
        f"mem0_integrations core benchmark at {env['git']}: Python {env['python']}, "
        f"{env['cpus']} CPUs, "
        f"chromadb {env['chromadb']}, onnxruntime {env['onnxruntime']}; CPU check: "
        f"1M-step Python loop {env['python_loop_ms']:.0f} ms, fp32 matmul "
        f"{env['matmul_gflops']:.0f} GFLOPS\n"
        f"stores under {where}; sizes {args.sizes}, {args.queries} queries, batch {args.batch}, "
        f"{args.users} users, repeat {args.repeat}, seed {args.seed}; load {load()}",
        flush=True,
    )
    started = time.perf_counter()
    try:
        run(args, root, report)
    finally:
        if args.path is None:
            shutil.rmtree(root, ignore_errors=True)
    total = time.perf_counter() - started
    report.details["total_seconds"] = total
    print_table(report)
    misses = [r for r in report.rows if r.passed is False]
    print(
        f"\n{len(misses)} target(s) missed; total {total:.0f} s; load at end {load()}; "
        f"stores {'deleted' if args.path is None else 'kept at ' + str(root)}."
    )
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        data = {"rows": [asdict(r) for r in report.rows], **report.details}
        args.out.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
        print(f"results written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
