"""Persistence of the embedded store across processes.

One process writes a folder and exits; another opens the same folder with the
default settings (default embedder, default clock) and reads. The children print
JSON on their last stdout line; the parent asserts on it.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mem0_integrations import Memory, OnnxMiniLMEmbedder

pytestmark = pytest.mark.integration

PENICILLIN = "I am allergic to penicillin."
DOG = "My dog is called Rex."
VIOLIN = "I play the violin every Sunday."

WRITER = """
import json, sys
from mem0_integrations import Memory

memory = Memory(path=sys.argv[1])
added = memory.add(json.loads(sys.argv[2]), user_id="u1", infer=False)
berlin = memory.remember({"city": "Berlin"}, user_id="u1")
paris = memory.remember({"city": "Paris"}, user_id="u1")
memory.add("I am allergic to peanuts.", user_id="u2", infer=False)
print(json.dumps({"added": added.ids, "berlin": berlin.ids[0], "paris": paris.ids[0]}))
"""

READER = """
import json, sys
from mem0_integrations import Memory

memory = Memory(path=sys.argv[1])
args = json.loads(sys.argv[2])
out = {"all": [r.model_dump(mode="json") for r in
               memory.get_all(user_id="u1", include_inactive=True, limit=None)]}
out["history"] = {
    i: [{"event": h.event.value, "memory_id": h.memory_id, "old": h.old_memory,
         "new": h.new_memory, "created_at": h.created_at.isoformat()} for h in memory.history(i)]
    for i in args["ids"]
}
out["search"] = {
    q: [{"id": h.id, "memory": h.memory, "score": h.score, "similarity": h.similarity} for h in
        memory.search(q, user_id=args["user_id"], limit=10)]
    for q in args["queries"]
}
print(json.dumps(out))
"""


def run_python(code: str, *args: str, cwd: Path) -> Any:
    """Run ``code`` in a fresh interpreter; return the JSON of its last stdout line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEM0I_")}
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, f"child failed ({proc.returncode}):\n{proc.stderr[-4000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def cosine(embedder: OnnxMiniLMEmbedder, query: str, text: str) -> float:
    q, t = np.array(embedder.embed([query, text]))
    return max(0.0, float(q @ t))


def test_written_by_one_process_read_by_another(
    tmp_path: Path, embedder: OnnxMiniLMEmbedder
) -> None:
    store = tmp_path / "store"
    before = datetime.now(UTC)
    written = run_python(WRITER, str(store), json.dumps([PENICILLIN, DOG, VIOLIN]), cwd=tmp_path)
    after = datetime.now(UTC)
    pen, dog, violin = written["added"]
    berlin, paris = written["berlin"], written["paris"]
    queries = ["What drug am I allergic to?", "What is the name of my pet?", "Which city?"]

    read = run_python(
        READER,
        str(store),
        json.dumps({"ids": [pen, berlin], "user_id": "u1", "queries": queries}),
        cwd=tmp_path,
    )

    records = {r["id"]: r for r in read["all"]}
    assert set(records) == {pen, dog, violin, berlin, paris}
    assert records[pen]["text"] == PENICILLIN
    assert records[berlin]["status"] == "superseded"
    assert records[berlin]["superseded_by"] == paris
    assert records[paris]["value"] == "Paris"
    created = datetime.fromisoformat(records[pen]["created_at"])
    assert before <= created <= after  # the default clock: aware UTC "now" of the writer
    assert [h["event"] for h in read["history"][pen]] == ["ADD"]
    assert [(h["event"], h["memory_id"], h["old"], h["new"]) for h in read["history"][berlin]] == [
        ("ADD", berlin, None, "city: Berlin"),
        ("UPDATE", paris, "city: Berlin", "city: Paris"),
    ]
    texts = {pen: PENICILLIN, dog: DOG, violin: VIOLIN, paris: "city: Paris"}
    for query, expected_first in zip(queries, [pen, dog, paris], strict=True):
        hits = read["search"][query]
        assert [h["id"] for h in hits][:1] == [expected_first], (query, hits)
        assert {h["id"] for h in hits} == set(texts)  # u1's active memories only
        scores = [h["score"] for h in hits]
        assert scores == sorted(scores, reverse=True)
        for hit in hits:
            assert hit["memory"] == texts[hit["id"]]
            cos = cosine(embedder, query, hit["memory"])
            assert hit["similarity"] == pytest.approx(cos, abs=2e-3)

    # The parent opens the folder too, after both children have exited.
    parent = Memory(path=store, embedder=embedder)
    # Each of the reader's three searches returned all four active memories, and said so.
    assert {r.id: r.access_count for r in parent.get_all(user_id="u1")} == dict.fromkeys(texts, 3)
    assert [r.text for r in parent.get_all(user_id="u2")] == ["I am allergic to peanuts."]


def test_written_in_parent_read_by_child_after_close(
    tmp_path: Path, embedder: OnnxMiniLMEmbedder
) -> None:
    store = tmp_path / "store"
    memory = Memory(path=store, embedder=embedder)
    pen = memory.add(PENICILLIN, user_id="u1", infer=False).ids[0]
    dog = memory.add(DOG, user_id="u1", infer=False).ids[0]
    memory.update(dog, "My dog is called Max.")
    gone = memory.add(VIOLIN, user_id="u1", infer=False).ids[0]
    memory.delete(gone)
    expected = sorted(
        (r.model_dump(mode="json") for r in memory.get_all(user_id="u1", include_inactive=True)),
        key=lambda r: r["id"],
    )
    del memory
    gc.collect()

    read = run_python(
        READER,
        str(store),
        json.dumps({"ids": [dog, gone], "user_id": "u1", "queries": ["What is my pet called?"]}),
        cwd=tmp_path,
    )

    assert sorted(read["all"], key=lambda r: r["id"]) == expected
    assert [(h["event"], h["old"], h["new"]) for h in read["history"][dog]] == [
        ("ADD", None, DOG),
        ("UPDATE", DOG, "My dog is called Max."),
    ]
    assert [h["event"] for h in read["history"][gone]] == ["ADD", "DELETE"]
    hits = read["search"]["What is my pet called?"]
    assert [h["id"] for h in hits] == [dog, pen]
    assert hits[0]["memory"] == "My dog is called Max."
    assert 0.0 <= hits[1]["score"] < hits[0]["score"] <= 1.0
