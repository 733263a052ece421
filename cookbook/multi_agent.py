"""Several agents share one user's memory: a doctor, a nutritionist and a coach.

Run: python cookbook/multi_agent.py   (offline; leaves nothing behind)

Each agent writes what the user tells it under (user_id, agent_id). A read names the
scope it wants: ``user_id`` alone sees every agent's memories of that user (the whole
care team's view); ``user_id`` + ``agent_id`` sees only that agent's own notes. The
coach plans a workout twice, once from each view: only the team view knows about the
knee the user mentioned to the doctor.
"""

from __future__ import annotations

import tempfile

from mem0_integrations import Memory, MemoryHit, render_memories

TOLD = {
    "doctor": ["I have type 2 diabetes.", "My knee hurts when I run."],
    "nutritionist": ["I'm vegetarian.", "I am allergic to peanuts."],
    "coach": ["I want to lose 5 kg before summer.", "I run 5 km three times a week."],
}


def fake_coach_model(prompt: str) -> str:
    """A deterministic stand-in for a chat model: plans from what its prompt says."""
    if "knee" in prompt.lower():
        return "Swap two runs for swimming: low impact on the knee."
    return "Add a fourth run with intervals."


def show(title: str, records: list[str]) -> None:
    print(f"{title}:")
    for line in records:
        print(f"  - {line}")


def plan(hits: list[MemoryHit]) -> str:
    return fake_coach_model(f"You are a running coach. Plan sam's week.\n{render_memories(hits)}")


with tempfile.TemporaryDirectory() as folder, Memory(path=folder) as memory:
    for agent, messages in TOLD.items():
        for text in messages:  # each agent saves its own conversation with sam
            result = memory.add(text, user_id="sam", agent_id=agent)
            print(f"{agent:>12} heard {text!r} -> {[e.memory for e in result.events]}")
    print()

    # Agent-level reads: (user_id, agent_id) sees only what that agent stored.
    own = {a: memory.get_all(user_id="sam", agent_id=a) for a in TOLD}
    for agent, records in own.items():
        show(f"Agent-level read, agent_id={agent!r}", [r.text for r in records])

    # A user-level read: user_id alone sees every agent's memories of sam.
    team = memory.get_all(user_id="sam")
    show("\nUser-level read, user_id='sam'", [f"{r.text}  [{r.scope.agent_id}]" for r in team])

    query = "Plan sam's running this week"
    private = plan(memory.search(query, user_id="sam", agent_id="coach"))
    shared = plan(memory.search(query, user_id="sam"))
    print(f"\nCoach, from its own notes only: {private}")
    print(f"Coach, from the team's view:    {shared}")
    print("\nWhy: every add named (user_id='sam', agent_id=<agent>); a read with both ids")
    print("matches only that agent's memories, a read with user_id alone matches all of sam's.")

only_own = all(records and {r.scope.agent_id for r in records} == {a} for a, records in own.items())
checks = {
    "each agent-level read holds only that agent's memories": only_own,
    "the user-level read holds all of them": {r.scope.agent_id for r in team} == set(TOLD)
    and len(team) == sum(len(records) for records in own.values()),
    "the coach's own notes do not mention the knee": "knee" not in private,
    "the team view told the coach about the knee": "knee" in shared,
}
for check, ok in checks.items():
    print(f"{'ok' if ok else 'FAILED'}: {check}")
if not all(checks.values()):
    raise SystemExit("FAILED: the agent-level and user-level reads did not scope as expected.")
print("\nOK: each agent keeps its own notes, and the user-level read sees them all.")
