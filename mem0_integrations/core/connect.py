"""How an adapter gets its :class:`~mem0_integrations.Memory`: shared, or one per store.

Every adapter takes ``memory=`` (a ``Memory`` the application shares between
adapters: the normal case) or where to open one (``path=`` /
``chroma_host=`` + ``chroma_port=`` / ``config=``). :func:`open_memory` does
both, for the LangChain and the LlamaIndex adapters alike.

Memories it opens are kept in a weak, process-wide registry keyed by their
resolved config (the store location made absolute, everything else as given).
Adapters built in one process with the same ``path=`` (or server and
collection prefix) and the same config therefore share one live ``Memory``:
opening the same embedded folder twice would give two keyword indexes, two
background writers and two write locks that know nothing of each other. A
different location or config opens another ``Memory``. A ``Memory`` leaves the
registry when nothing references it any more, and a closed one
(:meth:`Memory.close`, the end of a ``with`` block) is never handed out again:
the next adapter opens a fresh one. The registry lives in this process only;
nothing of it is written anywhere.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .config import MemoryConfig
from .errors import ConfigurationError
from .memory import Memory

__all__ = ["live_memories", "open_memory", "resolve_config"]

_OPEN: weakref.WeakValueDictionary[str, Memory] = weakref.WeakValueDictionary()
_LOCK = threading.Lock()


def resolve_config(
    *,
    path: str | Path | None = None,
    chroma_host: str | None = None,
    chroma_port: int | None = None,
    config: MemoryConfig | Mapping[str, Any] | None = None,
) -> MemoryConfig:
    """The config ``Memory(path, chroma_host=, chroma_port=, config=)`` ends up with:
    ``config`` with the location arguments applied and the store resolved
    (environment defaults, absolute path)."""
    cfg = MemoryConfig.located(config, path=path, chroma_host=chroma_host, chroma_port=chroma_port)
    return cfg.model_copy(update={"store": cfg.store.resolved()})


def open_memory(
    memory: Memory | None = None,
    *,
    path: str | Path | None = None,
    chroma_host: str | None = None,
    chroma_port: int | None = None,
    config: MemoryConfig | Mapping[str, Any] | None = None,
) -> Memory:
    """``memory`` itself, or the live ``Memory`` of this process for that store and config.

    Without ``memory``, the ``Memory`` already opened here by an earlier call with
    the same resolved location and config is returned if it is alive and not
    closed; otherwise a new one is opened and remembered (weakly). Raises
    :class:`ConfigurationError` when ``memory`` is not a ``Memory``, or is given
    together with where to open one.
    """
    where = {"path": path, "chroma_host": chroma_host, "chroma_port": chroma_port}
    given = [k for k, v in {**where, "config": config}.items() if v is not None]
    if memory is not None:
        if not isinstance(memory, Memory):
            raise ConfigurationError(
                f"memory= must be a mem0_integrations.Memory, got {type(memory).__name__}. "
                "Build one with Memory(path=...) and share it between adapters."
            )
        if given:
            raise ConfigurationError(
                f"memory= was given together with {', '.join(given)}=. Pass a shared Memory, "
                "or where to open one, not both."
            )
        return memory
    resolved = resolve_config(
        path=path, chroma_host=chroma_host, chroma_port=chroma_port, config=config
    )
    key = resolved.model_dump_json()
    with _LOCK:  # two threads opening the same store get one Memory
        live = _OPEN.get(key)
        if live is not None and not live.closed:
            return live
        opened = Memory(config=resolved)
        _OPEN[key] = opened
        return opened


def live_memories() -> list[Memory]:
    """The Memories :func:`open_memory` opened that are still alive and not closed."""
    with _LOCK:
        return [m for m in _OPEN.values() if not m.closed]
