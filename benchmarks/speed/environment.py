"""Where a run happened: the commit, versions, platform and a CPU yardstick."""

from __future__ import annotations

import os
import platform
import subprocess
import time
from datetime import UTC, datetime
from typing import Any

from .measure import median
from .settings import REPO_ROOT

__all__ = ["cpu_check", "environment", "git_revision"]


def cpu_check() -> dict[str, float]:
    """A yardstick for comparing runs: pure-Python loop time and numpy fp32 matmul GFLOPS."""
    import numpy

    loops, flops = [], []
    a = numpy.random.default_rng(0).random((512, 512), dtype=numpy.float32)
    for _ in range(5):
        start = time.perf_counter()
        sum(i * i for i in range(1_000_000))
        loops.append((time.perf_counter() - start) * 1_000)
        start = time.perf_counter()
        for _ in range(20):
            a @ a
        flops.append(20 * 2 * 512**3 / (time.perf_counter() - start) / 1e9)
    return {"python_loop_ms": median(loops), "matmul_gflops": median(flops)}


def git_revision() -> str:
    """The checked-out commit, with ``+dirty`` when the package has uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "mem0_integrations"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def environment() -> dict[str, Any]:
    import chromadb
    import numpy
    import onnxruntime

    return {
        **cpu_check(),
        "git": git_revision(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "chromadb": chromadb.__version__,
        "onnxruntime": onnxruntime.__version__,
        "numpy": numpy.__version__,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
    }
