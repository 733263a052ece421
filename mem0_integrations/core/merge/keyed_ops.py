"""The operations and results of :mod:`.keyed` (caller-keyed records), and their addresses.

An item is addressed by a ``namespace`` (a tuple of labels) and a ``key``; its
memory id is :func:`keyed_id` of the two.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..errors import InvalidInputError
from ..models import MemoryRecord, Scope
from ..store.codec import dumps

__all__ = [
    "KeyedGet",
    "KeyedItem",
    "KeyedNamespaces",
    "KeyedOp",
    "KeyedPut",
    "KeyedResult",
    "KeyedSearch",
    "Match",
    "Namespace",
    "address",
    "check_page",
    "item_of",
    "keyed_id",
    "namespace_path",
    "value_json",
]

Namespace = tuple[str, ...]
Match = Callable[[dict[str, Any]], bool]


_ID_SPACE = uuid.UUID("1e533618-cc49-4122-b52f-737c6751244e")


def keyed_id(namespace: Namespace, key: str) -> str:
    """The memory id of the item at ``namespace`` / ``key``."""
    return str(uuid.uuid5(_ID_SPACE, dumps([list(namespace), key])))


def namespace_path(labels: Sequence[str]) -> str:
    """A namespace (or prefix) as one string: its labels as a JSON list."""
    return dumps(list(labels))


@dataclass(frozen=True)
class KeyedGet:
    """Read the item at an address (None if there is none)."""

    namespace: Namespace
    key: str
    refresh_ttl: bool = True


@dataclass(frozen=True)
class KeyedPut:
    """Write (``value`` a dict) or delete (``value`` None) the item at an address.

    ``scope`` is required to write; ``indexed=False`` keeps the item out of ranked
    search (listed after the ranked hits); ``ttl`` is in minutes.
    """

    namespace: Namespace
    key: str
    value: Mapping[str, Any] | None
    text: str = ""
    scope: Scope | None = None
    indexed: bool = True
    ttl: float | None = None


@dataclass(frozen=True)
class KeyedSearch:
    """Items under a namespace prefix: ranked for ``query``, else most recently updated first.

    ``scope`` (when the prefix determines one) narrows the read to that scope;
    ``match`` keeps the items whose value it accepts.
    """

    prefix: Namespace
    scope: Scope | None = None
    query: str | None = None
    match: Match | None = None
    limit: int = 10
    offset: int = 0
    refresh_ttl: bool = True


@dataclass(frozen=True)
class KeyedNamespaces:
    """The namespaces holding live items, sorted, optionally under a prefix."""

    prefix: Namespace = ()


KeyedOp = KeyedGet | KeyedPut | KeyedSearch | KeyedNamespaces


@dataclass(frozen=True)
class KeyedItem:
    """One item as read: its address, value, times, search score and memory record."""

    namespace: Namespace
    key: str
    value: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    record: MemoryRecord
    score: float | None = None


KeyedResult = KeyedItem | list[KeyedItem] | list[Namespace] | None


def address(record: MemoryRecord) -> tuple[Namespace, str] | None:
    """The (namespace, key) of a keyed record, None for other memories."""
    namespace, key = record.metadata.get("kv_namespace"), record.metadata.get("kv_key")
    if isinstance(namespace, list) and isinstance(key, str):
        return tuple(str(label) for label in namespace), key
    return None


def item_of(record: MemoryRecord, score: float | None = None) -> KeyedItem:
    """The item a keyed record holds (an edited one, value cleared: ``{"content": text}``)."""
    found = address(record)
    assert found is not None, "only keyed records become items"
    value = record.value if isinstance(record.value, dict) else {"content": record.text}
    return KeyedItem(
        namespace=found[0],
        key=found[1],
        value=value,
        created_at=record.created_at,
        updated_at=record.updated_at,
        record=record,
        score=score,
    )


def check_page(limit: Any, offset: Any) -> None:
    """Raise :class:`InvalidInputError` unless both are non-negative integers."""
    for name, value in (("limit", limit), ("offset", offset)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidInputError(f"{name} must be a non-negative integer, got {value!r}.")


def value_json(value: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``value``, checked to be JSON-serialisable."""
    try:
        dumps(dict(value))
    except (TypeError, ValueError) as e:
        raise InvalidInputError(
            f"The value must be JSON-serialisable (str, numbers, bools, None, lists, dicts): "
            f"{e}. Convert dates and objects to strings first."
        ) from e
    return dict(value)
