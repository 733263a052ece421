"""False positives of the poisoning screen on every LOCOMO turn.

LOCOMO's turns are two people chatting: nothing in them is an attack on an assistant, so
every turn the screen refuses (a secret) or quarantines (an instruction, a link to follow)
is a false positive, and a fact ``Memory.add(infer=True)`` would lose. Target: 0.

Run from the repository root (fast: the screen only, no store, no embedder)::

    .venv/bin/python -m benchmarks.safety_false_positives
    .venv/bin/python -m benchmarks.safety_false_positives --examples 50 --caption

Data: ``../shared/bench/locomo10.json`` (``--data``), parsed by :func:`benchmarks.locomo.load`,
read in place and never copied. Each turn's text is screened as one user message, the way
``add(infer=True)`` screens it: :func:`~mem0_integrations.core.extract.safety.refusal_reason`
on the whole message (the check before sentence-by-sentence screening), and
:func:`~mem0_integrations.core.extract.safety.screen_message` sentence by sentence (what is held
or refused now: only the injected sentences are kept aside). It also lists the sentences read
as wishes about the assistant's answers (:func:`~mem0_integrations.core.extract.wishes.wishes`):
people talking to each other ask none, so each would be a wrong preference fact.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mem0_integrations.core.extract import safety
from mem0_integrations.core.extract.wishes import wishes

from .locomo import DEFAULT_DATA, load

__all__ = ["Caught", "main", "screen_turns"]


@dataclass(frozen=True)
class Caught:
    """A turn the screen refused or quarantined."""

    dia_id: str
    conversation: int
    text: str
    reason: str


def _message_reason(text: str) -> str | None:
    """Why ``add(infer=True)`` would hold or refuse the whole message, or None."""
    return safety.refusal_reason(text)


def _sentence_reason(text: str) -> str | None:
    """Why a sentence of ``text`` would be held or refused, or None."""
    screen = getattr(safety, "screen_message", None)
    if screen is None:  # an older screen: the whole message only
        return _message_reason(text)
    verdict = screen(text)
    held = [f"{s!r}: {r}" for s, r in (*verdict.refused, *verdict.held)]
    return "; ".join(held) or None


def screen_turns(
    path: Path, *, caption: bool
) -> tuple[int, list[Caught], list[Caught], list[Caught]]:
    """Every turn of ``path`` screened: (turns, caught as a message, caught by sentence,
    sentences read as wishes)."""
    whole: list[Caught] = []
    parts: list[Caught] = []
    wished: list[Caught] = []
    turns = 0
    for conv in load(path):
        for session in conv.sessions:
            for turn in session.turns:
                turns += 1
                text = turn.said if caption else turn.text
                if reason := _message_reason(text):
                    whole.append(Caught(turn.dia_id, conv.index, text, reason))
                if reason := _sentence_reason(text):
                    parts.append(Caught(turn.dia_id, conv.index, text, reason))
                wished += [
                    Caught(turn.dia_id, conv.index, s, "; ".join(w.fact for w in found))
                    for s in safety.sentences(text)
                    if (found := wishes(s))
                ]
    return turns, whole, parts, wished


def _show(title: str, caught: Sequence[Caught], turns: int, examples: int) -> None:
    print(f"{title}: {len(caught)} of {turns} turns refused or quarantined (target 0)")
    for c in caught[:examples]:
        print(f"  [{c.conversation}/{c.dia_id}] {c.text!r}\n      -> {c.reason}")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="locomo10.json")
    ap.add_argument("--examples", type=int, default=20, help="examples to print per count")
    ap.add_argument(
        "--caption", action="store_true", help="screen the photo captions with the turns"
    )
    args = ap.parse_args(argv)
    start = time.perf_counter()
    turns, whole, parts, wished = screen_turns(args.data, caption=args.caption)
    took = time.perf_counter() - start
    _show("whole message (refusal_reason)", whole, turns, args.examples)
    _show("sentence by sentence (screen_message)", parts, turns, args.examples)
    print(f"sentences read as wishes (preferences about answers): {len(wished)} (target 0)")
    for c in wished[: args.examples]:
        print(f"  [{c.conversation}/{c.dia_id}] {c.text!r} -> {c.reason}")
    print(f"screened {turns} turns in {took:.1f} s")
    return 0 if not whole and not parts and not wished else 1


if __name__ == "__main__":
    raise SystemExit(main())
