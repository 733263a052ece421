"""Mem0Retriever: Documents with the memory's id, scores, scope and timestamps."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from typing import Any
from unittest import mock

import pytest
from langchain_core.documents import Document

from mem0_integrations import ConfigurationError, InvalidInputError, Memory, ScopeError
from mem0_integrations.langchain import Mem0Retriever

from .conftest import FakeClock


@pytest.fixture
def seeded(memory: Memory, clock: FakeClock) -> Memory:
    memory.add("I drink green tea every morning.", user_id="alice", infer=False)
    clock.advance(days=1)
    memory.add(
        "I drink coffee at work.", user_id="alice", infer=False, metadata={"topic": "drinks"}
    )
    memory.add("I drink tea with lemon.", user_id="alice", session_id="s9", infer=False)
    memory.add("I drink black tea.", user_id="bob", infer=False)
    return memory


def test_documents_carry_the_memory_and_its_metadata(seeded: Memory, clock: FakeClock) -> None:
    retriever = Mem0Retriever(seeded, user_id="alice", k=10, reinforce=False)
    docs = retriever.invoke("coffee at work")
    hits = seeded.search("coffee at work", user_id="alice", limit=10, reinforce=False)
    assert [d.page_content for d in docs] == [h.memory for h in hits]
    first, hit = docs[0], hits[0]
    assert first.page_content == "I drink coffee at work."
    assert first.id == hit.id
    assert first.metadata == {
        "topic": "drinks",
        "id": hit.id,
        "score": hit.score,
        "similarity": hit.similarity,
        "user_id": "alice",
        "agent_id": None,
        "session_id": None,
        "created_at": clock.now.isoformat(),
        "updated_at": clock.now.isoformat(),
        "stated_at": clock.now.isoformat(),
        "category": hit.record.category,
    }
    assert datetime.fromisoformat(first.metadata["created_at"]) == hit.record.created_at


def test_scope_limits_what_is_returned(seeded: Memory) -> None:
    alice = Mem0Retriever(seeded, user_id="alice", k=10).invoke("tea")
    assert "I drink black tea." not in [d.page_content for d in alice]
    assert len(alice) == 3  # every session of alice
    session = Mem0Retriever(seeded, user_id="alice", session_id="s9", k=10).invoke("tea")
    assert [d.page_content for d in session] == ["I drink tea with lemon."]


def test_k_from_the_constructor_and_per_call(seeded: Memory) -> None:
    retriever = Mem0Retriever(seeded, user_id="alice", k=2)
    assert retriever.k == 2
    assert len(retriever.invoke("tea")) == 2
    assert len(retriever.invoke("tea", k=1)) == 1
    assert len(retriever.invoke("tea", k=3)) == 3
    assert len(Mem0Retriever(seeded, user_id="alice").invoke("tea")) == 3  # default k=4
    with pytest.raises(InvalidInputError, match="k must be"):
        retriever.invoke("tea", k=0)


def test_filters_from_the_constructor_and_per_call(seeded: Memory) -> None:
    narrowed = Mem0Retriever(seeded, user_id="alice", filters={"topic": "drinks"})
    assert [d.page_content for d in narrowed.invoke("tea")] == ["I drink coffee at work."]
    wide = Mem0Retriever(seeded, user_id="alice")
    docs = wide.invoke("tea", filters={"topic": "drinks"})
    assert [d.page_content for d in docs] == ["I drink coffee at work."]


def test_scope_is_required_and_validated(memory: Memory) -> None:
    with pytest.raises(ScopeError, match="No scope given"):
        Mem0Retriever(memory)
    with pytest.raises(ScopeError):
        Mem0Retriever(memory, user_id={"$ne": "x"})


def test_memory_or_where_to_open_one(memory: Memory, tmp_path: Any) -> None:
    with pytest.raises(ConfigurationError, match="not both"):
        Mem0Retriever(memory, path=tmp_path, user_id="alice")
    with pytest.raises(ConfigurationError, match=r"must be a mem0_integrations\.Memory"):
        Mem0Retriever("memory", user_id="alice")  # type: ignore[arg-type]


async def test_ainvoke_uses_the_async_core(seeded: Memory) -> None:
    retriever = Mem0Retriever(seeded, user_id="alice", k=2, reinforce=False)
    expected = retriever.invoke("tea")
    with (
        mock.patch.object(seeded, "search", side_effect=AssertionError("sync search")),
        mock.patch.object(seeded, "asearch", wraps=seeded.asearch) as asearch,
    ):
        docs = await retriever.ainvoke("tea")
        one = await retriever.ainvoke("tea", k=1)
    assert asearch.await_count == 2
    assert docs == expected
    assert len(one) == 1
    assert all(isinstance(d, Document) for d in docs)


def test_package_exports_are_in_sync_and_lazy() -> None:
    import mem0_integrations.langchain as package

    assert package.__all__ == sorted(package._EXPORTS)
    for name in package.__all__:
        assert getattr(package, name).__module__.startswith("mem0_integrations.langchain.")
    code = (
        "import sys; from mem0_integrations.langchain import Mem0Retriever; "
        "print([m for m in ('langchain_classic', 'langgraph') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
