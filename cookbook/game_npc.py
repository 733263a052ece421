"""A game NPC that remembers the player's choices across play sessions.

Run: python cookbook/game_npc.py   (offline; leaves nothing behind)

Each NPC is an agent scope (agent_id), each player a user scope (user_id). What an NPC
witnesses is stored under (player, NPC); at the next play session its greeting is built
from what it remembers about that player. NPCs that gossip share one agent scope; an NPC
outside it knows nothing of what the others saw. Choices come from the game engine, not
from chat, so they are stored as keyed facts (``Memory.remember``): a later choice with
the same key (the amulet returned) replaces the earlier one (the promise), history kept.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass

from mem0_integrations import AddResult, Memory, render_memories


def fake_npc_model(prompt: str) -> str:
    """A deterministic stand-in for a chat model: greets from what its prompt says."""
    lines = []
    if "stole" in prompt:
        lines.append("You! The ruby thief. Pay up or get out.")
    if "spared" in prompt:
        lines.append("You showed the bandit mercy; the road remembers.")
    if "promised to bring it back" in prompt:
        lines.append("Have you brought my amulet back?")
    if "returned it" in prompt:
        lines.append("Thank you for returning my amulet, friend.")
    return " ".join(lines) or "Welcome, stranger."


@dataclass(frozen=True)
class Npc:
    name: str
    agent_id: str  # NPCs with the same agent_id share what they witnessed


MIRA = Npc("Mira the shopkeeper", agent_id="market")
TOBIN = Npc("Tobin, Mira's brother", agent_id="market")  # gossips with Mira
HERMIT = Npc("the hermit", agent_id="hermit")


def witness(memory: Memory, npc: Npc, player: str, choice: dict[str, str]) -> AddResult:
    """The game engine records a choice the NPC saw (a keyed fact: a later one replaces it)."""
    return memory.remember(choice, user_id=player, agent_id=npc.agent_id, category="event")


def greet(memory: Memory, npc: Npc, player: str) -> tuple[str, str]:
    hits = memory.search(f"What did {player} do?", user_id=player, agent_id=npc.agent_id)
    prompt = f"You are {npc.name}. Greet the player.\n{render_memories(hits)}"
    return prompt, fake_npc_model(prompt)


with tempfile.TemporaryDirectory() as folder:
    with Memory(path=folder) as memory:  # play session 1
        witness(memory, HERMIT, "ayla", {"bandit Korr": "the player spared him"})
        witness(memory, HERMIT, "ayla", {"amulet": "the player promised to bring it back"})
        witness(memory, MIRA, "ayla", {"ruby": "the player stole one from the shop"})

    with Memory(path=folder) as memory:  # play session 2: a new process, the same save
        greetings = {npc.name: greet(memory, npc, "ayla") for npc in (HERMIT, MIRA, TOBIN)}
        greetings["Mira, to another player"] = greet(memory, MIRA, "bram")
        for who, (prompt, line) in greetings.items():
            print(f"--- {who} was prompted with ---\n{prompt}\n>>> {line}\n")

        (event,) = witness(memory, HERMIT, "ayla", {"amulet": "the player returned it"}).events
        print(f"The hermit's memory: {event.previous_memory!r} -> {event.memory!r}")
        _, thanks = greet(memory, HERMIT, "ayla")
        print(f"Then the hermit says: {thanks}")
    print("\nWhy: each choice was remembered under (user_id=player, agent_id=NPC); a greeting")
    print("searches only that pair, so Tobin (agent scope 'market') knows what Mira saw, the")
    print("hermit does not, and another player is a stranger to everyone.")

hermit, mira, tobin = (greetings[n.name][1] for n in (HERMIT, MIRA, TOBIN))
checks = {
    "the hermit remembers the mercy and the promise": "mercy" in hermit and "amulet" in hermit,
    "the hermit does not know about the theft": "thief" not in hermit,
    "Mira remembers the theft": "thief" in mira,
    "Tobin shares Mira's agent scope": "thief" in tobin,
    "another player is a stranger": greetings["Mira, to another player"][1] == "Welcome, stranger.",
    "the returned amulet replaced the promise": "Thank you" in thanks and "brought" not in thanks,
}
for check, ok in checks.items():
    print(f"{'ok' if ok else 'FAILED'}: {check}")
if not all(checks.values()):
    raise SystemExit("FAILED: the NPCs did not remember the player's choices as expected.")
print("\nOK: each NPC greeted the player from what it (or its gossip circle) witnessed.")
