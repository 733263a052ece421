"""langchain-tests' RetrieversIntegrationTests on Mem0Retriever (real embedded Chroma)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.retrievers import BaseRetriever
from langchain_tests.integration_tests import RetrieversIntegrationTests

from mem0_integrations import Memory, OnnxMiniLMEmbedder
from mem0_integrations.langchain import Mem0Retriever

pytestmark = pytest.mark.integration

FACTS = [
    "I drink green tea every morning.",
    "I prefer oolong tea in the afternoon.",
    "My favourite tea shop is in Kyoto.",
    "I stopped drinking coffee last year.",
    "I brew tea at 80 degrees.",
]


@pytest.fixture(scope="module")
def tea_memory(tmp_path_factory: pytest.TempPathFactory, embedder: OnnxMiniLMEmbedder) -> Memory:
    folder: Path = tmp_path_factory.mktemp("standard") / "store"
    memory = Memory(path=folder, embedder=embedder)
    memory.add(FACTS, user_id="alice", infer=False)
    memory.add("I drink tea with milk.", user_id="bob", infer=False)
    return memory


class TestMem0RetrieverStandard(RetrieversIntegrationTests):
    memory: Memory

    @pytest.fixture(autouse=True)
    def _bind_memory(self, tea_memory: Memory) -> None:
        self.memory = tea_memory

    @property
    def retriever_constructor(self) -> type[BaseRetriever]:
        return Mem0Retriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"memory": self.memory, "user_id": "alice", "k": 2}

    @property
    def retriever_query_example(self) -> str:
        return "what tea does the user drink?"


def test_documents_are_alices_and_ranked(tmp_path: Path, embedder: OnnxMiniLMEmbedder) -> None:
    memory = Memory(path=tmp_path / "store", embedder=embedder)
    memory.add(FACTS, user_id="alice", infer=False)
    memory.add("I drink tea with milk.", user_id="bob", infer=False)
    docs = Mem0Retriever(memory, user_id="alice", k=5).invoke("where is the tea shop I like?")
    assert docs[0].page_content == "My favourite tea shop is in Kyoto."
    assert {d.metadata["user_id"] for d in docs} == {"alice"}
    scores = [d.metadata["score"] for d in docs]
    assert scores == sorted(scores, reverse=True)
