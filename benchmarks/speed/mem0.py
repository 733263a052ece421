"""Section 9: Mem0 OSS (``mem0ai``, set up by :func:`benchmarks.locomo_baselines.mem0_oss`)
fed the same batches and asked the same questions, and ours against it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from .measure import Report, Row, at_least, search_percentiles
from .search import Store
from .settings import TARGET_MEM0_SPEEDUP, WIDE_LIMIT, WIDE_SEARCH

__all__ = ["Mem0Feed", "bench_mem0", "compare_mem0", "mem0_at_size"]

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
        from .. import locomo_baselines as baselines

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
