"""Queued writes for ``add(..., background=True)``.

A chat turn should not wait for extraction and storage. Work is queued on a
few worker threads; all work of one scope goes to the same worker, so it is
applied in the order it was queued. Failures are never swallowed: each is
logged when it happens, kept on its :class:`~concurrent.futures.Future`, and
raised together by :meth:`BackgroundWriter.flush`.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import weakref
import zlib
from collections.abc import Callable
from concurrent.futures import Future, wait
from typing import TypeVar

from .errors import BackgroundWriteError

__all__ = ["BackgroundWriter"]

log = logging.getLogger("mem0_integrations")

T = TypeVar("T")
_Task = tuple[Callable[[], object], Future[object]] | None


class BackgroundWriter:
    """A fixed set of worker threads, each with its own FIFO queue."""

    def __init__(self, workers: int = 2) -> None:
        self._workers = workers
        self._queues: list[queue.Queue[_Task]] = []
        self._threads: list[threading.Thread] = []
        self._errors: list[BaseException] = []
        self._lock = threading.Lock()

    def _start(self) -> None:
        if self._threads:
            return
        for n in range(self._workers):
            q: queue.Queue[_Task] = queue.Queue()
            t = threading.Thread(
                target=_run, args=(q, weakref.ref(self)), daemon=True, name=f"mem0i-background-{n}"
            )
            self._queues.append(q)
            self._threads.append(t)
            t.start()
        atexit.register(_flush_at_exit, weakref.ref(self))

    def submit(self, key: str, fn: Callable[[], T]) -> Future[T]:
        """Queue ``fn``; calls with the same ``key`` run in submission order."""
        future: Future[T] = Future()
        with self._lock:
            self._start()
            q = self._queues[zlib.crc32(key.encode()) % self._workers]
        q.put((fn, future))  # type: ignore[arg-type]
        return future

    def _failed(self, error: BaseException) -> None:
        log.error("background add() failed: %s: %s", type(error).__name__, error)
        with self._lock:
            self._errors.append(error)

    def flush(self, timeout: float | None = None) -> None:
        """Wait until everything queued so far is done; raise its failures.

        Raises :class:`BackgroundWriteError` with every failure since the last
        flush, or :class:`TimeoutError` if the work is not done in ``timeout``
        seconds.
        """
        with self._lock:
            queues = list(self._queues)
        _, pending = wait([_marker(q) for q in queues], timeout)
        if pending:
            raise TimeoutError(f"background writes still running after {timeout} s")
        with self._lock:
            errors, self._errors = self._errors, []
        if errors:
            raise BackgroundWriteError(errors)

    def close(self) -> None:
        """Flush, then stop the workers (a later submit starts them again)."""
        try:
            self.flush()
        finally:
            with self._lock:
                queues, self._queues, self._threads = self._queues, [], []
            for q in queues:
                q.put(None)


def _marker(q: queue.Queue[_Task]) -> Future[object]:
    """A no-op queued behind everything in ``q``: done when ``q``'s earlier work is."""
    future: Future[object] = Future()
    q.put((lambda: None, future))
    return future


def _run(q: queue.Queue[_Task], owner: weakref.ref[BackgroundWriter]) -> None:
    while (task := q.get()) is not None:
        fn, future = task
        if not future.set_running_or_notify_cancel():
            continue
        try:
            future.set_result(fn())
        except BaseException as e:  # reported, never swallowed
            future.set_exception(e)
            writer = owner()
            if writer is not None:
                writer._failed(e)


def _flush_at_exit(ref: weakref.ref[BackgroundWriter]) -> None:
    writer = ref()
    if writer is not None:
        try:
            writer.flush(timeout=60)
        except Exception as e:
            log.error("background writes at exit: %s", e)
