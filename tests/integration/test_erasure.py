"""Erasure for real: ``delete_all``/``forget`` of a user leaves none of their rows in
any collection, and ``purge`` then removes their bytes from the folder's files
(checked by searching every raw file of the embedded store for canary strings)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mem0_integrations import (
    ConfigurationError,
    Memory,
    MemoryNotFoundError,
    OnnxMiniLMEmbedder,
    Scope,
    StoreLockedError,
    purge,
)

pytestmark = pytest.mark.integration

CANARY = "Zqxcanary"  # a word that occurs nowhere else


def files_with(folder: Path, needle: str) -> list[str]:
    """Every file under ``folder`` whose raw bytes contain ``needle``."""
    raw = needle.encode()
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and raw in p.read_bytes()
    )


def fill(memory: Memory) -> tuple[list[str], list[str]]:
    """Alice's data in every collection (active, superseded, history, chat); Bob's too."""
    alice = memory.add(
        [f"My dog is called {CANARY}.", f"I work at {CANARY} Labs in Oslo."], user_id="alice"
    ).ids
    alice += memory.add(f"Verbatim note about {CANARY}", user_id="alice", infer=False).ids
    memory.remember({"home_city": f"{CANARY}ville"}, user_id="alice")
    memory.remember({"home_city": "Bergen"}, user_id="alice")  # supersedes: archive + history
    memory.transcripts.append("chat", Scope(user_id="alice"), [f'{{"text": "hi {CANARY}"}}'])
    bob = memory.add(["My cat is called Tom.", "I work at Acme in Paris."], user_id="bob").ids
    memory.transcripts.append("chat", Scope(user_id="bob"), ['{"text": "hi from bob"}'])
    return alice, bob


@pytest.mark.parametrize("how", ["delete_all", "forget"])
def test_erasing_a_user_then_purging_leaves_no_byte_of_theirs(
    tmp_path: Path, embedder: OnnxMiniLMEmbedder, how: str
) -> None:
    folder = tmp_path / "store"
    with Memory(path=folder, embedder=embedder) as memory:
        alice, bob = fill(memory)
        assert files_with(folder, CANARY)  # it is on disk
        if how == "delete_all":
            events = memory.delete_all(user_id="alice")
            assert {e.id for e in events} >= set(alice)
        else:
            memory.forget(user_id="alice", erase_history=True)
        # nothing of alice is readable in any collection
        assert memory.get_all(user_id="alice", include_inactive=True, kind="all") == []
        for memory_id in alice:
            with pytest.raises(MemoryNotFoundError):
                memory.history(memory_id)
        assert memory.transcripts.rows("chat", Scope(user_id="alice")) == []
        store = memory._store
        for collection in (store.memories, store.archive, store.history):
            rows = collection.get(include=["documents", "metadatas"])
            assert not any(CANARY in str(x) for x in rows["documents"] + rows["metadatas"])
        assert [h.id for h in memory.search("cat", user_id="bob", limit=1)] == [bob[0]]
        with pytest.raises(ConfigurationError, match="close it before purging"):
            purge(folder)  # this process still has it open
    # deleted is not gone: Chroma's log and SQLite's free pages still hold the bytes
    assert "chroma.sqlite3" in files_with(folder, CANARY)
    report = purge(folder)
    assert files_with(folder, CANARY) == []
    assert report.collections["mem0i_memories"] == 4  # bob's two facts and their two turns
    assert report.bytes_after < report.bytes_before
    with Memory(path=folder, embedder=embedder) as memory:  # bob's data is intact
        assert {r.id for r in memory.get_all(user_id="bob")} == set(bob)
        assert [h.id for h in memory.search("Where do I work?", user_id="bob", limit=1)] == [bob[1]]
        assert [e.event.value for e in memory.history(bob[0])] == ["ADD"]
        assert memory.transcripts.rows("chat", Scope(user_id="bob"))
        assert memory.get_all(user_id="alice", include_inactive=True, kind="all") == []
        memory.add("I like tea.", user_id="bob", infer=False)  # still writable


def test_purge_refuses_a_folder_another_process_has_open(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(folder)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreLockedError):
            purge(folder)
    finally:
        holder.kill()
        holder.wait()


HOLD = """
import sys, time
from mem0_integrations import Memory
from tests.crash_writer import WordHashEmbedder
m = Memory(path=sys.argv[1], embedder=WordHashEmbedder())
m.add("hello", user_id="u", infer=False)
print("ready", flush=True)
time.sleep(120)
"""


def test_an_interrupted_purge_is_settled_when_the_store_opens(tmp_path: Path) -> None:
    """Killed before its READY marker, a purge left the old collections intact and a
    partial staging folder (discarded on open); killed after it, with the collections
    dropped, the staged rows are imported on open."""
    from mem0_integrations.core.lifecycle.purge import STAGE_DIR
    from tests.crash_writer import WordHashEmbedder

    folder = tmp_path / "store"
    with Memory(path=folder, embedder=WordHashEmbedder()) as memory:
        kept = memory.add(["one fact", "another fact"], user_id="u", infer=False).ids
    (folder / STAGE_DIR).mkdir()
    partial = folder / STAGE_DIR / "mem0i_memories.jsonl"
    partial.write_text('{"metadata": {}, "spa', encoding="utf-8")
    with Memory(path=folder, embedder=WordHashEmbedder()) as memory:
        assert not (folder / STAGE_DIR).exists()
        assert {r.id for r in memory.get_all(user_id="u")} == set(kept)
    export = [sys.executable, "-m", "mem0_integrations.core.lifecycle.purge", "export", str(folder)]
    subprocess.run([*export, "mem0i"], check=True, capture_output=True)  # then "killed"
    assert (folder / STAGE_DIR / "READY").exists()
    with Memory(path=folder, embedder=WordHashEmbedder()) as memory:
        assert not (folder / STAGE_DIR).exists()
        assert {r.id for r in memory.get_all(user_id="u")} == set(kept)
        assert [h.id for h in memory.search("one fact", user_id="u", limit=1)] == [kept[0]]
        assert [e.event.value for e in memory.history(kept[1])] == ["ADD"]
