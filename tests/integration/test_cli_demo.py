"""The README's demo, through its real entry point: remember in one process, recall in another."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def test_demo_remembers_in_one_process_and_recalls_in_another(tmp_path: Path) -> None:
    store = tmp_path / "store"
    out = subprocess.run(
        [sys.executable, "-m", "mem0_integrations", "demo", "--path", str(store)],
        capture_output=True,
        text=True,
        check=True,
        timeout=240,
    ).stdout
    first = [line for line in out.splitlines() if line.startswith("[process 1]")]
    second = [line for line in out.splitlines() if line.startswith("[process 2]")]
    assert "[process 1] ADD    Allergic to penicillin" in first
    assert "[process 1] ADD    Lives in Lyon" in first
    assert "[process 1] UPDATE Lives in Paris  (was: Lives in Lyon)" in first
    assert "[process 1] NONE   Allergic to penicillin (duplicate)" in first
    assert not any("Nice to meet you" in line for line in first)  # the assistant's words
    # The second process found the first one's memories, best hit first, with scores.
    answer = second[second.index("[process 2] Q: Am I allergic to any medicine?") + 1]
    match = re.fullmatch(r"\[process 2\]    (\d\.\d{3})  Allergic to penicillin", answer)
    assert match is not None, answer
    assert 0.3 < float(match.group(1)) <= 1.0
    assert "[process 2]    UPDATE Lives in Lyon -> Lives in Paris" in second
    assert all("Lives in Lyon" not in line for line in second if re.search(r"\d\.\d{3}", line))


def test_demo_can_run_twice_on_the_same_folder(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "mem0_integrations", "demo", "--path", str(tmp_path / "s")]
    subprocess.run(cmd, capture_output=True, check=True, timeout=240)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=240).stdout
    assert "[process 1] ADD    Allergic to penicillin" in out


def test_errors_exit_with_code_2_and_a_message(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = subprocess.run(
        [sys.executable, "-m", "mem0_integrations", "demo", "--path", str(blocker)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 2
    assert "mem0i: error:" in result.stderr
    assert "pass a folder" in result.stderr
