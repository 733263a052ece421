"""Measuring and reporting: the results table (:class:`Row`, :class:`Report`, targets,
printing, latency growth), timing and percentiles, load, RSS and disk, subprocess runs."""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .data import make_questions
from .settings import REPO_ROOT

__all__ = [
    "Report",
    "Row",
    "at_least",
    "at_most",
    "current_rss_mib",
    "folder_bytes",
    "latency_growth",
    "load",
    "median",
    "peak_rss_mib",
    "percentiles",
    "print_table",
    "replay",
    "run_python",
    "search_percentiles",
    "section",
    "targets",
    "time_each",
    "verdict",
    "warm_up",
]

# --- measurement helpers ----------------------------------------------------------------


@dataclass
class Row:
    """One line of the results table."""

    section: str
    metric: str
    value: float | None
    unit: str
    target: str = ""
    passed: bool | None = None
    note: str = ""
    verdict: str = ""  # "met", "missed" or "" (no target), derived from ``passed``

    def __post_init__(self) -> None:
        self.verdict = verdict(self.passed)


def verdict(passed: bool | None) -> str:
    """The word printed beside a target: never an assertion, just information."""
    return "" if passed is None else ("met" if passed else "missed")


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        print(f"  {row.section} {row.metric}: {_fmt(row.value, row.unit)} {row.note}", flush=True)


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit in ("/s", "B", "MiB") or abs(value) >= 1_000:
        return f"{value:,.0f} {unit}".strip()
    return f"{value:.3g} {unit}".strip() if abs(value) < 10 else f"{value:.1f} {unit}".strip()


def at_most(value: float, target: float) -> bool:
    return value <= target


def at_least(value: float, target: float) -> bool:
    return value >= target


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 (linear interpolation between closest ranks)."""
    if len(samples) < 2:
        only = float(samples[0]) if samples else float("nan")
        return {"p50": only, "p95": only, "p99": only}
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98]}


def time_each(items: Sequence[Any], fn: Callable[[Any], object]) -> list[float]:
    """Milliseconds per call of ``fn(item)``."""
    out: list[float] = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - start) * 1_000)
    return out


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def current_rss_mib() -> float | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def folder_bytes(path: Path) -> tuple[int, int]:
    """(apparent size, allocated size) of every file under ``path``."""
    apparent = allocated = 0
    for root, _, files in os.walk(path):
        for name in files:
            st = os.stat(os.path.join(root, name))
            apparent += st.st_size
            allocated += getattr(st, "st_blocks", 0) * 512
    return apparent, allocated


@contextmanager
def section(title: str, report: Report, key: str) -> Iterator[None]:
    print(f"\n== {title} (load {load()})", flush=True)
    start = time.perf_counter()
    report.details.setdefault("load", {})[key] = {"start": load()}
    yield
    report.details["load"][key]["end"] = load()
    report.details.setdefault("section_seconds", {})[key] = round(time.perf_counter() - start, 2)


def run_python(code: str, *args: str, env: dict[str, str] | None = None) -> Any:
    """Run ``code`` in a fresh interpreter (repository root as cwd); parse its JSON output."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"subprocess failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- timed replays and searches, the same for every system -------------------------------


def replay(
    add: Callable[[str, list[str]], object], batches: Sequence[tuple[str, list[str]]]
) -> float:
    """Seconds to send ``batches`` (user, texts) through ``add``."""
    start = time.perf_counter()
    for user, texts in batches:
        add(user, texts)
    return time.perf_counter() - start


def warm_up(
    users: Sequence[str], search: Callable[[str, str], object], rng: random.Random
) -> list[float]:
    """One search per user before timing (what a long-running process has done); the
    milliseconds each took."""
    questions = make_questions(rng, len(users))
    return time_each(list(zip(users, questions, strict=True)), lambda a: search(a[0], a[1]))


def search_percentiles(
    asks: Sequence[tuple[str, str]], search: Callable[[str, str], object], repeat: int
) -> tuple[dict[str, float], list[dict[str, float]]]:
    """Median over ``repeat`` runs of p50/p95/p99 (ms) of ``search(user, question)``,
    after one warm-up search per user (every system gets the same)."""
    warm_up(sorted({u for u, _ in asks}), search, random.Random(0))
    runs = [percentiles(time_each(asks, lambda a: search(a[0], a[1]))) for _ in range(repeat)]
    return {k: median([r[k] for r in runs]) for k in ("p50", "p95", "p99")}, runs


# --- 7. growth of search latency with size ------------------------------------------------


def latency_growth(report: Report, section_name: str, by_size: dict[int, dict[str, float]]) -> None:
    """One row per size: search p95 (p50/p99 in the note) and its ratio to the smallest size."""
    if not by_size:
        return
    first = min(by_size)
    base = by_size[first]["p95"]
    table = report.details.setdefault("latency_growth", {}).setdefault(section_name, {})
    for size in sorted(by_size):
        values = by_size[size]
        ratio = values["p95"] / base if base > 0 else float("nan")
        table[str(size)] = {**values, "p95_vs_smallest": ratio}
        report.add(
            Row(
                section_name,
                f"search p95 at {size:,}",
                values["p95"],
                "ms",
                note=f"p50 {values['p50']:.2f} / p99 {values['p99']:.2f} ms; "
                f"p95 x{ratio:.2f} of n={first:,}",
            )
        )


# --- targets ----------------------------------------------------------------------------------


def targets(report: Report) -> list[dict[str, Any]]:
    """Every row with a target: what was aimed at, what was measured, met or missed."""
    return [
        {
            "section": r.section,
            "metric": r.metric,
            "target": r.target,
            "value": r.value,
            "unit": r.unit,
            "verdict": r.verdict,
        }
        for r in report.rows
        if r.target
    ]


# --- the printed table ------------------------------------------------------------------


def print_table(report: Report) -> None:
    header = ("section", "metric", "measured", "target", "result", "notes")
    lines = [
        (
            r.section,
            r.metric,
            _fmt(r.value, r.unit),
            r.target,
            r.verdict,
            r.note,
        )
        for r in report.rows
    ]
    widths = [max(len(str(x[i])) for x in [header, *lines]) for i in range(5)]

    def fmt(cells: Sequence[str]) -> str:
        first = "  ".join(
            str(c).rjust(w) if i == 2 else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(cells[:5], widths, strict=True))
        )
        return f"{first}  {cells[5]}".rstrip()

    print()
    print(fmt(header))
    print(fmt(["-" * w for w in widths] + ["-----"]))
    for line in lines:
        print(fmt(line))
