"""The command line of ``python -m benchmarks.core``: its arguments, the run of every
section in order, the printed table and the JSON written by ``--out``."""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from .add import bench_add, bench_add_infer
from .data import make_facts, make_questions, user_ids
from .environment import environment
from .measure import Report, Row, latency_growth, load, print_table, section, targets
from .mem0 import bench_mem0
from .search import Store, bench_search, grow
from .server import bench_server
from .settings import (
    ADD_BATCHES_PER_REPEAT,
    EMBED_SENTENCES,
    INFER_TURNS,
    SCHEMA_VERSION,
    SINGLE_ADDS,
    SIZE_ADDS,
)
from .startup import bench_embedder, bench_import, bench_ready

__all__ = ["DESCRIPTION", "main", "parse_args", "run"]

#: ``--help``'s description: the first line of ``benchmarks/core.py``'s docstring
DESCRIPTION = "Benchmark of the core: import, start-up, embedding, add, search, memory and disk."


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.core",
        description=DESCRIPTION,
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
