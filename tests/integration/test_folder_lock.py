"""One process per embedded folder (an OS file lock), many ``Memory`` objects and
threads within it, and the in-process search index they share."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from mem0_integrations import Memory, OnnxMiniLMEmbedder, StoreLockedError
from mem0_integrations.core.store.folder_lock import LOCK_FILE

pytestmark = pytest.mark.integration

HOLDER = """
import sys, time
from mem0_integrations import Memory

memory = Memory(path=sys.argv[1])
memory.add("I keep bees on the roof.", user_id="u1", infer=False)
print("ready", flush=True)
time.sleep(120)
"""

OPENER = """
import json, sys, time
from mem0_integrations import Memory, StoreLockedError

start = time.monotonic()
try:
    memory = Memory(path=sys.argv[1])
except StoreLockedError as e:
    print(json.dumps({"error": str(e), "seconds": time.monotonic() - start}))
else:
    hits = memory.search("bees", user_id="u1")
    print(json.dumps({"hits": [h.memory for h in hits], "seconds": time.monotonic() - start}))
"""


def child(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True, env=os.environ
    )


def last_json(process: subprocess.Popen[str]) -> dict[str, object]:
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0, out
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return result


@pytest.fixture
def holder(tmp_path: Path) -> subprocess.Popen[str]:
    """A process that opened ``tmp_path/store``, wrote a memory and keeps it open."""
    process = child(HOLDER, str(tmp_path / "store"))
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


def test_a_second_process_fails_within_a_second_and_is_told_to_use_a_server(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    try:
        started = time.monotonic()
        with pytest.raises(StoreLockedError) as caught:
            Memory(path=tmp_path / "store")
        assert time.monotonic() - started < 1.5  # 1 s of retries, then the error
        message = str(caught.value)
        assert "chroma run --path" in message
        assert "chroma_host=" in message
        assert str(tmp_path / "store") in message
        other = last_json(child(OPENER, str(tmp_path / "store")))
        assert "error" in other
        assert float(other["seconds"]) < 1.5  # type: ignore[arg-type]
    finally:
        holder.kill()
        holder.wait()


def test_the_folder_opens_again_once_its_owner_is_killed(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    holder.send_signal(signal.SIGKILL)  # no clean-up code runs: the OS drops the lock
    holder.wait()
    assert (tmp_path / "store" / LOCK_FILE).exists()  # a stale file is no lock
    reopened = last_json(child(OPENER, str(tmp_path / "store")))
    assert reopened["hits"] == ["I keep bees on the roof."]


def test_close_hands_the_folder_to_another_process(
    tmp_path: Path, embedder: OnnxMiniLMEmbedder
) -> None:
    memory = Memory(path=tmp_path / "store", embedder=embedder)
    memory.add("I keep bees on the roof.", user_id="u1", infer=False)
    assert "error" in last_json(child(OPENER, str(tmp_path / "store")))
    memory.close()
    assert last_json(child(OPENER, str(tmp_path / "store")))["hits"] == ["I keep bees on the roof."]


def test_memories_of_one_process_share_the_folder_and_see_each_others_writes(
    tmp_path: Path, embedder: OnnxMiniLMEmbedder
) -> None:
    first = Memory(path=tmp_path / "store", embedder=embedder)
    second = Memory(path=tmp_path / "store", embedder=embedder)
    first.add("I keep bees on the roof.", user_id="u1", infer=False)
    assert [h.memory for h in second.search("bees", user_id="u1")] == ["I keep bees on the roof."]
    (hit,) = first.search("bees", user_id="u1")
    second.update(hit.id, "I keep wasps on the roof.")
    assert [h.memory for h in first.search("roof insects", user_id="u1")] == [
        "I keep wasps on the roof."
    ]
    second.delete(hit.id)
    assert first.search("roof insects", user_id="u1") == []
    first.close()
    # the second still holds the folder: other processes stay out
    assert "error" in last_json(child(OPENER, str(tmp_path / "store")))
    second.close()
    assert "hits" in last_json(child(OPENER, str(tmp_path / "store")))


def test_threads_of_one_process_add_and_search_one_memory(
    tmp_path: Path, embedder: OnnxMiniLMEmbedder
) -> None:
    memory = Memory(path=tmp_path / "store", embedder=embedder)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(10):
                memory.add(f"Thread {n} note {i}: parcel {n * 100 + i}", user_id="u1", infer=False)
                memory.search(f"parcel {n * 100 + i}", user_id="u1")
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    stored = memory.get_all(user_id="u1", limit=None)
    assert len(stored) == 80
    for n in (0, 7):
        (hit, *_) = memory.search(f"Thread {n} note 3: parcel {n * 100 + 3}", user_id="u1")
        assert hit.memory == f"Thread {n} note 3: parcel {n * 100 + 3}"


def test_a_path_that_is_a_file_is_a_configuration_error(tmp_path: Path) -> None:
    from mem0_integrations import ConfigurationError

    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="is a file"):
        Memory(path=tmp_path / "file")


@pytest.mark.server
def test_serve_chroma_keeps_embedded_clients_out_of_the_folder_it_serves(
    tmp_path: Path, embedder: OnnxMiniLMEmbedder
) -> None:
    from mem0_integrations._cli._server import free_port, heartbeat

    folder = tmp_path / "store"
    with Memory(path=folder, embedder=embedder) as memory:
        memory.add("I keep bees on the roof.", user_id="u1", infer=False)
        busy = subprocess.run(
            [sys.executable, "-m", "mem0_integrations", "serve-chroma", "--path", str(folder)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert busy.returncode == 5, busy.stderr  # the store is unavailable: it is open here
        assert "Another process has the embedded store" in busy.stderr
    port = free_port()
    serve = ["serve-chroma", "--path", str(folder), "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(
        [sys.executable, "-m", "mem0_integrations", *serve],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not heartbeat("127.0.0.1", port):
            assert server.poll() is None, "serve-chroma exited"
            assert time.monotonic() < deadline, "no heartbeat within 60 s"
            time.sleep(0.1)
        with pytest.raises(StoreLockedError):
            Memory(path=folder, embedder=embedder)
        with Memory(chroma_host="127.0.0.1", chroma_port=port, embedder=embedder) as through:
            hits = through.search("bees", user_id="u1")
        assert [h.memory for h in hits] == ["I keep bees on the roof."]
    finally:
        server.terminate()
        server.wait(timeout=30)
