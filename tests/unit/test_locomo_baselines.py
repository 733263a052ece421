"""The LOCOMO baselines (benchmarks/locomo_baselines.py) on a tiny LOCOMO-shaped file."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks import locomo
from benchmarks import locomo_baselines as baselines
from benchmarks.locomo import CachedEmbedder, Question
from mem0_integrations import EmbedderConfig
from mem0_integrations.core.embedders import embedder_from_config

from .test_locomo_harness import SESSION_1, SESSION_2, _turns

OBSERVATION = {
    "session_2_observation": {
        "Alice": [["Alice takes a pottery class on Tuesdays.", "D2:1"]],
        "Bob": [["Bob's dog Rex and Alice's kitten became friends.", ["D2:7", "D2:8"]]],
    },
    "session_1_observation": {
        "Alice": [["Alice adopted a kitten named Whiskers.", "D1:1"]],
        "Bob": [
            ["Bob has a dog named Rex who chases cats.", "D1:2, D1:4"],
            ["Bob walks Rex in the park every morning.", "D1:04"],
        ],
    },
}


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
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
            },
            "qa": [
                {
                    "question": "What is the name of Alice's kitten?",
                    "answer": "Whiskers",
                    "evidence": ["D1:1"],
                    "category": 4,
                },
                {
                    "question": "Which pets do Alice and Bob have?",
                    "answer": "a kitten and a dog",
                    "evidence": ["D1:1; D2:3"],
                    "category": 1,
                },
            ],
            "observation": OBSERVATION,
        }
    ]
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_observation_facts_parse_every_evidence_shape_in_session_order() -> None:
    facts = baselines.observation_facts(OBSERVATION)
    assert [(n, who, ids) for n, who, _, ids in facts] == [
        (1, "Alice", ["D1:1"]),
        (1, "Bob", ["D1:2", "D1:4"]),
        (1, "Bob", ["D1:4"]),
        (2, "Alice", ["D2:1"]),
        (2, "Bob", ["D2:7", "D2:8"]),
    ]
    assert facts[0][2] == "Alice adopted a kitten named Whiskers."


def test_sample_takes_every_nth_question_and_turn_ids_split_joined_sources() -> None:
    questions = [Question(i, f"q{i}", 4, ("D1:1",)) for i in range(10)]
    assert [q.index for q in baselines.sample(questions, 4)] == [0, 3, 6, 9]
    assert baselines.sample(questions, None) == questions
    assert baselines.sample(questions, 10) == questions
    assert baselines.turn_ids(["D1:2;D1:4", "D2:05", "note"]) == ["D1:2", "D1:4", "D2:5"]


def test_full_context_recalls_everything_and_counts_the_whole_conversation(tiny: Path) -> None:
    (conv,) = locomo.load(tiny)
    outcome = baselines.Outcome("full-context")
    rows = baselines.full_context(conv, lambda text: len(text.split("\n")), outcome)
    assert [r.recall for r in rows] == [{5: 1.0, 10: 1.0, 25: 1.0}] * 2
    assert [r.tokens for r in rows] == [14, 14]  # one "token" per turn line here
    assert outcome.conversation_tokens == {0: 14}


@pytest.fixture(scope="module")
def model() -> Any:
    return embedder_from_config(EmbedderConfig())


def test_rag_and_ours_infer_return_turn_sources(tiny: Path, tmp_path: Path, model: Any) -> None:
    (conv,) = locomo.load(tiny)
    known = {t.dia_id for s in conv.sessions for t in s.turns}
    rag = baselines.Outcome("rag")
    rows = baselines.measure(conv, baselines.rag(conv, tmp_path / "rag", model, rag), None)
    assert rag.memories == 14
    assert rows[0].recall[5] == 1.0  # the kitten's name, D1:1
    assert [r.recall[25] for r in rows] == [1.0, 1.0]  # all 14 turns returned

    infer = baselines.Outcome("ours-infer")
    searcher = baselines.ours_infer(conv, tmp_path / "infer", model, infer)
    hits = searcher.search("What is the name of Alice's kitten?")
    searcher.close()
    assert 0 < infer.memories < 14
    assert hits
    assert all(ids and set(ids) <= known for _, ids in hits)


def test_observations_keep_their_evidence_as_sources(
    tiny: Path, tmp_path: Path, model: Any
) -> None:
    (conv,) = locomo.load(tiny)
    outcome = baselines.Outcome("observations")
    facts = baselines.observation_facts(OBSERVATION)
    searcher = baselines.observations(conv, facts, tmp_path / "obs", model, outcome)
    hits = searcher.search("Who has a dog named Rex?")
    searcher.close()
    assert outcome.memories == 5
    by_text = dict(hits)
    assert by_text["Bob has a dog named Rex who chases cats."] == ["D1:2", "D1:4"]
    assert by_text["Bob's dog Rex and Alice's kitten became friends."] == ["D2:7", "D2:8"]


def test_a_failing_mem0_is_reported_not_measured(
    tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any) -> baselines.Searcher:
        raise ImportError("No module named 'posthog'")

    monkeypatch.setattr(baselines, "mem0_oss", broken)
    (conv,) = locomo.load(tiny)
    (outcome,) = baselines.run_baselines([conv], ["mem0-oss"], tiny, None)
    assert outcome.error == "conversation 0: ImportError: No module named 'posthog'"
    summary = baselines.summarize(outcome)
    assert summary["questions"] == 0
    assert summary["recall"] == {}
    assert "mem0-oss FAILED: conversation 0: ImportError" in baselines.notes([summary])[-1]


@pytest.mark.skipif(importlib.util.find_spec("mem0") is None, reason="mem0ai not installed")
def test_mem0_oss_maps_its_memories_back_to_turns(tiny: Path, tmp_path: Path, model: Any) -> None:
    (conv,) = locomo.load(tiny)
    outcome = baselines.Outcome("mem0-oss")
    cache = CachedEmbedder(model)
    searcher = baselines.mem0_oss(conv, tmp_path / "mem0", cache, model, outcome)
    rows = baselines.measure(conv, searcher, None)
    assert outcome.memories == 14
    assert rows[0].recall[5] == 1.0


def test_the_cli_runs_the_baselines_and_prints_the_anchors(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    argv = ["--data", str(tiny), "--systems", "rag,full-context,observations", "--out", str(out)]
    assert locomo.main(argv) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    systems = {s["name"]: s for s in report["systems"]}
    assert list(systems) == ["observations", "rag", "full-context"]
    assert systems["full-context"]["recall"]["all"]["recall"] == {
        "5": 100.0,
        "10": 100.0,
        "25": 100.0,
    }
    assert systems["rag"]["questions"] == 2
    assert systems["rag"]["recall"]["all"]["recall"]["25"] == 100.0
    assert report["ingestion"]["stores"] == 0  # no ablation system ran
    md = out.with_suffix(".md").read_text(encoding="utf-8")
    assert "| *DRAGON, LOCOMO paper (observations)* | - | 56.2 | 61.3 | 67.5 |" in md
    assert "~26,000" in md
    assert "- full-context: every turn" in md
    with pytest.raises(SystemExit):
        locomo.main(["--data", str(tiny), "--systems", "rag,nope", "--out", str(out)])
