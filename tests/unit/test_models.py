"""Scopes, records, hashing and the error tree."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from mem0_integrations import (
    ConfigurationError,
    EmbeddingError,
    InvalidInputError,
    Mem0IntegrationsError,
    MemoryNotFoundError,
    MemoryRecord,
    MemorySource,
    MemoryStatus,
    Scope,
    ScopeError,
    StoreError,
)
from mem0_integrations.core.models import content_hash, normalize_text, validate_scope_id

NOW = datetime(2026, 1, 1, tzinfo=UTC)


class TestScope:
    def test_one_id_is_enough(self) -> None:
        assert Scope(user_id="u1").items() == [("user_id", "u1")]
        assert Scope(agent_id="coach").items() == [("agent_id", "coach")]

    def test_no_id_is_an_error_that_says_what_to_pass(self) -> None:
        with pytest.raises(ScopeError, match="user_id="):
            Scope()

    def test_run_id_is_an_alias_of_session_id(self) -> None:
        assert Scope(user_id="u", run_id="r1").session_id == "r1"
        assert Scope.model_validate({"run_id": "r1", "session_id": "r1"}).session_id == "r1"

    def test_run_id_and_session_id_must_agree(self) -> None:
        with pytest.raises(ScopeError, match="alias"):
            Scope(run_id="a", session_id="b")

    @pytest.mark.parametrize(
        "bad",
        ["", " u1", "u1 ", "*", "$ne", "a\x00b", "x" * 257, {"$ne": "x"}, 42, ["u1"], b"u1"],
    )
    def test_bad_ids_are_rejected(self, bad: object) -> None:
        with pytest.raises(ScopeError):
            Scope(user_id=bad)  # type: ignore[arg-type]

    def test_scope_error_is_a_value_error_and_ours(self) -> None:
        with pytest.raises(ValueError):  # noqa: PT011 - the point is the builtin base
            validate_scope_id("user_id", "")
        with pytest.raises(Mem0IntegrationsError):
            validate_scope_id("user_id", "")

    def test_contains_matches_given_ids_and_leaves_others_open(self) -> None:
        stored = Scope(user_id="u1", agent_id="coach", session_id="s1")
        assert Scope(user_id="u1").contains(stored)
        assert Scope(user_id="u1", agent_id="coach").contains(stored)
        assert Scope(agent_id="coach").contains(stored)
        assert not Scope(user_id="u2").contains(stored)
        assert not Scope(user_id="u1", agent_id="doctor").contains(stored)
        assert not Scope(user_id="u1", agent_id="coach").contains(Scope(user_id="u1"))

    def test_scope_is_frozen(self) -> None:
        s = Scope(user_id="u1")
        with pytest.raises(ValidationError):
            s.user_id = "u2"


class TestHash:
    def test_normalisation_ignores_case_space_and_final_period(self) -> None:
        assert normalize_text("  I like   TEA. ") == "i like tea"
        assert content_hash("I like tea.") == content_hash("i like  tea")

    def test_unicode_is_normalised(self) -> None:
        assert content_hash("Café") == content_hash("Cafe\u0301")

    def test_different_facts_differ(self) -> None:
        assert content_hash("I like tea") != content_hash("I like coffee")


class TestRecord:
    def _record(self, **kw: object) -> MemoryRecord:
        data: dict[str, object] = {
            "id": "m1",
            "text": "allergies: penicillin",
            "scope": Scope(user_id="u1"),
            "created_at": NOW,
            "updated_at": NOW,
            "hash": content_hash("allergies: penicillin"),
        }
        data.update(kw)
        return MemoryRecord.model_validate(data)

    def test_defaults(self) -> None:
        r = self._record(key="allergies", value=["penicillin"])
        assert r.status is MemoryStatus.ACTIVE
        assert r.importance == 0.5
        assert r.access_count == 0
        assert r.superseded_by is None
        assert r.expires_at is None
        assert r.source.message_ids == []

    def test_json_round_trip_is_lossless(self) -> None:
        r = self._record(key="allergies", value=["penicillin"], metadata={"a": {"b": [1, 2]}})
        assert MemoryRecord.model_validate_json(r.model_dump_json()) == r

    @pytest.mark.parametrize(("field", "value"), [("importance", 1.5), ("access_count", -1)])
    def test_bounds(self, field: str, value: object) -> None:
        with pytest.raises(ValidationError):
            self._record(**{field: value})

    def test_unknown_fields_are_rejected(self) -> None:
        with pytest.raises(ValidationError):
            self._record(colour="red")


def test_error_tree() -> None:
    for cls in (
        ConfigurationError,
        InvalidInputError,
        MemoryNotFoundError,
        EmbeddingError,
        StoreError,
    ):
        assert issubclass(cls, Mem0IntegrationsError)
    assert issubclass(ScopeError, InvalidInputError)
    assert issubclass(InvalidInputError, ValueError)
    assert issubclass(MemoryNotFoundError, LookupError)
    err = MemoryNotFoundError("abc")
    assert err.memory_id == "abc"
    assert "abc" in str(err)
    assert "get_all" in str(err)


def test_long_term_scope_drops_the_session_only_when_a_user_or_agent_is_set() -> None:
    assert Scope(user_id="u", session_id="s").long_term() == Scope(user_id="u")
    assert Scope(agent_id="a", session_id="s").long_term() == Scope(agent_id="a")
    both = Scope(user_id="u", agent_id="a", session_id="s").long_term()
    assert both == Scope(user_id="u", agent_id="a")
    assert Scope(session_id="s").long_term() == Scope(session_id="s")
    assert Scope(user_id="u").long_term() == Scope(user_id="u")


def test_detached_is_an_equal_copy_sharing_nothing_mutable() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    record = MemoryRecord(
        id="m1",
        text="Allergic to penicillin",
        scope=Scope(user_id="u1"),
        key="allergies",
        value=["penicillin", {"severity": "high"}],
        source=MemorySource(role="user", message_ids=["a"]),
        created_at=now,
        updated_at=now,
        hash="h",
        metadata={"tags": ["health"], "n": {"x": 1}},
    )
    copy = record.detached()
    assert copy == record == record.model_copy(deep=True)
    copy.metadata["tags"].append("changed")
    copy.metadata["n"]["x"] = 2
    copy.value[1]["severity"] = "low"
    copy.source.message_ids.append("b")
    assert record.metadata == {"tags": ["health"], "n": {"x": 1}}
    assert record.value == ["penicillin", {"severity": "high"}]
    assert record.source.message_ids == ["a"]
