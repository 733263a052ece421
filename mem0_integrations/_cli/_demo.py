"""``mem0i demo``: the offline demo of the README.

One process remembers a conversation in an embedded store and exits; a second,
separate process opens the same folder and recalls what was said, with scores
and history.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mem0_integrations import Memory

__all__ = ["register"]

DEMO_USER = "demo-alice"
DEMO_CONVERSATION = [
    {"role": "user", "content": "Hi! I'm Alice. I work as a nurse and I live in Lyon."},
    {"role": "assistant", "content": "Nice to meet you, Alice."},
    {
        "role": "user",
        "content": "I'm allergic to penicillin. I started running 5 km every morning.",
    },
    {"role": "user", "content": "My sister Anna lives in Rome. What should I cook tonight?"},
]
DEMO_QUESTIONS = [
    "Am I allergic to any medicine?",
    "How do I exercise?",
    "Where does my sister live?",
    "Which city is my home?",
]


def _remember(path: Path) -> None:
    from mem0_integrations import Memory

    # Closed before the second process starts: an embedded folder serves one process.
    with Memory(path=path) as memory:
        _tell(memory)


def _tell(memory: Memory) -> None:
    memory.delete_all(user_id=DEMO_USER)
    print(f"[process 1] store: {memory.location}")
    result = memory.add(DEMO_CONVERSATION, user_id=DEMO_USER)
    for event in result.events:
        print(f"[process 1] {event.event.value:<6} {event.memory}")
    moved = memory.add("I moved from Lyon to Paris last month.", user_id=DEMO_USER)
    for event in moved.events:
        extra = f"  (was: {event.previous_memory})" if event.previous_memory else ""
        print(f"[process 1] {event.event.value:<6} {event.memory}{extra}")
    again = memory.add("I'm allergic to penicillin.", user_id=DEMO_USER)
    print(f"[process 1] {again.events[0].event.value:<6} {again.events[0].memory} (duplicate)")


def _recall(path: Path) -> None:
    from mem0_integrations import Memory

    with Memory(path=path) as memory:
        _ask(memory)


def _ask(memory: Memory) -> None:
    print(f"[process 2] store: {memory.location}")
    for question in DEMO_QUESTIONS:
        print(f"[process 2] Q: {question}")
        for hit in memory.search(question, user_id=DEMO_USER, limit=2):
            print(f"[process 2]    {hit.score:.3f}  {hit.memory}")
    (home,) = memory.get_all(user_id=DEMO_USER, filters={"key": "location"})
    print(f"[process 2] history of {home.text!r}:")
    for entry in memory.history(home.id):
        print(f"[process 2]    {entry.event.value:<6} {entry.old_memory} -> {entry.new_memory}")


def _demo(args: argparse.Namespace) -> int:
    path = Path(args.path).resolve()
    if args.recall:
        _recall(path)
        return 0
    _remember(path)
    print("[process 1] exiting; starting a second process to recall ...")
    sys.stdout.flush()
    cmd = [sys.executable, "-m", "mem0_integrations", "demo", "--recall", "--path", str(path)]
    return subprocess.run(cmd, check=False).returncode


def register(sub: Any) -> None:
    """Add ``demo`` to the subcommands."""
    demo = sub.add_parser(
        "demo",
        help="offline demo: remember in one process, recall in another",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument(
        "--path", default="mem0_demo_memories", help="store folder (default: %(default)s)"
    )
    demo.add_argument("--recall", action="store_true", help="only the recall step")
    demo.set_defaults(func=_demo)
