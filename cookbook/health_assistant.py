"""A health assistant that tracks allergies and medications and never lets them fade.

Run: python cookbook/health_assistant.py   (offline; leaves nothing behind)

The intake form is stored as structured facts (``remember({...}, category="health")``,
one keyed memory per key); an allergy mentioned in chat is extracted offline. When the
doctor changes the blood-pressure drug, the new value supersedes the old one under the
same key, and ``history()`` shows the change. Then two years pass without a word (an
injected clock, nothing sleeps): ``consolidate()`` archives the passing mood note, whose
decay class has a half-life of days, while the health facts stay: the ``health`` half-life
in ``DecayConfig`` is ``None``, never decays.
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


PATIENT = "maria"


def assistant_model(prompt: str) -> str:
    """A deterministic stand-in for the chat model: answers from the memories it was given."""
    if "penicillin" in prompt:
        return "Please don't: amoxicillin is a penicillin, and you are allergic to penicillin."
    return "Amoxicillin is usually fine; ask your pharmacist."


clock = Clock(datetime(2024, 3, 4, 9, 0, tzinfo=UTC))
with tempfile.TemporaryDirectory() as folder, Memory(path=folder, clock=clock) as memory:
    form = {"allergies": ["penicillin"], "blood_pressure_medication": "lisinopril 10 mg daily"}
    intake = memory.remember(form, user_id=PATIENT, category="health")
    old_drug = intake.ids[1]  # one memory per key, in the form's order
    memory.add("I'm allergic to shellfish as well.", user_id=PATIENT)
    mood = memory.add("Feeling anxious about the new job today", user_id=PATIENT, infer=False)
    for hit in memory.search("allergies, medication, mood", user_id=PATIENT, explain=True):
        assert hit.explanation is not None  # decay class and half-life (DecayConfig.half_lives)
        days = hit.explanation.half_life_days
        fades = "never decays" if days is None else f"half-life {days:g} days"
        print(f"Remembered: {hit.memory!r}  [{hit.explanation.decay_class}: {fades}]")

    clock.now += timedelta(days=40)  # the doctor switches the drug
    change = {"blood_pressure_medication": "losartan 50 mg daily"}
    memory.remember(change, user_id=PATIENT, category="health")
    print(f"\n{clock.now:%Y-%m-%d} the doctor changed the drug. History of the old memory:")
    history = memory.history(old_drug, user_id=PATIENT)
    for entry in history:
        print(f"  {entry.created_at:%Y-%m-%d} {entry.event.value}: {entry.old_memory}")
        print(f"    -> {entry.new_memory}")
    old = memory.get(old_drug, user_id=PATIENT)
    print(f"  The old memory is now {old.status.value}, true until {old.valid_until:%Y-%m-%d}.")

    clock.now += timedelta(days=730)  # two years without a word
    report = memory.consolidate(user_id=PATIENT)
    print(f"\n{clock.now:%Y-%m-%d}, two years later, consolidate() archived {len(report.archived)}")
    for record in memory.get_all(user_id=PATIENT, include_inactive=True):
        print(f"  {record.status.value:<10} {record.text}")

    question = "Can I take amoxicillin for my sore throat?"
    hits = memory.search(question, user_id=PATIENT, explain=True)
    prompt = render_memories(hits)
    print(f"\nMaria: {question}\nThe model was given:\n{prompt}")
    print(f"Assistant: {assistant_model(prompt)}")
    if hits and hits[0].explanation is not None:
        print(f"Why {hits[0].memory!r} came first: {hits[0].explanation}")
    active = [r.text for r in memory.get_all(user_id=PATIENT)]

if not any("penicillin" in t for t in active) or "penicillin" not in prompt:
    raise SystemExit("FAILED: the penicillin allergy did not survive two years of disuse.")
if not any("shellfish" in t for t in active):
    raise SystemExit("FAILED: the shellfish allergy extracted from chat was lost.")
changed = [e for e in history if e.event.value == "UPDATE" and "losartan" in str(e.new_memory)]
if not changed or old.status.value != "superseded":
    raise SystemExit("FAILED: the history of the old drug does not show the change.")
if not any("losartan" in t for t in active) or any("lisinopril" in t for t in active):
    raise SystemExit("FAILED: the medication change did not supersede the old drug.")
if mood.ids[0] not in report.archived or any("anxious" in t for t in active):
    raise SystemExit("FAILED: the two-year-old mood note did not decay away.")
print("\nOK: allergies and the current medication kept; the old drug superseded; mood faded.")
