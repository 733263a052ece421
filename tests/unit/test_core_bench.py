"""The core benchmark's harness (``benchmarks/core.py``): its JSON shape, its target
verdicts, the Chroma server it starts and stops, and how a failing Mem0 is reported.

No timing is asserted: the fake embedder and tiny sizes only exercise the code paths.
"""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path
from typing import Any

import pytest

import mem0_integrations
from benchmarks import core
from benchmarks import locomo_baselines as baselines
from benchmarks.speed import cli, search, startup
from mem0_integrations import Memory

from .conftest import HashEmbedder

SIZES = (30, 70)


def test_verdict_words_follow_the_target_outcome() -> None:
    assert core.verdict(None) == ""
    assert core.verdict(True) == "met"
    assert core.verdict(False) == "missed"
    assert core.Row("s", "m", 16.0, "ms", "<= 15 ms", core.at_most(16.0, 15.0)).verdict == "missed"
    assert core.Row("s", "m", 15.0, "ms", "<= 15 ms", core.at_most(15.0, 15.0)).verdict == "met"
    assert core.Row("s", "m", 499.0, "/s", ">= 500/s", core.at_least(499, 500)).verdict == "missed"
    assert core.Row("s", "m", 1.0, "ms").verdict == ""


def test_targets_list_only_rows_with_a_target() -> None:
    report = core.Report()
    report.add(core.Row("a", "with target", 3.0, "x", ">= 3x", True))
    report.add(core.Row("a", "no target", 1.0, "ms"))
    assert core.targets(report) == [
        {
            "section": "a",
            "metric": "with target",
            "target": ">= 3x",
            "value": 3.0,
            "unit": "x",
            "verdict": "met",
        }
    ]


@pytest.mark.parametrize(("theirs_p95", "expected"), [(20.0, "met"), (10.0, "missed")])
def test_mem0_speedup_is_their_latency_over_ours(theirs_p95: float, expected: str) -> None:
    report = core.Report()
    details: dict[str, Any] = {
        "search_summary": {"100": {core.WIDE_SEARCH: {"p50": 4.0, "p95": 5.0, "p99": 6.0}}},
        "growth": {"100": {"added": 100, "seconds": 0.1}, "1000": {"added": 900, "seconds": 9}},
    }
    core.compare_mem0(report, 100, {"p50": 8.0, "p95": theirs_p95}, 250.0, details)
    by_metric = {r.metric: r for r in report.rows}
    p50 = next(r for m, r in by_metric.items() if m.startswith("search p50"))
    p95 = next(r for m, r in by_metric.items() if m.startswith("search p95"))
    add = next(r for m, r in by_metric.items() if m.startswith("add"))
    assert (p50.value, p50.verdict) == (2.0, "missed")
    assert (p95.value, p95.verdict) == (theirs_p95 / 5.0, expected)
    # only the growth up to this size counts: 100 memories in 0.1 s = 1000/s, 4x of 250/s
    assert (add.value, add.verdict) == (4.0, "met")


def test_latency_growth_has_one_row_per_size_and_the_ratio() -> None:
    report = core.Report()
    core.latency_growth(
        report,
        "7 growth",
        {10_000: {"p50": 4.0, "p95": 9.0, "p99": 12.0}, 1_000: {"p50": 2, "p95": 3, "p99": 4}},
    )
    assert [r.metric for r in report.rows] == ["search p95 at 1,000", "search p95 at 10,000"]
    assert report.details["latency_growth"]["7 growth"]["10000"]["p95_vs_smallest"] == 3.0


def test_the_mem0_feed_switches_user_with_each_batch() -> None:
    feed = core.Mem0Feed([("u1", ["a", "b"]), ("u2", ["c"])])
    seen = [(feed.user_id, [t.content for t in s.turns]) for s in feed.sessions]
    assert seen == [("u1", ["a", "b"]), ("u2", ["c"])]
    assert len({t.dia_id for s in feed.sessions for t in s.turns}) == 3


def test_a_failing_mem0_is_reported_not_raised(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ImportError("No module named 'mem0'")

    monkeypatch.setattr(baselines, "mem0_oss", broken)
    store = core.Store(None, tmp_path, ["u1"], batches=[("u1", ["x"])], marks={1: 1})
    report = core.Report()
    core.bench_mem0(report, tmp_path, store, [1], 1, HashEmbedder())
    assert report.details["mem0"]["errors"] == {"1": "ImportError: No module named 'mem0'"}
    (row,) = report.rows
    assert row.value is None
    assert "FAILED: ImportError" in row.note


def test_the_chroma_server_the_benchmark_uses_is_started_and_stopped(tmp_path: Path) -> None:
    from mem0_integrations._cli._server import heartbeat, running_chroma_server

    with running_chroma_server(tmp_path / "data", tmp_path / "log") as (host, port, proc):
        assert heartbeat(host, port)
        assert proc.poll() is None
    assert proc.poll() is not None
    assert not heartbeat(host, port)


def _fake_memory(embedder: HashEmbedder) -> Any:
    def build(path: Any = None, **kwargs: Any) -> Memory:
        kwargs.setdefault("embedder", embedder)  # the benchmark may pass its own wrapper
        return Memory(path, **kwargs)

    return build


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake embedder everywhere; no subprocess benchmarks (import, start-up)."""
    embedder = HashEmbedder()
    monkeypatch.setattr(mem0_integrations, "Memory", _fake_memory(embedder))
    # Patched in the modules that read them (``core`` only re-exports them).
    monkeypatch.setattr(
        cli,
        "environment",
        lambda: (
            {"git": "x", "python": "3", "cpus": 2, "chromadb": "1"}
            | {"onnxruntime": "1", "python_loop_ms": 1.0, "matmul_gflops": 1.0}
        ),
    )
    for name, value in {"SIZE_ADDS": 5, "SINGLE_ADDS": 10, "INFER_TURNS": 10}.items():
        monkeypatch.setattr(cli, name, value)
    monkeypatch.setattr(search, "SIZE_ADDS", 5)
    monkeypatch.setattr(startup, "WARMUP_QUERIES", 2)
    monkeypatch.setattr(cli, "bench_import", lambda report, runs: None)
    monkeypatch.setattr(cli, "bench_ready", lambda report, runs: None)
    monkeypatch.setattr(cli, "bench_embedder", lambda report, facts, questions, repeat: None)


def test_the_json_has_the_documented_shape(fast: None, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    args = ["--quick", "--sizes", ",".join(map(str, SIZES)), "--queries", "3"]
    args += ["--batch", "8", "--users", "3", "--path", str(tmp_path / "s"), "--out", str(out)]
    if importlib.util.find_spec("mem0") is not None:
        args.append("--mem0")
    assert core.main(args) == 0
    data = json.loads(out.read_text())
    assert data["schema"] == core.SCHEMA_VERSION
    for key in ("rows", "targets", "add", "infer_add", "growth", "search_summary", "resources"):
        assert key in data, key
    assert set(data["rows"][0]) == {
        "section",
        "metric",
        "value",
        "unit",
        "target",
        "passed",
        "note",
        "verdict",
    }
    assert {t["verdict"] for t in data["targets"]} <= {"met", "missed"}
    assert data["infer_add"]["events"].get("ADD", 0) > 0
    assert set(data["latency_growth"]["7 growth"]) == {str(s) for s in SIZES}
    for size in SIZES:
        assert core.WIDE_SEARCH in data["search_summary"][str(size)]
        assert data["growth"][str(size)]["stored"] >= size
    if "--mem0" in args:
        assert data["mem0"]["errors"] == {}, data["mem0"]["errors"]
        assert {s: v["memories"] for s, v in data["mem0"]["sizes"].items()} == {
            str(s): s for s in SIZES
        }
        assert set(data["mem0_comparison"]) == {str(s) for s in SIZES}


def test_the_server_replays_the_same_batches(fast: None, tmp_path: Path) -> None:
    embedder = HashEmbedder()
    folder = tmp_path / "embedded"
    store = core.Store(Memory(folder, embedder=embedder), folder, core.user_ids(2))
    facts = iter(core.make_facts(random.Random(1), max(SIZES)))
    report = core.Report()
    for size in SIZES:
        core.grow(report, store, size, facts, 8)
        store.asks[size] = [(u, "What is my job?") for u in store.users]
    store.memory.close()
    core.bench_server(report, tmp_path, store, list(SIZES), 1)
    server = report.details["server"]
    assert "error" not in server
    assert {s: v["added"] for s, v in server["sizes"].items()} == {"30": 30, "70": 40}
    assert set(server["latency"]) == {"30", "70"}
