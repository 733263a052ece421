"""The speed benchmark's fixed workload sizes, its targets and the JSON schema version."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ADD_BATCHES_PER_REPEAT",
    "EMBED_SENTENCES",
    "HEAVY_MODULES",
    "INFER_TURNS",
    "REPO_ROOT",
    "SCHEMA_VERSION",
    "SEARCH_LIMIT",
    "SINGLE_ADDS",
    "SIZE_ADDS",
    "TARGET_ADD_PER_S",
    "TARGET_EMBED_PER_S",
    "TARGET_IMPORT_S",
    "TARGET_MEM0_SPEEDUP",
    "TARGET_SEARCH_P95_MS",
    "TARGET_SEARCH_SIZE",
    "WARMUP_QUERIES",
    "WIDE_LIMIT",
    "WIDE_SEARCH",
]

#: benchmarks/speed/settings.py -> the repository root
REPO_ROOT = Path(__file__).resolve().parent.parent.parent

HEAVY_MODULES = ("chromadb", "onnxruntime", "numpy", "tokenizers")

SCHEMA_VERSION = 2
TARGET_IMPORT_S = 0.3
TARGET_EMBED_PER_S = 500.0
TARGET_ADD_PER_S = 500.0
TARGET_SEARCH_P95_MS = 15.0
TARGET_SEARCH_SIZE = 100_000
TARGET_MEM0_SPEEDUP = 3.0

EMBED_SENTENCES = 2_000
ADD_BATCHES_PER_REPEAT = 8
SINGLE_ADDS = 300
WARMUP_QUERIES = 10
SEARCH_LIMIT = 5
SIZE_ADDS = 50
#: Mem0's search in ``locomo_baselines.mem0_oss`` asks for ``locomo.MAX_K`` (25) hits; ours
#: is also timed at that limit so the comparison is like for like.
WIDE_LIMIT = 25
WIDE_SEARCH = f"search (end to end), limit {WIDE_LIMIT}"
INFER_TURNS = 100
