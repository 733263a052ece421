"""JSON Lines export and import of memories and their history (pure parsing).

Format, one JSON object per line::

    {"type": "header", "format": "mem0-integrations", "version": 1,
     "exported_at": "...", "scope": {...}, "memories": N, "history": M}
    {"type": "memory", "record": {...MemoryRecord...}}
    {"type": "history", "entry": {...HistoryEntry...}}

Vectors are not exported: they are recomputed on import, so a file can be
imported into a store with another embedder. Every line is validated before
anything is written, and the first bad line is reported with its number.
:func:`embed_texts` recomputes them, reporting progress on large imports.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from ..errors import InvalidInputError
from ..models import HistoryEntry, MemoryRecord, Scope

__all__ = [
    "FORMAT",
    "PROGRESS_BATCH",
    "VERSION",
    "Bundle",
    "Progress",
    "dump_lines",
    "embed_texts",
    "parse_lines",
]

FORMAT = "mem0-integrations"
VERSION = 1

#: Called with the number of memories embedded so far (see :func:`embed_texts`).
Progress = Callable[[int], None]

#: Texts embedded per step when progress is reported (a multiple of the default
#: embedder batch of 64, so batches are the same as in one call).
PROGRESS_BATCH = 128


@dataclass(frozen=True)
class Bundle:
    """The memories and history read from an export."""

    records: list[MemoryRecord]
    history: list[HistoryEntry]


def dump_lines(
    records: Sequence[MemoryRecord],
    history: Sequence[HistoryEntry],
    *,
    scope: Scope,
    exported_at: datetime,
) -> Iterator[str]:
    """The export's lines, each ending in a newline."""
    header = {
        "type": "header",
        "format": FORMAT,
        "version": VERSION,
        "exported_at": exported_at.isoformat(),
        "scope": scope.model_dump(exclude_none=True),
        "memories": len(records),
        "history": len(history),
    }
    yield json.dumps(header, ensure_ascii=False) + "\n"
    for record in records:
        yield (
            json.dumps(
                {"type": "memory", "record": record.model_dump(mode="json")}, ensure_ascii=False
            )
            + "\n"
        )
    for entry in history:
        yield (
            json.dumps(
                {"type": "history", "entry": entry.model_dump(mode="json")}, ensure_ascii=False
            )
            + "\n"
        )


def parse_lines(lines: Iterable[str]) -> Bundle:
    """Validate an export; raise :class:`InvalidInputError` naming the first bad line."""
    records: list[MemoryRecord] = []
    history: list[HistoryEntry] = []
    seen_header = False
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        obj = _json(number, line)
        kind = obj.get("type")
        if not seen_header:
            _check_header(number, obj)
            seen_header = True
            continue
        try:
            if kind == "memory":
                records.append(MemoryRecord.model_validate(obj.get("record")))
            elif kind == "history":
                history.append(HistoryEntry.model_validate(obj.get("entry")))
            else:
                raise InvalidInputError(f"line {number}: unknown type {kind!r}.")
        except ValidationError as e:
            raise InvalidInputError(f"line {number}: invalid {kind}: {e.errors()[0]}.") from e
    if not seen_header:
        raise InvalidInputError("The file is empty: expected a mem0-integrations JSONL export.")
    return Bundle(records, history)


def _json(number: int, line: str) -> dict[str, Any]:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise InvalidInputError(f"line {number} is not JSON ({e.msg}).") from e
    if not isinstance(obj, dict):
        raise InvalidInputError(f"line {number} is not a JSON object.")
    return obj


def _check_header(number: int, obj: dict[str, Any]) -> None:
    if obj.get("type") != "header" or obj.get("format") != FORMAT:
        raise InvalidInputError(
            f"line {number} is not a mem0-integrations export header; export files start with "
            '{"type": "header", "format": "mem0-integrations", ...}.'
        )
    if obj.get("version") != VERSION:
        raise InvalidInputError(
            f"Export version {obj.get('version')!r} is not supported (this library reads "
            f"version {VERSION}). Upgrade mem0-integrations."
        )


def embed_texts(
    embed: Callable[[list[str]], list[list[float]]],
    texts: Sequence[str],
    progress: Progress | None = None,
) -> list[list[float]]:
    """One vector per text, in order, from ``embed``.

    Without ``progress``: a single ``embed`` call. With it: ``progress(0)`` first,
    then one ``embed`` call per :data:`PROGRESS_BATCH` texts, each followed by
    ``progress(texts embedded so far)``; the last call reports ``len(texts)``.
    """
    if progress is None:
        return embed(list(texts))
    progress(0)
    vectors: list[list[float]] = []
    for start in range(0, len(texts), PROGRESS_BATCH):
        vectors.extend(embed(list(texts[start : start + PROGRESS_BATCH])))
        progress(len(vectors))
    return vectors
