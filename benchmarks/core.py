"""Benchmark of the core: import, start-up, embedding, add, search, memory and disk.

Run it from the repository root, on demand (it is not a test and asserts nothing)::

    python -m benchmarks.core                      # sizes 1000,10000
    python -m benchmarks.core --quick              # smoke run, under a minute on 2 cores
    python -m benchmarks.core --sizes 1000,10000,100000 --server --mem0 --out results.json

What it measures
----------------
1. Import time of ``mem0_integrations`` in a fresh interpreter (median of 5), and
   whether that import pulled in chromadb, onnxruntime, numpy or tokenizers.
2. Time to a ready ``Memory`` (constructor + first embedding, i.e. the model
   load) in a fresh interpreter (median of 3).
3. Throughput of ``OnnxMiniLMEmbedder().embed`` on 2,000 memory-like sentences,
   and the latency of embedding one query.
4. ``add(..., infer=False)`` throughput with ``--batch`` messages per call (one
   user per call), and with one message per call; ``add(..., infer=True)`` with the
   offline extractor, one user message (a first-person sentence) per call.
5. ``search`` latency at each ``--sizes`` store size (query embedding included),
   and its parts: the embedding, ``ChromaStore.query`` with a precomputed vector,
   the raw Chroma query with the library's ``where`` clause and with none, and
   the access-count write for the hits (done by a background thread). Also the
   search at top-k 25 (what Mem0 is asked for), the latency of a one-message ``add``
   at that size, and of its duplicate check (a filtered read by scope ids and content
   hash). ONE store grows from size to size (batched adds, one user per call); the
   time each growth step takes is reported.
6. Peak RSS and disk bytes per stored memory at each size.
7. Growth of search latency with size: one row per size (p95, p50/p99 in the note,
   and the p95 ratio to the smallest size).
8. ``--server``: the same growth batches and queries through a ``chroma run`` server
   on 127.0.0.1 and a free port, started and stopped here (``Memory(chroma_host=...)``),
   at each size up to ``--server-max``.
9. ``--mem0``: Mem0 OSS (``mem0ai``), set up by
   :func:`benchmarks.locomo_baselines.mem0_oss` (its Chroma store, our offline embedder
   through a LangChain ``Embeddings`` wrapper, ``infer=False``, top-k 25), fed the same
   batches and asked the same questions, at each size up to ``--mem0-max``; then the
   speed-up of ours over it. Mem0 adds one message at a time, so each size gets a fresh
   Mem0 store ingesting every batch up to it. A failure is recorded with its exception.

Targets (printed beside the numbers as ``met``/``missed``, never asserted): search p95
<= 15 ms at 100k memories embedded, batched add >= 500 memories/s, >= 3x faster than Mem0
OSS (search p50 and p95 at top-k 25; batched add), plus the import and embedder targets.

JSON written by ``--out`` (``schema`` 2; version 1 had no new keys, all its keys are kept)
--------------------------------------------------------------------------------------
``rows``: [{section, metric, value, unit, target, passed (bool|null), note, verdict
("met"|"missed"|"")}], the printed table. ``targets``: the rows with a target, as
{section, metric, target, value, unit, verdict}. ``schema``: 2. ``environment``,
``arguments`` (incl. ``quick``, ``server``, ``mem0``, ``mem0_max``), ``load``,
``section_seconds``, ``total_seconds``, ``import``, ``ready``, ``embedder``, ``add``
(batched and one-message rates), ``infer_add`` {turns_per_run, per_s[], events{ADD:n,...},
store_count}. Keyed by size as a string: ``growth`` {added, calls, seconds, per_s, stored},
``search`` (runs per part), ``search_summary`` {part: {p50, p95, p99}} (parts include
``"search (end to end)"`` and ``"search (end to end), limit 25"``), ``add_at_size``,
``duplicate_check``, ``resources`` {peak_rss_mib, current_rss_mib, store_bytes_apparent,
store_bytes_allocated, memories_stored}. ``latency_growth`` {table name ("7 growth",
"8 server growth"): {size: {p50, p95, p99, p95_vs_smallest}}}. With ``--server``:
``server`` {sizes: {size: {added, grow_seconds, grow_per_s, search {p50,p95,p99},
search_runs, server_bytes_apparent}}, latency {size: {p50,p95,p99}}, error (only on
failure)}. With ``--mem0``: ``mem0`` {notes, sizes: {size: {memories, ingest_seconds,
add_per_s, search {p50,p95,p99}, search_runs, top_k}}, errors {size or "import": "Type:
message"}, skipped_sizes (above --mem0-max)}, ``mem0_comparison`` {size: {metric: ratio}}.
Latencies are in ms, rates in memories/s, sizes in bytes.

The breakdown uses private names (``Memory._store``, ``ChromaStore.query``,
``ChromaStore.find``, ``ChromaStore.record_access``, ``filters.read_where``,
``filters.and_``); when the library renames them, update them here.

All data are synthetic and deterministic (``random.Random(--seed)``): personal facts
from templates, spread over ``--users`` users. Unless ``--path`` is given the stores
live in a fresh temporary folder that is deleted at the end. Timings use
``time.perf_counter``. Throughputs and latency percentiles are measured ``--repeat``
times and the median is reported. ``--quick`` (size 1000, 30 queries, 1 repeat, fewer
sentences and adds) is a smoke run so the harness cannot rot; its numbers are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

REPO_ROOT = Path(__file__).resolve().parent.parent
HEAVY_MODULES = ("chromadb", "onnxruntime", "numpy", "tokenizers")

SCHEMA_VERSION = 2
TARGET_IMPORT_S = 0.3
TARGET_EMBED_PER_S = 500.0
TARGET_ADD_PER_S = 500.0
TARGET_SEARCH_P95_MS = 15.0
TARGET_SEARCH_SIZE = 100_000
TARGET_MEM0_SPEEDUP = 3.0

EMBED_SENTENCES = 2_000
ADD_BATCHES_PER_REPEAT = 8
SINGLE_ADDS = 300
WARMUP_QUERIES = 10
SEARCH_LIMIT = 5
SIZE_ADDS = 50
#: Mem0's search in ``locomo_baselines.mem0_oss`` asks for ``locomo.MAX_K`` (25) hits; ours
#: is also timed at that limit so the comparison is like for like.
WIDE_LIMIT = 25
WIDE_SEARCH = f"search (end to end), limit {WIDE_LIMIT}"
INFER_TURNS = 100

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
    verdict: str = ""  # "met", "missed" or "" (no target), derived from ``passed``

    def __post_init__(self) -> None:
        self.verdict = verdict(self.passed)


def verdict(passed: bool | None) -> str:
    """The word printed beside a target: never an assertion, just information."""
    return "" if passed is None else ("met" if passed else "missed")


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


class Precomputed:
    """An embedder serving vectors computed before the timing starts, so a timed add
    measures everything but the embedding (unknown texts go to the real embedder)."""

    def __init__(self, inner: Any, texts: Sequence[str]) -> None:
        self._inner = inner
        self._vectors = dict(zip(texts, inner.embed(list(texts)), strict=True))

    @property
    def name(self) -> str:
        return str(self._inner.name)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        missing = [t for t in texts if t not in self._vectors]
        if missing:
            self._vectors.update(zip(missing, self._inner.embed(missing), strict=True))
        return [self._vectors[t] for t in texts]


def bench_add(
    report: Report,
    folder: Path,
    facts: Iterator[str],
    batch: int,
    repeat: int,
    calls: int = ADD_BATCHES_PER_REPEAT,
    singles: int = SINGLE_ADDS,
) -> None:
    from mem0_integrations import Memory

    m = Memory(path=folder)
    m.embedder.embed(["warm up the model"])
    users = user_ids(calls)
    batched, single = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        for user in users:
            m.add([next(facts) for _ in range(batch)], user_id=user, infer=False)
        batched.append(batch * len(users) / (time.perf_counter() - start))
        texts = [next(facts) for _ in range(singles)]
        start = time.perf_counter()
        for i, text in enumerate(texts):
            m.add(text, user_id=users[i % len(users)], infer=False)
        single.append(singles / (time.perf_counter() - start))
    report.details["add"] = {
        "batch": batch,
        "batches_per_run": len(users),
        "batched_per_s": batched,
        "single_adds_per_run": singles,
        "single_per_s": single,
        "store_count": m._store.count(),
    }
    prepared = [[next(facts) for _ in range(batch)] for _ in range(len(users) * repeat)]
    pre = Memory(
        path=folder.parent / f"{folder.name}-precomputed",
        embedder=Precomputed(m.embedder, [t for call in prepared for t in call]),
    )
    m.close()
    without: list[float] = []
    for r in range(repeat):
        start = time.perf_counter()
        for user, call in zip(users, prepared[r * len(users) :], strict=False):
            pre.add(call, user_id=user, infer=False)
        without.append(batch * len(users) / (time.perf_counter() - start))
    pre.close()
    report.details["add"]["batched_precomputed_per_s"] = without
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
    report.add(
        Row(
            "4 add",
            f"  the same with vectors computed beforehand (median of {repeat})",
            median(without),
            "/s",
            note="what add costs besides the embedder (merging, Chroma writes of memories "
            "and history): the embedder alone runs at the rate in section 3",
        )
    )
    rate = median(single)
    report.add(
        Row(
            "4 add",
            f"add(infer=False), 1 msg/call (median of {repeat})",
            rate,
            "/s",
            note=f"{singles} calls per run = {1000 / rate:.1f} ms per call",
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
    #: every add call as (user, texts), growth and single adds, for replay on other systems
    batches: list[tuple[str, list[str]]] = field(default_factory=list)
    #: size -> number of ``batches`` that reach it
    marks: dict[int, int] = field(default_factory=dict)
    #: size -> the (user, question) pairs timed at that size
    asks: dict[int, list[tuple[str, str]]] = field(default_factory=dict)


def grow(report: Report, store: Store, size: int, facts: Iterator[str], batch: int) -> None:
    """Add memories, one user per call and at most ``batch`` per call, until ``size``."""
    delta = size - store.count
    if delta <= 0:  # the single adds at the previous size already got there
        store.marks[size] = len(store.batches)
        return
    per_user = [delta // len(store.users)] * len(store.users)
    for i in range(delta % len(store.users)):
        per_user[i] += 1
    calls = 0
    start = time.perf_counter()
    for user, quota in zip(store.users, per_user, strict=True):
        while quota > 0:
            n = min(batch, quota)
            texts = [next(facts) for _ in range(n)]
            store.memory.add(texts, user_id=user, infer=False)
            store.batches.append((user, texts))
            quota -= n
            calls += 1
    seconds = time.perf_counter() - start
    store.count = size
    store.marks[size] = len(store.batches)
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
    report.add(Row(f"5 n={size:,}", f"  time to grow to {size:,}", seconds, "s"))


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
    asks = [(rng.choice(store.users), q) for q in make_questions(rng, queries)]
    store.asks[size] = asks
    vectors = m.embedder.embed([q for _, q in asks])
    wheres = [read_where(Scope(user_id=u)) for u, _ in asks]
    cases: list[tuple[Any, ...]] = list(zip(asks, vectors, wheres, strict=True))
    collection = m._store.memories
    index = m._searcher._index
    index.clear()  # time each user's first search in this process: it loads the scope
    first = warm_up(store.users, lambda u, q: m.search(q, user_id=u, limit=SEARCH_LIMIT), rng)
    cold = percentiles(first)
    report.details.setdefault("first_search", {})[str(size)] = cold

    def raw(vector: list[float], where: dict[str, Any] | None) -> object:
        return collection.query(
            query_embeddings=[vector],
            n_results=SEARCH_LIMIT,
            where=where,
            include=["documents", "metadatas", "distances"],
        )

    parts: dict[str, Callable[[Any], object]] = {
        "search (end to end)": lambda c: m.search(c[0][1], user_id=c[0][0], limit=SEARCH_LIMIT),
        WIDE_SEARCH: lambda c: m.search(c[0][1], user_id=c[0][0], limit=WIDE_LIMIT),
        "embed the query": lambda c: m.embedder.embed([c[0][1]]),
        "store.query, precomputed vector": lambda c: m._store.query(
            c[1], where=c[2], limit=SEARCH_LIMIT
        ),
        "chroma query, library where": lambda c: raw(c[1], c[2]),
        "chroma query, no where": lambda c: raw(c[1], None),
        "local index, nearest (exclusive store only)": lambda c: index.nearest(
            Scope(user_id=c[0][0]), c[1], SEARCH_LIMIT
        ),
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
    is_target = size >= TARGET_SEARCH_SIZE
    report.add(
        Row(
            sec,
            "search p95",
            full["p95"],
            "ms",
            f"<= {TARGET_SEARCH_P95_MS:.0f} ms" if is_target else "",
            at_most(full["p95"], TARGET_SEARCH_P95_MS) if is_target else None,
            ""
            if is_target
            else f"target <= {TARGET_SEARCH_P95_MS:.0f} ms applies at {TARGET_SEARCH_SIZE:,}",
        )
    )
    report.add(Row(sec, "search p99", full["p99"], "ms"))
    report.add(
        Row(
            sec,
            f"first search in a scope, p50 ({len(first)} users)",
            cold["p50"],
            "ms",
            note=f"p95 {cold['p95']:.1f} ms; loads the user's memories into this process's "
            "search index once (the searches above are after it)",
        )
    )
    for name, values in results.items():
        if name == "search (end to end)":
            continue
        note = "p50/p95/p99 " + " / ".join(f"{values[k]:.2f}" for k in ("p50", "p95", "p99"))
        label = name if name == WIDE_SEARCH else f"part: {name}"
        report.add(Row(sec, f"  {label}, p50", values["p50"], "ms", note=note))
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
    # logged so that the server and Mem0 replays hold exactly what this store held
    store.batches.extend((u, [t]) for u, t in zip(users, texts, strict=True))
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


# --- 4b. per-turn add with the offline extractor -----------------------------------------


def bench_add_infer(
    report: Report, folder: Path, facts: Iterator[str], turns: int, repeat: int
) -> None:
    """``add(infer=True)`` with one user message per call, like a chat turn by turn."""
    from mem0_integrations import Memory

    m = Memory(path=folder)
    m.embedder.embed(["warm up the model"])
    users = user_ids(ADD_BATCHES_PER_REPEAT)
    rates: list[float] = []
    events: dict[str, int] = {}
    for _ in range(repeat):
        texts = [next(facts) for _ in range(turns)]
        start = time.perf_counter()
        for i, text in enumerate(texts):
            result = m.add(
                [{"role": "user", "content": text}], user_id=users[i % len(users)], infer=True
            )
            for event in result.events:
                events[str(event.event)] = events.get(str(event.event), 0) + 1
        rates.append(turns / (time.perf_counter() - start))
    stored = int(m._store.count())
    m.close()
    rate = median(rates)
    report.details["infer_add"] = {
        "turns_per_run": turns,
        "per_s": rates,
        "events": events,
        "store_count": stored,
    }
    report.add(
        Row(
            "4 add",
            f"add(infer=True, offline extractor), 1 user msg/call (median of {repeat})",
            rate,
            "/s",
            note=f"{turns} turns per run = {1000 / rate:.1f} ms per turn; events "
            + ", ".join(f"{k} {v}" for k, v in sorted(events.items())),
        )
    )


# --- 7. growth of search latency with size ------------------------------------------------


def latency_growth(report: Report, section_name: str, by_size: dict[int, dict[str, float]]) -> None:
    """One row per size: search p95 (p50/p99 in the note) and its ratio to the smallest size."""
    if not by_size:
        return
    first = min(by_size)
    base = by_size[first]["p95"]
    table = report.details.setdefault("latency_growth", {}).setdefault(section_name, {})
    for size in sorted(by_size):
        values = by_size[size]
        ratio = values["p95"] / base if base > 0 else float("nan")
        table[str(size)] = {**values, "p95_vs_smallest": ratio}
        report.add(
            Row(
                section_name,
                f"search p95 at {size:,}",
                values["p95"],
                "ms",
                note=f"p50 {values['p50']:.2f} / p99 {values['p99']:.2f} ms; "
                f"p95 x{ratio:.2f} of n={first:,}",
            )
        )


# --- 8. the same workload through a Chroma server ------------------------------------------

SERVER_START_TIMEOUT = 60.0


def chroma_executable() -> str:
    """The ``chroma`` script next to this interpreter, else the one on PATH."""
    found = shutil.which("chroma", path=os.path.dirname(sys.executable)) or shutil.which("chroma")
    if found is None:
        raise RuntimeError(
            f"the `chroma` executable was found neither next to {sys.executable} nor on PATH; "
            "install chromadb into this environment"
        )
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _heartbeat(host: str, port: int) -> bool:
    import chromadb
    from chromadb.config import Settings

    try:
        chromadb.HttpClient(
            host=host, port=port, settings=Settings(anonymized_telemetry=False)
        ).heartbeat()
    except Exception:  # any failure means "not ready yet"
        return False
    return True


@contextmanager
def running_chroma_server(
    data: Path, log: Path, timeout: float = SERVER_START_TIMEOUT
) -> Iterator[tuple[str, int, subprocess.Popen[bytes]]]:
    """``chroma run --path DATA`` on 127.0.0.1 and a free port until the block ends (then
    terminated, killed after 15 s). Yields (host, port, process)."""
    host, port = "127.0.0.1", free_port()
    command = [chroma_executable(), "run", "--path", str(data), "--host", host, "--port", str(port)]
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=log.parent)
    try:
        deadline = time.monotonic() + timeout
        while not _heartbeat(host, port):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
                raise RuntimeError(
                    f"`{' '.join(command)}` did not answer a heartbeat (exit code "
                    f"{process.poll()}); log tail:\n{tail}"
                )
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.1)
        yield host, port, process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def replay(
    add: Callable[[str, list[str]], object], batches: Sequence[tuple[str, list[str]]]
) -> float:
    """Seconds to send ``batches`` (user, texts) through ``add``."""
    start = time.perf_counter()
    for user, texts in batches:
        add(user, texts)
    return time.perf_counter() - start


def warm_up(
    users: Sequence[str], search: Callable[[str, str], object], rng: random.Random
) -> list[float]:
    """One search per user before timing (what a long-running process has done); the
    milliseconds each took."""
    questions = make_questions(rng, len(users))
    return time_each(list(zip(users, questions, strict=True)), lambda a: search(a[0], a[1]))


def search_percentiles(
    asks: Sequence[tuple[str, str]], search: Callable[[str, str], object], repeat: int
) -> tuple[dict[str, float], list[dict[str, float]]]:
    """Median over ``repeat`` runs of p50/p95/p99 (ms) of ``search(user, question)``,
    after one warm-up search per user (every system gets the same)."""
    warm_up(sorted({u for u, _ in asks}), search, random.Random(0))
    runs = [percentiles(time_each(asks, lambda a: search(a[0], a[1]))) for _ in range(repeat)]
    return {k: median([r[k] for r in runs]) for k in ("p50", "p95", "p99")}, runs


def bench_server(
    report: Report, root: Path, store: Store, sizes: Sequence[int], repeat: int
) -> None:
    """Our growth batches and queries again, through ``chroma run`` on 127.0.0.1."""
    from mem0_integrations import Memory

    out: dict[str, Any] = {"sizes": {}}
    report.details["server"] = out
    data = root / "server-data"
    with running_chroma_server(data, root / "chroma-server.log") as (host, port, _):
        m = Memory(chroma_host=host, chroma_port=port)
        m.embedder.embed(["warm up the model"])
        try:
            done = 0
            by_size: dict[int, dict[str, float]] = {}
            for size in sizes:
                todo = store.batches[done : store.marks[size]]
                done = store.marks[size]
                added = sum(len(t) for _, t in todo)
                seconds = replay(lambda u, t: m.add(t, user_id=u, infer=False), todo)
                asks = store.asks[size]
                full, runs = search_percentiles(
                    asks, lambda u, q: m.search(q, user_id=u, limit=SEARCH_LIMIT), repeat
                )
                by_size[size] = full
                apparent, _ = folder_bytes(data)
                out["sizes"][str(size)] = {
                    "added": added,
                    "grow_seconds": seconds,
                    "grow_per_s": added / seconds if seconds else None,
                    "search": full,
                    "search_runs": runs,
                    "server_bytes_apparent": apparent,
                }
                sec = f"8 server n={size:,}"
                report.add(
                    Row(
                        sec,
                        f"grow to {size:,}, {len(todo)} batched add calls",
                        added / seconds,
                        "/s",
                        f">= {TARGET_ADD_PER_S:.0f}/s",
                        at_least(added / seconds, TARGET_ADD_PER_S),
                        f"{added:,} added in {seconds:.1f} s",
                    )
                )
                is_target = size >= TARGET_SEARCH_SIZE
                report.add(
                    Row(
                        sec,
                        f"search p50 ({len(asks)} queries x {repeat})",
                        full["p50"],
                        "ms",
                        note=f"p95 {full['p95']:.2f} / p99 {full['p99']:.2f} ms "
                        f"(target <= {TARGET_SEARCH_P95_MS:.0f} ms is for embedded; shown only)"
                        if is_target
                        else f"p95 {full['p95']:.2f} / p99 {full['p99']:.2f} ms",
                    )
                )
                report.add(Row(sec, "server folder bytes per memory", apparent / size, "B"))
            out["latency"] = {str(k): v for k, v in by_size.items()}
            latency_growth(report, "8 server growth", by_size)
        finally:
            m.close()


# --- 9. Mem0 OSS on the same workload ------------------------------------------------------


@dataclass(frozen=True)
class _Turn:
    dia_id: str
    speaker: str
    content: str


@dataclass(frozen=True)
class _Session:
    turns: tuple[_Turn, ...]


class Mem0Feed:
    """Our growth batches shaped as the LOCOMO ``Conversation`` that
    :func:`benchmarks.locomo_baselines.mem0_oss` ingests (its setup is reused, not copied).

    One session per batch; ``mem0_oss`` reads ``conv.user_id`` at each ``add`` and at each
    ``search``, so ``user_id`` follows the batch being ingested, and a search is for the
    user set just before it.
    """

    def __init__(self, batches: Sequence[tuple[str, list[str]]]) -> None:
        self._batches = batches
        self.user_id = batches[0][0] if batches else ""

    @property
    def sessions(self) -> Iterator[_Session]:
        for i, (user, texts) in enumerate(self._batches):
            self.user_id = user
            yield _Session(tuple(_Turn(f"B{i}:{j}", "user", t) for j, t in enumerate(texts)))


def bench_mem0(
    report: Report, root: Path, store: Store, sizes: Sequence[int], repeat: int, model: Any
) -> None:
    """Mem0 OSS, ``add(infer=False)`` and search, on our batches and queries; any failure is
    recorded with its exception, never raised. Mem0 adds one message at a time, so each size
    gets a fresh Mem0 store ingesting every batch up to that size (``mem0_oss`` returns only a
    search function, not the store to grow)."""
    out: dict[str, Any] = {"sizes": {}, "errors": {}}
    report.details["mem0"] = out
    try:
        from . import locomo_baselines as baselines

        out["notes"] = baselines.mem0_notes()
    except Exception as e:  # report exactly what failed, measure the rest
        out["errors"]["import"] = f"{type(e).__name__}: {e}"
        report.add(
            Row("9 mem0", "import benchmarks.locomo_baselines", None, "", note=f"FAILED: {e!r}")
        )
        return
    for size in sizes:
        sec = f"9 mem0 n={size:,}"
        try:
            outcome, full, runs = mem0_at_size(baselines, root, store, size, repeat, model)
        except Exception as e:  # a failing baseline is a result
            out["errors"][str(size)] = f"{type(e).__name__}: {e}"
            report.add(
                Row(sec, "mem0 add + search", None, "", note=f"FAILED: {type(e).__name__}: {e}")
            )
            continue
        rate = outcome.memories / outcome.ingest_seconds
        out["sizes"][str(size)] = {
            "memories": outcome.memories,
            "ingest_seconds": outcome.ingest_seconds,
            "add_per_s": rate,
            "search": full,
            "search_runs": runs,
            "top_k": WIDE_LIMIT,
        }
        report.add(
            Row(
                sec,
                "mem0 add(infer=False), one batch per call",
                rate,
                "/s",
                note=f"{outcome.memories:,} memories in {outcome.ingest_seconds:.1f} s "
                "(mem0 embeds and writes one message at a time)",
            )
        )
        report.add(
            Row(
                sec,
                f"mem0 search p50 ({len(store.asks[size])} queries x {repeat}, top_k {WIDE_LIMIT})",
                full["p50"],
                "ms",
                note=f"p95 {full['p95']:.2f} / p99 {full['p99']:.2f} ms",
            )
        )
        compare_mem0(report, size, full, rate, report.details)


def mem0_at_size(
    baselines: Any, root: Path, store: Store, size: int, repeat: int, model: Any
) -> tuple[Any, dict[str, float], list[dict[str, float]]]:
    """A fresh Mem0 store fed every batch up to ``size``; its ingestion and search latency."""
    feed = Mem0Feed(store.batches[: store.marks[size]])
    outcome = baselines.Outcome("mem0-oss")
    searcher = baselines.mem0_oss(
        cast(Any, feed), root / f"mem0-{size}", cast(Any, model), model, outcome
    )

    def search(user: str, question: str) -> object:
        feed.user_id = user
        return searcher.search(question)

    try:
        full, runs = search_percentiles(store.asks[size], search, repeat)
    finally:
        searcher.close()
    return outcome, full, runs


def compare_mem0(
    report: Report, size: int, theirs: dict[str, float], their_rate: float, details: dict[str, Any]
) -> None:
    """Ours against Mem0 at one size: search at the same top-k, and batched add throughput."""
    ours = details.get("search_summary", {}).get(str(size), {}).get(WIDE_SEARCH)
    grown = [g for s, g in details.get("growth", {}).items() if int(s) <= size]
    sec = f"9 ours vs mem0 n={size:,}"
    rows: list[tuple[str, float | None]] = []
    if ours:
        for k in ("p50", "p95"):
            rows.append(
                (
                    f"search {k} speed-up (mem0 ms / ours ms, top-k {WIDE_LIMIT})",
                    theirs[k] / ours[k] if ours[k] > 0 else None,
                )
            )
    if grown:
        ours_rate = sum(g["added"] for g in grown) / sum(g["seconds"] for g in grown)
        rows.append(("add(infer=False) speed-up (ours /s / mem0 /s)", ours_rate / their_rate))
    comparison = details.setdefault("mem0_comparison", {})[str(size)] = {}
    for metric, ratio in rows:
        comparison[metric] = ratio
        report.add(
            Row(
                sec,
                metric,
                ratio,
                "x",
                f">= {TARGET_MEM0_SPEEDUP:.0f}x",
                None if ratio is None else at_least(ratio, TARGET_MEM0_SPEEDUP),
            )
        )


# --- targets ----------------------------------------------------------------------------------


def targets(report: Report) -> list[dict[str, Any]]:
    """Every row with a target: what was aimed at, what was measured, met or missed."""
    return [
        {
            "section": r.section,
            "metric": r.metric,
            "target": r.target,
            "value": r.value,
            "unit": r.unit,
            "verdict": r.verdict,
        }
        for r in report.rows
        if r.target
    ]


# --- driver ------------------------------------------------------------------------------


def print_table(report: Report) -> None:
    header = ("section", "metric", "measured", "target", "result", "notes")
    lines = [
        (
            r.section,
            r.metric,
            _fmt(r.value, r.unit),
            r.target,
            r.verdict,
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

    parser.add_argument(
        "--sizes", type=sizes, default=None, help="store sizes (None: 1000,10000; quick: 1000)"
    )
    parser.add_argument(
        "--queries", type=int, default=None, help="search queries per size (None: 200; quick: 30)"
    )
    parser.add_argument("--batch", type=int, default=256, help="messages per add() call")
    parser.add_argument("--users", type=int, default=50, help="users in the search store")
    parser.add_argument(
        "--repeat", type=int, default=None, help="runs of each timed loop (None: 3; quick: 1)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run under a minute: size 1000, 30 queries, 1 repeat, fewer sentences",
    )
    parser.add_argument(
        "--server", action="store_true", help="also run the workload through `chroma run`"
    )
    parser.add_argument(
        "--server-max",
        type=int,
        default=10_000,
        help="largest size replayed through the server (each size costs a full replay)",
    )
    parser.add_argument("--mem0", action="store_true", help="also run Mem0 OSS (mem0ai)")
    parser.add_argument(
        "--mem0-max",
        type=int,
        default=10_000,
        help="largest size Mem0 ingests (it adds one message at a time: 100k takes long)",
    )
    parser.add_argument("--seed", type=int, default=20240601, help="seed of the synthetic data")
    parser.add_argument("--out", type=Path, default=None, help="write results as JSON here")
    parser.add_argument(
        "--path",
        type=Path,
        default=None,
        help="folder for the stores, kept afterwards (None: a temporary folder, deleted)",
    )
    args = parser.parse_args(argv)
    quick = bool(args.quick)
    if args.sizes is None:
        args.sizes = [1_000] if quick else [1_000, 10_000]
    if args.queries is None:
        args.queries = 30 if quick else 200
    if args.repeat is None:
        args.repeat = 1 if quick else 3
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
    sentences = EMBED_SENTENCES // 4 if args.quick else EMBED_SENTENCES
    turns = INFER_TURNS // 5 if args.quick else INFER_TURNS
    calls = 2 if args.quick else ADD_BATCHES_PER_REPEAT
    singles = SINGLE_ADDS // 5 if args.quick else SINGLE_ADDS
    need = (
        sentences
        + args.repeat * (2 * calls * args.batch + singles + turns)  # batched twice: precomputed
        + args.sizes[-1]
        + args.repeat * SIZE_ADDS * len(args.sizes)
    )
    facts = make_facts(rng, need)
    pool = iter(facts[sentences:])

    with section("1. import time", report, "import"):
        bench_import(report, runs=2 if args.quick else 5)
    with section("2. time to a ready Memory", report, "ready"):
        bench_ready(report, runs=1 if args.quick else 3)
    with section("3. offline embedder", report, "embed"):
        bench_embedder(report, facts[:sentences], make_questions(rng, args.queries), args.repeat)
    with section("4. add throughput", report, "add"):
        bench_add(report, root / "add-store", pool, args.batch, args.repeat, calls, singles)
        bench_add_infer(report, root / "infer-store", pool, turns, args.repeat)

    from mem0_integrations import Memory

    folder = root / "search-store"
    store = Store(Memory(path=folder), folder, user_ids(args.users))
    store.memory.embedder.embed(["warm up the model"])
    try:
        for size in args.sizes:
            with section(f"5-6. store of {size:,} memories", report, f"size {size}"):
                grow(report, store, size, pool, args.batch)
                bench_search(report, store, size, rng, pool, args.queries, args.repeat)
        with section("7. growth of search latency with size", report, "growth"):
            summary = report.details.get("search_summary", {})
            latency_growth(
                report,
                "7 growth",
                {s: summary[str(s)]["search (end to end)"] for s in args.sizes},
            )
        embedder = store.memory.embedder
    finally:
        store.memory.close()
    if args.server:
        with section("8. the same workload through `chroma run`", report, "server"):
            try:
                sizes = [s for s in args.sizes if s <= args.server_max]
                bench_server(report, root, store, sizes, args.repeat)
                if len(sizes) < len(args.sizes):
                    skipped = [s for s in args.sizes if s > args.server_max]
                    report.add(
                        Row(
                            "8 server",
                            f"sizes {skipped}",
                            None,
                            "",
                            note="skipped: above "
                            "--server-max (the replay of 100k adds alone takes about 15 min)",
                        )
                    )
            except Exception as e:  # reported; the rest stands
                report.details.setdefault("server", {})["error"] = f"{type(e).__name__}: {e}"
                report.add(Row("8 server", "chroma run", None, "", note=f"FAILED: {e!r}"))
    if args.mem0:
        sizes = [s for s in args.sizes if s <= args.mem0_max]
        with section(f"9. Mem0 OSS at {sizes}", report, "mem0"):
            bench_mem0(report, root, store, sizes, args.repeat, embedder)
            skipped = [s for s in args.sizes if s > args.mem0_max]
            if skipped:
                report.details["mem0"]["skipped_sizes"] = skipped
                report.add(
                    Row("9 mem0", f"sizes {skipped}", None, "", note="skipped: above --mem0-max")
                )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    report = Report()
    report.details["environment"] = environment()
    report.details["schema"] = SCHEMA_VERSION
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
        data = {
            "rows": [asdict(r) for r in report.rows],
            **report.details,
            "targets": targets(report),
        }
        args.out.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
        print(f"results written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
