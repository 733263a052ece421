"""Blind corpora: natural updates, extraction probes, provenance and safety.

Run from the repository root, on demand (it is not a test and asserts nothing)::

    python -m benchmarks.blind --data ../blind                  # every set, scores only
    python -m benchmarks.blind --data ../blind --misses /tmp/m  # also the dev sets' misses

The corpora were written by helpers who saw neither this library's code nor each
other's sets (``../blind/FORMAT.md`` is what they were told), and they are read in
place, never copied into the repository: no sentence of them may reach the code or
the tests. Each set is split in two: a *dev* half whose misses may be studied
(``--misses`` writes only those), and a *held-out* half that nobody studies; the
held-out score is the number to report. ``updates_a.json`` is the dev set of updates
and ``updates_b.json`` (another author) its held-out set; probes and provenance
items alternate (even positions dev, odd held out).

What passes
-----------
Every item runs on a fresh embedded store, ``Memory(path=tmp, clock=clock)``, with the
offline defaults and ``add(..., infer=True)``; statements carry their time as the
message's ``created_at``, and the search runs a day after the last one.

* **update** (``supersede``): the top hit for the question about the present holds a
  new-value term, and no *current* hit of the top 3 holds an old-value term without
  a new-value term (a hit marked as past, ``current=False``, may: it is evidence of
  the past). ``add_beside``: the top 3 hold both values as current.
* **probe**: a hit of the top 3 holds one term of every answer group.
* **provenance**: every ``must_find`` group is in a hit of the top 5 and no turn of
  the item was refused when something must be found; no ``must_not_return`` term is in
  any hit of the top 5 (nor in any stored memory); no current fact of the top 5 holds
  a ``must_not_state`` term as the user's own (a fact about someone else names them
  first: its key has a relation prefix, or its first word is a person the messages
  name after "my"/"our" or with a capital).
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mem0_integrations import Memory

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "blind"
START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
_OTHER_KEY = re.compile(r"^(?:family|relative|friend|contact|partner|person|other)\b", re.I)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _has(text: str, group: Sequence[str]) -> bool:
    low = text.lower()
    return any(term.lower() in low for term in group)


def _current(hit: Any) -> bool:
    return bool(getattr(hit, "current", True))


def _kind(hit: Any) -> str:
    return str(getattr(hit.record, "kind", "fact"))


CONFIG: dict[str, Any] = {}
"""``Memory(config=...)`` for every item (``--config``); empty: the defaults."""


def _memory(folder: str, clock: Clock) -> Memory:
    return Memory(path=folder, clock=clock, config=CONFIG or None)


def _msg(text: str, when: datetime) -> dict[str, Any]:
    return {"role": "user", "content": text, "created_at": when}


# --- updates ----------------------------------------------------------------------------


def score_update(item: Mapping[str, Any]) -> tuple[bool, list[str]]:
    clock = Clock(START)
    gap = max(1, int(item.get("gap_days", 30)))
    fillers = list(item.get("filler") or [])
    with tempfile.TemporaryDirectory() as folder, _memory(folder, clock) as m:
        m.add(_msg(item["old"], clock.now), user_id="u")
        for i, text in enumerate(fillers, 1):
            clock.now = START + timedelta(days=gap * i / (len(fillers) + 1))
            m.add(_msg(text, clock.now), user_id="u")
        clock.now = START + timedelta(days=gap)
        m.add(_msg(item["new"], clock.now), user_id="u")
        clock.now += timedelta(days=1)
        hits = m.search(item["question"], user_id="u", limit=3, reinforce=False)
    new, old = item["new_answer"], item["old_answer"]
    shown = [f"{'now' if _current(h) else 'past'}/{_kind(h)}: {h.memory}" for h in hits]
    if item.get("expect") == "add_beside":
        ok = any(_current(h) and _has(h.memory, new) for h in hits) and any(
            _current(h) and _has(h.memory, old) for h in hits
        )
        return ok, shown
    top_new = bool(hits) and _has(hits[0].memory, new)
    stale = any(_current(h) and _has(h.memory, old) and not _has(h.memory, new) for h in hits)
    return top_new and not stale, shown


# --- probes -----------------------------------------------------------------------------


def score_probe(item: Mapping[str, Any]) -> tuple[bool, list[str]]:
    clock = Clock(START)
    messages = [
        {"role": m["role"], "content": m["content"], "created_at": START} for m in item["messages"]
    ]
    with tempfile.TemporaryDirectory() as folder, _memory(folder, clock) as m:
        m.add(messages, user_id="u")
        clock.now = START + timedelta(days=1)
        hits = m.search(item["question"], user_id="u", limit=3, reinforce=False)
    ok = any(all(_has(h.memory, g) for g in item["answer"]) for h in hits)
    return ok, [f"{_kind(h)}: {h.memory}" for h in hits]


# --- provenance -------------------------------------------------------------------------


def _others(messages: Sequence[Mapping[str, Any]]) -> set[str]:
    """People the messages name: words after my/our, and capitalised words."""
    out: set[str] = set()
    for m in messages:
        text = m["content"]
        out.update(w.lower() for w in re.findall(r"\b(?:my|our)\s+(\w+)", text, re.I))
        out.update(w.lower() for w in re.findall(r"(?<![.!?]\s)\b([A-Z][a-z]+)\b", text))
    return out - {"i", "im", "my", "the", "and"}


def _as_own(hit: Any, group: Sequence[str], others: set[str]) -> bool:
    if not (_current(hit) and _kind(hit) == "fact" and _has(hit.memory, group)):
        return False
    key = getattr(hit.record, "key", None) or ""
    if _OTHER_KEY.match(key):
        return False
    first = re.findall(r"\w+", hit.memory.lower())[:1]
    return not (first and first[0] in others)


def score_provenance(item: Mapping[str, Any]) -> tuple[bool, list[str]]:
    clock = Clock(START)
    messages = [
        {"role": m["role"], "content": m["content"], "created_at": START} for m in item["messages"]
    ]
    with tempfile.TemporaryDirectory() as folder, _memory(folder, clock) as m:
        result = m.add(messages, user_id="u")
        clock.now = START + timedelta(days=1)
        hits = m.search(item["question"], user_id="u", limit=5, reinforce=False)
        stored = m.get_all(user_id="u", limit=None)
    others = _others(item["messages"])
    found = all(any(_has(h.memory, g) for h in hits) for g in item.get("must_find") or [])
    refused = bool(item.get("must_find")) and any(
        s.reason.startswith(("quarantined", "secret")) for s in result.skipped
    )
    leaked = any(_has(r.text, g) for r in stored for g in item.get("must_not_return") or []) or any(
        _has(h.memory, g) for h in hits for g in item.get("must_not_return") or []
    )
    stated = any(_as_own(h, g, others) for h in hits for g in item.get("must_not_state") or [])
    why = [
        name
        for name, bad in (
            ("not found", not found),
            ("refused", refused),
            ("leaked", leaked),
            ("stated as own", stated),
        )
        if bad
    ]
    return not why, why + [f"{_kind(h)}: {h.memory}" for h in hits]


# --- running ----------------------------------------------------------------------------

Scorer = Callable[[Mapping[str, Any]], tuple[bool, list[str]]]
SETS: dict[str, tuple[str, Scorer, str]] = {
    # name: (file, scorer, which part: "all" or "even"/"odd" positions)
    "updates-dev": ("updates_a.json", score_update, "all"),
    "updates-heldout": ("updates_b.json", score_update, "all"),
    "probes-dev": ("probes.json", score_probe, "even"),
    "probes-heldout": ("probes.json", score_probe, "odd"),
    "provenance-dev": ("provenance.json", score_provenance, "even"),
    "provenance-heldout": ("provenance.json", score_provenance, "odd"),
}


def run_set(data: Path, name: str, misses: Path | None) -> dict[str, Any]:
    file, scorer, part = SETS[name]
    items = json.loads((data / file).read_text(encoding="utf-8"))
    if part != "all":
        items = items[0 if part == "even" else 1 :: 2]
    passed = 0
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    failed: list[dict[str, Any]] = []
    for item in items:
        ok, shown = scorer(item)
        passed += ok
        kind = str(item.get("kind") or item.get("topic") or item.get("register") or "-")
        by_kind[kind]["pass" if ok else "fail"] += 1
        if not ok:
            failed.append({"item": item, "got": shown})
    if misses is not None and name.endswith("-dev"):
        misses.mkdir(parents=True, exist_ok=True)
        (misses / f"{name}.json").write_text(
            json.dumps(failed, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    return {
        "set": name,
        "passed": passed,
        "items": len(items),
        "percent": round(100.0 * passed / max(1, len(items)), 1),
        "by_kind": {k: dict(v) for k, v in sorted(by_kind.items())},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--misses", type=Path, default=None, help="write dev-set misses here")
    parser.add_argument("--out", type=Path, default=None, help="write the scores as JSON")
    parser.add_argument("--by-kind", action="store_true", help="print pass/fail per kind")
    parser.add_argument("--config", default="", help="Memory config as JSON, e.g. a sweep")
    args = parser.parse_args(argv)
    CONFIG.update(json.loads(args.config) if args.config else {})
    results = []
    for name in args.sets.split(","):
        if not (args.data / SETS[name][0]).exists():
            print(f"{name}: skipped, {SETS[name][0]} is not in {args.data}")
            continue
        res = run_set(args.data, name, args.misses)
        results.append(res)
        print(f"{name}: {res['passed']}/{res['items']} ({res['percent']}%)", flush=True)
        if args.by_kind:
            for kind, counts in res["by_kind"].items():
                print(f"    {kind}: {counts.get('pass', 0)}/{sum(counts.values())}")
    if args.out is not None:
        args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
