"""open_memory: a shared Memory, or one live Memory per store and config in this process."""

from __future__ import annotations

import gc
import os
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from mem0_integrations import ConfigurationError, Memory
from mem0_integrations.core.connect import live_memories, open_memory, resolve_config
from mem0_integrations.langchain import Mem0ChatMessageHistory, Mem0Memory, Mem0Retriever
from mem0_integrations.llama_index import Mem0ChatMemory
from mem0_integrations.llama_index import Mem0Retriever as LlamaRetriever


def test_adapters_opened_with_the_same_path_share_one_memory(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    retriever = Mem0Retriever(path=folder, user_id="alice")
    history = Mem0ChatMessageHistory(path=folder, user_id="alice", session_id="s1")
    window = Mem0Memory(path=str(folder), user_id="bob")
    chat = Mem0ChatMemory.from_defaults(path=folder, user_id="alice")
    llama = LlamaRetriever(path=folder / ".." / "store", user_id="alice")
    core = retriever.memory
    assert all(m is core for m in (history.memory, window.memory, chat.memory, llama.memory))
    assert core.config.store.path == folder.resolve()
    # One Memory, so what one adapter writes the others see without a second index.
    core.add("I like tea", user_id="alice", infer=False)
    assert [d.page_content for d in retriever.invoke("tea")] == ["I like tea"]


def test_the_same_store_through_config_or_a_relative_path_is_the_same_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    by_path = open_memory(path="store")
    assert open_memory(config={"store": {"path": str(tmp_path / "store")}}) is by_path
    monkeypatch.setenv("MEM0I_PATH", os.path.join(tmp_path, "store"))
    assert open_memory() is by_path  # the environment default resolves to the same folder


def test_other_paths_or_configs_get_other_memories(tmp_path: Path) -> None:
    one = open_memory(path=tmp_path / "one")
    assert open_memory(path=tmp_path / "two") is not one
    prefixed = open_memory(path=tmp_path / "one", config={"store": {"collection_prefix": "p2"}})
    assert prefixed is not one
    ranked = open_memory(path=tmp_path / "one", config={"ranking": {"keyword_weight": 0.0}})
    assert ranked is not one
    assert ranked is not prefixed
    assert open_memory(path=tmp_path / "one") is one
    assert open_memory(path=tmp_path / "one", config={"store": {"collection_prefix": "p2"}}) is (
        prefixed
    )


def test_a_closed_memory_is_not_reused(tmp_path: Path) -> None:
    first = Mem0Retriever(path=tmp_path, user_id="alice").memory
    first.close()
    assert first.closed
    second = Mem0Retriever(path=tmp_path, user_id="alice").memory
    assert second is not first
    assert not second.closed
    assert open_memory(path=tmp_path) is second  # the fresh one is shared from now on
    assert first not in live_memories()
    assert second in live_memories()
    with second:
        pass
    assert open_memory(path=tmp_path) not in (first, second)  # `with` closes it too


def test_the_registry_does_not_keep_a_memory_alive(tmp_path: Path) -> None:
    ref = weakref.ref(open_memory(path=tmp_path))
    gc.collect()
    assert ref() is None
    assert all(m.config.store.path != tmp_path.resolve() for m in live_memories())


def test_threads_opening_one_store_get_one_memory(tmp_path: Path) -> None:
    start = threading.Barrier(4)

    def opened(_: int) -> Memory:
        start.wait()
        return open_memory(path=tmp_path)

    with ThreadPoolExecutor(4) as pool:
        memories = list(pool.map(opened, range(4)))
    assert len({id(m) for m in memories}) == 1


def test_a_given_memory_is_used_as_is_and_never_registered(memory: Memory) -> None:
    assert open_memory(memory) is memory
    assert Mem0Retriever(memory, user_id="alice").memory is memory
    assert memory not in live_memories()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"path": "x"}, "memory= was given together with path=. .*not both"),
        ({"config": {}}, "together with config="),
        ({"chroma_host": "h", "chroma_port": 1}, "together with chroma_host, chroma_port="),
    ],
)
def test_a_memory_and_where_to_open_one_are_refused(
    memory: Memory, kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(ConfigurationError, match=match):
        open_memory(memory, **kwargs)


def test_a_memory_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(ConfigurationError, match=r"must be a mem0_integrations\.Memory, got str"):
        open_memory("./memories")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"path": "rel/store"},
        {"config": {"store": {"path": "cfg"}, "extraction": {"max_facts": 3}}},
        {"path": "over", "config": {"store": {"path": "cfg", "collection_prefix": "px"}}},
    ],
)
def test_resolve_config_is_the_config_memory_ends_up_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kwargs: dict[str, Any]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MEM0I_PATH", raising=False)
    monkeypatch.delenv("MEM0I_CHROMA_HOST", raising=False)
    path = kwargs.get("path")
    built = Memory(path, config=kwargs.get("config"))
    assert resolve_config(**kwargs) == built.config


def test_resolve_config_for_a_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MEM0I_CHROMA_PORT", raising=False)
    resolved = resolve_config(chroma_host="127.0.0.1", config={"store": {"chroma_ssl": True}})
    assert (resolved.store.chroma_host, resolved.store.chroma_port) == ("127.0.0.1", 8000)
    assert (resolved.store.path, resolved.store.chroma_ssl) == (None, True)
    with pytest.raises(ConfigurationError, match="Both path= and chroma_host="):
        resolve_config(path="x", chroma_host="127.0.0.1")


def test_a_llama_index_link_finds_the_memory_opened_by_path(tmp_path: Path) -> None:
    opened = Mem0Retriever(path=tmp_path, user_id="alice").memory
    data = Mem0ChatMemory.from_defaults(path=tmp_path, user_id="alice").to_dict()
    data["link"]["ref"] = "a-memory-of-another-process"
    assert Mem0ChatMemory.from_dict(data).memory is opened
    opened.close()
    reopened = Mem0ChatMemory.from_dict(data).memory
    assert reopened is not opened
    assert not reopened.closed
    assert Mem0Retriever(path=tmp_path, user_id="alice").memory is reopened
