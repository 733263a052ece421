"""Chroma ``where`` clauses, built by the library and never taken from the caller.

Scope clauses are made here from validated plain strings. Caller filters are
translated field by field into the stored columns and always ANDed *under*
the scope clause, so they can narrow a read but never widen it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidInputError, ScopeError
from ..models import SCOPE_KEYS, Scope, is_unicode_text
from .codec import META_PREFIX, dumps

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
_COMPARISONS = frozenset({"$gt", "$gte", "$lt", "$lte"})
#: Chroma keeps integers as signed 64-bit: a larger one would match the clamped value.
_INT64 = (-(2**63), 2**63 - 1)


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
    if not isinstance(name, str) or not is_unicode_text(name):
        raise InvalidInputError(f"Filter keys must be strings of valid Unicode, got {name!r}.")
    if name in ("$and", "$or"):
        if not isinstance(cond, list) or not cond:
            raise InvalidInputError(f"{name} takes a non-empty list of filters.")
        kept = [p for p in (translate_filters(c) for c in cond) if p]
        if len(kept) != len(cond):
            raise InvalidInputError(
                f"{name} holds an empty filter {{}}, which matches everything; drop it or give "
                "it a condition such as {'category': 'health'}."
            )
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
    """Refuse what Chroma would refuse or silently misread, before any read runs."""
    if op in ("$in", "$nin"):
        ok = (
            isinstance(value, list)
            and bool(value)
            and all(_scalar(v) for v in value)
            and len({type(v) for v in value}) == 1
        )
        want = "a non-empty list of str, int, float or bool values, all of one type"
    elif op in _COMPARISONS:
        ok = _scalar(value) and isinstance(value, (int, float)) and not isinstance(value, bool)
        want = "a number"
    else:
        ok = _scalar(value)
        want = "a str, int, float or bool"
    if not ok:
        raise InvalidInputError(
            f"Filter {name!r} {op} needs {want}, got {value!r} (NaN, infinities, integers "
            "beyond 64 bits and lone surrogates are refused too)."
        )


def _scalar(value: Any) -> bool:
    """A value Chroma can compare exactly."""
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return _INT64[0] <= value <= _INT64[1]
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str) and is_unicode_text(value)


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
        text = dumps(dict(metadata))
        text.encode("utf-8")  # a lone surrogate has no UTF-8 form (UnicodeEncodeError)
        size = len(text)
    except (TypeError, ValueError) as e:
        raise InvalidInputError(
            "metadata must be JSON-serialisable (str, numbers, bools, lists, dicts) and "
            f"valid Unicode: {e}."
        ) from e
    if size > max_chars:
        raise InvalidInputError(
            f"metadata is {size} characters as JSON; the limit is {max_chars} "
            "(LimitsConfig.max_metadata_chars)."
        )
    return dict(metadata)
