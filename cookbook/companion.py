"""A virtual companion that recalls a pet's illness months later.

Run: python cookbook/companion.py   (offline; leaves nothing behind)

In April Lena tells her companion about her dog Max and that he has kidney disease; over
the summer she talks about other things. Five months later (an injected clock moves time
on; nothing sleeps) the companion starts a new chat by searching its memory for
"How is Max doing?": the illness comes back, with the day Lena said it and why it ranked
(``explain=True``), and the companion asks about Max. Each chat is passed to ``add()``
whole: the offline extractor keeps what the user said ("My dog Max has kidney disease."
becomes "Dog Max has kidney disease", a pets fact that fades over years, not months) and
ignores the companion's own lines.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta

from mem0_integrations import Memory, render_memories


class Clock:
    """Simulated time: Memory asks it what time it is; the script moves it on."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


USER = "lena"
# (days after the first chat, what Lena said); the companion answers each line
CHATS = [
    (0, ["I have a dog named Max, a twelve-year-old beagle.",
         "My dog Max has kidney disease."]),
    (20, ["I started a pottery class."]),
    (60, ["My sister Anna moved to Rome.", "I love hiking in the mountains."]),
    (95, ["We adopted a kitten named Luna."]),
]  # fmt: skip


def conversation(lines: list[str]) -> list[dict[str, str]]:
    """A chat: each of Lena's lines, then the companion's answer (not a fact about Lena)."""
    chat = []
    for text in lines:
        chat.append({"role": "user", "content": text})
        chat.append({"role": "assistant", "content": "Oh! Tell me more."})
    return chat


def companion_model(prompt: str) -> str:
    """A deterministic stand-in for the chat model: opens with what its memories say."""
    for line in prompt.splitlines():
        if "kidney disease" in line:
            said = line.rsplit("(stated ", 1)[1].rstrip(")")
            return f"Hi Lena! On {said} you told me Max has kidney disease. How is he doing?"
    return "Hi Lena! What's new?"


clock = Clock(datetime(2026, 4, 12, 19, 0, tzinfo=UTC))
start = clock.now
with tempfile.TemporaryDirectory() as folder, Memory(path=folder, clock=clock) as memory:
    for day, lines in CHATS:
        clock.now = start + timedelta(days=day)
        for event in memory.add(conversation(lines), user_id=USER).events:
            print(f"{clock.now:%Y-%m-%d} remembered: {event.memory!r}")

    clock.now = start + timedelta(days=153)  # five months after Lena mentioned Max
    query = "How is Max doing?"
    hits = memory.search(query, user_id=USER, limit=3, explain=True)
    prompt = render_memories(hits)
    print(f"\n{clock.now:%Y-%m-%d}, a new chat. The companion searched {query!r}; it was given:")
    print(prompt)
    print(f"Companion: {companion_model(prompt)}\n")
    for hit in hits:
        print(f"  score {hit.score:.3f}  {hit.memory!r}, stated {hit.record.said_at:%Y-%m-%d}")
    illness = [h for h in hits if "kidney disease" in h.memory]
    for hit in illness:
        why = hit.explanation
        assert why is not None
        print(f"Why the illness ranked: {why}\n  matched terms {why.matched_terms}, said ", end="")
        print(f"{why.age_days:.0f} days ago; it fades with class {why.decay_class!r} ", end="")
        print(f"(half-life {why.half_life_days:g} days): retention {why.retention:.2f}")

if not illness or illness[0].record.said_at != start:
    raise SystemExit("FAILED: five months later, Max's illness was not recalled.")
if "kidney disease" not in companion_model(prompt):
    raise SystemExit("FAILED: the companion's prompt did not carry Max's illness.")
print("\nOK: five months later the companion recalled Max's kidney disease and when it was said.")
