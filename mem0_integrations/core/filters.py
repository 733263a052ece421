"""Chroma ``where`` clauses, built by the library and never taken from the caller.

Scope clauses are made here from validated plain strings. Caller filters are
translated field by field into the stored columns and always ANDed *under*
the scope clause, so they can narrow a read but never widen it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .codec import META_PREFIX, dumps
from .errors import InvalidInputError, ScopeError
from .models import SCOPE_KEYS, Scope

__all__ = [
    "FILTER_FIELDS",
    "and_",
    "read_where",
    "translate_filters",
    "validate_metadata",
]

#: Record fields a filter may name directly; any other name is a caller metadata key.
FILTER_FIELDS: frozenset[str] = frozenset(
    {"key", "category", "importance", "access_count", "source_role", "hash"}
)
_OPERATORS = frozenset({"$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin"})
_SCALARS = (str, int, float, bool)


def and_(*clauses: Mapping[str, Any] | None) -> dict[str, Any]:
    """AND the given clauses (Chroma wants exactly one top-level key)."""
    parts = [dict(c) for c in clauses if c]
    if not parts:
        raise ValueError("and_() needs at least one clause")
    return parts[0] if len(parts) == 1 else {"$and": parts}


def read_where(scope: Scope, *, filters: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The clause for a read: every given scope id matches, the others stay open.

    ``filters`` are translated with :func:`translate_filters` and ANDed under
    the scope. Status is not a clause: the store keeps active and archived
    memories in separate collections.
    """
    scope_clauses = [{k: {"$eq": v}} for k, v in scope.items()]
    return and_(*scope_clauses, translate_filters(filters))


def translate_filters(filters: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Translate caller filters into stored columns.

    Accepted forms: ``{"field": value}``, ``{"field": {"$op": value}}`` with
    ``$eq $ne $gt $gte $lt $lte $in $nin``, and ``{"$and"|"$or": [filter, ...]}``.
    ``field`` is one of :data:`FILTER_FIELDS` or a key of the caller's metadata.
    Scope keys are refused: pass them as arguments instead.
    """
    if filters is None:
        return None
    if not isinstance(filters, Mapping):
        raise InvalidInputError(
            "filters must be a dict such as {'category': 'health'}, got "
            f"{type(filters).__name__}."
        )
    clauses = [_clause(name, cond) for name, cond in filters.items()]
    return and_(*clauses) if clauses else None


def _clause(name: Any, cond: Any) -> dict[str, Any]:
    if not isinstance(name, str):
        raise InvalidInputError(f"Filter keys must be strings, got {name!r}.")
    if name in ("$and", "$or"):
        if not isinstance(cond, list) or not cond:
            raise InvalidInputError(f"{name} takes a non-empty list of filters.")
        parts = [translate_filters(c) for c in cond]
        kept = [p for p in parts if p]
        return kept[0] if len(kept) == 1 else {name: kept}
    if name.startswith("$"):
        raise InvalidInputError(f"Unknown filter operator {name!r}; use $and or $or at the top.")
    if name in SCOPE_KEYS:
        raise ScopeError(
            f"{name} cannot be used in filters. Pass it as an argument ({name}='...') so the "
            "library can enforce the scope."
        )
    column = name if name in FILTER_FIELDS else META_PREFIX + name
    if isinstance(cond, Mapping):
        if len(cond) != 1:
            raise InvalidInputError(f"Filter on {name!r} needs exactly one operator, got {cond}.")
        ((op, value),) = cond.items()
        if op not in _OPERATORS:
            raise InvalidInputError(
                f"Unknown operator {op!r} on {name!r}; use one of {sorted(_OPERATORS)}."
            )
        _check_value(name, op, value)
        return {column: {op: value}}
    _check_value(name, "$eq", cond)
    return {column: {"$eq": cond}}


def _check_value(name: str, op: str, value: Any) -> None:
    if op in ("$in", "$nin"):
        ok = isinstance(value, list) and value and all(isinstance(v, _SCALARS) for v in value)
    else:
        ok = isinstance(value, _SCALARS)
    if not ok:
        want = "a non-empty list of str/int/float/bool" if op in ("$in", "$nin") else "a scalar"
        raise InvalidInputError(f"Filter {name!r} {op} needs {want}, got {value!r}.")


def validate_metadata(metadata: Any, *, max_chars: int) -> dict[str, Any]:
    """Check caller metadata: a JSON-able dict of string keys, with no scope keys."""
    if metadata is None:
        return {}
    if not isinstance(metadata, Mapping):
        raise InvalidInputError(
            f"metadata must be a dict, got {type(metadata).__name__}. Example: "
            "metadata={'topic': 'travel'}."
        )
    for key in metadata:
        if not isinstance(key, str) or not key or key.startswith("$"):
            raise InvalidInputError(
                f"metadata key {key!r} is not allowed: keys are non-empty strings not starting "
                "with '$'."
            )
        if key in SCOPE_KEYS:
            raise ScopeError(
                f"metadata cannot carry {key!r}: scope ids are set only through the {key}= "
                "argument, so metadata can never move a memory to another scope."
            )
    try:
        size = len(dumps(dict(metadata)))
    except (TypeError, ValueError) as e:
        raise InvalidInputError(
            f"metadata must be JSON-serialisable (str, numbers, bools, lists, dicts): {e}."
        ) from e
    if size > max_chars:
        raise InvalidInputError(
            f"metadata is {size} characters as JSON; the limit is {max_chars} "
            "(LimitsConfig.max_metadata_chars)."
        )
    return dict(metadata)
