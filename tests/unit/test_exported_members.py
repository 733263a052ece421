"""The public API is pinned: adding or removing a name is a deliberate change."""

from __future__ import annotations

import subprocess
import sys

import mem0_integrations

EXPECTED = [
    "DEFAULT_PATH",
    "LLM",
    "AddResult",
    "BackgroundWriteError",
    "BaseEmbedder",
    "ConfigurationError",
    "ConsolidationReport",
    "DeadlineExceededError",
    "Embedder",
    "EmbedderConfig",
    "EmbeddingError",
    "EventType",
    "ExtractionConfig",
    "ExtractionError",
    "HistoryEntry",
    "InvalidInputError",
    "LLMConfig",
    "LLMReply",
    "LLMUsage",
    "LangChainLLM",
    "LimitsConfig",
    "LlamaIndexLLM",
    "Mem0IntegrationsError",
    "Memory",
    "MemoryConfig",
    "MemoryEvent",
    "MemoryHit",
    "MemoryNotFoundError",
    "MemoryRecord",
    "MemorySource",
    "MemoryStatus",
    "Message",
    "OnnxMiniLMEmbedder",
    "OpenAIEmbedder",
    "OpenAILLM",
    "PurgeReport",
    "QuarantinedItem",
    "Scope",
    "ScopeError",
    "SkippedFact",
    "StoreConfig",
    "StoreError",
    "StoreLockedError",
    "__version__",
    "as_embedder",
    "as_llm",
    "purge",
    "render_memories",
]


def test_all_is_pinned() -> None:
    assert mem0_integrations.__all__ == EXPECTED


def test_every_exported_name_exists_and_belongs_to_the_package() -> None:
    for name in mem0_integrations.__all__:
        obj = getattr(mem0_integrations, name)
        module = getattr(obj, "__module__", "mem0_integrations")
        if isinstance(module, str):
            assert module.startswith("mem0_integrations"), (name, module)


def test_import_is_light() -> None:
    """Importing the package loads no Chroma, onnxruntime, numpy or framework."""
    code = (
        "import sys, mem0_integrations; "
        "heavy = [m for m in ('chromadb', 'onnxruntime', 'numpy', 'langchain_core', "
        "'llama_index', 'openai') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_import_defers_model_validators_and_asyncio_until_a_memory_needs_them() -> None:
    """The models' validators are built by the first ``Memory()`` (about 0.1 s of the
    import saved), all at once under a lock; asyncio loads with the first async call."""
    code = """
import sys
from mem0_integrations import Memory, MemoryConfig, MemoryRecord
class Embedder:
    name = "two-dims"
    def embed(self, texts):
        return [[1.0, float(len(t))] for t in texts]
built = lambda: f"{MemoryRecord.__pydantic_complete__} {MemoryConfig.__pydantic_complete__}"
print("asyncio" in sys.modules, built())
memory = Memory(client=__import__("chromadb").EphemeralClient(), embedder=Embedder())
print(built())
memory.add("I like green tea.", user_id="u", infer=False)
print(memory.search("tea", user_id="u")[0].memory)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:3] == ["False False False", "True True", "I like green tea."]


def test_adapter_packages_pin_their_names() -> None:
    import mem0_integrations.langchain as lc
    import mem0_integrations.llama_index as li

    assert lc.__all__ == [
        "ForgetMemoryTool",
        "Mem0ChatMessageHistory",
        "Mem0Memory",
        "Mem0Middleware",
        "Mem0Retriever",
        "Mem0Store",
        "SaveMemoryTool",
        "SearchMemoryTool",
        "UpdateMemoryTool",
        "create_memory_tools",
    ]
    assert li.__all__ == ["Mem0ChatMemory", "Mem0MemoryBlock", "Mem0Retriever", "Mem0ToolSpec"]
    for package in (lc, li):
        for name in package.__all__:
            obj = getattr(package, name)
            assert obj.__module__.startswith(package.__name__ + "._"), (name, obj.__module__)


def test_adapter_packages_import_their_framework_only_on_use() -> None:
    """``import mem0_integrations.langchain`` loads no LangGraph until ``Mem0Store`` is used."""
    code = (
        "import sys, mem0_integrations.langchain as lc, mem0_integrations.llama_index; "
        "before = [m for m in ('langgraph', 'langchain_core', 'llama_index') if m in sys.modules]; "
        "lc.Mem0Store; print(before, 'langgraph' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] True"
