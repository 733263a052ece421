"""A learning assistant that remembers an upcoming exam and the topics a student gets wrong.

Run: python cookbook/learning_assistant.py   (offline; leaves nothing behind)

Monday the student mentions an exam "next Friday": the offline extractor stores it with
the date resolved (``event_start``). Over three quiz sessions the tutor writes down each
topic the student misses, verbatim (``infer=False``); missing the same topic again
repeats a stored memory, so the tutor confirms it with ``feedback("positive")``, which
raises its importance. On Thursday the student asks "What should I review?": the
mistakes come back ranked, the most-missed topic first, with the explanation of its score.
An injected clock moves the days on; nothing sleeps.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta

from mem0_integrations import EventType, Memory, render_memories


class Clock:
    """Simulated time: Memory asks it what time it is; the script moves it on."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


STUDENT = "sam"
# Quiz sessions on Monday, Tuesday and Wednesday: the topics of the questions Sam missed.
MISSED = [
    ["Krebs cycle", "meiosis"],
    ["Krebs cycle", "photosynthesis"],
    ["Krebs cycle", "meiosis"],
]


def tutor_model(prompt: str) -> str:
    """A deterministic stand-in for the chat model: plans from the memories it was given."""
    lines = prompt.splitlines()
    exams = [line.split(" (stated")[0][2:] for line in lines if " exam on " in line]
    topics = [line[8:].split(" question")[0] for line in lines if line.startswith("- Got a ")]
    return f"{'; '.join(exams) or 'No exam noted'}. Review in this order: {', '.join(topics)}."


clock = Clock(datetime(2026, 3, 2, 17, 0, tzinfo=UTC))  # Monday, 2 March 2026
with tempfile.TemporaryDirectory() as folder, Memory(path=folder, clock=clock) as memory:
    said = "My biology exam is next Friday."
    exam = next((e.record for e in memory.add(said, user_id=STUDENT).events if e.record), None)
    if exam is None:
        raise SystemExit(f"FAILED: nothing was remembered from {said!r}.")
    print(f"Monday, Sam: {said!r}")
    print(f"  remembered: {exam.text!r}  event_start={exam.event_start}  [{exam.category}]")

    for day, topics in zip(["Monday", "Tuesday", "Wednesday"], MISSED, strict=True):
        print(f"{day} quiz: missed {', '.join(topics)}")
        for topic in topics:
            note = f"Got a {topic} question wrong"
            event = memory.add(note, user_id=STUDENT, infer=False, metadata={"kind": "mistake"})
            first = event.events[0]
            if first.event is EventType.NONE:  # the same slip again: it matters more
                confirmed = memory.feedback(first.id, "positive", user_id=STUDENT)
                assert confirmed.record is not None
                print(f"  again: {note!r} importance now {confirmed.record.importance:.2f}")
        clock.now += timedelta(days=1)

    question = "What should I review?"
    print(f"\nThursday, Sam: {question!r}")
    upcoming = memory.search("exam", user_id=STUDENT, since=clock.now, filters={"category": "plan"})
    weak = memory.search(question, user_id=STUDENT, filters={"kind": "mistake"}, explain=True)
    prompt = render_memories(upcoming + weak)
    print(f"The model was given:\n{prompt}")
    print(f"Tutor: {tutor_model(prompt)}")
    for rank, hit in enumerate(weak, 1):
        print(f"  {rank}. {hit.memory:<40} score {hit.score:.3f}")
    if not weak:
        raise SystemExit("FAILED: no mistakes came back for the review question.")
    top = weak[0]
    print(f"Why {top.memory!r} ranked first: {top.explanation}")
    print("(the question names no topic, so similarity is about 0 for every mistake: the")
    print(" importance that each repeated mistake raised decides the order)")

if not upcoming or upcoming[0].record.event_start != date(2026, 3, 6):
    raise SystemExit("FAILED: the exam next Friday (2026-03-06) was not remembered with its date.")
if [h.memory for h in weak][:1] != ["Got a Krebs cycle question wrong"]:
    raise SystemExit("FAILED: the topic missed three times did not come first.")
if {h.memory for h in weak} != {f"Got a {t} question wrong" for day in MISSED for t in day}:
    raise SystemExit("FAILED: the review list is not exactly the three weak topics.")
print("\nOK: the exam date was resolved and the most-missed topic ranks first.")
