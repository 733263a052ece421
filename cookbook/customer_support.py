"""A customer-support agent that recalls a customer's past tickets across sessions.

Run: python cookbook/customer_support.py   (offline; leaves nothing behind)

Each support conversation is its own session (``session_id``); the agent files a short
ticket note, verbatim (``infer=False``), under the customer's ``user_id``. Weeks later a
new session reads by ``user_id`` alone, so every past ticket of that customer is in
reach, and no other customer's ever is. The customer only quotes an order number: the
embedding barely relates "51907" to the right ticket, the keyword signal (BM25) does,
and ``explain=True`` shows the matched terms. An injected clock moves time on.
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


# (customer, support session, the agent's ticket note), one conversation every few days
TICKETS = [
    ("alice", "chat-101", "Order 48213: the blender arrived with a cracked jug; photos received"),
    ("bob", "chat-102", "Order 50022: the running shoes were the wrong size; exchange sent"),
    ("alice", "chat-103", "Refund of 59 EUR issued for order 48213 (damaged blender jug)"),
    ("alice", "chat-104", "Order 51970: the coffee grinder is two weeks late; courier contacted"),
    ("alice", "chat-105", "Order 51907: the kettle came without its lid; a spare lid was posted"),
    ("bob", "chat-106", "Order 50022: the exchanged shoes arrived damaged; refund of 89 EUR"),
]


def support_model(prompt: str) -> str:
    """A deterministic stand-in for the chat model: answers from the first memory line."""
    lines = [line for line in prompt.splitlines() if line.startswith("- ")]
    return f"Let me check. Our notes say: {lines[0][2:]}" if lines else "Which order is it?"


clock = Clock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
with tempfile.TemporaryDirectory() as folder, Memory(path=folder, clock=clock) as memory:
    for customer, session, note in TICKETS:
        memory.add(note, user_id=customer, session_id=session, infer=False)
        print(f"{clock.now:%b %d} [{customer}, {session}] filed: {note}")
        clock.now += timedelta(days=4)

    clock.now += timedelta(days=30)  # a month later, a new conversation with alice
    message = "Hi, it's about 51907 again."
    hits = memory.search(message, user_id="alice", explain=True)  # every session of alice
    if not hits:
        raise SystemExit("FAILED: none of alice's past tickets came back.")
    prompt = render_memories(hits)
    print(f"\n{clock.now:%b %d} [alice, chat-107] alice: {message}")
    print(f"The model was given:\n{prompt}")
    print(f"Agent: {support_model(prompt)}\n")
    for hit in hits:
        assert hit.explanation is not None
        keyword = hit.explanation.parts["keyword"].value
        print(f"  score {hit.score:.3f}  similarity {hit.similarity:.3f}  keyword {keyword:.3f}")
        print(f"    {hit.memory}  (from {hit.record.scope.session_id})")
        print(f"    matched terms: {hit.explanation.matched_terms}")
    top_terms = hits[0].explanation.matched_terms if hits[0].explanation else []
    by_embedding = max(hits, key=lambda h: h.similarity)
    print(f"\nBy embedding alone the best match would be: {by_embedding.memory!r}")
    print(f"With keywords the top hit is: {hits[0].memory!r}")

    damaged = memory.search("damaged item refund", user_id="alice", limit=10)
    others = [h for h in damaged if h.record.scope.user_id != "alice"]
    bobs_order = memory.search("order 50022", user_id="alice", limit=10)
    bobs_own = memory.search("order 50022", user_id="bob", limit=10)
    print(f"\nalice's search for 'damaged item refund': {[h.memory for h in damaged]}")
    print(f"alice's search for bob's order 50022: {[h.memory for h in bobs_order]}")
    print(f"bob's own search for it: {[h.memory for h in bobs_own]}")

if "51907" not in hits[0].memory or "51907" not in top_terms:
    raise SystemExit("FAILED: the ticket of order 51907 was not the top hit by its number.")
if "51907" in by_embedding.memory:
    print("(note: this time the embedding also found it on its own)")
if not bobs_own or "50022" not in bobs_own[0].memory:
    raise SystemExit("FAILED: bob's own tickets were not found under his user_id.")
if others or any("50022" in h.memory for h in bobs_order):
    raise SystemExit("FAILED: another customer's ticket showed up in alice's search.")
if not any("Refund of 59 EUR" in h.memory for h in damaged):
    raise SystemExit("FAILED: alice's refund ticket from an earlier session was not recalled.")
print("\nOK: alice's tickets from every session were recalled, bob's never, 51907 by keyword.")
