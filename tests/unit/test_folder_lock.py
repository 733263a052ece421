"""The folder lease registry: releases from garbage-collection finalizers never block."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

from mem0_integrations.core.store import folder_lock
from mem0_integrations.core.store.folder_lock import LOCK_FILE, acquire


def lockable(folder: Path) -> bool:
    """Whether another open file description can take the folder's lock now."""
    fd = os.open(folder / LOCK_FILE, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_a_finalizer_release_inside_the_registry_is_deferred_not_deadlocked(
    tmp_path: Path,
) -> None:
    lease = acquire(tmp_path / "b")
    assert not lockable(tmp_path / "b")

    def gc_inside_acquire() -> None:
        # What the garbage collector does when it runs a Memory's finalizer while this
        # thread is inside acquire(): the registry is held by the very same thread.
        with folder_lock._registry:
            lease.release_soon()

    worker = threading.Thread(target=gc_inside_acquire, daemon=True)
    worker.start()
    worker.join(5)
    assert not worker.is_alive(), "release_soon() blocked on the registry it already held"
    assert lease.references == 1  # deferred
    other = acquire(tmp_path / "c")  # the next acquire makes it
    assert lease.references == 0
    assert lockable(tmp_path / "b")
    other.release()
    assert lockable(tmp_path / "c")


def test_release_soon_releases_at_once_when_the_registry_is_free(tmp_path: Path) -> None:
    lease = acquire(tmp_path / "d")
    lease.release_soon()
    assert lease.references == 0
    assert lockable(tmp_path / "d")
