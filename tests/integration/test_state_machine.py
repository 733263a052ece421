"""A Hypothesis state machine over ``Memory`` against a plain model of what each user has.

Random sequences of ``add`` (``infer=False``, texts from a small vocabulary full of
exact and near duplicates), ``update``, ``delete`` (also as another user),
``delete_all`` (erasure, and ``keep_history=True``), ``search`` (with and without
reinforcement), ``get`` and restarts (close the ``Memory``, open a new one on the same
store) run on a real embedded Chroma store, three users per example, and the store
must agree with the model after every step:

* isolation: ``get_all``/``search`` of a user return only that user's memories, and
  ``get``/``update``/``delete`` of an id as another user raise ``MemoryNotFoundError``
  and change nothing;
* no duplicates: ``add`` never creates a second active memory with the same
  normalised text in a scope (it answers ``NONE`` with the stored one); only
  ``update`` can give two memories one text (see ``add_never_duplicates``);
* ``get_all`` ids of a user are exactly the ids vector search reaches: searching an
  active memory's own text, with a limit above the scope's size, finds it, and every
  such search returns exactly the scope's active memories;
* texts, statuses and access counts read back as the model says, also after a restart
  and right after a change that follows a reinforcing search (``reinforce_then``).

After a step the users it involved are checked (a restart involves all of them), and
every user when the example ends (``teardown``), so a step on one user that disturbs
another is still caught, at a third of the cost.

Cost (2 cores): creating an embedded folder takes ~0.5 s and opening one ~0.15 s, so a
store serves 100 examples (``ROTATE``), each with fresh user ids: earlier examples'
memories stay as other users' data that must never show up. A failure that such
leftovers cause can come out of Hypothesis as ``Flaky...`` (its replay sees another
store); the assertion that failed is printed above it. Two runs:

* 1,000 examples with ``Memory(path=...)``, the real embedded path (folder lock,
  journal, the in-process index answering vector search), where a restart closes the
  folder's only ``Memory`` (lock released, index dropped, Chroma's client closed) and a
  new one reads the files;
* 200 examples with a ``chromadb.PersistentClient`` injected into ``Memory``: a shared
  store as far as the library knows (ids derived from the text, vector search by
  Chroma's own index); a restart is a new ``Memory`` on the same client.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import unicodedata
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import chromadb
import pytest
from chromadb.config import Settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from mem0_integrations import (
    EventType,
    InvalidInputError,
    Memory,
    MemoryNotFoundError,
    MemoryRecord,
    MemoryStatus,
    Scope,
)
from tests.crash_writer import WordHashEmbedder

pytestmark = pytest.mark.integration

USERS = ("alice", "bob", "carol")

#: Exact duplicates after normalisation (case, NFKC, spaces, trailing .!;), near
#: duplicates that are not (a word more or less, other punctuation), unrelated texts.
TEXTS = (
    "I like green tea",
    "i like green tea.",
    "I LIKE GREEN TEA!",
    "  I like   green tea  ",
    "\uff29 \uff4c\uff49\uff4b\uff45 green tea",  # fullwidth "I like": NFKC makes it ASCII
    "I like green tea a lot",
    "I like black tea",
    "I like green tea?",
    "My dog is called Rex",
    "my dog is called rex;",
    "My dog is called Max",
    "I live in Paris",
    "I live in Paris, France",
    "Meeting with Bob on Friday",
)

#: Above any scope's size (a run adds at most one memory per step).
SEARCH_LIMIT = 50
STEPS = 8
EMBEDDED_EXAMPLES = 1_000
CLIENT_EXAMPLES = 200
#: Changes since the last restart before the restart rule may run: a restart right after
#: one, or after reads only, tests little and costs ~0.05 s (``reinforce_then`` also
#: restarts, unconditionally).
RESTART_AFTER = 2
#: Examples per store folder.
ROTATE = 100

_SPACES = re.compile(r"\s+")


def normalised(text: str) -> str:
    """What counts as the same text: NFKC, case folded, spaces collapsed, trailing
    sentence punctuation (``.!;``) dropped (the rule ``models.normalize_text`` documents)."""
    folded = _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()
    return folded.rstrip(".!;").strip()


class StepClock:
    """A deterministic aware clock: one second later at every call."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


class Store:
    """The run's store and its current ``Memory`` (see the module docstring).

    ``injected``: ``Memory(client=chromadb.PersistentClient(folder))``, else
    ``Memory(path=folder)``. Every ``ROTATE`` examples the run moves to a fresh folder
    under ``root``, so reads do not slow down as earlier examples' memories pile up.
    """

    def __init__(self, root: Path, *, injected: bool) -> None:
        self.root = root
        self.injected = injected
        self.embedder = WordHashEmbedder()
        self.clock = StepClock()
        self.examples = 0
        self.folder = root / "0"
        self.client: Any = None
        self._memory: Memory | None = None

    @property
    def memory(self) -> Memory:
        if self._memory is None:
            self._memory = self._open()
        return self._memory

    def _open(self) -> Memory:
        if not self.injected:
            return Memory(path=self.folder, embedder=self.embedder, clock=self.clock)
        if self.client is None:
            settings = Settings(anonymized_telemetry=False)
            self.client = chromadb.PersistentClient(path=str(self.folder), settings=settings)
        return Memory(client=self.client, embedder=self.embedder, clock=self.clock)

    def new_example(self) -> None:
        self.examples += 1
        if self.examples % ROTATE == 0:
            self.shut()
            self.folder = self.root / str(self.examples // ROTATE)

    def restart(self) -> None:
        self.close()
        self._memory = self._open()

    def close(self) -> None:
        """Close the Memory (an injected client stays open)."""
        if self._memory is not None:
            memory, self._memory = self._memory, None
            memory.close()

    def shut(self) -> None:
        """Close the Memory and the injected client."""
        self.close()
        if self.client is not None:
            client, self.client = self.client, None
            client.close()


@dataclass
class Entry:
    """The model of one memory."""

    user: str
    text: str
    status: str = "active"  # "active", "deleted" (soft) or "erased" (gone for good)
    via_update: bool = False  # its text came from update(), not add()
    uses: int = 0  # access_count: one per NONE of an add, one per reinforcing search hit
    said: str = ""  # the text add() was given


class MemoryMachine(RuleBasedStateMachine):
    """``Memory`` against a dict of what each user should have."""

    #: The run's store, set by the test.
    store: Store

    ids = Bundle("ids")

    def __init__(self) -> None:
        super().__init__()
        self.store.new_example()
        self.tag = uuid.uuid4().hex[:10]  # this example's users: alice-<tag>, ...
        self.model: dict[str, Entry] = {}
        self.touched: set[str] = set()  # ids the last step acted on
        self.involved: set[str] = set()  # users the last step acted for or as
        self.unsaved = 0  # changes since the last restart
        self.reads: dict[str, list[MemoryRecord]] = {}  # get_all per user, this step

    @property
    def m(self) -> Memory:
        return self.store.memory

    # --- the model --------------------------------------------------------------------

    def user(self, name: str) -> str:
        """This example's id for one of USERS."""
        return f"{name}-{self.tag}"

    @property
    def users(self) -> list[str]:
        return [self.user(name) for name in USERS]

    def active(self, user: str) -> dict[str, Entry]:
        return {i: e for i, e in self.model.items() if e.user == user and e.status == "active"}

    def other(self, user: str, pick: int) -> str:
        others = [u for u in self.users if u != user]
        return others[pick % len(others)]

    def step(self, ids: Iterable[str], users: Iterable[str]) -> None:
        """Record what this step touched, for the invariants."""
        self.touched = set(ids)
        self.involved = set(users)
        self.reads = {}

    # --- rules ------------------------------------------------------------------------

    @rule(target=ids, who=st.sampled_from(USERS), text=st.sampled_from(TEXTS))
    def add(self, who: str, text: str) -> object:
        user = self.user(who)
        result = self.m.add(text, user_id=user, infer=False)
        stored = text.strip()
        same = {i for i, e in self.active(user).items() if normalised(e.text) == normalised(stored)}
        assert len(result.events) == 1, result.events
        event = result.events[0]
        self.step([event.id], [user])
        if same:  # an exact duplicate: merged into a stored memory of the scope
            assert event.event is EventType.NONE, (event, same)
            assert event.id in same, (event.id, same)
            self.model[event.id].uses += 1
            return multiple()
        assert event.event is EventType.ADD, event
        # a shared store derives a new memory's id from scope and text: the id of an
        # erased memory (nothing of it left) may come back, never a stored memory's
        reused = self.model.get(event.id)
        assert reused is None or reused.status == "erased", f"ADD took a stored id: {reused}"
        assert event.record.text == stored
        assert event.record.scope == Scope(user_id=user)
        self.model[event.id] = Entry(user, stored, said=text)
        self.unsaved += 1
        return event.id

    @rule(target=ids, memory_id=ids)
    def add_again(self, memory_id: str) -> object:
        """Add the text a known memory was added with again, whatever happened to it
        since (updated, deleted, erased): a duplicate while it is active and unchanged,
        else a new memory."""
        entry = self.model[memory_id]
        return self.add(USERS[self.users.index(entry.user)], entry.said)

    @rule(memory_id=ids, text=st.sampled_from(TEXTS), foreign=st.booleans(), pick=st.integers(0, 1))
    def update(self, memory_id: str, text: str, foreign: bool, pick: int) -> None:
        entry = self.model[memory_id]
        asker = self.other(entry.user, pick) if foreign else entry.user
        self.step([memory_id], {entry.user, asker})
        if foreign or entry.status == "erased":  # not found, and nothing changes
            with pytest.raises(MemoryNotFoundError):
                self.m.update(memory_id, text, user_id=asker)
            return
        if entry.status == "deleted":
            with pytest.raises(InvalidInputError):
                self.m.update(memory_id, text, user_id=asker)
            return
        event = self.m.update(memory_id, text, user_id=asker)
        assert event.event is EventType.UPDATE, event
        assert event.id == memory_id, event
        assert event.record.text == text.strip()
        entry.text, entry.via_update = text.strip(), True
        self.unsaved += 1

    @rule(memory_id=ids, foreign=st.booleans(), pick=st.integers(0, 1))
    def delete(self, memory_id: str, foreign: bool, pick: int) -> None:
        entry = self.model[memory_id]
        asker = self.other(entry.user, pick) if foreign else entry.user
        self.step([memory_id], {entry.user, asker})
        if foreign or entry.status == "erased":
            with pytest.raises(MemoryNotFoundError):
                self.m.delete(memory_id, user_id=asker)
            return
        if entry.status == "deleted":
            with pytest.raises(InvalidInputError):
                self.m.delete(memory_id, user_id=asker)
            return
        event = self.m.delete(memory_id, user_id=asker)
        assert event.event is EventType.DELETE, event
        assert event.id == memory_id, event
        entry.status = "deleted"
        self.unsaved += 1

    @precondition(lambda self: any(e.status != "erased" for e in self.model.values()))
    @rule(who=st.sampled_from(USERS), keep_history=st.booleans())
    def delete_all(self, who: str, keep_history: bool) -> None:
        """As it behaves today: erasure by default (every memory of the scope, active
        or soft-deleted, leaves the store with its history, like
        ``forget(user_id=..., erase_history=True)``); ``keep_history=True`` soft-deletes
        the active ones. Either way one ``DELETE`` event per memory that was active."""
        self.erase_all(self.user(who), keep_history)

    def erase_all(self, user: str, keep_history: bool) -> None:
        events = self.m.delete_all(user_id=user, keep_history=keep_history)
        active = self.active(user)
        assert sorted(e.id for e in events) == sorted(active), (events, active)
        assert all(e.event is EventType.DELETE for e in events), events
        mine = {i for i, e in self.model.items() if e.user == user and e.status != "erased"}
        self.step(mine, [user])
        for memory_id in mine:
            entry = self.model[memory_id]
            if not keep_history:
                entry.status = "erased"
            elif entry.status == "active":
                entry.status = "deleted"
        self.unsaved += bool(mine)

    @rule(who=st.sampled_from(USERS), text=st.sampled_from(TEXTS), reinforce=st.booleans())
    def search(self, who: str, text: str, reinforce: bool) -> None:
        """Any query with a limit above the scope's size returns exactly its active
        memories (``reinforce=True`` also buffers access counts, written later)."""
        self.find(self.user(who), text, reinforce)

    def find(self, user: str, text: str, reinforce: bool) -> None:
        hits = self.m.search(text, user_id=user, limit=SEARCH_LIMIT, reinforce=reinforce)
        assert {h.record.scope for h in hits} <= {Scope(user_id=user)}, hits
        assert sorted(h.id for h in hits) == sorted(self.active(user))
        self.step([h.id for h in hits], [user])
        if reinforce:
            for hit in hits:
                self.model[hit.id].uses += 1

    @rule(
        memory_id=ids,
        then=st.sampled_from(("restart", "delete_all", "delete", "update")),
        keep_history=st.booleans(),
    )
    def reinforce_then(self, memory_id: str, then: str, keep_history: bool) -> None:
        """A reinforcing search in the scope of a known memory, then at once a restart,
        ``delete_all``, or a ``delete`` or ``update`` of that memory: no read in between
        (every read first writes the buffered access counts), so the counts must
        survive the change itself."""
        entry = self.model[memory_id]
        self.find(entry.user, entry.text, reinforce=True)
        if then == "restart":
            self.restart()
        elif then == "delete_all":
            self.erase_all(entry.user, keep_history)
        elif then == "delete":
            self.delete(memory_id, foreign=False, pick=0)
        else:
            self.update(memory_id, TEXTS[-1], foreign=False, pick=0)

    @rule(memory_id=ids, who=st.sampled_from(USERS))
    def get(self, memory_id: str, who: str) -> None:
        """``get`` of a known id, whatever its state, as any user."""
        user = self.user(who)
        self.step([memory_id], {user, self.model[memory_id].user})
        self.check_get(memory_id, user)

    @precondition(lambda self: self.unsaved >= RESTART_AFTER)
    @rule()
    def restart(self) -> None:
        """Close the Memory and open a new one on the same store (see :class:`Store`)."""
        self.store.restart()
        self.step(self.model, self.users)
        self.unsaved = 0

    # --- invariants -------------------------------------------------------------------

    def check_get(self, memory_id: str, user: str) -> None:
        """``get(id, user_id=user)`` answers as the model says (and ``history`` of an
        erased memory is gone)."""
        entry = self.model[memory_id]
        if user != entry.user or entry.status == "erased":
            with pytest.raises(MemoryNotFoundError):
                self.m.get(memory_id, user_id=user)
            if entry.status == "erased" and user == entry.user:  # and its history
                with pytest.raises(MemoryNotFoundError):
                    self.m.history(memory_id, user_id=entry.user)
            return
        record = self.m.get(memory_id, user_id=user)
        assert record.scope == Scope(user_id=user), record
        assert record.text == entry.text, (record, entry)
        assert record.status is MemoryStatus(entry.status), (record, entry)
        assert record.access_count == entry.uses, (record, entry)

    def stored(self, user: str) -> list[MemoryRecord]:
        """``get_all`` of ``user`` (read once per step)."""
        if user not in self.reads:
            self.reads[user] = self.m.get_all(user_id=user, limit=None)
        return self.reads[user]

    def check_get_all(self, user: str) -> None:
        records = self.stored(user)
        assert all(r.scope == Scope(user_id=user) for r in records), records
        assert all(r.status is MemoryStatus.ACTIVE for r in records), records
        got = {r.id: (r.text, r.access_count) for r in records}
        assert len(got) == len(records), f"get_all returned an id twice: {records}"
        want = {i: (e.text, e.uses) for i, e in self.active(user).items()}
        assert got == want, (user, got, want)

    def check_no_duplicates(self, user: str) -> None:
        """Of the stored active memories of ``user`` sharing a normalised text, all but
        one got their text from update() (per the model)."""
        groups: dict[str, list[str]] = {}
        for record in self.stored(user):
            groups.setdefault(normalised(record.text), []).append(record.id)
        for text, found in groups.items():
            from_add = [i for i in found if i not in self.model or not self.model[i].via_update]
            assert len(from_add) <= 1, f"add() stored {text!r} twice for {user}: {found}"

    def check_search(self, user: str) -> None:
        active = self.active(user)
        queries = sorted({e.text for e in active.values()}) or [TEXTS[0]]
        for query in queries:
            hits = self.m.search(query, user_id=user, limit=SEARCH_LIMIT, reinforce=False)
            assert all(h.record.scope == Scope(user_id=user) for h in hits), hits
            found = [h.id for h in hits]
            own = {i for i, e in active.items() if e.text == query}
            assert own <= set(found), (user, query, own, found)
            assert sorted(found) == sorted(active), (user, query, found, list(active))

    @invariant()
    def get_all_matches_the_model(self) -> None:
        """Isolation and content: a user's get_all is exactly that user's active
        memories, with the model's texts and access counts (buffered accesses are
        written before a read and on close, so they survive restarts)."""
        for user in sorted(self.involved):
            self.check_get_all(user)

    @invariant()
    def add_never_duplicates(self) -> None:
        """No two stored active memories of a user share a normalised text unless
        update() gave one of them its text: of each group, at most one came from add()."""
        for user in sorted(self.involved):
            self.check_no_duplicates(user)

    @invariant()
    def vector_search_reaches_every_active_memory(self) -> None:
        """Searching each active memory's own text (limit above the scope's size, no
        reinforcement) finds it, and returns exactly the scope's active memories and
        no one else's: get_all ids == the ids vector search reaches."""
        for user in sorted(self.involved):
            self.check_search(user)

    @invariant()
    def ids_answer_only_their_owner(self) -> None:
        """get(id, user_id=B) of an id the last step touched raises unless B owns it
        (and it is not erased); the owner reads it as the model says. One of the two
        other users asks, picked by the id (the ``get`` rule asks as anyone)."""
        for memory_id in sorted(self.touched & self.model.keys()):
            owner = self.model[memory_id].user
            self.check_get(memory_id, owner)
            self.check_get(memory_id, self.other(owner, int(memory_id[:8], 16)))

    def teardown(self) -> None:
        """Every user, whatever the last step involved (unless a step already failed:
        teardown runs then too, and a second error would only bury the first)."""
        if sys.exc_info()[0] is not None:
            return
        self.reads = {}
        for user in self.users:
            self.check_get_all(user)
            self.check_no_duplicates(user)
            self.check_search(user)


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    """A folder for the run's stores: in RAM (/dev/shm) when there is one, since fsync
    on disk made every write 3x slower and durability is test_crash's subject, not this
    file's; else ``tmp_path``."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    with tempfile.TemporaryDirectory(dir=shm, prefix="mem0i-state-machine-") as folder:
        yield Path(folder)


def run(store: Store, examples: int) -> None:
    MemoryMachine.store = store
    try:
        run_state_machine_as_test(
            MemoryMachine,
            settings=settings(
                max_examples=examples,
                stateful_step_count=STEPS,
                deadline=None,
                database=None,  # nothing written into the repository; failures print steps
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
    finally:
        store.shut()


@pytest.mark.timeout(900)
def test_state_machine_on_an_embedded_folder(root: Path) -> None:
    """1,000 random sequences on Memory(path=...): folder lock, journal, the in-process
    index answering vector search, and restarts that release the folder and read the
    disk."""
    run(Store(root, injected=False), EMBEDDED_EXAMPLES)


@pytest.mark.timeout(600)
def test_state_machine_on_an_injected_client(root: Path) -> None:
    """Random sequences on a PersistentClient given to Memory (Chroma's vector index
    answers search; a restart is a new Memory on the same client)."""
    run(Store(root, injected=True), CLIENT_EXAMPLES)
