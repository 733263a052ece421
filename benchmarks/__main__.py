"""Every benchmark in one command, and the report with its plots.

Run it from the repository root, on demand::

    pip install -e ".[test]" && pip install --no-deps -r benchmarks/requirements.txt
    python -m benchmarks all --quick       # under 3 minutes on 2 cores (CI runs this)
    python -m benchmarks all               # the full run: every LOCOMO conversation and system
    python -m benchmarks report [--quick]  # rebuild the report from the JSON already written

``all`` runs, each in its own child process (so one benchmark's memory, models and peak
RSS do not leak into the next, and a failure is recorded while the others still run):

1. LOCOMO quality, ``benchmarks/locomo.py`` (the ranking ablation and the baselines);
2. speed, ``benchmarks/core.py --out benchmarks/results/core[_quick].json`` (full run: sizes
   1k, 10k, 100k, with ``--server`` and ``--mem0`` when core.py has them);
3. cost per turn, ``benchmarks/extraction_cost.py`` (LOCOMO conversation 0).

then writes ``benchmarks/results/REPORT.md``, ``recall_at_k.png`` and ``latency_vs_size.png``
(:mod:`benchmarks.report`). ``--quick`` runs LOCOMO conversations 0-1 with our default
system and the baselines only (no ablation), the speed benchmark's own ``--quick`` (1,000
memories), and the cost benchmark on the first 150 turns of conversation 0; the report
says so. ``--results DIR`` writes everything to another folder (CI uses a temporary
one); ``--data`` points at LOCOMO's ``locomo10.json`` (without it the LOCOMO and cost
steps are skipped, and the report says why).
The exit code is 1 when a benchmark failed (the report is still written).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .report import Meta, build

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "locomo10.json"

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS = REPO_ROOT / "benchmarks" / "results"

QUICK_LOCOMO_SYSTEMS = "default,ours-infer,observations,rag,full-context,mem0-oss"
QUICK_SPEED = ["--quick"]
FULL_SPEED = ["--sizes", "1000,10000,100000", "--server", "--mem0"]
#: Quick cost run: the first turns of LOCOMO conversation 0 (the whole one takes ~50 s).
QUICK_COST = ["--max-turns", "150", "--repeat", "1"]


def paths(quick: bool, results: Path = RESULTS) -> dict[str, Path]:
    """Where each benchmark writes its JSON."""
    suffix = "_quick" if quick else ""
    return {
        "locomo": results / f"locomo{suffix}.json",
        "speed": results / f"core{suffix}.json",
        "cost": results / f"extraction_cost{suffix}.json",
    }


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _rel(path: Path) -> str:
    """A path relative to the repository root (the children's working directory) when
    it is inside it, else absolute."""
    path = path.resolve()
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def commands(quick: bool, results: Path, data: Path) -> dict[str, list[str] | str]:
    """The argv of each benchmark module, or why it is skipped."""
    out = paths(quick, results)
    locomo = ["--quick", "--systems", QUICK_LOCOMO_SYSTEMS] if quick else []
    data_args = ["--data", _rel(data)]
    speed_out = _rel(out["speed"])
    cost_args, cost_out = (QUICK_COST if quick else []), _rel(out["cost"])
    return {
        "locomo": ["benchmarks.locomo", *locomo, *data_args, "--out", _rel(out["locomo"])]
        if data.is_file()
        else f"skipped: no LOCOMO data at {data} (see ../shared/bench/README.md; pass --data)",
        "speed": ["benchmarks.core", *(QUICK_SPEED if quick else FULL_SPEED), "--out", speed_out],
        "cost": ["benchmarks.extraction_cost", *cost_args, *data_args, "--out", cost_out]
        if data.is_file()
        else "skipped: it reads LOCOMO conversation 0, and there is no LOCOMO data",
    }


def run_step(name: str, module_argv: list[str], target: Path) -> dict[str, Any]:
    """Run one benchmark module in a child process; its output goes to ours."""
    target.unlink(missing_ok=True)  # never report a stale JSON as this run's
    shown = "python -m " + shlex.join(module_argv)
    print(f"== {name}: {shown}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", *module_argv], cwd=REPO_ROOT, check=False)
    seconds = time.perf_counter() - started
    ok = done.returncode == 0 and target.is_file()
    status = "ok" if ok else f"FAILED (exit code {done.returncode})"
    print(f"== {name}: {status} in {seconds:.0f} s", file=sys.stderr, flush=True)
    return {"name": name, "seconds": seconds, "status": status, "note": f"`{shown}`"}


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    data["_path"] = str(path)
    return data


def machine() -> Mapping[str, Any]:
    from .locomo import machine as locomo_machine

    return locomo_machine()


def write_report(
    quick: bool,
    command: str,
    steps: list[dict[str, Any]],
    notes: list[str],
    date: str,
    results: Path = RESULTS,
) -> list[Path]:
    from .core import git_revision

    files = paths(quick, results)
    meta = Meta(
        command=command,
        quick=quick,
        date=date,
        commit=git_revision(),
        machine=machine(),
        steps=steps,
        notes=notes,
    )
    data = {name: read_json(path) for name, path in files.items()}
    written = build(results, meta, data["locomo"], data["speed"], data["cost"])
    for path in written:
        print(f"wrote {_rel(path)}", file=sys.stderr)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks", description=(__doc__ or "").split("\n\n")[0]
    )
    ap.add_argument("what", choices=("all", "report"), help="run everything, or only the report")
    ap.add_argument("--quick", action="store_true", help="the CI-sized run (under 3 minutes)")
    ap.add_argument(
        "--results", type=Path, default=RESULTS, help="folder for the JSON, report and plots"
    )
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="LOCOMO's locomo10.json")
    args = ap.parse_args(argv)
    results: Path = args.results.resolve()
    results.mkdir(parents=True, exist_ok=True)
    run_file = results / f"run{'_quick' if args.quick else ''}.json"  # for `report`
    if args.what == "report":
        run = read_json(run_file) or {}
        command = str(run.get("command", "python -m benchmarks " + shlex.join(argv)))
        steps: list[dict[str, Any]] = list(run.get("steps") or [])
        notes: list[str] = list(run.get("notes") or [])
        date = str(run.get("date", "unknown (no run file)")) + f"; report rebuilt {now()}"
        write_report(args.quick, command, steps, notes, date, results)
        return 0
    command = "python -m benchmarks " + shlex.join(argv)
    date = now()
    steps = []
    load_before = load_average()
    started = time.perf_counter()
    files = paths(args.quick, results)
    for name, module_argv in commands(args.quick, results, args.data).items():
        if isinstance(module_argv, str):
            print(f"== {name}: {module_argv}", file=sys.stderr, flush=True)
            steps.append({"name": name, "seconds": None, "status": module_argv})
        else:
            steps.append(run_step(name, module_argv, files[name]))
    steps.append({"name": "total", "seconds": time.perf_counter() - started, "status": "done"})
    notes = [
        f"load average (1/5/15 min) at start {load_before}, at end {load_average()}: "
        "timings are only comparable between runs on an otherwise idle machine"
    ]
    run_file.parent.mkdir(parents=True, exist_ok=True)
    run_file.write_text(
        json.dumps({"command": command, "date": date, "steps": steps, "notes": notes}, indent=2)
        + "\n",
        encoding="utf-8",
    )
    write_report(args.quick, command, steps, notes, date, results)
    return 1 if any(s["status"].startswith("FAILED") for s in steps) else 0


if __name__ == "__main__":
    raise SystemExit(main())
