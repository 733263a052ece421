"""Where clauses: built from validated scopes, caller filters only narrow."""

from __future__ import annotations

from typing import Any

import pytest

from mem0_integrations import InvalidInputError, Scope, ScopeError
from mem0_integrations.core.store.filters import (
    read_where,
    translate_filters,
    validate_metadata,
)


def test_read_where_user_only() -> None:
    assert read_where(Scope(user_id="u1")) == {"user_id": {"$eq": "u1"}}


def test_read_where_filters_are_anded_under_the_scope() -> None:
    where = read_where(
        Scope(user_id="u1", agent_id="coach"),
        filters={"$or": [{"category": "health"}, {"topic": "food"}]},
    )
    assert where == {
        "$and": [
            {"user_id": {"$eq": "u1"}},
            {"agent_id": {"$eq": "coach"}},
            {"$or": [{"category": {"$eq": "health"}}, {"meta.topic": {"$eq": "food"}}]},
        ]
    }


@pytest.mark.parametrize("key", ["user_id", "agent_id", "session_id", "run_id"])
def test_filters_cannot_name_scope_keys(key: str) -> None:
    with pytest.raises(ScopeError, match="argument"):
        translate_filters({key: "u2"})
    with pytest.raises(ScopeError):
        translate_filters({"$or": [{"category": "x"}, {key: {"$ne": "u1"}}]})


@pytest.mark.parametrize(
    "bad",
    [
        {"$where": "1"},
        {"category": {"$regex": "x"}},
        {"category": {"$eq": "a", "$ne": "b"}},
        {"category": {"$in": []}},
        {"category": {"$in": "abc"}},
        {"category": {"a": "b"}},
        {"category": None},
        {"$or": []},
        {"$and": "x"},
        {1: "x"},
        # refused by Chroma after our validation, or silently misread (found by fuzzing)
        {"$and": [{}]},
        {"$or": [{}, {"category": "x"}]},
        {"importance": float("nan")},
        {"importance": {"$lt": float("inf")}},
        {"n": 2**70},
        {"n": {"$in": [1, 2**63]}},
        {"topic": {"$gt": "tea"}},
        {"n": {"$gte": True}},
        {"topic": {"$in": ["tea", 1]}},
        {"topic": {"$nin": [True, 1]}},
        {"topic": "\ud800"},
        {"\udc00": "x"},
    ],
)
def test_bad_filters_are_rejected(bad: dict[Any, Any]) -> None:
    with pytest.raises(InvalidInputError):
        translate_filters(bad)


def test_edge_values_chroma_takes_exactly_are_kept() -> None:
    where = translate_filters(
        {"$and": [{"n": 2**63 - 1}, {"n": {"$in": [-(2**63), 0]}}, {"flag": {"$ne": False}}]}
    )
    assert where == {
        "$and": [
            {"meta.n": {"$eq": 2**63 - 1}},
            {"meta.n": {"$in": [-(2**63), 0]}},
            {"meta.flag": {"$ne": False}},
        ]
    }


def test_filters_must_be_a_dict() -> None:
    with pytest.raises(InvalidInputError, match="dict"):
        translate_filters([("category", "x")])  # type: ignore[arg-type]


def test_known_fields_map_to_columns_and_others_to_metadata() -> None:
    assert translate_filters({"key": "city", "importance": {"$gte": 0.7}, "lang": "de"}) == {
        "$and": [
            {"key": {"$eq": "city"}},
            {"importance": {"$gte": 0.7}},
            {"meta.lang": {"$eq": "de"}},
        ]
    }
    assert translate_filters({}) is None
    assert translate_filters(None) is None


class TestMetadata:
    def test_none_is_empty(self) -> None:
        assert validate_metadata(None, max_chars=100) == {}

    @pytest.mark.parametrize("key", ["user_id", "agent_id", "session_id", "run_id"])
    def test_scope_keys_are_refused(self, key: str) -> None:
        with pytest.raises(ScopeError, match="scope"):
            validate_metadata({key: "someone-else"}, max_chars=100)

    @pytest.mark.parametrize("bad", [[("a", 1)], "x", {"": 1}, {"$x": 1}, {2: "a"}])
    def test_shape(self, bad: Any) -> None:
        with pytest.raises(InvalidInputError):
            validate_metadata(bad, max_chars=100)

    def test_not_json(self) -> None:
        with pytest.raises(InvalidInputError, match="JSON"):
            validate_metadata({"a": object()}, max_chars=100)

    @pytest.mark.parametrize("bad", [{"a": "\ud800"}, {"\udfff": 1}, {"a": ["x", {"b": "\ud800"}]}])
    def test_lone_surrogates(self, bad: Any) -> None:
        with pytest.raises(InvalidInputError, match="Unicode"):
            validate_metadata(bad, max_chars=100)

    def test_size_limit(self) -> None:
        with pytest.raises(InvalidInputError, match="limit"):
            validate_metadata({"a": "x" * 200}, max_chars=100)
