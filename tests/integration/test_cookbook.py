"""Every cookbook script runs offline, as a user would run it, and exits 0.

Each script checks its own outcome (it exits non-zero when the memory did not do
its job), so this test catches a recipe that still runs but no longer remembers.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

COOKBOOK = Path(__file__).resolve().parents[2] / "cookbook"
SCRIPTS = sorted(COOKBOOK.glob("*.py"))


def test_the_cookbook_has_recipes() -> None:
    assert len(SCRIPTS) >= 3, SCRIPTS


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_recipe_runs_offline(script: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    # a HOME of its own: onnxruntime keeps a small id file under ~/.cache
    env = {**os.environ, "HOME": str(tmp_path / "home"), "OPENAI_API_KEY": "", "NO_PROXY": "*"}
    env.pop("OPENAI_BASE_URL", None)
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, f"{script.name} failed:\n{done.stdout}\n{done.stderr}"
    assert done.stdout.strip(), f"{script.name} printed nothing"
    assert list(work.iterdir()) == [], f"{script.name} left files in its working folder"
