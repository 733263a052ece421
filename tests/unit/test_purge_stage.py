"""purge's staging step in-process: rows go out and come back page by page, exactly."""

from __future__ import annotations

import uuid
from pathlib import Path

import chromadb
import pytest

from mem0_integrations.core.lifecycle import purge


def test_export_then_import_restores_every_row_in_pages(
    chroma_client: chromadb.api.ClientAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(purge, "_PAGE", 3)
    prefix = "p" + uuid.uuid4().hex[:10]
    name = f"{prefix}_memories"
    old = chroma_client.create_collection(
        name,
        metadata={"mem0i_schema": 1},
        embedding_function=None,
        configuration={"hnsw": {"space": "cosine"}},
    )
    rows = {
        "ids": [f"id{i}" for i in range(7)],
        "embeddings": [[float(i), 1.0] for i in range(7)],
        "documents": [f"text {i}" for i in range(7)],
        "metadatas": [{"n": i, "user_id": "u"} for i in range(7)],
    }
    old.add(**rows)
    stage = tmp_path / "stage"

    assert purge._export(chroma_client, stage, prefix) == {name: 7}
    lines = (stage / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + 3  # the settings, then pages of 3, 3 and 1 rows
    assert name not in purge._names(chroma_client)

    assert purge._import(chroma_client, stage, prefix) == {name: 7}
    assert not stage.exists()
    new = chroma_client.get_collection(name, embedding_function=None)
    got = new.get(include=["embeddings", "documents", "metadatas"])
    order = sorted(range(7), key=lambda i: got["ids"][i])
    assert [got["ids"][i] for i in order] == rows["ids"]
    assert [got["documents"][i] for i in order] == rows["documents"]
    assert [got["metadatas"][i] for i in order] == rows["metadatas"]
    for i, vector in zip(order, rows["embeddings"], strict=True):  # float32 in Chroma
        assert [float(x) for x in got["embeddings"][i]] == pytest.approx(vector, rel=1e-6)
    assert new.metadata == {"mem0i_schema": 1}
    assert new.configuration_json["hnsw"]["space"] == "cosine"
    chroma_client.delete_collection(name)
