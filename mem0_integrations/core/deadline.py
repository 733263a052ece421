"""Deadlines: every public call of ``Memory`` returns or raises within
``MemoryConfig.deadline`` seconds.

:func:`deadline` opens a deadline for the current call (a context variable, so
threads and nested calls each see their own; a nested call keeps the earlier
end). Work that waits on something else runs through :func:`bounded`: LLM
requests, embedders and Chroma reads run in a helper thread and are abandoned
when the time is up (their late result is dropped), raising
:class:`~.errors.DeadlineExceededError`. LLM retries never sleep past the end.

Writes are never cut off: a change, once it starts writing (see
:func:`committing`), finishes, so a deadline can never leave half of one applied.
Everything before it (extraction, embedding, reads, planning) is bounded, and a
call that runs out of time before writing has written nothing. An embedded
store's write takes milliseconds; a Chroma server that stops answering mid-write
is bounded by its client's own timeout.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from .errors import DeadlineExceededError

__all__ = ["bounded", "check", "committing", "deadline", "in_thread", "remaining"]

T = TypeVar("T")
P = ParamSpec("P")

_END: ContextVar[float | None] = ContextVar("mem0i_deadline_end", default=None)
_COMMITTING: ContextVar[bool] = ContextVar("mem0i_committing", default=False)
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="mem0i-bounded")


@contextlib.contextmanager
def deadline(seconds: float | None, what: str = "") -> Iterator[None]:
    """Run the block under a deadline ``seconds`` from now (None: no new deadline)."""
    if seconds is None:
        yield
        return
    end = time.monotonic() + seconds
    outer = _END.get()
    token = _END.set(end if outer is None else min(outer, end))
    try:
        yield
    finally:
        _END.reset(token)


@contextlib.contextmanager
def committing() -> Iterator[None]:
    """A change is being written: no deadline cuts it off."""
    token = _COMMITTING.set(True)
    try:
        yield
    finally:
        _COMMITTING.reset(token)


def remaining() -> float | None:
    """Seconds left (None: no deadline, or a change is being written)."""
    end = _END.get()
    if end is None or _COMMITTING.get():
        return None
    return end - time.monotonic()


def check(step: str) -> None:
    """Raise :class:`DeadlineExceededError` if the time is up before ``step``."""
    left = remaining()
    if left is not None and left <= 0:
        raise _exceeded(step)


def bounded(step: str, fn: Callable[[], T]) -> T:
    """``fn()``, abandoned if it does not finish before the deadline."""
    left = remaining()
    if left is None:
        return fn()
    if left <= 0:
        raise _exceeded(step)
    future = _POOL.submit(fn)
    try:
        return future.result(timeout=left)
    except FutureTimeout:
        future.cancel()
        raise _exceeded(step) from None


def _exceeded(step: str) -> DeadlineExceededError:
    return DeadlineExceededError(
        f"The call ran out of time (MemoryConfig.deadline) while waiting to {step}; nothing "
        "was written. Raise the deadline, or check the LLM, embedder or Chroma server."
    )


async def in_thread(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """:func:`asyncio.to_thread` (context variables go along), with asyncio imported on
    first use: a program that only calls the sync API never loads it (about 25 ms of
    the package's import)."""
    import asyncio

    return await asyncio.to_thread(fn, *args, **kwargs)
