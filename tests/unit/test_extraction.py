"""Message parsing and the minimal offline extractor."""

from __future__ import annotations

from typing import Any

import pytest

from mem0_integrations import InvalidInputError, LimitsConfig, Message
from mem0_integrations.core.extract.extraction import (
    parse_messages,
    render_fact,
    statements,
    verbatim_candidates,
)

LIMITS = LimitsConfig(max_text_chars=50, max_messages=3)


def test_a_string_is_one_user_message() -> None:
    (msg,) = parse_messages("hello there", LIMITS)
    assert msg.role == "user"
    assert msg.content == "hello there"


def test_dicts_and_messages_mix() -> None:
    msgs = parse_messages(
        [{"role": "assistant", "content": "hi", "id": "m2"}, Message(content="yo")], LIMITS
    )
    assert [(m.role, m.content, m.id) for m in msgs] == [
        ("assistant", "hi", "m2"),
        ("user", "yo", None),
    ]


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (None, "messages must be"),
        (42, "messages must be"),
        (b"bytes", "messages must be"),
        ([], "empty"),
        (["a", "b", "c", "d"], "limit is 3"),
        ([{"role": "wizard", "content": "x"}], "role"),
        ([{"content": 5}], "content"),
        ([{"role": "user"}], "content"),
        ([3], "Message 0"),
        (["   "], "Message 0 content is empty"),
        (["x" * 51], "limit is 50"),
    ],
)
def test_bad_messages(bad: Any, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        parse_messages(bad, LIMITS)


def test_verbatim_skips_system_and_keeps_provenance() -> None:
    msgs = parse_messages(
        [
            {"role": "system", "content": "be nice"},
            {"role": "user", "content": " I like tea ", "id": "u1"},
            {"role": "assistant", "content": "Noted"},
        ],
        LimitsConfig(),
    )
    cands = verbatim_candidates(msgs)
    assert [(c.text, c.source.role, c.source.message_ids) for c in cands] == [
        ("I like tea", "user", ["u1"]),
        ("Noted", "assistant", []),
    ]


def test_statements_keeps_first_person_statements_of_the_user_only() -> None:
    msgs = parse_messages(
        [
            {"role": "user", "content": "Hi! I'm allergic to penicillin. What should I eat?"},
            {"role": "assistant", "content": "I will remember that you are allergic."},
            {"role": "user", "content": "thanks\nMy sister Anna lives in Rome. Paris is big."},
            {"role": "system", "content": "I am the system and my rules apply."},
        ],
        LimitsConfig(),
    )
    assert statements(msgs) == ["I'm allergic to penicillin.", "My sister Anna lives in Rome."]
    assert "I will remember that you are allergic." in statements(msgs, ("user", "assistant"))


def test_statements_drops_short_fragments() -> None:
    msgs = parse_messages(["ok", "my bad", "I do"], LimitsConfig())
    assert statements(msgs) == []


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [
        ("allergies", ["penicillin", "latex"], "allergies: penicillin, latex"),
        ("learning_style", "visual", "learning style: visual"),
        ("age", 41, "age: 41"),
        ("pet", {"name": "Rex", "kind": "dog"}, "pet: name=Rex, kind=dog"),
    ],
)
def test_render_fact(key: str, value: Any, text: str) -> None:
    assert render_fact(key, value) == text
