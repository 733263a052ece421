"""The benchmark report builder (benchmarks/report.py) on small fixed JSON inputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from benchmarks import report
from benchmarks.report import Meta

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def system(
    name: str, r5: float, r10: float, r25: float, *, tokens: float, p50: float, p95: float
) -> dict[str, Any]:
    cat = {"n": 3, "recall": {"5": r5, "10": r10, "25": r25}}
    return {
        "name": name,
        "questions": 10,
        "recall": {
            "all": {"n": 10, "recall": {"5": r5, "10": r10, "25": r25}},
            "2 temporal": cat,
        },
        "tokens_top10_mean": tokens,
        "latency_ms": {"p50": p50, "p95": p95},
    }


def locomo(*systems: dict[str, Any]) -> dict[str, Any]:
    return {
        "conversations": [0, 1],
        "questions": 10,
        "anchor": {"name": "DRAGON", "recall": {"5": 56.7, "10": 66.2, "25": 76.7}},
        "anchors": {
            "DRAGON, LOCOMO paper (observations)": {"5": 56.2, "10": 61.3, "25": 67.5},
            "full context tokens per conversation (Mem0 paper)": 26000,
        },
        "systems": list(systems),
    }


DEFAULT = system("default", 70.0, 80.0, 85.0, tokens=300, p50=30.0, p95=45.0)
RAG = system("rag", 40.0, 60.0, 90.0, tokens=290, p50=8.0, p95=50.0)
MEM0 = system("mem0-oss", 30.0, 40.0, 50.0, tokens=400, p50=35.0, p95=60.0)
FULL = system("full-context", 100.0, 100.0, 100.0, tokens=15000, p50=0.0, p95=0.0)

SPEED = {
    "arguments": {"sizes": [1000, 10000], "queries": 50},
    "rows": [
        {"section": "4 add", "metric": "add batched", "value": 151.0, "unit": "/s",
         "target": ">= 500/s", "passed": False, "note": ""},
        {"section": "5 n=1,000", "metric": "search p95", "value": 12.5, "unit": "ms",
         "target": "", "passed": None, "note": "a|b"},
    ],
    "search_summary": {
        "1000": {"search (end to end)": {"p50": 10.0, "p95": 12.5, "p99": 14.0},
                 "embed the query": {"p50": 5.0, "p95": 6.0, "p99": 7.0}},
        "10000": {"search (end to end)": {"p50": 11.0, "p95": 14.0, "p99": 16.0}},
    },
    "server": {"sizes": {"1000": {"added": 1000, "search": {"p50": 20.0, "p95": 30.0}}}},
    "mem0": {"sizes": {"1000": {"search": {"p50": 9.0, "p95": 11.0}, "top_k": 25}}},
    "mem0_comparison": {"1000": {"search p50 speed-up": 0.9, "add speed-up": 4.0}},
}  # fmt: skip

META = Meta(
    command="python -m benchmarks all --quick",
    quick=True,
    date="2026-01-01T00:00:00+00:00",
    commit="abc1234",
    machine={"python": "3.11.7", "cpus_available": 2, "chromadb": "1.5.9", "onnxruntime": "1.2"},
    steps=[{"name": "cost", "seconds": 0.0, "status": "skipped in quick mode"}],
)


def test_locomo_tables_show_every_system_and_the_anchors() -> None:
    text = report.locomo_tables(locomo(DEFAULT, RAG, MEM0, FULL))
    assert "| default | yes | 10 | 70.0 | 80.0 | 85.0 | 300 |" in text
    assert "| rag | baseline | 10 | 40.0 | 60.0 | 90.0 | 290 |" in text
    assert "66.2" in text
    assert "61.3" in text
    assert "~26,000" in text
    # per-category recall@10
    assert "| system | 2 temporal |" in text
    assert "| mem0-oss | 40.0 (n=3) |" in text


def test_where_we_lose_is_computed_from_the_numbers() -> None:
    losses = report.locomo_losses(locomo(DEFAULT, RAG, MEM0, FULL))
    rag = [x for x in losses if x.startswith("LOCOMO: rag beats default")]
    assert len(rag) == 1
    assert "R@25 90.0 vs 85.0" in rag[0]
    assert "R@10 on 2 temporal 90.0 vs 85.0" not in rag[0]
    assert "R@5" not in rag[0]
    assert "R@10 60" not in rag[0]
    assert "fewer context tokens 290 vs 300" in rag[0]
    assert "faster search p50 8.0 vs 30.0 ms" in rag[0]
    assert "p95" not in rag[0]
    assert not any("mem0-oss" in x for x in losses)  # worse on every metric
    full = next(x for x in losses if x.startswith("LOCOMO: full-context"))
    assert "R@10 100.0 vs 80.0" in full
    assert "but at 15,000 context tokens vs 300" in full
    assert "faster search" not in full  # full context does not search at all
    assert not any("DRAGON" in x for x in losses)  # 80.0 is above 66.2


def test_a_weaker_headline_system_is_listed_below_the_anchor() -> None:
    weak = system("default", 20.0, 30.0, 40.0, tokens=300, p50=1.0, p95=2.0)
    losses = report.locomo_losses(locomo(weak, MEM0))
    assert any("mem0-oss beats default on R@5 30.0 vs 20.0" in x for x in losses)
    assert any("below the DRAGON anchor (turns) 66.2" in x for x in losses)


def test_speed_table_losses_and_every_search_series() -> None:
    table = report.speed_table(SPEED)
    assert "| 4 add | add batched | 151 /s | >= 500/s | **MISS** |" in table
    assert "a/b" in table  # a pipe in a note cannot break the table
    assert report.speed_losses(SPEED) == [
        "speed: Mem0 OSS is faster than us at n=1000: search p50 speed-up = 0.90",
        "speed: 4 add add batched: 151.00 /s misses target >= 500/s",
    ]
    series = sorted(report.search_series(SPEED))
    assert series == [
        ("mem0: search, limit 25", 1000, 9.0, 11.0),
        ("search (end to end)", 1000, 10.0, 12.5),
        ("search (end to end)", 10000, 11.0, 14.0),
        ("server: search", 1000, 20.0, 30.0),
    ]


def test_cost_losses_list_what_mem0_does_cheaper() -> None:
    cost = {
        "cost": {
            "ratio_mem0_classic_to_ours": {"calls_per_turn": 2.0},
            "ratio_mem0_v3_to_ours": {"completion_tokens_per_turn": 0.5},
        },
        "add_latency": {"pass": False, "ms": {"p95": 40.0}, "target_p95_ms": 25.0},
    }
    assert report.cost_losses(cost) == [
        "cost: mem0 v3 needs 0.50x our completion tokens per turn",
        "cost: add() without LLM p95 40.0 ms misses target <= 25 ms",
    ]


def test_markdown_without_benchmarks_says_so() -> None:
    text = report.markdown(META, None, None, None)
    assert text.count("Not measured in this run") == 3
    assert "- nothing measured here beats us" in text
    assert "**Quick run**" in text
    assert "abc1234" in text
    assert "1.5.9" in text


def test_build_writes_the_report_and_both_pngs(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    cost: dict[str, Any] = {"cost": {}}  # an unexpected shape: reported, not fatal
    written = report.build(tmp_path, META, locomo(DEFAULT, RAG, MEM0, FULL), SPEED, cost)
    assert [p.name for p in written] == ["REPORT.md", "recall_at_k.png", "latency_vs_size.png"]
    for png in written[1:]:
        assert png.read_bytes()[:8] == PNG_MAGIC
    text = written[0].read_text(encoding="utf-8")
    assert "**Quick run**" in text
    assert "- LOCOMO: rag beats default" in text
    assert "- speed: 4 add add batched" in text
    assert "The cost JSON has an unexpected shape" in text
    assert "![recall@k](recall_at_k.png)" in text
    assert text.index("## Where we lose") < text.index("## LOCOMO")


def test_quick_mode_caps_locomo_and_the_cost_run(tmp_path: Path) -> None:
    from benchmarks.__main__ import RESULTS, commands

    data = tmp_path / "locomo10.json"
    data.write_text("[]", encoding="utf-8")
    quick, full = commands(True, RESULTS, data), commands(False, RESULTS, data)
    assert isinstance(quick["locomo"], list)
    assert "--quick" in quick["locomo"]
    assert quick["locomo"][-1] == "benchmarks/results/locomo_quick.json"
    assert full["locomo"] == [
        "benchmarks.locomo",
        "--data",
        str(data),
        "--out",
        "benchmarks/results/locomo.json",
    ]
    assert isinstance(quick["cost"], list)
    assert "--max-turns" in quick["cost"]
    assert quick["cost"][-1] == "benchmarks/results/extraction_cost_quick.json"
    assert isinstance(full["cost"], list)
    assert "--max-turns" not in full["cost"]
    assert quick["speed"] == [
        "benchmarks.core",
        "--quick",
        "--out",
        "benchmarks/results/core_quick.json",
    ]


def test_without_locomo_data_its_steps_say_why_they_are_skipped(tmp_path: Path) -> None:
    from benchmarks.__main__ import commands

    steps = commands(True, tmp_path / "out", tmp_path / "missing.json")
    assert isinstance(steps["locomo"], str)
    assert "no LOCOMO data at" in steps["locomo"]
    assert isinstance(steps["cost"], str)
    assert steps["speed"][-1] == str((tmp_path / "out" / "core_quick.json").resolve())
