"""SIGKILL a writer at random moments; after each kill the store must hold every
acknowledged write (by ``get`` and by vector search), no half-applied change, no
duplicate. ``MEM0I_CRASH_CYCLES`` sets the number of kills (50 by default, in CI).

The writer (``tests/crash_writer.py``) adds notes, re-sets one keyed fact (an UPDATE
that supersedes the old record and moves it to the archive), edits and deletes notes,
and prints a line before each call and one after it returned. What was acknowledged
must be there; the one call in flight at the kill may show its old or its new state,
never a mix (checked through history and the keyed fact's single active record).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from mem0_integrations import Memory, MemoryStatus
from mem0_integrations.core.store.journal import JOURNAL_DIR

from ..crash_writer import WordHashEmbedder

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
CYCLES = int(os.environ.get("MEM0I_CRASH_CYCLES", "50"))
DELETED = None


@dataclass
class Expected:
    """What the acknowledged calls of every cycle so far say the store holds."""

    notes: dict[str, str | None] = field(default_factory=dict)  # id -> text, None: deleted
    city: str | None = None
    #: the call in flight when the writer died: any of these states is fine
    maybe_notes: dict[str, set[str | None]] = field(default_factory=dict)
    maybe_texts: list[str] = field(default_factory=list)  # an add in flight
    maybe_city: set[str] = field(default_factory=set)

    def read(self, lines: list[dict[str, Any]]) -> None:
        self.maybe_notes, self.maybe_texts, self.maybe_city = {}, [], set()
        pending: dict[str, Any] | None = None
        for line in lines:
            if "begin" in line:
                pending = line
            elif "ack" in line:
                pending = None
                if line["ack"] == "add":
                    self.notes.update(zip(line["ids"], line["texts"], strict=True))
                elif line["ack"] == "update":
                    self.notes[line["id"]] = line["text"]
                elif line["ack"] == "delete":
                    self.notes[line["id"]] = DELETED
                else:
                    self.city = line["value"]
        if pending is None:
            return
        kind = pending["begin"]
        if kind == "add":
            self.maybe_texts = pending["texts"]
        elif kind == "update":
            self.maybe_notes[pending["id"]] = {self.notes[pending["id"]], pending["text"]}
        elif kind == "delete":
            self.maybe_notes[pending["id"]] = {self.notes[pending["id"]], DELETED}
        else:
            self.maybe_city = {pending["value"]}


def run_writer(path: Path, seed: int, rng: random.Random) -> list[dict[str, Any]]:
    """Start a writer, SIGKILL it at a random moment, return the lines it printed."""
    out = path.parent / f"writer-{seed}.log"
    with open(out, "w", encoding="utf-8") as log:
        writer = subprocess.Popen(
            [sys.executable, "-m", "tests.crash_writer", str(path), str(seed)],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while '"ready"' not in out.read_text(encoding="utf-8"):
            assert writer.poll() is None, writer.stderr.read() if writer.stderr else ""
            assert time.monotonic() < deadline, "the writer never got ready"
            time.sleep(0.02)
        time.sleep(rng.uniform(0.05, 1.2))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        if writer.stderr is not None:
            writer.stderr.close()
    lines = []
    for raw in out.read_text(encoding="utf-8").splitlines():
        try:
            lines.append(json.loads(raw))
        except ValueError:  # the kill cut this line: the call it reports was not seen back
            break
    return lines


def settle(memory: Memory, expected: Expected) -> None:
    """Take the state the call in flight left as the truth for the next cycles."""
    active = {r.id: r for r in memory.get_all(user_id="u1", limit=None)}
    for memory_id in expected.maybe_notes:
        found = active.get(memory_id)
        expected.notes[memory_id] = found.text if found else DELETED
    for r in active.values():
        if r.text in expected.maybe_texts:
            expected.notes[r.id] = r.text
    if expected.maybe_city:
        (city,) = [r for r in active.values() if r.key == "home_city"]
        expected.city = city.value
    expected.maybe_notes, expected.maybe_texts, expected.maybe_city = {}, [], set()


def check(memory: Memory, expected: Expected, fresh: list[str]) -> None:
    everything = memory.get_all(user_id="u1", limit=None, include_inactive=True)
    active = [r for r in everything if r.status is MemoryStatus.ACTIVE]
    by_id = {r.id: r for r in active}
    # no duplicate: every active text once, one active value of the keyed fact
    counts = Counter(r.text for r in active)
    assert [t for t, n in counts.items() if n > 1] == []
    cities = [r for r in active if r.key == "home_city"]
    if expected.city is not None or expected.maybe_city:
        assert len(cities) == 1, [r.text for r in cities]
        assert cities[0].value in {expected.city} | expected.maybe_city
    # every acknowledged note as acknowledged (the one in flight: old or new)
    for memory_id, text in expected.notes.items():
        allowed = expected.maybe_notes.get(memory_id, {text})
        found = by_id.get(memory_id)
        assert (found.text if found else DELETED) in allowed, (memory_id, allowed, found)
    # an add in flight: each of its texts at most once (checked above), nothing else
    known = {t for t in expected.notes.values() if t} | set(expected.maybe_texts)
    known |= {t for s in expected.maybe_notes.values() for t in s if t}
    notes = [r for r in active if r.key is None]
    assert {r.text for r in notes} <= known
    # every change complete: each active memory has its history entry
    for r in active:
        if r.id in fresh or r.key is not None:
            assert memory.history(r.id, user_id="u1"), f"{r.id} has no history"
    # vector search reaches what get returns: the new ones, the keyed one, a sample
    sample = [r for r in active if r.id in fresh or r.key is not None]
    sample += random.Random(len(active)).sample(active, min(20, len(active)))
    for r in sample:
        hits = memory.search(r.text, user_id="u1", limit=5, reinforce=False)
        assert r.id in [h.id for h in hits], f"{r.text!r} is stored but search misses it"


def test_sigkill_at_random_points_loses_nothing_acknowledged(tmp_path: Path) -> None:
    path = tmp_path / "store"
    rng = random.Random(20261121)
    expected = Expected()
    acknowledged = interrupted = 0
    for cycle in range(CYCLES):
        lines = run_writer(path, cycle, rng)
        before = set(expected.notes)
        expected.read(lines)
        acknowledged += sum(1 for line in lines if "ack" in line)
        interrupted += bool(lines) and "begin" in lines[-1]
        fresh = [i for i in expected.notes if i not in before]
        with Memory(path=path, embedder=WordHashEmbedder()) as memory:
            check(memory, expected, fresh)
            settle(memory, expected)
        assert not list((path / JOURNAL_DIR).glob("*/*.json")), "a journal entry was left"
    print(f"{CYCLES} kills, {acknowledged} acknowledged calls, {interrupted} killed mid-call")
    assert acknowledged > CYCLES  # the writer got work done between kills
