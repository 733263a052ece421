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
memories; ``--sizes 1000 --queries 50 --repeat 1`` where it has no ``--quick``), and
skips the cost benchmark (about 50 s on its own on 2 cores); the report says so.
The exit code is 1 when a benchmark failed (the report is still written).
"""

from __future__ import annotations

import argparse
import contextlib
import io
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

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS = REPO_ROOT / "benchmarks" / "results"

QUICK_LOCOMO_SYSTEMS = "default,ours-infer,observations,rag,full-context,mem0-oss"
#: Speed arguments, the first that ``benchmarks/core.py`` accepts (it is still growing).
QUICK_SPEED = (["--quick"], ["--sizes", "1000", "--queries", "50", "--repeat", "1"])
FULL_SPEED = (["--sizes", "1000,10000,100000", "--server", "--mem0"], ["--sizes", "1000,10000"])
COST_SKIPPED = (
    "skipped in quick mode: it takes about 50 s on 2 cores (LOCOMO conversation 0); "
    "`python -m benchmarks all` runs it"
)


def paths(quick: bool) -> dict[str, Path]:
    """Where each benchmark writes its JSON."""
    suffix = "_quick" if quick else ""
    return {
        "locomo": RESULTS / f"locomo{suffix}.json",
        "speed": RESULTS / f"core{suffix}.json",
        "cost": RESULTS / "extraction_cost.json",
    }


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _rel(path: Path) -> str:
    """A results path relative to the repository root (the children's working directory)."""
    return str(path.relative_to(REPO_ROOT))


def load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def commands(quick: bool) -> dict[str, list[str] | None]:
    """The argv of each benchmark module (``None``: skipped in this mode)."""
    out = paths(quick)
    locomo = ["--quick", "--systems", QUICK_LOCOMO_SYSTEMS] if quick else []
    speed = next((a for a in (QUICK_SPEED if quick else FULL_SPEED) if core_accepts(a)), [])
    return {
        "locomo": ["benchmarks.locomo", *locomo, "--out", _rel(out["locomo"])],
        "speed": ["benchmarks.core", *speed, "--out", _rel(out["speed"])],
        "cost": None if quick else ["benchmarks.extraction_cost", "--out", _rel(out["cost"])],
    }


def core_accepts(argv: list[str]) -> bool:
    """Whether ``benchmarks/core.py``'s parser takes these arguments."""
    from .core import parse_args

    with contextlib.redirect_stderr(io.StringIO()):
        try:
            parse_args(argv)
        except SystemExit:
            return False
    return True


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
    quick: bool, command: str, steps: list[dict[str, Any]], notes: list[str], date: str
) -> list[Path]:
    from .core import git_revision

    files = paths(quick)
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
    if quick:  # the cost JSON there is a full run's, not this one's
        data["cost"] = None
    written = build(RESULTS, meta, data["locomo"], data["speed"], data["cost"])
    for path in written:
        print(f"wrote {path.relative_to(REPO_ROOT)}", file=sys.stderr)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks", description=(__doc__ or "").split("\n\n")[0]
    )
    ap.add_argument("what", choices=("all", "report"), help="run everything, or only the report")
    ap.add_argument("--quick", action="store_true", help="the CI-sized run (under 3 minutes)")
    args = ap.parse_args(argv)
    run_file = RESULTS / f"run{'_quick' if args.quick else ''}.json"  # for `report`
    if args.what == "report":
        run = read_json(run_file) or {}
        command = str(run.get("command", "python -m benchmarks " + shlex.join(argv)))
        steps: list[dict[str, Any]] = list(run.get("steps") or [])
        notes: list[str] = list(run.get("notes") or [])
        date = str(run.get("date", "unknown (no run file)")) + f"; report rebuilt {now()}"
        write_report(args.quick, command, steps, notes, date)
        return 0
    command = "python -m benchmarks " + shlex.join(argv)
    date = now()
    steps = []
    load_before = load_average()
    started = time.perf_counter()
    files = paths(args.quick)
    for name, module_argv in commands(args.quick).items():
        if module_argv is None:
            steps.append({"name": name, "seconds": None, "status": COST_SKIPPED})
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
    write_report(args.quick, command, steps, notes, date)
    return 1 if any(s["status"].startswith("FAILED") for s in steps) else 0


if __name__ == "__main__":
    raise SystemExit(main())
