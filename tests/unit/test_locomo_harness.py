"""The LOCOMO benchmark harness (benchmarks/locomo.py): parsing, recall, aggregation, a run."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from benchmarks import locomo, locomo_baselines
from benchmarks.locomo import (
    CoreSupport,
    EvidenceStats,
    QuestionResult,
    aggregate,
    choose_systems,
    evidence_recall,
    parse_evidence,
    parse_evidence_item,
    parse_session_time,
    parse_weights,
    percentile,
)

# --- pure parts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1:56 pm on 8 May, 2023", datetime(2023, 5, 8, 13, 56, tzinfo=UTC)),
        ("10:37 am on 27 June, 2023", datetime(2023, 6, 27, 10, 37, tzinfo=UTC)),
        ("12:09 am on 1 January, 2024", datetime(2024, 1, 1, 0, 9, tzinfo=UTC)),
        ("12:30 pm on 3 July, 2023", datetime(2023, 7, 3, 12, 30, tzinfo=UTC)),
        ("  7:55 pm  on 9 June,  2023 ", datetime(2023, 6, 9, 19, 55, tzinfo=UTC)),
    ],
)
def test_session_time_is_an_aware_utc_datetime(raw: str, expected: datetime) -> None:
    parsed = parse_session_time(raw)
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("D1:3", ["D1:3"]),
        ("D30:05", ["D30:5"]),  # integers normalised
        ("D8:6; D9:17", ["D8:6", "D9:17"]),  # several ids in one string
        ("D9:1 D4:4 D4:6", ["D9:1", "D4:4", "D4:6"]),
        ("D:11:26", ["D11:26"]),  # the stray colon is repaired
        ("D", []),
        ("", []),
        ("D3:1; D3:01", ["D3:1"]),  # deduplicated after normalisation
    ],
)
def test_evidence_item(raw: str, expected: list[str]) -> None:
    assert parse_evidence_item(raw) == expected


def test_evidence_drops_unknown_and_unparsable_ids_and_counts_them() -> None:
    known = {"D1:18", "D1:20", "D8:6", "D9:17", "D11:26", "D30:5"}
    stats = EvidenceStats()
    got = parse_evidence(
        ["D1:18", "D", "D8:6; D9:17", "D30:05", "D:11:26", "D10:19", "D1:18"], known, stats
    )
    assert got == ("D1:18", "D8:6", "D9:17", "D30:5", "D11:26")
    assert stats.unparsable == ["D"]
    assert stats.multi_id_strings == ["D8:6; D9:17"]
    assert stats.normalised == ["D30:05"]
    assert stats.repaired == ["D:11:26"]
    assert stats.unknown_ids == ["D10:19"]
    assert parse_evidence(["D", "D10:19"], known) == ()


def test_recall_is_the_share_of_evidence_in_the_union_of_the_top_k_sources() -> None:
    retrieved = [["D1:1"], ["D2:2"], [], ["D3:3", "D1:2"], ["D9:9"], ["D4:4"]]
    evidence = {"D1:2", "D3:3", "D4:4", "D7:7"}
    assert evidence_recall(evidence, retrieved, 1) == 0.0
    assert evidence_recall(evidence, retrieved, 4) == 0.5
    assert evidence_recall(evidence, retrieved, 5) == 0.5
    assert evidence_recall(evidence, retrieved, 6) == 0.75
    assert evidence_recall(evidence, retrieved, 25) == 0.75  # fewer hits than k
    assert evidence_recall(["D1:1"], [["D1:1"], ["D1:1"]], 2) == 1.0  # counted once
    with pytest.raises(ValueError, match="without evidence"):
        evidence_recall([], retrieved, 5)


def _result(category: int, r5: float, r10: float, r25: float) -> QuestionResult:
    return QuestionResult(0, 0, category, {5: r5, 10: r10, 25: r25}, None, 1.0)


def test_aggregate_pools_questions_and_splits_by_category() -> None:
    rows = [
        _result(1, 0.0, 0.5, 1.0),
        _result(1, 1.0, 1.0, 1.0),
        _result(4, 0.5, 0.5, 0.5),
        _result(2, 0.0, 0.0, 0.0),
    ]
    got = aggregate(rows)
    assert list(got) == ["all", "4 single-hop", "1 multi-hop", "2 temporal"]
    assert got["all"]["n"] == 4
    assert got["all"]["recall"] == pytest.approx({5: 37.5, 10: 50.0, 25: 62.5})
    assert got["1 multi-hop"] == {"n": 2, "recall": pytest.approx({5: 50.0, 10: 75.0, 25: 100.0})}
    assert got["4 single-hop"]["recall"][10] == pytest.approx(50.0)
    assert got["2 temporal"]["n"] == 1
    assert "3 open-domain" not in got
    assert list(aggregate([_result(9, 1.0, 1.0, 1.0)])) == ["all", "9 unknown"]


def test_percentile_interpolates() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 0.5) == 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 0.95) == pytest.approx(4.8)
    assert percentile([7.0], 0.95) == 7.0


def test_parse_weights() -> None:
    assert parse_weights("keyword_weight=0.3, recency_weight=0") == {
        "keyword_weight": 0.3,
        "recency_weight": 0.0,
    }
    with pytest.raises(ValueError, match="KEY=VALUE"):
        parse_weights("keyword_weight")
    with pytest.raises(ValueError, match="not a number"):
        parse_weights("keyword_weight=high")


def test_full_ablation_runs_reinforcing_systems_last() -> None:
    systems, skipped = choose_systems(
        ["default", "+reinforcement", "similarity", "+keyword"], [], CoreSupport(True, True)
    )
    assert skipped == []
    assert [s.name for s in systems] == ["similarity", "+keyword", "default", "+reinforcement"]
    assert [s.reinforce for s in systems] == [False, False, True, True]
    weights = {s.name: s.weights for s in systems}
    assert weights["similarity"] == {
        "keyword_weight": 0.0,
        "recency_weight": 0.0,
        "reinforcement_weight": 0.0,
        "importance_weight": 0.0,
    }
    assert weights["+keyword"] == {
        "recency_weight": 0.0,
        "reinforcement_weight": 0.0,
        "importance_weight": 0.0,
    }
    assert weights["default"] is None


def test_without_the_ranking_core_only_similarity_runs() -> None:
    systems, skipped = choose_systems(None, [{"keyword_weight": 1.0}], CoreSupport(False, False))
    assert [(s.name, s.weights, s.reinforce) for s in systems] == [("similarity", None, False)]
    assert "plain cosine" in systems[0].note
    assert len(skipped) == len(locomo.SYSTEMS)  # the four others and custom1
    assert all("lacks MemoryConfig.ranking and search(reinforce=)" in n for n in skipped)


# --- a run on a tiny LOCOMO-shaped file, with the real embedded store ----------------------

TurnRow = tuple[str, str, str, str | None]

SESSION_1: list[TurnRow] = [
    ("D1:1", "Alice", "Hi Bob! I adopted a kitten named Whiskers last week.", None),
    ("D1:2", "Bob", "Congrats! My dog Rex loves chasing cats in the garden.", None),
    ("D1:3", "Alice", "Whiskers sleeps on my keyboard while I work.", None),
    ("D1:4", "Bob", "Rex needs a long walk in the park every morning.", None),
    ("D1:5", "Alice", "The vet said the kitten is healthy.", "a photo of a small grey kitten"),
    ("D1:6", "Bob", "Pets make life better.", None),
]
SESSION_2: list[TurnRow] = [
    ("D2:1", "Alice", "I started a pottery class on Tuesdays.", None),
    ("D2:2", "Bob", "I am training for a marathon in October.", None),
    ("D2:3", "Alice", "My train to work was cancelled twice this week.", None),
    ("D2:4", "Bob", "My neighbour's cat keeps visiting Rex.", None),
    ("D2:5", "Alice", "Whiskers knocked a vase off the shelf.", None),
    ("D2:6", "Bob", "Cats are curious animals.", None),
    ("D2:7", "Alice", "Whiskers and Rex are finally friends.", None),
    ("D2:8", "Bob", "I bought Rex a new leash and a cat toy for Whiskers.", None),
]


def _turns(rows: list[TurnRow]) -> list[dict[str, Any]]:
    out = []
    for dia, speaker, text, caption in rows:
        turn: dict[str, Any] = {"speaker": speaker, "dia_id": dia, "text": text}
        if caption:
            turn["blip_caption"] = caption
        out.append(turn)
    return out


@pytest.fixture
def tiny_locomo(tmp_path: Path) -> Path:
    data = [
        {
            "sample_id": "tiny",
            "conversation": {
                "speaker_a": "Alice",
                "speaker_b": "Bob",
                "session_1_date_time": "1:56 pm on 8 May, 2023",
                "session_1": _turns(SESSION_1),
                "session_2_date_time": "10:37 am on 27 June, 2023",
                "session_2": _turns(SESSION_2),
                "session_3_date_time": "9:00 am on 1 July, 2023",  # no turns: ignored
            },
            "qa": [
                # The kitten's name is in D1:1, which the question matches best.
                {
                    "question": "What is the name of Alice's kitten?",
                    "answer": "Whiskers",
                    "evidence": ["D1:01"],
                    "category": 4,
                },
                # D1:1 ranks in the top 5; the train turn D2:3 is unlike the question and
                # the other turns are all about pets, so it ranks last but one of 14.
                {
                    "question": "Which pets do Alice and Bob have?",
                    "answer": "a kitten and a dog",
                    "evidence": ["D1:1; D2:3"],
                    "category": 1,
                },
                {"question": "When?", "answer": "x", "evidence": ["D"], "category": 2},
                {"question": "Where?", "answer": "y", "evidence": ["D9:9"], "category": 2},
                {"question": "Why?", "adversarial_answer": "z", "evidence": [], "category": 5},
            ],
        }
    ]
    path = tmp_path / "tiny_locomo.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_load_reads_sessions_with_turns_and_excludes_questions_without_evidence(
    tiny_locomo: Path,
) -> None:
    (conv,) = locomo.load(tiny_locomo)
    assert [s.number for s in conv.sessions] == [1, 2]
    assert conv.turns == 14
    assert conv.sessions[0].turns[4].content == (
        "Alice: The vet said the kitten is healthy. [shares a photo: a photo of a small grey "
        "kitten]"
    )
    assert [(q.index, q.evidence) for q in conv.questions] == [
        (0, ("D1:1",)),
        (1, ("D1:1", "D2:3")),
    ]
    assert conv.question_time == datetime(2023, 6, 28, 10, 37, tzinfo=UTC)
    stats = conv.evidence_stats
    assert (stats.questions, stats.excluded, stats.no_evidence) == (5, 3, 1)


def test_ingest_stores_each_turn_with_its_id_and_session_time(
    tiny_locomo: Path, tmp_path: Path
) -> None:
    (conv,) = locomo.load(tiny_locomo)
    clock = locomo.SessionClock(conv.sessions[0].when)
    memory, stats = locomo.ingest(conv, tmp_path / "store", clock)
    try:
        records = memory.get_all(user_id="locomo-0", limit=None)
    finally:
        memory.close()
    assert (stats.turns, stats.memories, stats.duplicates) == (14, 14, 0)
    when = {t.dia_id: s.when for s in conv.sessions for t in s.turns}
    assert sorted(r.source.message_ids[0] for r in records) == sorted(when)
    for r in records:
        assert r.source.message_ids == [r.source.message_ids[0]]
        assert r.created_at == when[r.source.message_ids[0]]


def test_a_run_measures_the_recall_of_the_tiny_file(tiny_locomo: Path, tmp_path: Path) -> None:
    out = tmp_path / "results" / "locomo.json"
    argv = ["--data", str(tiny_locomo), "--systems", "similarity", "--out", str(out)]
    assert locomo.main(argv) == 0

    report = json.loads(out.read_text(encoding="utf-8"))
    (system,) = report["systems"]
    assert system["name"] == "similarity"
    assert system["questions"] == 2
    recall = system["recall"]
    # Question 1: 1 of 1 at every k. Question 2: D1:1 in the top 5, D2:3 only in the top 25.
    assert recall["all"] == {"n": 2, "recall": {"5": 75.0, "10": 75.0, "25": 100.0}}
    assert recall["4 single-hop"] == {"n": 1, "recall": {"5": 100.0, "10": 100.0, "25": 100.0}}
    assert recall["1 multi-hop"] == {"n": 1, "recall": {"5": 50.0, "10": 50.0, "25": 100.0}}
    assert report["questions"] == 2
    assert report["data"]["evidence"]["excluded"] == 3
    assert report["ingestion"]["turns"] == 14
    assert report["ingestion"]["memories"] == 14
    assert report["ceiling"]["all"] == {"n": 2, "visible": 100.0}
    assert system["tokens_top10_mean"] is None or system["tokens_top10_mean"] > 50
    assert system["latency_ms"]["p95"] >= system["latency_ms"]["p50"] > 0

    markdown = out.with_suffix(".md").read_text(encoding="utf-8")
    assert "python -m benchmarks.locomo --data" in markdown
    assert "| similarity | 2 | 75.0 | 75.0 | 100.0 |" in markdown
    assert "| *DRAGON, LOCOMO paper (dialog turns)* | - | 56.7 | 66.2 | 76.7 |" in markdown


@pytest.mark.skipif(
    not CoreSupport.detect().ablation, reason="the core has no ranking config or reinforce="
)
def test_the_ablation_runs_every_system_on_the_tiny_file(tiny_locomo: Path, tmp_path: Path) -> None:
    out = tmp_path / "locomo.json"
    assert locomo.main(["--data", str(tiny_locomo), "--out", str(out)]) == 0

    report = json.loads(out.read_text(encoding="utf-8"))
    every = {s["name"]: s for s in report["systems"]}
    # the default run adds the baselines (tests/unit/test_locomo_baselines.py) after these
    assert list(every) == [
        "similarity",
        "+keyword-turn-only",
        "+keyword",
        "+recency",
        "+reinforcement",
        "default",
        *locomo_baselines.BASELINES,
    ]
    systems = {name: s for name, s in every.items() if name in locomo.SYSTEMS}
    assert [s["reinforce"] for s in systems.values()] == [False, False, False, False, True, True]
    # the shared store, one ingested without keyword context, and one for "default"
    assert report["ingestion"]["stores"] == 3
    for system in systems.values():
        assert system["questions"] == 2
        assert system["recall"]["all"]["recall"]["25"] == 100.0  # all 14 turns returned
    assert systems["similarity"]["recall"]["all"]["recall"] == {"5": 75.0, "10": 75.0, "25": 100.0}


def test_systems_share_an_ingestion_only_when_it_is_the_same() -> None:
    sim, turn_only, kw, rec, reinf, default = locomo.SYSTEMS.values()
    groups = locomo.ingestion_groups([sim, turn_only, kw, rec, reinf, default])
    assert [[s.name for s in g] for g in groups] == [
        ["similarity", "+keyword", "+recency", "+reinforcement"],
        ["+keyword-turn-only"],
        ["default"],
    ]
    assert groups[1][0].ingestion_config() == {"extraction": {"context_messages": 0}}
    assert groups[0][0].ingestion_config() is None
    assert locomo.ingestion_groups([turn_only]) == [[turn_only]]
