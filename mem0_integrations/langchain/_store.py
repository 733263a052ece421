"""`Mem0Store`: a LangGraph ``BaseStore`` whose items are memories of a scope.

>>> from mem0_integrations import Memory
>>> from mem0_integrations.langchain import Mem0Store
>>> store = Mem0Store(memory=Memory(path="./memories"))
>>> graph = builder.compile(store=store)            # or create_agent(..., store=store)
>>> store.put(("memories", "alice"), "diet", {"content": "Alice is vegetarian"})
>>> store.search(("memories", "alice"), query="what does alice eat?")

**Namespaces and scopes.** Each item belongs to the scope its namespace maps to.
By default the second label is the user: ``("memories", "alice", ...)`` is
``user_id="alice"``; a namespace too short for the mapping (``("users",)``) belongs
to ``default_scope`` (``agent_id="langgraph-store"``). Choose the labels with
``namespace_scope={"user_id": 0}`` (for ``("alice", "memories")``), several
(``{"agent_id": 0, "user_id": 1}``), or a function from the namespace to scope ids.
The full namespace is kept, so prefix search and ``list_namespaces`` work as with
``InMemoryStore``. A search whose prefix fixes the scope (the mapped labels are in
it) reads only that scope, so one user's search never returns another user's
items; a shorter prefix spans scopes, like any prefix.

**Values and text.** The value dict is stored as JSON and read back equal. What an
item is about (embedded, searched, and shown to the memory's other readers such as
``Mem0Middleware``) is the first of its ``"content"``, ``"text"``, ``"memory"`` or
``"data"`` fields, else the value as JSON; ``index=["field", ...]`` (per put, or
``index={"fields": [...]}`` for the store) names the fields instead, and
``index=False`` keeps the item out of ranked search (it is listed after the
ranked hits, with score None). Queries are ranked by the core's ranking
(similarity, keywords, recency, importance); the embedder is the ``Memory``'s.

**Lifecycle.** ``put`` keeps ``created_at`` and moves ``updated_at``; a value of
None deletes (soft, like ``Memory.delete``: kept in history). ``ttl`` (minutes, or
``ttl={"default_ttl": ..., "refresh_on_read": ...}``) hides an item once expired;
reads refresh it; :meth:`Mem0Store.sweep_ttl` deletes the expired ones. Items stay
memories: an ``add()`` that supersedes or retracts their fact retires them.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from langgraph.store.base import (
    BaseStore,
    GetOp,
    Item,
    ListNamespacesOp,
    MatchCondition,
    Op,
    PutOp,
    Result,
    SearchItem,
    SearchOp,
    TTLConfig,
    get_text_at_path,
    validate_op_namespace,
)

from ..core.config import MemoryConfig
from ..core.errors import (
    ConfigurationError,
    InvalidInputError,
    Mem0IntegrationsError,
    ScopeError,
)
from ..core.memory import Memory
from ..core.merge.keyed import KeyedRecords
from ..core.merge.keyed_ops import (
    KeyedGet,
    KeyedItem,
    KeyedNamespaces,
    KeyedOp,
    KeyedPut,
    KeyedResult,
    KeyedSearch,
)
from ..core.models import Scope
from ._retriever import open_memory

__all__ = ["Mem0Store"]

log = logging.getLogger("mem0_integrations")

Namespace = tuple[str, ...]
NamespaceScope = Mapping[str, int] | Callable[[Namespace], Mapping[str, str]]
_SCOPE_NAMES = ("user_id", "agent_id", "session_id")
_TEXT_FIELDS = ("content", "text", "memory", "data")
_DEFAULT_SCOPE: Mapping[str, str] = MappingProxyType({"agent_id": "langgraph-store"})


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def default_text(value: Mapping[str, Any]) -> str:
    """What an item is about: its first content/text/memory/data field, else its JSON."""
    for name in _TEXT_FIELDS:
        field = value.get(name)
        if isinstance(field, str) and field.strip():
            return field
        if field is not None and not isinstance(field, str):
            return _json(field)
    return _json(dict(value))


class _Scopes:
    """Namespace -> scope, by label positions or by a function."""

    def __init__(self, mapping: NamespaceScope, default: Mapping[str, str] | None) -> None:
        self._fn: Callable[[Namespace], Mapping[str, str]] | None = None
        self._positions: dict[str, int] = {}
        if callable(mapping):
            self._fn = mapping
        elif isinstance(mapping, Mapping) and mapping:
            for name, position in mapping.items():
                if name not in _SCOPE_NAMES or not isinstance(position, int) or position < 0:
                    raise ConfigurationError(
                        f"namespace_scope={dict(mapping)!r}: keys are {_SCOPE_NAMES} and values "
                        "label positions (0, 1, ...), e.g. {'user_id': 1} for "
                        "('memories', '<user>')."
                    )
            self._positions = dict(mapping)
        else:
            raise ConfigurationError(
                "namespace_scope must map scope names to label positions, e.g. "
                "{'user_id': 1}, or be a function from a namespace to scope ids."
            )
        self._default = Scope(**default) if default is not None else None

    def _fallback(self, namespace: Namespace) -> Scope:
        if self._default is None:
            raise ScopeError(
                f"Namespace {namespace!r} maps to no scope and default_scope is None. Use a "
                "namespace that holds the scope labels, or pass default_scope={'agent_id': ...}."
            )
        return self._default

    def for_namespace(self, namespace: Namespace) -> Scope:
        """The scope of the items in ``namespace``."""
        if self._fn is not None:
            ids = self._fn(namespace)
            return Scope(**ids) if ids else self._fallback(namespace)
        if all(p < len(namespace) for p in self._positions.values()):
            return Scope(**{name: namespace[p] for name, p in self._positions.items()})
        return self._fallback(namespace)

    def for_prefix(self, prefix: Namespace) -> Scope | None:
        """The scope every item under ``prefix`` has, if the prefix fixes it."""
        if self._positions and all(p < len(prefix) for p in self._positions.values()):
            return Scope(**{name: prefix[p] for name, p in self._positions.items()})
        return None


def _matches(value: Any, expected: Any) -> bool:
    """LangGraph's filter semantics: nested dicts, exact lists, $eq/$ne/$gt/$gte/$lt/$lte."""
    if isinstance(expected, Mapping):
        if any(str(k).startswith("$") for k in expected):
            return all(_operator(value, op, arg) for op, arg in expected.items())
        return isinstance(value, Mapping) and all(
            _matches(value.get(k), v) for k, v in expected.items()
        )
    if isinstance(expected, (list, tuple)):
        return (
            isinstance(value, (list, tuple))
            and len(value) == len(expected)
            and all(_matches(a, b) for a, b in zip(value, expected, strict=True))
        )
    return bool(value == expected)


def _operator(value: Any, op: str, arg: Any) -> bool:
    if op == "$eq":
        return bool(value == arg)
    if op == "$ne":
        return bool(value != arg)
    if op not in ("$gt", "$gte", "$lt", "$lte"):
        raise InvalidInputError(
            f"Unsupported filter operator {op!r}; use $eq, $ne, $gt, $gte, $lt or $lte."
        )
    try:
        a, b = float(value), float(arg)
    except (TypeError, ValueError):
        return False  # a missing or non-numeric field never compares
    return {"$gt": a > b, "$gte": a >= b, "$lt": a < b, "$lte": a <= b}[op]


def _namespace_matches(condition: MatchCondition, namespace: Namespace) -> bool:
    path = tuple(condition.path)
    if len(namespace) < len(path):
        return False
    if condition.match_type == "prefix":
        pairs = zip(namespace, path, strict=False)
    elif condition.match_type == "suffix":
        pairs = zip(reversed(namespace), reversed(path), strict=False)
    else:
        raise InvalidInputError(f"Unsupported match type {condition.match_type!r}.")
    return all(p == "*" or p == n for n, p in pairs)


def _listed(op: ListNamespacesOp, namespaces: list[Namespace]) -> list[Namespace]:
    found = [
        ns for ns in namespaces if all(_namespace_matches(c, ns) for c in op.match_conditions or ())
    ]
    if op.max_depth is not None:
        found = sorted({ns[: op.max_depth] for ns in found})
    return found[op.offset : op.offset + op.limit]


def _rows(result: KeyedResult) -> list[Any]:
    return list(result) if isinstance(result, list) else []


def _literal_prefix(op: ListNamespacesOp) -> Namespace:
    """The leading labels every listed namespace has (up to the first wildcard)."""
    for condition in op.match_conditions or ():
        if condition.match_type == "prefix":
            labels: list[str] = []
            for label in condition.path:
                if label == "*":
                    break
                labels.append(label)
            return tuple(labels)
    return ()


class Mem0Store(BaseStore):
    """A LangGraph long-term store on the mem0-integrations core (see the module doc).

    Args:
        memory: A shared :class:`~mem0_integrations.Memory`; else one is opened from
            ``path`` / ``chroma_host`` + ``chroma_port`` / ``config``.
        namespace_scope: Scope name -> label position (default ``{"user_id": 1}``), or
            a function from a namespace to scope ids such as ``{"user_id": "alice"}``.
        default_scope: Scope of namespaces the mapping gives none; None refuses them.
        index: ``{"fields": ["path", ...]}``: the value fields that make an item's text.
        ttl: LangGraph's ``TTLConfig`` (``default_ttl`` minutes, ``refresh_on_read``,
            ``sweep_interval_minutes`` for :meth:`start_ttl_sweeper`).
    """

    supports_ttl = True

    def __init__(
        self,
        memory: Memory | None = None,
        *,
        path: str | Path | None = None,
        chroma_host: str | None = None,
        chroma_port: int | None = None,
        config: MemoryConfig | Mapping[str, Any] | None = None,
        namespace_scope: NamespaceScope | None = None,
        default_scope: Mapping[str, str] | None = _DEFAULT_SCOPE,
        index: Mapping[str, Any] | None = None,
        ttl: TTLConfig | None = None,
    ) -> None:
        unknown = set(index or {}) - {"fields"}
        if unknown:
            raise ConfigurationError(
                f"index keys {sorted(unknown)} are not used: items are embedded by the "
                "Memory's embedder (Memory(embedder=...)). Pass only index={'fields': [...]}."
            )
        self.memory = open_memory(
            memory, path=path, chroma_host=chroma_host, chroma_port=chroma_port, config=config
        )
        self._scopes = _Scopes(namespace_scope or {"user_id": 1}, default_scope)
        self._fields: list[str] | None = list((index or {}).get("fields") or []) or None
        self.ttl_config = ttl
        self._keyed = KeyedRecords(self.memory)
        self._sweeper: tuple[threading.Thread, threading.Event] | None = None

    def __repr__(self) -> str:
        return f"Mem0Store(memory={self.memory!r})"

    # --- LangGraph ops <-> core ops -------------------------------------------------------

    def _text(self, value: Mapping[str, Any], index: Sequence[str] | None) -> tuple[str, bool]:
        paths = index if index is not None else self._fields
        if paths is None:
            return default_text(value), True
        texts = [t for p in paths for t in get_text_at_path(dict(value), p)]
        if not texts:
            return default_text(value), False  # nothing to embed, as in InMemoryStore
        return "\n".join(texts), True

    def _to_core(self, op: Op) -> KeyedOp:
        validate_op_namespace(op)
        if isinstance(op, GetOp):
            return KeyedGet(tuple(op.namespace), str(op.key), op.refresh_ttl)
        if isinstance(op, PutOp):
            namespace = tuple(op.namespace)
            if op.value is None:
                return KeyedPut(namespace, str(op.key), None)
            if not isinstance(op.value, Mapping):
                raise InvalidInputError(
                    f"A store value must be a dict, got {type(op.value).__name__}. "
                    "Wrap it, e.g. {'content': value}."
                )
            text, indexed = (
                (default_text(op.value), False)
                if op.index is False
                else self._text(op.value, op.index)
            )
            return KeyedPut(
                namespace,
                str(op.key),
                dict(op.value),
                text=text,
                scope=self._scopes.for_namespace(namespace),
                indexed=indexed,
                ttl=op.ttl,
            )
        if isinstance(op, SearchOp):
            prefix = tuple(op.namespace_prefix)
            filters = op.filter
            return KeyedSearch(
                prefix,
                scope=self._scopes.for_prefix(prefix),
                query=op.query or None,
                match=(lambda value: _matches(value, filters)) if filters else None,
                limit=op.limit,
                offset=op.offset,
                refresh_ttl=op.refresh_ttl,
            )
        if isinstance(op, ListNamespacesOp):
            return KeyedNamespaces(_literal_prefix(op))
        raise InvalidInputError(f"Unknown store operation {type(op).__name__}.")

    @staticmethod
    def _to_item(item: KeyedItem) -> Item:
        return Item(
            value=item.value,
            key=item.key,
            namespace=item.namespace,
            created_at=item.created_at,
            updated_at=item.updated_at,
        )

    def _results(self, ops: Sequence[Op], results: Sequence[KeyedResult]) -> list[Result]:
        out: list[Result] = []
        for op, result in zip(ops, results, strict=True):
            if isinstance(op, GetOp):
                out.append(self._to_item(result) if isinstance(result, KeyedItem) else None)
            elif isinstance(op, SearchOp):
                items = [r for r in _rows(result) if isinstance(r, KeyedItem)]
                out.append(
                    [
                        SearchItem(i.namespace, i.key, i.value, i.created_at, i.updated_at, i.score)
                        for i in items
                    ]
                )
            elif isinstance(op, ListNamespacesOp):
                namespaces = [r for r in _rows(result) if isinstance(r, tuple)]
                out.append(_listed(op, namespaces))
            else:
                out.append(None)
        return out

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        """Run LangGraph store operations (reads first, then writes, as ``InMemoryStore``)."""
        ops = list(ops)
        core = [self._to_core(op) for op in ops]
        return self._results(ops, self._keyed.execute(core))

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        """Async :meth:`batch`, through the core's async twin."""
        ops = list(ops)
        core = [self._to_core(op) for op in ops]
        return self._results(ops, await self._keyed.aexecute(core))

    # --- TTL ------------------------------------------------------------------------------

    def sweep_ttl(self) -> int:
        """Delete the items whose TTL expired (hard delete, history kept); returns how many."""
        return self._keyed.sweep()

    async def asweep_ttl(self) -> int:
        """Async :meth:`sweep_ttl`."""
        return await self._keyed.asweep()

    def start_ttl_sweeper(self, sweep_interval_minutes: float | None = None) -> None:
        """Run :meth:`sweep_ttl` every ``sweep_interval_minutes`` (default: the TTL
        config's) in a daemon thread until :meth:`stop_ttl_sweeper`."""
        minutes = sweep_interval_minutes or (self.ttl_config or {}).get("sweep_interval_minutes")
        if not minutes or minutes <= 0:
            raise ConfigurationError(
                "No sweep interval: pass sweep_interval_minutes=5 or "
                "ttl={'sweep_interval_minutes': 5}."
            )
        if self._sweeper is not None:
            return
        stop = threading.Event()

        def run() -> None:
            while not stop.wait(float(minutes) * 60.0):
                try:
                    self.sweep_ttl()
                except Mem0IntegrationsError:
                    log.exception("mem0-integrations TTL sweep failed; retrying next interval")

        thread = threading.Thread(target=run, name="mem0i-ttl-sweeper", daemon=True)
        self._sweeper = (thread, stop)
        thread.start()

    def stop_ttl_sweeper(self, timeout: float | None = None) -> bool:
        """Stop the sweeper thread; True if it stopped (or none was running)."""
        if self._sweeper is None:
            return True
        thread, stop = self._sweeper
        stop.set()
        thread.join(timeout)
        self._sweeper = None
        return not thread.is_alive()
