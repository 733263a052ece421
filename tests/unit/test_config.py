"""Configuration: exclusive options, environment, the explicit default path."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from mem0_integrations import DEFAULT_PATH, ConfigurationError, MemoryConfig, StoreConfig


def test_path_and_host_are_exclusive() -> None:
    with pytest.raises(ConfigurationError, match="not both"):
        StoreConfig(path=Path("x"), chroma_host="127.0.0.1")


def test_port_needs_host() -> None:
    with pytest.raises(ConfigurationError, match="chroma_host"):
        StoreConfig(chroma_port=8000)


def test_default_path_is_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    resolved = StoreConfig().resolved(environ={})
    assert resolved.path == tmp_path / DEFAULT_PATH
    assert resolved.chroma_host is None


def test_environment_fills_unset_options(tmp_path: Path) -> None:
    resolved = StoreConfig().resolved(environ={"MEM0I_PATH": str(tmp_path / "m")})
    assert resolved.path == tmp_path / "m"
    server = StoreConfig().resolved(
        environ={"MEM0I_CHROMA_HOST": "127.0.0.1", "MEM0I_CHROMA_PORT": "8123"}
    )
    assert (server.chroma_host, server.chroma_port, server.path) == ("127.0.0.1", 8123, None)
    with pytest.raises(ConfigurationError, match="MEM0I_CHROMA_PORT"):
        StoreConfig().resolved(environ={"MEM0I_CHROMA_HOST": "h", "MEM0I_CHROMA_PORT": "x"})


def test_explicit_options_win_over_environment(tmp_path: Path) -> None:
    resolved = StoreConfig(path=tmp_path).resolved(environ={"MEM0I_CHROMA_HOST": "h"})
    assert resolved.path == tmp_path
    assert resolved.chroma_host is None


def test_resolving_does_not_touch_the_disk(tmp_path: Path) -> None:
    StoreConfig(path=tmp_path / "never").resolved(environ={})
    assert not (tmp_path / "never").exists()


@pytest.mark.parametrize("prefix", ["a", "-x", "x-", "has space", "x/y"])
def test_collection_prefix_must_be_a_valid_chroma_name(prefix: str) -> None:
    with pytest.raises(ValidationError):
        StoreConfig(collection_prefix=prefix)


def test_unknown_options_are_rejected() -> None:
    with pytest.raises(ValidationError):
        MemoryConfig.model_validate({"store": {"pth": "x"}})


def test_memory_config_from_dict() -> None:
    cfg = MemoryConfig.model_validate(
        {"embedder": {"batch_size": 8}, "limits": {"max_text_chars": 10}}
    )
    assert cfg.embedder.batch_size == 8
    assert cfg.limits.max_text_chars == 10
