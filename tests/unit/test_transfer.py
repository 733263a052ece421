"""JSON Lines export format: dump and strict parse."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from mem0_integrations import EventType, InvalidInputError, MemoryRecord, Scope
from mem0_integrations.core.lifecycle.transfer import dump_lines, parse_lines
from mem0_integrations.core.models import HistoryEntry, content_hash

NOW = datetime(2026, 5, 1, 8, 30, tzinfo=UTC)
RECORD = MemoryRecord(
    id="m1",
    text="allergies: penicillin",
    scope=Scope(user_id="u1", agent_id="doc"),
    key="allergies",
    value=["penicillin"],
    created_at=NOW,
    updated_at=NOW,
    hash=content_hash("allergies: penicillin"),
    metadata={"nested": {"a": [1, "b"]}},
)
ENTRY = HistoryEntry(
    id="h1", memory_id="m1", event=EventType.ADD, after=RECORD, created_at=NOW, seq=7
)


def test_round_trip_is_lossless() -> None:
    lines = list(dump_lines([RECORD], [ENTRY], scope=Scope(user_id="u1"), exported_at=NOW))
    assert all(line.endswith("\n") for line in lines)
    header = json.loads(lines[0])
    assert header["memories"] == 1
    assert header["history"] == 1
    assert header["scope"] == {"user_id": "u1"}
    bundle = parse_lines(lines)
    assert bundle.records == [RECORD]
    assert bundle.history == [ENTRY]


def _lines() -> list[str]:
    return list(dump_lines([RECORD], [ENTRY], scope=Scope(user_id="u1"), exported_at=NOW))


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda ls: [], "empty"),
        (lambda ls: ls[1:], "line 1 is not a mem0-integrations export header"),
        (lambda ls: [ls[0].replace('"version": 1', '"version": 9'), *ls[1:]], "version 9"),
        (lambda ls: [ls[0], "{oops\n", *ls[1:]], "line 2 is not JSON"),
        (lambda ls: [ls[0], "[1]\n"], "line 2 is not a JSON object"),
        (lambda ls: [ls[0], '{"type": "thing"}\n'], "line 2: unknown type"),
        (lambda ls: [ls[0], ls[1].replace('"active"', '"zombie"')], "line 2: invalid memory"),
        (lambda ls: [ls[0], ls[1], '{"type": "history", "entry": {}}\n'], "line 3"),
    ],
)
def test_bad_files_name_the_line(mutate: object, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        parse_lines(mutate(_lines()))  # type: ignore[operator]


def test_blank_lines_are_ignored() -> None:
    lines = _lines()
    assert parse_lines(["\n", lines[0], "  \n", *lines[1:]]).records == [RECORD]
