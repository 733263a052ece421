"""Section 4: ``add(infer=False)`` throughput (batched, batched with vectors computed
beforehand, one message per call) and ``add(infer=True)`` with the offline extractor."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .data import user_ids
from .measure import Report, Row, at_least, median
from .settings import ADD_BATCHES_PER_REPEAT, SINGLE_ADDS, TARGET_ADD_PER_S

__all__ = ["Precomputed", "bench_add", "bench_add_infer"]

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
