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

# The code lives in the package ``benchmarks/speed/`` (one module per job; see its
# docstring). This entry keeps ``python -m benchmarks.core`` and re-exports what other code
# (``git_revision``) and tests use. A test that patches a name must patch it where it is
# read (e.g. ``benchmarks.speed.cli.bench_import``): patching it here changes nothing.
from .speed.cli import main, parse_args, run
from .speed.data import make_facts, make_questions, user_ids
from .speed.environment import environment, git_revision
from .speed.measure import Report, Row, at_least, at_most, latency_growth, targets, verdict
from .speed.mem0 import Mem0Feed, bench_mem0, compare_mem0
from .speed.search import Store, grow
from .speed.server import bench_server
from .speed.settings import (
    INFER_TURNS,
    SCHEMA_VERSION,
    SINGLE_ADDS,
    SIZE_ADDS,
    WARMUP_QUERIES,
    WIDE_SEARCH,
)
from .speed.startup import bench_embedder, bench_import, bench_ready

__all__ = [
    "INFER_TURNS",
    "SCHEMA_VERSION",
    "SINGLE_ADDS",
    "SIZE_ADDS",
    "WARMUP_QUERIES",
    "WIDE_SEARCH",
    "Mem0Feed",
    "Report",
    "Row",
    "Store",
    "at_least",
    "at_most",
    "bench_embedder",
    "bench_import",
    "bench_mem0",
    "bench_ready",
    "bench_server",
    "compare_mem0",
    "environment",
    "git_revision",
    "grow",
    "latency_growth",
    "main",
    "make_facts",
    "make_questions",
    "parse_args",
    "run",
    "targets",
    "user_ids",
    "verdict",
]

if __name__ == "__main__":
    raise SystemExit(main())
