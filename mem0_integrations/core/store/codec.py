"""Translation between the pydantic models and Chroma rows (document + flat metadata).

Chroma metadata holds only str, int, float, bool and flat lists, and cannot
test for a missing key, so every key is always written: absent scope ids are
stored as ``""`` (never a valid id), absent times as ``""``. Caller metadata
is kept whole as JSON for a lossless round trip and, where the values are
scalars, also flattened under ``meta.<key>`` so filters can use it.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any

from pydantic import ValidationError

from ..errors import StoreError
from ..models import HistoryEntry, MemoryRecord, MemorySource, MemoryStatus, Scope

__all__ = [
    "META_PREFIX",
    "OPEN_END",
    "dumps",
    "epoch",
    "history_from_chroma",
    "history_to_chroma",
    "iso",
    "record_from_chroma",
    "record_to_chroma",
    "time_columns",
]

META_PREFIX = "meta."

#: Epoch seconds stored for "no end" (Chroma compares numbers only, and has no null).
OPEN_END = 253_402_300_799.0  # 9999-12-31T23:59:59Z


def epoch(value: datetime) -> float:
    """Seconds since the epoch (what the numeric time columns hold)."""
    return value.timestamp()


def _day_start(day: date) -> float:
    return datetime.combine(day, time.min, tzinfo=UTC).timestamp()


def _day_end(day: date) -> float:
    return datetime.combine(day, time.max, tzinfo=UTC).timestamp()


def time_columns(record: MemoryRecord) -> dict[str, float]:
    """The numeric columns time filters use.

    ``valid_from``/``valid_to``: when the fact held (stated, until superseded or
    retracted); ``t_start``/``t_end``: the time it is about (its dates if it
    names some, else when it was stated).
    """
    said = epoch(record.said_at)
    start = _day_start(record.event_start) if record.event_start else said
    end = _day_end(record.event_end) if record.event_end else start
    return {
        "valid_from": said,
        "valid_to": epoch(record.valid_until) if record.valid_until else OPEN_END,
        "t_start": start,
        "t_end": end,
    }


def dumps(value: Any) -> str:
    """Compact, deterministic JSON."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def iso(value: datetime | None) -> str:
    """ISO text of a datetime, or the empty string for None."""
    return value.isoformat() if value is not None else ""


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _flat(value: Any) -> Any:
    """The value as Chroma metadata, or None when Chroma cannot hold it."""
    if isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, list) and value:
        kinds = {type(v) for v in value}
        if len(kinds) == 1 and kinds <= {str, bool, int, float}:
            return value
    return None


def scope_metadata(scope: Scope) -> dict[str, str]:
    """All three scope columns, ``""`` where unset."""
    return {
        "user_id": scope.user_id or "",
        "agent_id": scope.agent_id or "",
        "session_id": scope.session_id or "",
    }


def _scope_from(meta: dict[str, Any]) -> Scope:
    return Scope(
        user_id=meta.get("user_id") or None,
        agent_id=meta.get("agent_id") or None,
        session_id=meta.get("session_id") or None,
    )


def record_to_chroma(record: MemoryRecord) -> tuple[str, dict[str, Any]]:
    """(document, metadata) for a memory record."""
    meta: dict[str, Any] = {
        **scope_metadata(record.scope),
        "key": record.key or "",
        "value_json": "" if record.value is None else dumps(record.value),
        "category": record.category or "",
        "source_role": record.source.role or "",
        "source_message_ids": dumps(record.source.message_ids),
        "source_name": record.source.name or "",
        "created_at": iso(record.created_at),
        "updated_at": iso(record.updated_at),
        "last_accessed_at": iso(record.last_accessed_at),
        "access_count": record.access_count,
        "importance": float(record.importance),
        "status": record.status.value,
        "superseded_by": record.superseded_by or "",
        "expires_at": iso(record.expires_at),
        "stated_at": iso(record.stated_at),
        "valid_until": iso(record.valid_until),
        "event_start": record.event_start.isoformat() if record.event_start else "",
        "event_end": record.event_end.isoformat() if record.event_end else "",
        **time_columns(record),
        "hash": record.hash,
        "metadata_json": dumps(record.metadata),
        "context": record.context or "",
        "kind": record.kind,
        "links_json": dumps(record.links),
        "follows": record.follows or "",
    }
    for key, value in record.metadata.items():
        flat = _flat(value)
        if flat is not None:
            meta[META_PREFIX + key] = flat
    return record.text, meta


def record_from_chroma(memory_id: str, document: str | None, meta: Any) -> MemoryRecord:
    """Rebuild a :class:`MemoryRecord`; raise :class:`StoreError` if the row is not ours."""
    try:
        m = dict(meta or {})
        value_json = m.get("value_json") or ""
        return MemoryRecord(
            id=memory_id,
            text=document or "",
            scope=_scope_from(m),
            key=m.get("key") or None,
            value=json.loads(value_json) if value_json else None,
            category=m.get("category") or None,
            source=MemorySource(
                role=m.get("source_role") or None,
                message_ids=json.loads(m.get("source_message_ids") or "[]"),
                name=m.get("source_name") or None,
            ),
            created_at=m["created_at"],
            updated_at=m["updated_at"],
            last_accessed_at=_time(m.get("last_accessed_at")),
            access_count=int(m.get("access_count", 0)),
            importance=float(m.get("importance", 0.5)),
            status=MemoryStatus(m.get("status", "active")),
            superseded_by=m.get("superseded_by") or None,
            expires_at=_time(m.get("expires_at")),
            stated_at=_time(m.get("stated_at")),
            valid_until=_time(m.get("valid_until")),
            event_start=date.fromisoformat(m["event_start"]) if m.get("event_start") else None,
            event_end=date.fromisoformat(m["event_end"]) if m.get("event_end") else None,
            hash=m["hash"],
            metadata=json.loads(m.get("metadata_json") or "{}"),
            context=m.get("context") or None,
            kind=m.get("kind") or "fact",  # rows written before episodes existed
            links=json.loads(m.get("links_json") or "[]"),
            follows=m.get("follows") or None,
        )
    except (KeyError, ValueError, ValidationError) as e:
        raise StoreError(
            f"Stored memory {memory_id!r} is not a mem0-integrations record ({e}). Another "
            "program may share this collection; use a different collection_prefix."
        ) from e


def history_to_chroma(entry: HistoryEntry) -> tuple[str, dict[str, Any]]:
    """(document, metadata) for a history entry; the document is the entry's JSON."""
    snapshot = entry.after or entry.before
    scope = scope_metadata(snapshot.scope) if snapshot else {}
    meta: dict[str, Any] = {
        **scope,
        "memory_id": entry.memory_id,
        "previous_memory_id": entry.previous_memory_id or "",
        "event": entry.event.value,
        "seq": entry.seq,
    }
    return entry.model_dump_json(), meta


def history_from_chroma(entry_id: str, document: str | None, meta: Any) -> HistoryEntry:
    """Rebuild a :class:`HistoryEntry` from its stored JSON."""
    try:
        return HistoryEntry.model_validate_json(document or "")
    except ValidationError as e:
        raise StoreError(f"Stored history entry {entry_id!r} is unreadable ({e}).") from e
