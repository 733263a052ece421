"""One process per embedded store folder, enforced with an OS file lock.

Embedded Chroma is not safe for several processes writing one folder: vector
search silently loses records and SQLite locks can hang a second client (see
the project's OFFLINE.md). So the first :class:`~.memory.Memory` of a process
to open a folder takes an exclusive ``flock`` on ``<folder>/mem0i.lock``;
another process trying the same folder waits at most ``timeout`` (1 s by
default, long enough for a previous owner that is just exiting) and then gets
:class:`~.errors.StoreLockedError`, which says to use a Chroma server.

Within one process any number of ``Memory`` objects (and threads) share the
folder: the lease is reference-counted, and the objects it carries (the local
search index) are shared by every ``Memory`` on the folder, so each sees the
others' writes at once. The OS drops the lock when the process ends, however it
ends (a crash or SIGKILL included), so a stale lock never blocks a restart.

Platforms without ``fcntl`` (Windows) get no lock and no exclusive mode.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ..errors import StoreLockedError

__all__ = ["LOCK_FILE", "FolderLease", "acquire"]

LOCK_FILE = "mem0i.lock"
T = TypeVar("T")

_leases: dict[Path, FolderLease] = {}
_registry = threading.Lock()
_deferred: list[FolderLease] = []
"""Releases a garbage-collection finalizer could not make at once (list.append is atomic)."""


class FolderLease:
    """This process's hold on one embedded folder; :meth:`release` once per :func:`acquire`."""

    def __init__(self, path: Path, fd: int | None) -> None:
        self.path = path
        self._fd = fd
        self._refs = 0
        self._shared: dict[str, Any] = {}

    @property
    def references(self) -> int:
        """How many holders of this process share the lease."""
        return self._refs

    @property
    def exclusive(self) -> bool:
        """True when the OS lock is held: no other process can write this folder."""
        return self._fd is not None

    def shared(self, key: str, make: Callable[[], T]) -> T:
        """The object every ``Memory`` of this process on this folder shares under ``key``."""
        with _registry:
            if key not in self._shared:
                self._shared[key] = make()
            found: T = self._shared[key]
            return found

    def keep_across_exec(self) -> None:
        """Let a program this process ``exec``s keep the lock (``mem0i serve-chroma``
        becomes ``chroma run`` and keeps embedded clients out of the folder it serves)."""
        if self._fd is not None:
            os.set_inheritable(self._fd, True)

    def release(self) -> None:
        """Drop one reference; the last one unlocks the folder."""
        with _registry:
            _drain()
            self._release_locked()

    def release_soon(self) -> None:
        """:meth:`release` for a finalizer: the garbage collector may run it while this
        very thread holds the registry (inside :func:`acquire`), where waiting for the
        lock would deadlock; then the release is made by the next acquire or release."""
        if _registry.acquire(blocking=False):
            try:
                _drain()
                self._release_locked()
            finally:
                _registry.release()
        else:
            _deferred.append(self)

    def _release_locked(self) -> None:
        self._refs -= 1
        if self._refs > 0:
            return
        _leases.pop(self.path, None)
        if self._fd is not None:
            _unlock(self._fd)
            self._fd = None
        for shared in self._shared.values():
            unlocked = getattr(shared, "unlocked", None)
            if callable(unlocked):
                unlocked()  # e.g. the search index stops trusting its own copy


def acquire(path: Path, *, timeout: float = 1.0) -> FolderLease:
    """This process's lease on ``path`` (created if needed), or
    :class:`~.errors.StoreLockedError` after ``timeout`` seconds if another process has it."""
    key = path.resolve()
    with _registry:
        _drain()
        lease = _leases.get(key)
        if lease is None:
            lease = FolderLease(key, _lock(key, timeout))
            _leases[key] = lease
        lease._refs += 1
        return lease


def _drain() -> None:
    """Make the releases finalizers deferred (with the registry held)."""
    while _deferred:
        _deferred.pop()._release_locked()


def _lock(path: Path, timeout: float) -> int | None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return None
    path.mkdir(parents=True, exist_ok=True)
    fd = os.open(path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise StoreLockedError(
                    f"Another process has the embedded store at {path} open (it holds "
                    f"{path / LOCK_FILE}). An embedded store serves one process: stop the "
                    "other process, or let several processes share the memories through a "
                    f"Chroma server: `chroma run --path {path} --host 127.0.0.1 --port 8000` "
                    "(or `mem0i serve-chroma`), then Memory(chroma_host='127.0.0.1', "
                    "chroma_port=8000)."
                ) from None
            time.sleep(0.05)
            continue
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        return fd


def _unlock(fd: int) -> None:
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
