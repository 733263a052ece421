"""What a store holds: memory counts per scope, category and status, and its size on disk.

:func:`store_stats` reads every stored memory (active and archived collections,
in pages) of the whole store, or of one scope, and counts them; it changes
nothing (no access is recorded). ``mem0i stats`` prints it.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..models import MemoryRecord, MemoryStatus, Scope
from ..store.codec import record_from_chroma
from ..store.filters import read_where
from ..store.store import Where, chroma_call

if TYPE_CHECKING:
    from ..memory import Memory

__all__ = ["NO_CATEGORY", "ScopeCounts", "StoreStats", "disk_size", "store_stats"]

#: The category name counted for memories without a category.
NO_CATEGORY = "(none)"

_PAGE = 1_000


class ScopeCounts(BaseModel):
    """The memories stored under exactly one scope."""

    model_config = ConfigDict(defer_build=True)

    scope: Scope
    total: int
    by_status: dict[str, int]


class StoreStats(BaseModel):
    """Counts of one store (or of one scope of it), as :func:`store_stats` returns them."""

    model_config = ConfigDict(defer_build=True)

    location: str = Field(description="The embedded folder, or the server's URL.")
    mode: Literal["embedded", "server", "injected"]
    scope: Scope | None = Field(description="The scope counted; None: the whole store.")
    total: int = Field(description="Memory records of every status.")
    by_status: dict[str, int] = Field(description="Every status, zero included.")
    by_scope: list[ScopeCounts] = Field(description="One entry per exact scope, sorted.")
    by_category: dict[str, dict[str, int]] = Field(
        description=f"Category (or {NO_CATEGORY!r}) -> status -> count, non-zero only."
    )
    history_entries: int
    disk_bytes: int | None = Field(
        description="Size of the embedded folder; None for a server or an injected client."
    )


def disk_size(path: Path) -> int:
    """Total size in bytes of the regular files under ``path`` (symlinks not followed)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                stat = os.lstat(os.path.join(root, name))
            except OSError:  # removed meanwhile
                continue
            total += stat.st_size
    return total


def store_stats(memory: Memory, scope: Scope | None = None) -> StoreStats:
    """Count the memories of ``memory``'s store (every scope when ``scope`` is None)."""
    store = memory._store
    where = None if scope is None else read_where(scope)
    records = [
        *_records(store.memories, where),
        *_records(store.archive, where),
    ]
    statuses = [s.value for s in MemoryStatus]
    by_status = Counter(r.status.value for r in records)
    scopes: dict[str, tuple[Scope, Counter[str]]] = {}
    categories: dict[str, Counter[str]] = {}
    for record in records:
        key = str(record.scope)
        scopes.setdefault(key, (record.scope, Counter()))[1][record.status.value] += 1
        category = record.category or NO_CATEGORY
        categories.setdefault(category, Counter())[record.status.value] += 1
    store_cfg = memory.config.store
    if store_cfg.chroma_host is not None:
        mode: Literal["embedded", "server", "injected"] = "server"
    elif memory.location.startswith("injected"):
        mode = "injected"
    else:
        mode = "embedded"
    path = store_cfg.path
    return StoreStats(
        location=memory.location,
        mode=mode,
        scope=scope,
        total=len(records),
        by_status={s: by_status.get(s, 0) for s in statuses},
        by_scope=[
            ScopeCounts(scope=s, total=sum(c.values()), by_status=_ordered(c, statuses))
            for _, (s, c) in sorted(scopes.items())
        ],
        by_category={k: _ordered(c, statuses) for k, c in sorted(categories.items())},
        history_entries=_history_count(store.history, where),
        disk_bytes=disk_size(path) if mode == "embedded" and path is not None else None,
    )


def _ordered(counts: Counter[str], statuses: list[str]) -> dict[str, int]:
    return {s: counts[s] for s in statuses if counts[s]}


def _records(collection: Any, where: Where | None) -> Iterator[MemoryRecord]:
    offset = 0
    while True:
        res = _page(collection, where, offset, ["metadatas"])  # texts are not counted
        for i, m in zip(res["ids"], res["metadatas"], strict=True):
            yield record_from_chroma(i, None, m)
        if len(res["ids"]) < _PAGE:
            return
        offset += _PAGE


def _history_count(collection: Any, where: Where | None) -> int:
    if where is None:
        return int(chroma_call("count history", collection.count))
    total, offset = 0, 0
    while True:
        found = len(_page(collection, where, offset, [])["ids"])
        total += found
        if found < _PAGE:
            return total
        offset += _PAGE


def _page(collection: Any, where: Where | None, offset: int, include: list[str]) -> Any:
    return chroma_call(
        "read the store for stats",
        lambda: collection.get(where=where, limit=_PAGE, offset=offset, include=include),
    )
