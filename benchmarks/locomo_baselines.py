"""The LOCOMO baselines measured beside our ranking ablation (``benchmarks/locomo.py``).

Every system answers every question of a conversation with its top 25 memories and is
scored like the ablation: evidence recall@5/10/25 (a memory's source turns against the
question's evidence turns), the tokens of the top-10 memory texts joined by newlines
and the latency of the search call (query embedding included). Each system gets its
own fresh store per conversation, in a temporary folder, and the same offline embedder
(:class:`mem0_integrations.OnnxMiniLMEmbedder`).

=============  =========================================================================
system         what it is
=============  =========================================================================
ours-infer     our ``Memory`` with ``infer=True`` and the offline extractor: one ``add``
               per session (turns as ``role="user"`` messages, ``name`` = speaker,
               content = the turn's text without a speaker prefix, ``id`` =
               dia_id, session date-time as ``created_at``); a memory's source
               turns are ``record.source.message_ids``; default config and search
               (reinforcing, as the ``default`` system)
observations   our ``Memory`` over LOCOMO's own ``observation`` facts, each stored
               verbatim with ``infer=False`` and ``id`` = its evidence ids joined by
               ``;`` (parsed back into turn ids); default config and search
rag            a bare ``chromadb`` collection (cosine) of raw turns, ``query`` top k;
               nothing from our search path
full-context   every turn of the conversation: recall 100% by definition; tokens are
               the whole conversation's text (per question and per conversation)
mem0-oss       Mem0 OSS (``mem0ai``) with its Chroma vector store and the embedder
               through its LangChain adapter, ``add(..., infer=False)``, ``search``
               with its defaults (threshold 0.1) and ``top_k=25``
=============  =========================================================================

Quick mode (``--quick``) caps what is slow: ``ours-infer``, ``observations`` and
``mem0-oss`` answer only every n-th question of each conversation, about
:data:`QUICK_QUESTIONS` (they still ingest all of it); the report says so. A failure
of ``mem0-oss`` (e.g. an import error) is recorded as ``error`` with the exception's
type and message, never as a number; the conversations measured before it are kept.
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mem0_integrations import Embedder, EmbedderConfig, EventType, Memory
from mem0_integrations.core.embedders import embedder_from_config

from .locomo import (
    KS,
    MAX_K,
    CachedEmbedder,
    Conversation,
    Question,
    QuestionResult,
    SessionClock,
    aggregate,
    evidence_recall,
    parse_evidence_item,
    percentile,
    ranked_result,
)

BASELINES: dict[str, str] = {
    "ours-infer": "ours, infer=True, offline extractor, default ranking",
    "observations": "ours over LOCOMO's observation facts, infer=False, default ranking",
    "rag": "bare chromadb collection (cosine) over raw turns, query top k",
    "full-context": "every turn of the conversation (recall 100% by definition)",
    "mem0-oss": "mem0ai OSS, Chroma store, LangChain embedder adapter, infer=False",
}
#: In quick mode, the slow systems answer about this many questions per conversation
#: (every n-th question, so every category stays represented).
QUICK_QUESTIONS = 40
QUICK_CAPPED = ("ours-infer", "observations", "mem0-oss")

#: Anchors printed beside ours (LOCOMO paper Table 3; Mem0 paper for full context).
OBSERVATION_ANCHOR_NAME = "DRAGON, LOCOMO paper (observations)"
OBSERVATION_ANCHOR: dict[int, float] = {5: 56.2, 10: 61.3, 25: 67.5}
FULL_CONTEXT_ANCHOR_TOKENS = 26_000

Hits = list[tuple[str, list[str]]]  # [(memory text, its source turn ids)], best first


@dataclass
class Searcher:
    """A system ready for questions: ``search`` (timed), ``after`` each search (not
    timed: e.g. writing buffered accesses) and ``close`` at the end."""

    search: Callable[[str], Hits]
    after: Callable[[], None] = lambda: None
    close: Callable[[], None] = lambda: None


@dataclass
class Outcome:
    """One baseline over the chosen conversations."""

    name: str
    results: list[QuestionResult] = field(default_factory=list)
    memories: int = 0  # stored, all conversations
    duplicates: int = 0  # refused as duplicates of an earlier memory
    ingest_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    conversation_tokens: dict[int, int] = field(default_factory=dict)  # full-context only


def measure(
    conv: Conversation,
    searcher: Searcher,
    count_tokens: Callable[[str], int] | None,
    limit: int | None = None,
) -> list[QuestionResult]:
    """Ask ``conv``'s questions of ``searcher`` and score them (with ``limit``, only
    :func:`sample` of them); closes it."""
    out: list[QuestionResult] = []
    try:
        return _measure(conv, searcher, count_tokens, limit, out)
    finally:
        searcher.close()


def _measure(
    conv: Conversation,
    searcher: Searcher,
    count_tokens: Callable[[str], int] | None,
    limit: int | None,
    out: list[QuestionResult],
) -> list[QuestionResult]:
    for q in sample(conv.questions, limit):
        start = time.perf_counter()
        hits = searcher.search(q.text)
        latency_ms = (time.perf_counter() - start) * 1000
        searcher.after()
        out.append(ranked_result(conv, q, hits, latency_ms, count_tokens))
    return out


def sample(questions: Sequence[Question], limit: int | None) -> Sequence[Question]:
    """Every ``ceil(len / limit)``-th question (all of them when ``limit`` is None)."""
    if limit is None or len(questions) <= limit:
        return questions
    return questions[:: -(-len(questions) // limit)]


def turn_ids(source_ids: Sequence[str]) -> list[str]:
    """Turn ids in a memory's source ids (``"D1:3;D1:5"`` holds two)."""
    return [t for s in source_ids for t in parse_evidence_item(s)]


def _ours_search(memory: Memory, user_id: str) -> Searcher:
    """Default search (reinforcing, like the ``default`` system); buffered accesses are
    written after each search, outside the timed call, so the next question sees them."""

    def search(question: str) -> Hits:
        hits = memory.search(question, user_id=user_id, limit=MAX_K, reinforce=True)
        return [(h.memory, turn_ids(h.record.source.message_ids)) for h in hits]

    return Searcher(search, memory._access.flush, memory.close)


def _count_events(outcome: Outcome, result: Any) -> None:
    outcome.memories += sum(e.event is EventType.ADD for e in result.events)
    outcome.duplicates += sum(e.event is EventType.NONE for e in result.events)


INFER_CONFIG: dict[str, Any] = {}
"""``Memory(config=...)`` of ``ours-infer`` (``--infer-config``); empty: the defaults."""


def ours_infer(conv: Conversation, folder: Path, model: Embedder, outcome: Outcome) -> Searcher:
    """Ingest ``conv`` with ``infer=True`` (offline extractor); returns its search."""
    clock = SessionClock(conv.sessions[0].when)
    memory = Memory(path=folder, clock=clock, embedder=model, config=INFER_CONFIG or None)
    start = time.perf_counter()
    for session in conv.sessions:
        clock.now = session.when
        messages = [
            {
                "role": "user",
                "name": t.speaker,  # who said it, as a chat app passes it
                "content": t.said,
                "id": t.dia_id,
                "created_at": session.when,
            }
            for t in session.turns
        ]
        _count_events(outcome, memory.add(messages, user_id=conv.user_id, infer=True))
    outcome.ingest_seconds += time.perf_counter() - start
    clock.now = conv.question_time
    return _ours_search(memory, conv.user_id)


def observation_facts(raw: Mapping[str, Any]) -> list[tuple[int, str, str, list[str]]]:
    """``(session, speaker, fact, evidence turn ids)`` from a conversation's raw
    ``observation`` field, in session order; a fact's evidence may be a string
    (``"D1:3"``, ``"D26:14, D26:34"``) or a list of them."""
    out: list[tuple[int, str, str, list[str]]] = []
    for key, speakers in raw.items():
        number = int(key.split("_")[1])
        for speaker, facts in speakers.items():
            for fact, evidence in facts:
                items = evidence if isinstance(evidence, list) else [evidence]
                ids = list(dict.fromkeys(t for e in items for t in parse_evidence_item(str(e))))
                out.append((number, str(speaker), str(fact), ids))
    return sorted(out, key=lambda f: f[0])


def observations(
    conv: Conversation,
    facts: Sequence[tuple[int, str, str, list[str]]],
    folder: Path,
    model: Embedder,
    outcome: Outcome,
) -> Searcher:
    """Ingest LOCOMO's observation facts verbatim (``infer=False``); returns its search."""
    when = {s.number: s.when for s in conv.sessions}
    clock = SessionClock(conv.sessions[0].when)
    memory = Memory(path=folder, clock=clock, embedder=model)
    start = time.perf_counter()
    for number in sorted({f[0] for f in facts if f[0] in when}):
        clock.now = when[number]
        messages = [
            {
                "role": "user",
                "name": speaker,
                "content": fact,
                "id": ";".join(ids),
                "created_at": when[number],
            }
            for n, speaker, fact, ids in facts
            if n == number
        ]
        _count_events(outcome, memory.add(messages, user_id=conv.user_id, infer=False))
    outcome.ingest_seconds += time.perf_counter() - start
    clock.now = conv.question_time
    return _ours_search(memory, conv.user_id)


def rag(conv: Conversation, folder: Path, model: Embedder, outcome: Outcome) -> Searcher:
    """A bare Chroma collection (cosine) of the raw turns; returns its search."""
    import chromadb
    from chromadb.config import Settings

    client = chromadb.PersistentClient(
        path=str(folder), settings=Settings(anonymized_telemetry=False)
    )
    collection = client.create_collection("turns", configuration={"hnsw": {"space": "cosine"}})
    turns = [t for s in conv.sessions for t in s.turns]
    start = time.perf_counter()
    texts = [t.content for t in turns]
    collection.add(
        ids=[t.dia_id for t in turns],
        documents=texts,
        embeddings=model.embed(texts),  # type: ignore[arg-type]
    )
    outcome.memories += len(turns)
    outcome.ingest_seconds += time.perf_counter() - start

    def search(question: str) -> Hits:
        got = collection.query(
            query_embeddings=model.embed([question]),  # type: ignore[arg-type]
            n_results=MAX_K,
            include=["documents"],
        )
        docs = (got["documents"] or [[]])[0]
        return [(str(d), [i]) for i, d in zip(got["ids"][0], docs, strict=True)]

    return Searcher(search)


def full_context(
    conv: Conversation, count_tokens: Callable[[str], int] | None, outcome: Outcome
) -> list[QuestionResult]:
    """Every turn for every question: recall 1 at every k, the conversation's tokens."""
    text = "\n".join(t.content for s in conv.sessions for t in s.turns)
    tokens = count_tokens(text) if count_tokens else None
    if tokens is not None:
        outcome.conversation_tokens[conv.index] = tokens
    every = [[t.dia_id for s in conv.sessions for t in s.turns]]
    return [
        QuestionResult(
            conv.index,
            q.index,
            q.category,
            {k: evidence_recall(q.evidence, every, 1) for k in KS},
            tokens,
            0.0,
        )
        for q in conv.questions
    ]


def _env_for_mem0(folder: Path) -> None:
    """Keep Mem0's telemetry off and its config file out of the home folder (both read
    when ``mem0`` is first imported; its config writes are best-effort)."""
    os.environ.setdefault("MEM0_TELEMETRY", "False")
    os.environ.setdefault("MEM0_DIR", str(folder))


def mem0_oss(
    conv: Conversation, folder: Path, cache: CachedEmbedder, model: Embedder, outcome: Outcome
) -> Searcher:
    """Ingest the raw turns into Mem0 OSS (``infer=False``); returns its search.

    Ingestion embeds through ``cache`` (the same model's vectors, already computed for
    ``rag``); searches embed the question with the model itself.
    """
    _env_for_mem0(folder.parent / "mem0-home")
    from langchain_core.embeddings import Embeddings
    from mem0 import Memory as Mem0Memory  # type: ignore[import-untyped]

    class OnnxEmbeddings(Embeddings):
        """LangChain wrapper of our offline embedder, as Mem0's adapter expects."""

        def __init__(self, embedder: Embedder) -> None:
            self.embedder = embedder

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return self.embedder.embed(texts)

        def embed_query(self, text: str) -> list[float]:
            return self.embedder.embed([text])[0]

    embeddings = OnnxEmbeddings(cache)
    mem = Mem0Memory.from_config(
        {
            "vector_store": {
                "provider": "chroma",
                "config": {"collection_name": "mem0-locomo", "path": str(folder / "chroma")},
            },
            "embedder": {
                "provider": "langchain",
                "config": {"model": embeddings, "embedding_dims": 384},
            },
            # never called with infer=False; a key so the client can be built offline
            "llm": {"provider": "openai", "config": {"api_key": "offline-unused"}},
            "history_db_path": str(folder / "history.db"),
        }
    )
    source: dict[str, str] = {}
    start = time.perf_counter()
    for session in conv.sessions:
        messages = [
            {"role": "user", "content": t.content, "name": t.speaker} for t in session.turns
        ]
        added = mem.add(messages, user_id=conv.user_id, infer=False)["results"]
        if len(added) != len(session.turns):
            raise RuntimeError(f"mem0 stored {len(added)} of {len(session.turns)} turns")
        source.update((a["id"], t.dia_id) for a, t in zip(added, session.turns, strict=True))
    outcome.memories += len(source)
    outcome.ingest_seconds += time.perf_counter() - start
    embeddings.embedder = model

    def search(question: str) -> Hits:
        got = mem.search(question, top_k=MAX_K, filters={"user_id": conv.user_id})
        return [
            (str(r["memory"]), [source[r["id"]]] if r["id"] in source else [])
            for r in got["results"]
        ]

    return Searcher(search)


def mem0_notes() -> str:
    """What limits Mem0 OSS here (its own start-up warnings), for the report."""
    spacy = importlib.util.find_spec("spacy") is not None
    return (
        "mem0's Chroma store has no keyword search, so mem0 scores by semantic similarity "
        "only (its own warning); "
        + ("spaCy installed" if spacy else "spaCy (the mem0ai[nlp] extra) is not installed")
        + ", so "
        + ("lemmatisation and entity boost may apply" if spacy else "no entity boost")
        + "; search threshold 0.1 (its default); no LLM call (infer=False)"
    )


def run_baselines(
    conversations: Sequence[Conversation],
    names: Sequence[str],
    data: Path,
    count_tokens: Callable[[str], int] | None,
    quick: bool = False,
    log: Callable[[str], None] = lambda _: None,
) -> list[Outcome]:
    """Run the named baselines (in :data:`BASELINES` order) over ``conversations``;
    ``data`` is the LOCOMO file they were loaded from (for the observations)."""
    chosen = [n for n in BASELINES if n in names]
    outcomes = {n: Outcome(n) for n in chosen}
    if not chosen:
        return []
    raw = json.loads(data.read_text(encoding="utf-8"))
    model = embedder_from_config(EmbedderConfig())
    cache = CachedEmbedder(model)
    limit = QUICK_QUESTIONS if quick else None
    for n in QUICK_CAPPED:
        if quick and n in outcomes:
            outcomes[n].notes.append(
                f"quick mode: about {QUICK_QUESTIONS} questions per conversation (every n-th)"
            )
    with tempfile.TemporaryDirectory(prefix="mem0i-baselines-", ignore_cleanup_errors=True) as tmp:
        if "mem0-oss" in outcomes:
            outcomes["mem0-oss"].notes.append(mem0_notes())
        for conv in conversations:
            cache.clear()
            cache.embed([t.content for s in conv.sessions for t in s.turns])
            for name, outcome in outcomes.items():
                folder = Path(tmp) / f"conv{conv.index}-{name}"
                started = time.perf_counter()
                if name == "full-context":
                    outcome.results += full_context(conv, count_tokens, outcome)
                elif name == "mem0-oss":
                    if outcome.error is None:
                        try:
                            search = mem0_oss(conv, folder, cache, model, outcome)
                            outcome.results += measure(conv, search, count_tokens, limit)
                        except Exception as e:  # report exactly what failed, measure the rest
                            outcome.error = f"conversation {conv.index}: {type(e).__name__}: {e}"
                else:
                    limit_here = limit if name in QUICK_CAPPED else None
                    if name == "ours-infer":
                        search = ours_infer(conv, folder, model, outcome)
                    elif name == "observations":
                        facts = observation_facts(raw[conv.index].get("observation") or {})
                        search = observations(conv, facts, folder, model, outcome)
                    else:
                        search = rag(conv, folder, cache, outcome)
                    outcome.results += measure(conv, search, count_tokens, limit_here)
                log(
                    f"conversation {conv.index}: {name} in {time.perf_counter() - started:.1f} s"
                    + (f" ({outcome.error})" if outcome.error else "")
                )
    return list(outcomes.values())


def summarize(outcome: Outcome) -> dict[str, Any]:
    """The summary row of :func:`benchmarks.locomo.summarize`, plus the baseline's
    ingestion, notes, error and (full-context) tokens per conversation."""
    tokens = [r.tokens for r in outcome.results if r.tokens is not None]
    latencies = [r.latency_ms for r in outcome.results]
    per_conv = outcome.conversation_tokens
    return {
        "name": outcome.name,
        "ranking": BASELINES[outcome.name],
        "weights": None,
        "reinforce": outcome.name in ("ours-infer", "observations"),
        "questions": len(outcome.results),
        "recall": aggregate(outcome.results) if outcome.results else {},
        "tokens_top10_mean": statistics.fmean(tokens) if tokens else None,
        "latency_ms": {"p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95)},
        "memories": outcome.memories,
        "duplicates": outcome.duplicates,
        "ingest_seconds": outcome.ingest_seconds,
        "notes": outcome.notes,
        "error": outcome.error,
        "tokens_per_conversation": (
            {"mean": statistics.fmean(per_conv.values()), "each": per_conv} if per_conv else None
        ),
    }


def anchor_rows() -> list[str]:
    """Overall-table rows for the anchors of the baselines."""
    return [
        f"| *{OBSERVATION_ANCHOR_NAME}* | - | "
        + " | ".join(f"{OBSERVATION_ANCHOR[k]:.1f}" for k in KS)
        + " | - | - | - |",
        "| *full context, Mem0 paper (tokens per conversation)* | - | "
        + " | ".join("-" for _ in KS)
        + f" | ~{FULL_CONTEXT_ANCHOR_TOKENS:,} | - | - |",
    ]


def notes(summaries: Sequence[Mapping[str, Any]]) -> list[str]:
    """Report lines: each baseline's ingestion, notes and error."""
    lines: list[str] = []
    for s in summaries:
        head = f"{s['name']}: {s['ranking']}"
        if s["name"] != "full-context":
            head += f"; {s['memories']} memories stored in {s['ingest_seconds']:.1f} s"
            if s["duplicates"]:
                head += f" ({s['duplicates']} duplicates stored once)"
        tpc = s.get("tokens_per_conversation")
        if tpc:
            each = ", ".join(f"conv {k}: {v:,}" for k, v in tpc["each"].items())
            head += f"; tokens per conversation: mean {tpc['mean']:,.0f} ({each})"
        lines.append(head + "".join(f"; {n}" for n in s["notes"]))
        if s["error"]:
            lines.append(f"{s['name']} FAILED: {s['error']}")
    return lines
