"""Fixtures for the integration suite: real Chroma, the real offline embedder.

* ``embedder``: one :class:`OnnxMiniLMEmbedder` for the whole session (the
  model loads once).
* ``chroma_server``: one ``chroma run`` subprocess on 127.0.0.1 for the whole
  session, started only when a server test asks for it.
* ``memory``: a fresh :class:`Memory`, parametrized over ``embedded`` (its own
  ``tmp_path`` folder) and ``server`` (its own collection prefix on the shared
  server), so behaviour tests run unchanged on both backends.
* ``reopen``: another ``Memory`` on the same store as a given one (same folder
  or same server and prefix), optionally with another clock.
"""

from __future__ import annotations

import contextlib
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mem0_integrations import Memory, OnnxMiniLMEmbedder
from mem0_integrations._cli._server import running_chroma_server as local_chroma_server

SERVER_START_TIMEOUT = 60.0

#: Start of the fake clocks' time line (an aware datetime, as Memory requires).
EPOCH = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


@dataclass
class TickingClock:
    """A deterministic injected clock: every call is one second after the previous one."""

    start: datetime = EPOCH
    step: timedelta = timedelta(seconds=1)
    calls: list[datetime] = field(default_factory=list)

    def __call__(self) -> datetime:
        now = self.start + self.step * len(self.calls)
        self.calls.append(now)
        return now

    @property
    def last(self) -> datetime:
        """The time the clock returned most recently."""
        assert self.calls, "the clock was never called"
        return self.calls[-1]


@dataclass(frozen=True)
class ChromaServer:
    """A running ``chroma run`` subprocess."""

    host: str
    port: int
    path: Path
    log: Path
    process: subprocess.Popen[bytes]


def log_tail(log: Path, lines: int = 40) -> str:
    """The last lines of a log file, for failure messages."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        return f"<cannot read {log}: {e}>"
    return "\n".join(text.splitlines()[-lines:])


@pytest.fixture(scope="session")
def embedder() -> OnnxMiniLMEmbedder:
    """The real default offline embedder, loaded once per session."""
    model = OnnxMiniLMEmbedder()
    (vector,) = model.embed(["warm up the model once"])
    assert len(vector) == OnnxMiniLMEmbedder.DIMENSION
    return model


@contextlib.contextmanager
def running_chroma_server(data: Path, log: Path) -> Iterator[ChromaServer]:
    """Run `chroma run --path DATA` on 127.0.0.1 and a free port until the block ends."""
    with local_chroma_server(data, log, timeout=SERVER_START_TIMEOUT) as (host, port, process):
        yield ChromaServer(host=host, port=port, path=data, log=log, process=process)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """A real Chroma server (`chroma run`) on 127.0.0.1 and a free port, for the session."""
    root = tmp_path_factory.mktemp("chroma_server")
    with running_chroma_server(root / "data", root / "chroma.log") as server:
        yield server


def new_prefix() -> str:
    """A collection prefix no other test uses."""
    return "t" + uuid.uuid4().hex[:12]


BACKENDS = [
    pytest.param("embedded", id="embedded"),
    pytest.param("server", id="server", marks=pytest.mark.server),
]


@pytest.fixture
def clock() -> TickingClock:
    """The injected clock of the ``memory`` fixture."""
    return TickingClock()


@pytest.fixture(params=BACKENDS)
def memory(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    embedder: OnnxMiniLMEmbedder,
    clock: TickingClock,
) -> Memory:
    """A fresh, empty Memory on the embedded store or on the shared Chroma server."""
    if request.param == "embedded":
        return Memory(path=tmp_path / "store", embedder=embedder, clock=clock)
    server: ChromaServer = request.getfixturevalue("chroma_server")
    return Memory(
        chroma_host=server.host,
        chroma_port=server.port,
        embedder=embedder,
        clock=clock,
        config={"store": {"collection_prefix": new_prefix()}},
    )


@pytest.fixture
def reopen(embedder: OnnxMiniLMEmbedder) -> Callable[..., Memory]:
    """Open another Memory on the same store (folder, or server and prefix) as ``other``."""

    def _reopen(other: Memory, *, clock: Callable[[], datetime] | None = None) -> Memory:
        store = other.config.store
        kwargs: dict[str, Any] = {"embedder": embedder, "clock": clock}
        if store.chroma_host:
            return Memory(
                chroma_host=store.chroma_host,
                chroma_port=store.chroma_port,
                config={"store": {"collection_prefix": store.collection_prefix}},
                **kwargs,
            )
        return Memory(path=store.path, **kwargs)

    return _reopen
