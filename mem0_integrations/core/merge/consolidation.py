"""Consolidation planning: which active memories to archive, which near duplicates to merge.

Pure functions of records, vectors and the time; :class:`~.lifecycle.Lifecycle`
reads the store, calls them, re-reads under the lock and writes.

* :func:`plan_retire`: memories past ``expires_at``, or whose decayed strength
  (:func:`~.ranking.retention`) is below ``DecayConfig.archive_threshold``;
* :func:`pairwise_near` and :func:`plan_merges`: groups of near duplicates of one
  scope, each kept as its most recently stated memory;
* :func:`build_consolidation`: the writes and history entries for what is still
  unchanged in the store when the plan is applied.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ..config import DecayConfig
from ..models import ConsolidationReport, EventType, HistoryEntry, MemoryRecord, MemoryStatus
from ..rank.ranking import retention
from ..store.store import Write
from .merging import Change, Plan, new_id, superseded

__all__ = [
    "BATCH",
    "BLOCK",
    "NEIGHBOURS",
    "PAIRWISE_LIMIT",
    "Merge",
    "Near",
    "Retire",
    "batches",
    "build_consolidation",
    "history_entry",
    "pairwise_near",
    "plan_merges",
    "plan_retire",
    "queried_near",
]

#: Records per Chroma write when forgetting or consolidating (Chroma caps batch sizes).
BATCH = 500
#: Rows per block of the pairwise similarity matrix (``BLOCK x n`` floats at a time).
BLOCK = 512
#: Largest scope whose memories are compared pairwise for near duplicates; in larger
#: scopes each memory's nearest neighbours are asked from Chroma instead.
PAIRWISE_LIMIT = 10_000
#: Nearest neighbours asked per memory in scopes larger than ``PAIRWISE_LIMIT``.
NEIGHBOURS = 8

Near = Mapping[str, Mapping[str, float]]
"""For a memory id: the ids of its near duplicates and their cosine similarity."""


def history_entry(
    event: EventType,
    before: MemoryRecord | None,
    after: MemoryRecord | None,
    *,
    now: datetime,
    seq: int,
    reason: str,
) -> HistoryEntry:
    """A history entry about the memory of ``after`` (else ``before``), with its reason."""
    snapshot = after or before
    if snapshot is None:
        raise ValueError("a history entry needs a snapshot before or after the event")
    return HistoryEntry(
        id=new_id(),
        memory_id=snapshot.id,
        event=event,
        before=before,
        after=after,
        created_at=now,
        seq=seq,
        reason=reason,
    )


@dataclass(frozen=True)
class Retire:
    """An active memory to archive: past its ``expires_at``, or decayed."""

    record: MemoryRecord
    expired: bool
    reason: str

    @property
    def records(self) -> list[MemoryRecord]:
        """The records this change touches."""
        return [self.record]


@dataclass(frozen=True)
class Merge:
    """Near duplicates folded into ``kept`` (the most recently stated), with similarities."""

    kept: MemoryRecord
    duplicates: tuple[tuple[MemoryRecord, float], ...]

    @property
    def records(self) -> list[MemoryRecord]:
        """The records this change touches, the kept one first."""
        return [self.kept, *(d for d, _ in self.duplicates)]


def plan_retire(records: Sequence[MemoryRecord], now: datetime, decay: DecayConfig) -> list[Retire]:
    """The active records to archive at ``now``: expired, else decayed below the threshold."""
    retire: list[Retire] = []
    for record in records:
        if record.expired(now):
            retire.append(Retire(record, True, "consolidate: expired"))
            continue
        state = retention(record, now, decay)
        if decay.enabled and state.retention < decay.archive_threshold:
            reason = (
                f"consolidate: decayed (retention {state.retention:.3f} < "
                f"{decay.archive_threshold:g})"
            )
            retire.append(Retire(record, False, reason))
    return retire


def _absorbs(kept: MemoryRecord, other: MemoryRecord) -> bool:
    """True if ``other`` may be superseded by ``kept``: it has no key, or the same key.

    A keyed memory is never folded into an unkeyed or differently keyed one, so
    a later value for its key still finds (and supersedes) the kept memory.
    """
    return other.key is None or other.key == kept.key


def plan_merges(records: Sequence[MemoryRecord], near: Near) -> list[Merge]:
    """Group near duplicates of one scope; each group keeps its most recently stated memory.

    Memories are taken newest first; each one not yet taken keeps every untaken
    near duplicate it may absorb (:func:`_absorbs`). Running this again on the
    result finds nothing: a kept memory took every duplicate it could.
    """
    by_id = {r.id: r for r in records}
    taken: set[str] = set()
    merges: list[Merge] = []
    for kept in sorted(records, key=lambda r: (r.said_at, r.id), reverse=True):
        if kept.id in taken:
            continue
        taken.add(kept.id)
        found = sorted(near.get(kept.id, {}).items(), key=lambda x: (-x[1], x[0]))
        dups = tuple(
            (by_id[i], s)
            for i, s in found
            if i in by_id and i not in taken and _absorbs(kept, by_id[i])
        )
        taken.update(d.id for d, _ in dups)
        if dups:
            merges.append(Merge(kept, dups))
    return merges


def pairwise_near(
    ids: Sequence[str], vectors: Sequence[Sequence[float]], threshold: float
) -> dict[str, dict[str, float]]:
    """Pairs with cosine similarity >= ``threshold``, computed in blocks of rows."""
    import numpy as np  # comes with chromadb; imported here so the package imports light

    matrix = np.asarray(vectors, dtype=np.float64).reshape(len(ids), -1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = matrix / np.where(norms == 0, 1.0, norms)
    near: dict[str, dict[str, float]] = {}
    for start in range(0, len(ids), BLOCK):
        sims = matrix[start : start + BLOCK] @ matrix.T
        for row, col in zip(*np.nonzero(sims >= threshold), strict=True):
            if start + int(row) != int(col):
                near.setdefault(ids[start + int(row)], {})[ids[int(col)]] = float(sims[row, col])
    return near


Query = Callable[[list[list[float]]], list[list[tuple[MemoryRecord, float]]]]
"""Nearest stored memories (record, cosine distance) of each vector of a batch."""


def queried_near(vectors: Mapping[str, list[float]], query: Query, threshold: float) -> Near:
    """:func:`pairwise_near` for large scopes: each memory's nearest neighbours, asked in
    batches of 100, kept when they are among ``vectors`` and similar enough."""
    ids = list(vectors)
    near: dict[str, dict[str, float]] = {}
    for start in range(0, len(ids), 100):
        chunk = ids[start : start + 100]
        for mine, found in zip(chunk, query([vectors[i] for i in chunk]), strict=True):
            for other, distance in found:
                if other.id != mine and other.id in vectors and 1.0 - distance >= threshold:
                    near.setdefault(mine, {})[other.id] = 1.0 - distance
                    near.setdefault(other.id, {})[mine] = 1.0 - distance
    return near


def _merge_changes(
    kept: MemoryRecord, dups: Sequence[tuple[MemoryRecord, float]], now: datetime
) -> list[tuple[Change, str]]:
    """``kept`` takes the group's summed uses, highest importance and latest use;
    the duplicates are superseded by it."""
    group = [kept, *(d for d, _ in dups)]
    used = [r.last_accessed_at for r in group if r.last_accessed_at is not None]
    merged = kept.model_copy(
        update={
            "access_count": sum(r.access_count for r in group),
            "importance": max(r.importance for r in group),
            "last_accessed_at": max(used, default=None),
            "updated_at": now,
        }
    )
    names = ", ".join(d.id for d, _ in dups)
    changes = [(Change(EventType.UPDATE, merged, kept), f"consolidate: merged {names}")]
    for dup, similarity in dups:
        gone = superseded(dup, by=kept, now=now)
        reason = f"consolidate: near duplicate of {kept.id} (similarity {similarity:.2f})"
        changes.append((Change(EventType.UPDATE, gone, dup), reason))
    return changes


def build_consolidation(
    items: Sequence[Retire | Merge],
    fresh: Mapping[str, MemoryRecord],
    *,
    now: datetime,
    seq: int = 0,
) -> tuple[Plan, ConsolidationReport]:
    """Writes and history for the planned changes whose records ``fresh`` shows unchanged.

    ``fresh`` is what the store holds now. A record that differs from the one
    the plan was made with was changed by another writer: it is left and
    counted in ``skipped`` (a merge whose kept memory changed is left whole).
    """
    part = ConsolidationReport()
    changes: list[tuple[Change, str]] = []

    def unchanged(record: MemoryRecord) -> bool:
        same = fresh.get(record.id) == record
        part.skipped += 0 if same else 1
        return same

    for item in items:
        if isinstance(item, Retire):
            if unchanged(item.record):
                update = {"status": MemoryStatus.ARCHIVED, "updated_at": now}
                gone = item.record.model_copy(update=update)
                changes.append((Change(EventType.ARCHIVE, gone, item.record), item.reason))
                (part.expired if item.expired else part.archived).append(item.record.id)
        elif unchanged(item.kept):
            dups = [(d, s) for d, s in item.duplicates if unchanged(d)]
            if dups:
                changes += _merge_changes(item.kept, dups, now)
                part.merged += [(item.kept.id, d.id) for d, _ in dups]
    history = [
        history_entry(c.event, c.previous, c.record, now=now, seq=seq + i, reason=reason)
        for i, (c, reason) in enumerate(changes)
    ]
    writes = [Write(c.record, None, previous=c.previous) for c, _ in changes]
    return Plan([c for c, _ in changes], writes, history), part


def batches(items: Sequence[Retire | Merge]) -> Iterator[list[Retire | Merge]]:
    """``items`` in batches of at most :data:`BATCH` records (a merge is never split)."""
    batch: list[Retire | Merge] = []
    size = 0
    for item in items:
        if batch and size + len(item.records) > BATCH:
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += len(item.records)
    if batch:
        yield batch
