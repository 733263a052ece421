"""The ``mem0i`` command line, through its real entry points.

Most commands run in one long-lived ``python -c`` process (:class:`CliSession`)
that calls ``mem0_integrations.cli.main(argv)`` once per command, with its own
stdin, stdout, stderr and environment, because each new process pays about 1.5 s
to load Chroma and the embedder. Exit codes, the confirmation prompt on a real
stdin, the progress bar and the installed ``mem0i`` script run as separate
processes (``python -m mem0_integrations`` and ``.venv/bin/mem0i``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import pytest

from mem0_integrations import MemoryRecord, Scope
from mem0_integrations._cli._server import free_port, heartbeat
from mem0_integrations.core.lifecycle.transfer import dump_lines
from mem0_integrations.core.models import content_hash
from mem0_integrations.core.rank.context import DEFAULT_HEADER

from .conftest import SERVER_START_TIMEOUT, ChromaServer, log_tail

pytestmark = pytest.mark.integration

CLI = [sys.executable, "-m", "mem0_integrations"]
MEM0I = Path(sys.executable).parent / "mem0i"
ID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

DRIVER = r"""
import contextlib, io, json, os, sys
from mem0_integrations.cli import main

real_stdout = sys.stdout
for line in sys.stdin:
    step = json.loads(line)
    saved_env = dict(os.environ)
    os.environ.update(step["env"])
    out, err = io.StringIO(), io.StringIO()
    sys.stdin = io.StringIO(step["stdin"])
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(step["argv"])
        except SystemExit as e:
            code = e.code
    os.environ.clear()
    os.environ.update(saved_env)
    print(json.dumps({"code": code, "out": out.getvalue(), "err": err.getvalue()}),
          file=real_stdout, flush=True)
"""


def clean_env() -> dict[str, str]:
    """This process's environment without any MEM0I_* variable of the developer's."""
    return {k: v for k, v in os.environ.items() if not k.startswith("MEM0I_")}


@dataclass(frozen=True)
class Result:
    """What one command printed, and its exit code."""

    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        """Stdout parsed as the one JSON document ``--json`` prints."""
        return json.loads(self.out)

    @property
    def error(self) -> Any:
        """Stderr parsed as the JSON error document of ``--json``."""
        return json.loads(self.err)["error"]


class CliSession:
    """One process running ``mem0i`` commands, one ``main(argv)`` call each."""

    def __init__(self, cwd: Path) -> None:
        self._log = cwd / "driver.log"
        self._log_file: IO[str] = open(self._log, "w", encoding="utf-8")  # noqa: SIM115
        self._process = subprocess.Popen(
            [sys.executable, "-c", DRIVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log_file,
            text=True,
            cwd=cwd,
            env=clean_env(),
        )

    def __call__(self, *argv: str, stdin: str = "", env: dict[str, str] | None = None) -> Result:
        assert self._process.stdin is not None
        assert self._process.stdout is not None
        step = {"argv": list(argv), "stdin": stdin, "env": env or {}}
        self._process.stdin.write(json.dumps(step) + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        assert line, f"the CLI driver died on {argv}:\n{log_tail(self._log)}"
        return Result(**json.loads(line))

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        assert self._process.wait(timeout=60) == 0, log_tail(self._log)
        self._log_file.close()


@contextlib.contextmanager
def cli_session(cwd: Path) -> Iterator[CliSession]:
    session = CliSession(cwd)
    try:
        yield session
    finally:
        session.close()


def run(*argv: str, stdin: str = "", cwd: Path, exe: list[str] = CLI) -> Result:
    """One command in its own process."""
    done = subprocess.run(
        [*exe, *argv],
        input=stdin.encode(),
        capture_output=True,
        check=False,
        timeout=240,
        cwd=cwd,
        env=clean_env(),
    )  # bytes, so a progress bar's carriage returns are kept
    return Result(done.returncode, done.stdout.decode(), done.stderr.decode())


def ids_of(result: Result, text: str) -> list[str]:
    """Ids of the memories whose text contains ``text`` in a ``--json`` list."""
    return [m["id"] for m in result.json["memories"] if text in m["text"]]


# --- an embedded store, every command ------------------------------------------------------


def test_commands_on_an_embedded_store(tmp_path: Path) -> None:
    store = ["--path", str(tmp_path / "store")]
    alice = ["--user", "alice", *store]
    messages = tmp_path / "messages.json"
    messages.write_text(
        json.dumps(
            [
                {"role": "user", "content": "My dog Rex was sick last spring."},
                {"role": "assistant", "content": "Sorry to hear that, I hope Rex is well."},
            ]
        )
    )
    with cli_session(tmp_path) as cli:
        added = cli("add", "I'm allergic to penicillin. I live in Lyon.", *alice)
        assert added.code == 0, added.err
        assert re.search(rf"^ADD     {ID}  Allergic to penicillin$", added.out, re.M), added.out
        assert re.search(rf"^ADD     {ID}  Lives in Lyon$", added.out, re.M), added.out

        from_file = cli("add", "--file", str(messages), "--json", *alice).json
        texts = [e["memory"] for e in from_file["events"]]
        assert any("Rex" in t for t in texts), texts
        assert not any("Sorry" in t for t in texts), texts  # the assistant's words

        verbatim = cli("add", "--no-infer", "Call the vet on Monday", *alice, "--json",
                       "--metadata", '{"source": "cli"}').json  # fmt: skip
        (event,) = verbatim["events"]
        assert (event["event"], event["memory"]) == ("ADD", "Call the vet on Monday")
        assert event["record"]["metadata"] == {"source": "cli"}
        assert cli("add", "I have two cats.", "--user", "bob", *store).code == 0

        # search: JSON with the score parts, text with --explain, the prompt block
        found = cli("search", "Am I allergic to any medicine?", "--explain", "--json", *alice).json
        top = found["hits"][0]
        assert top["memory"] == "Allergic to penicillin"
        parts = top["explanation"]["parts"]
        assert {"similarity", "keyword", "recency", "importance"} <= parts.keys()
        assert sum(p["contribution"] for p in parts.values()) == pytest.approx(top["score"])
        assert all(h["scope"]["user_id"] == "alice" for h in (x["record"] for x in found["hits"]))
        text = cli("search", "medicine allergy", "--explain", "-n", "1", *alice).out
        assert re.match(rf"\d\.\d{{3}}  {ID}  \[health\] Allergic to penicillin\n", text), text
        assert re.search(r"^ +similarity +\d\.\d{3} x 1 +-> \d\.\d{3}$", text, re.M), text
        assert "retention" in text
        assert "cats" not in text
        prompt = cli("search", "medicine allergy", "--prompt", *alice).out
        assert prompt.startswith(DEFAULT_HEADER + "\n- ")
        assert re.search(r"^- Allergic to penicillin \(stated \d{4}-\d\d-\d\d\)$", prompt, re.M)

        # list, update, show with history
        listed = cli("list", "--json", *alice)
        (lyon,) = ids_of(listed, "Lyon")
        assert len(listed.json["memories"]) == 4
        updated = cli("update", lyon, "Lives in Paris", "--json", *store).json
        assert (updated["event"], updated["previous_memory"]) == ("UPDATE", "Lives in Lyon")
        shown = cli("show", lyon, "--json", *store).json
        assert shown["memory"]["text"] == "Lives in Paris"
        assert [e["event"] for e in shown["history"]] == ["ADD", "UPDATE"]
        assert "UPDATE  Lives in Lyon -> Lives in Paris" in cli("show", lyon, *store).out
        table = cli("list", *alice).out.splitlines()
        assert re.fullmatch(rf"{ID}  \d{{4}}-\d\d-\d\d \d\d:\d\dZ  \[identity\] Lives in Paris",
                            table[0])  # fmt: skip
        assert table[-1] == "4 active memories of user_id=alice"

        # stats and consolidate
        stats = cli("stats", "--json", *store).json
        assert stats["mode"] == "embedded"
        assert stats["disk_bytes"] > 0
        # 5 facts, and the 3 user turns of the infer=True adds kept as episodes
        assert stats["total"] == 8
        assert stats["by_status"]["active"] == 8
        per_scope = {s["scope"]["user_id"]: s["total"] for s in stats["by_scope"]}
        assert per_scope == {"alice": 6, "bob": 2}
        assert stats["by_category"]["health"] == {"active": 1}
        text = cli("stats", *store).out
        assert re.search(r"^store: .*\(embedded; [\d.]+ kB on disk\)$", text, re.M), text
        assert re.search(r"^  user_id=alice +6  active 6$", text, re.M), text
        report = cli("consolidate", "--json", *alice).json
        assert report["scanned"] == 6
        assert report["changed"] == 0

        # export, then import into a fresh folder: same memories (episodes too), same history
        export = tmp_path / "alice.jsonl"
        assert cli("export", str(export), "--json", *alice).json == {
            "exported": 6,
            "file": str(export),
        }
        fresh = ["--path", str(tmp_path / "fresh")]
        imported = cli("import", str(export), *fresh)
        assert imported.code == 0, imported.err
        assert imported.out.startswith(f"imported 6 memories from {export} into "), imported.out
        again = cli("list", "--all", "--json", "--user", "alice", *fresh).json["memories"]
        assert again == cli("list", "--all", "--json", *alice).json["memories"]
        assert cli("show", lyon, "--json", *fresh).json == cli("show", lyon, "--json", *store).json

        # forget: by id (history kept), a scope with --yes; the store keeps the rest
        (vet,) = ids_of(listed, "vet")
        gone = cli("forget", vet, "--yes", "--json", *store)
        assert gone.json == {"forgotten": 1, "erase_history": False}
        assert gone.err == ""
        after = cli("show", vet, *store).out
        assert after.startswith(f"{vet}: forgotten (hard-deleted); its history is kept\n")
        assert "FORGET  Call the vet on Monday" in after
        erased = cli("forget", "--user", "bob", "--yes", "--erase-history", "--json", *store)
        assert erased.json["forgotten"] == 2  # the fact and the turn it came from
        assert cli("list", "--user", "bob", "--json", *store).json["memories"] == []
        assert len(cli("list", "--json", *alice).json["memories"]) == 3

        # errors: exit codes, messages, JSON on stderr with --json
        missing = cli("show", "no-such-id", "--json", *store)
        assert (missing.code, missing.out, missing.error["type"]) == (3, "", "MemoryNotFoundError")
        assert missing.error["exit_code"] == 3
        unscoped = cli("list", *store)
        assert unscoped.code == 4
        assert "pass --user, --agent or --session" in unscoped.err
        everything = cli("forget", "--yes", *store)
        assert everything.code == 4
        assert "needs a scope" in everything.err
        bad_age = cli("forget", "--before", "last week", "--yes", *alice)
        assert bad_age.code == 4
        assert "such as 30d" in bad_age.err
        both = cli("forget", lyon, "--before", "30d", "--yes", *store)
        assert both.code == 4
        assert "does not apply with an ID" in both.err
        nowhere = cli("list", "--user", "alice", "--path", str(tmp_path / "typo"), "--json")
        assert nowhere.code == 5
        assert "No memory store at" in nowhere.error["message"]
        assert not (tmp_path / "typo").exists()
        a_file = cli("list", "--user", "alice", "--path", str(export))
        assert a_file.code == 2
        assert "pass a folder" in a_file.err
        usage = cli("list", "--limit", "many", *alice)
        assert usage.code == 2
        assert "invalid int value" in usage.err
        no_text = cli("add", *alice)
        assert no_text.code == 4
        assert "or --file" in no_text.err

        # --before narrows a scope's forget to memories stated before an age or a date
        old = tmp_path / "old.json"
        said = {"role": "user", "content": "My phone number is 555-0100"}
        old.write_text(json.dumps([{**said, "created_at": "2020-03-01T10:00:00Z"}]))
        assert cli("add", "--no-infer", "--file", str(old), *alice).code == 0
        assert cli("forget", "--before", "2000-01-01", "--yes", *alice).out == (
            "forgot 0 memories (history kept)\n"
        )
        assert cli("forget", "--before", "30d", "--yes", "--json", *alice).json["forgotten"] == 1

        # the environment gives the store and the scope
        env = {"MEM0I_PATH": str(tmp_path / "store"), "MEM0I_USER_ID": "alice"}
        from_env = cli("list", "--json", env=env).json["memories"]
        assert {m["text"] for m in from_env} == {"Allergic to penicillin", "Lives in Paris"} | {
            t for t in texts if "Rex" in t
        }
        assert cli("serve-chroma", "--print", env=env).out.split() == [
            str(Path(sys.executable).parent / "chroma"),
            "run",
            "--path",
            str(tmp_path / "store"),
            "--host",
            "127.0.0.1",
            "--port",
            "8000",
        ]


# --- separate processes: prompt on a real stdin, progress bar, installed script -----------


def write_export(path: Path, count: int, user_id: str) -> None:
    """A valid export of ``count`` memories (built without the CLI, no vectors needed)."""
    now = datetime(2025, 1, 2, tzinfo=UTC)
    records = [
        MemoryRecord(
            id=str(uuid.uuid4()),
            text=f"Note {i}: the project meeting number {i} is on a Tuesday",
            scope=Scope(user_id=user_id),
            created_at=now + timedelta(minutes=i),
            updated_at=now + timedelta(minutes=i),
            hash=content_hash(f"note {i}"),
        )
        for i in range(count)
    ]
    lines = dump_lines(records, [], scope=Scope(user_id=user_id), exported_at=now)
    path.write_text("".join(lines), encoding="utf-8")


def test_import_progress_and_confirmation_in_separate_processes(tmp_path: Path) -> None:
    export = tmp_path / "big.jsonl"
    write_export(export, 300, "carol")
    store = ["--path", str(tmp_path / "store")]

    imported = run("import", str(export), "--progress", *store, cwd=tmp_path)
    assert imported.code == 0, imported.err
    assert imported.out == f"imported 300 memories from {export} into {tmp_path / 'store'}\n"
    frames = imported.err.split("\r")
    assert "importing [" + "." * 30 + "]   0/300 memories   0%" in frames
    assert any(re.fullmatch(r"importing \[#{12}\.{18}\] 128/300 memories  42%", f) for f in frames)
    assert frames[-1] == "importing [" + "#" * 30 + "] 300/300 memories 100%\n"

    kept = run("forget", "--user", "carol", *store, stdin="n\n", cwd=tmp_path)
    assert kept.code == 1
    assert kept.out == ""
    assert kept.err.startswith("Forget 300 memories of user_id=carol")
    assert "[y/N]" in kept.err
    assert "aborted: nothing was forgotten" in kept.err
    forgot = run("forget", "--user", "carol", *store, stdin="y\n", cwd=tmp_path)
    assert (forgot.code, forgot.out) == (0, "forgot 300 memories (history kept)\n"), forgot.err

    listed = run(
        "list", "--user", "carol", "--all", "--json", *store, cwd=tmp_path, exe=[str(MEM0I)]
    )
    assert (listed.code, listed.json["memories"]) == (0, [])


def test_installed_script_help_usage_errors_and_light_import(tmp_path: Path) -> None:
    helped = run("--help", cwd=tmp_path, exe=[str(MEM0I)])
    assert helped.code == 0
    for command in ("demo", "add", "search", "list", "show", "update", "forget", "export",
                    "import", "stats", "consolidate", "purge", "serve-chroma"):  # fmt: skip
        assert re.search(rf"^    {command}\b", helped.out, re.M), command
    codes = helped.out.split("exit codes:")[1]
    for code, meaning in [("0", "success"), ("2", "usage"), ("3", "not found"), ("5", "store")]:
        assert re.search(rf"^  {code} +{meaning}", codes, re.M), (code, codes)

    usage = run("search", "--user", "alice", cwd=tmp_path)
    assert usage.code == 2
    assert "the following arguments are required: query" in usage.err
    as_json = run("search", "--json", cwd=tmp_path)
    assert as_json.code == 2
    assert as_json.error["type"] == "UsageError"
    assert not (tmp_path / "mem0_memories").exists()

    heavy = subprocess.run(
        [sys.executable, "-c", "import sys, mem0_integrations.cli; "
         "print([m for m in ('chromadb', 'onnxruntime', 'numpy') if m in sys.modules])"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert heavy.strip() == "[]"


# --- server mode ----------------------------------------------------------------------------


@pytest.mark.server
def test_commands_against_a_chroma_server(tmp_path: Path, chroma_server: ChromaServer) -> None:
    user = "cli-" + uuid.uuid4().hex[:8]
    server = ["--chroma-host", chroma_server.host, "--chroma-port", str(chroma_server.port)]
    with cli_session(tmp_path) as cli:
        added = cli("add", "I'm allergic to peanuts.", "--user", user, "--json", *server)
        assert [e["memory"] for e in added.json["events"]] == ["Allergic to peanuts"]
        hits = cli("search", "food allergy", "--user", user, "--json", *server).json["hits"]
        assert [h["memory"] for h in hits] == ["Allergic to peanuts"]
        stats = cli("stats", "--user", user, *server).out
        assert "(server; disk size is not available in server mode)" in stats
        # the fact, and the turn kept as its episode
        assert re.search(rf"^  user_id={user} +2  active 2$", stats, re.M), stats
        assert cli("stats", "--user", user, "--json", *server).json["disk_bytes"] is None
        env = {
            "MEM0I_CHROMA_HOST": chroma_server.host,
            "MEM0I_CHROMA_PORT": str(chroma_server.port),
            "MEM0I_USER_ID": user,
        }
        (memory,) = cli("list", "--json", env=env).json["memories"]
        assert memory["text"] == "Allergic to peanuts"
        assert cli("forget", "--yes", "--json", env=env).json["forgotten"] == 2
        assert cli("list", "--json", env=env).json["memories"] == []
        dead = cli("list", "--user", user, "--chroma-host", "127.0.0.1", "--chroma-port",
                   str(free_port()), "--json")  # fmt: skip
        assert dead.code == 5
        assert "Cannot reach the Chroma server" in dead.error["message"]
    assert not (tmp_path / "mem0_memories").exists()


@pytest.mark.server
def test_serve_chroma_runs_the_server_in_the_foreground(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [*CLI, "serve-chroma", "--path", str(tmp_path / "data"), "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
            env=clean_env(),
        )
    try:
        deadline = datetime.now(UTC) + timedelta(seconds=SERVER_START_TIMEOUT)
        while not heartbeat("127.0.0.1", port):
            assert process.poll() is None, log_tail(log)
            assert datetime.now(UTC) < deadline, log_tail(log)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.1)
        # The mem0i process became the server (exec): stopping it stops Chroma.
        process.terminate()
        process.wait(timeout=30)
        assert not heartbeat("127.0.0.1", port)
        assert f"serving {tmp_path / 'data'} on http://127.0.0.1:{port}" in log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
