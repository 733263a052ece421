"""Switch from the embedded store to a Chroma server, and move the memories over.

Run: python cookbook/chroma_server.py   (offline; starts and stops its own server)

One embedded folder serves one process. When several processes (web workers, agents)
need the same memories, run a Chroma server and change one line:

    memory = Memory(path="./memories")                              # before: embedded
    memory = Memory(chroma_host="127.0.0.1", chroma_port=8000)      # after: a server

The memories already in the folder move with ``export_jsonl``/``import_jsonl`` (ids,
times and history kept). The server here listens on loopback only: Chroma's open-source
server has no authentication, so never expose it without a proxy in front.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import chromadb
from chromadb.config import Settings

from mem0_integrations import Memory

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def answers(port: int) -> bool:
    try:
        chromadb.HttpClient(HOST, port, settings=Settings(anonymized_telemetry=False)).heartbeat()
    except Exception:  # not listening yet
        return False
    return True


@contextlib.contextmanager
def chroma_server(data: Path, port: int) -> Iterator[None]:
    """`chroma run` (installed with chromadb) until the block ends; always stopped."""
    chroma = shutil.which("chroma", path=os.path.dirname(sys.executable)) or "chroma"
    command = [chroma, "run", "--path", str(data), "--host", HOST, "--port", str(port)]
    server = subprocess.Popen(command, cwd=data.parent, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not answers(port):  # poll the heartbeat until the server is up
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"FAILED: `{' '.join(command)}` did not start.")
            time.sleep(0.1)
        yield
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        print("The server was stopped.")


with tempfile.TemporaryDirectory() as tmp:
    folder, dump = Path(tmp) / "memories", Path(tmp) / "alice.jsonl"
    with Memory(path=folder) as embedded:  # what the app used so far
        embedded.add("I am allergic to penicillin. I live in Lisbon.", user_id="alice")
        moved = embedded.export_jsonl(dump, user_id="alice")
        before = {r.id: r.text for r in embedded.get_all(user_id="alice", kind="all")}
    print(f"Exported {moved} memories of alice from {folder.name}/: {sorted(before.values())}")

    port = free_port()
    with (
        chroma_server(Path(tmp) / "server", port),
        # The one-line change. Two clients, as two processes (two web workers) would have.
        Memory(chroma_host=HOST, chroma_port=port) as worker_a,
        Memory(chroma_host=HOST, chroma_port=port) as worker_b,
    ):
        print(f"Imported {worker_a.import_jsonl(dump)} memories into the server")
        after = {r.id: r.text for r in worker_b.get_all(user_id="alice", kind="all")}
        print(f"Worker B reads them (same ids): {sorted(after.values())}")
        kept = [e.event.value for e in worker_b.history(next(iter(after)))]
        print(f"... with their history from the folder: {kept}")

        where = "Where does alice live?"
        print(f"Worker A: {where} {[h.memory for h in worker_a.search(where, user_id='alice')]}")
        (event,) = worker_b.add("I moved to Porto last month.", user_id="alice").events
        print(f"Worker B: {event.event.value} {event.previous_memory!r} -> {event.memory!r}")
        hits = worker_a.search(where, user_id="alice", limit=3)
        shown = [h.memory + ("" if h.current else " (earlier)") for h in hits]
        print(f"Worker A again: {where} {shown}")
    print("Why: both workers talk to one server, so each sees the other's writes at once;")
    print("the export carried ids, times and history, so the import lost nothing.")

checks = {
    "the import kept every memory and its id": after == before and moved == len(before) > 0,
    "worker A sees worker B's write": any("Porto" in h.memory for h in hits)
    and not any("Lisbon" in h.memory for h in hits if h.current),
    "the history came along": "ADD" in kept,
}
for check, ok in checks.items():
    print(f"{'ok' if ok else 'FAILED'}: {check}")
if not all(checks.values()):
    raise SystemExit("FAILED: the server lost migrated memories or missed a write.")
print("\nOK: the memories moved to the server, and two clients share them.")
