"""Section 8: the embedded store's growth batches and questions replayed through a
``chroma run`` server on 127.0.0.1 and a free port, started and stopped here."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mem0_integrations._cli._server import running_chroma_server

from .measure import (
    Report,
    Row,
    at_least,
    folder_bytes,
    latency_growth,
    replay,
    search_percentiles,
)
from .search import Store
from .settings import SEARCH_LIMIT, TARGET_ADD_PER_S, TARGET_SEARCH_P95_MS, TARGET_SEARCH_SIZE

__all__ = ["bench_server"]

# --- 8. the same workload through a Chroma server ------------------------------------------


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
