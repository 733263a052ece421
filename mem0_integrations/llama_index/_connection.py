"""How each LlamaIndex adapter gets its :class:`~mem0_integrations.Memory`, and gets it back.

An adapter takes a shared ``memory=`` (the normal case) or opens one from
``path=`` / ``chroma_host=`` + ``chroma_port=`` / ``config=`` through the core's
:func:`~mem0_integrations.core.connect.open_memory`, which keeps one live ``Memory``
per store and config in this process (so two adapters built with the same
``path=`` share it). Adapters that LlamaIndex serialises (the chat memory, the
memory block) keep a :class:`MemoryLink`: the ``Memory``'s config (store location
included) plus a process-local reference, so that loading them again

* in the same process reuses the very same ``Memory`` object (its injected
  client, embedder, LLM and clock included), and
* in another process reuses a ``Memory`` of that process already open on the same
  store with the same config (one passed to an adapter, or one the core opened),
  else opens one through the core's registry, or raises
  :class:`ConfigurationError` when the original used objects a config cannot
  describe (an injected Chroma client, embedder or LLM; Chroma headers).

API keys are never serialised: a rebuilt ``Memory`` reads ``$OPENAI_API_KEY``.
"""

from __future__ import annotations

import copy
import uuid
import weakref
from collections.abc import Callable
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from ..core.config import MemoryConfig
from ..core.connect import live_memories, open_memory
from ..core.embedders import OnnxMiniLMEmbedder, OpenAIEmbedder
from ..core.errors import ConfigurationError
from ..core.llm import OpenAILLM
from ..core.memory import Memory
from ..core.models import Message, Scope

__all__ = [
    "Linked",
    "MemoryLink",
    "aadd_turn",
    "add_turn",
    "attach_memory",
    "open_memory",
    "scope_ids",
    "scope_of",
]

_LIVE: weakref.WeakValueDictionary[str, Memory] = weakref.WeakValueDictionary()
_REFS: weakref.WeakKeyDictionary[Memory, str] = weakref.WeakKeyDictionary()


def scope_of(user_id: str | None, agent_id: str | None, session_id: str | None) -> Scope:
    """The adapter's fixed scope; raises :class:`ScopeError` when no id is given."""
    return Scope(user_id=user_id, agent_id=agent_id, session_id=session_id)


def scope_ids(scope: Scope) -> dict[str, Any]:
    """The scope's ids that are set, as keyword arguments for ``Memory`` calls."""
    return dict(scope.items())


def add_turn(
    memory: Memory, messages: list[Message], scope: Scope, *, infer: bool, background: bool
) -> None:
    """Write one turn (one extraction); queued and returning at once with ``background``."""
    user, agent, session = scope.user_id, scope.agent_id, scope.session_id
    if background:
        memory.add(
            messages, user_id=user, agent_id=agent, session_id=session, infer=infer, background=True
        )
    else:
        memory.add(messages, user_id=user, agent_id=agent, session_id=session, infer=infer)


async def aadd_turn(
    memory: Memory, messages: list[Message], scope: Scope, *, infer: bool, background: bool
) -> None:
    """Async :func:`add_turn`, through ``Memory.aadd``."""
    user, agent, session = scope.user_id, scope.agent_id, scope.session_id
    if background:
        await memory.aadd(
            messages, user_id=user, agent_id=agent, session_id=session, infer=infer, background=True
        )
    else:
        await memory.aadd(messages, user_id=user, agent_id=agent, session_id=session, infer=infer)


def _register(memory: Memory, ref: str | None = None) -> str:
    known = _REFS.get(memory)
    if known is not None:
        return known
    ref = ref or uuid.uuid4().hex
    _LIVE[ref] = memory
    _REFS[memory] = ref
    return ref


def _not_serialisable(memory: Memory) -> list[str]:
    """What ``memory`` uses that its config cannot describe."""
    cfg = memory.config
    out: list[str] = []
    if memory.location.startswith("injected "):
        out.append("client")
    emb = memory.embedder
    if cfg.embedder.provider == "onnx-minilm":
        same_embedder = isinstance(emb, OnnxMiniLMEmbedder)
    else:
        same_embedder = (
            isinstance(emb, OpenAIEmbedder)
            and emb.model == cfg.embedder.model
            and emb.dimensions == cfg.embedder.dimensions
        )
    if not same_embedder:
        out.append("embedder")
    llm = memory.llm
    if llm is not None and not (isinstance(llm, OpenAILLM) and llm.model == cfg.llm.model):
        out.append("llm")
    if cfg.store.chroma_headers:
        out.append("chroma_headers")
    return out


def _public_config(config: MemoryConfig) -> MemoryConfig:
    """The config without secrets (API keys, Chroma headers)."""
    return config.model_copy(
        update={
            "store": config.store.model_copy(update={"chroma_headers": {}}),
            "embedder": config.embedder.model_copy(update={"api_key": None}),
            "llm": config.llm.model_copy(update={"api_key": None}),
        }
    )


class MemoryLink(BaseModel):
    """A serialisable handle on a ``Memory``: its config and a process-local reference."""

    model_config = ConfigDict(extra="forbid")

    config: MemoryConfig = Field(
        description="The Memory's config, store location included, API keys and headers dropped."
    )
    ref: str = Field(description="Key of the live Memory in the process that serialised it.")
    not_serialisable: list[str] = Field(
        default_factory=list,
        description="Parts the config cannot rebuild in another process (client, embedder, "
        "llm, chroma_headers).",
    )

    @field_serializer("config")
    def _json_config(self, config: MemoryConfig) -> dict[str, Any]:
        return config.model_dump(mode="json")

    @classmethod
    def of(cls, memory: Memory) -> MemoryLink:
        """The link to ``memory`` (registered so this process can find it again)."""
        return cls(
            config=_public_config(memory.config),
            ref=_register(memory),
            not_serialisable=_not_serialisable(memory),
        )

    def open(self) -> Memory:
        """The live ``Memory`` behind this link, else one opened from the config.

        Raises :class:`ConfigurationError` when the original cannot be rebuilt here.
        """
        live = _LIVE.get(self.ref)
        if live is not None:
            return live
        if self.not_serialisable:
            raise ConfigurationError(
                "This adapter was serialised from a Memory built with "
                f"{', '.join(self.not_serialisable)} that its config cannot describe, and that "
                "Memory is not alive in this process. Pass the Memory again: "
                "from_dict(data, memory=Memory(...)), or build the original Memory from "
                "config=/path=/chroma_host= only."
            )
        for memory in [*_LIVE.values(), *live_memories()]:  # the same store, open here
            if self._describes(memory):
                return memory
        memory = open_memory(config=self.config)  # shared with adapters opened by path=
        _register(memory, self.ref)
        return memory

    def _describes(self, memory: Memory) -> bool:
        """Whether ``memory`` is open, not closed, and what this link's config rebuilds."""
        return (
            not memory.closed
            and _public_config(memory.config) == self.config
            and not _not_serialisable(memory)
        )


def attach_memory(data: dict[str, Any], memory: Memory | None, **where: Any) -> Memory | None:
    """Set ``data["link"]`` to the Memory an adapter's constructor was given or told to open.

    Returns that Memory; None when ``data`` already holds a link (from ``to_dict``)
    and nothing overrides it: then the adapter opens the link itself.
    """
    if "link" in data and memory is None and all(v is None for v in where.values()):
        return None
    opened = open_memory(memory, **where)
    data["link"] = MemoryLink.of(opened)
    return opened


class Linked:
    """What the serialisable adapters (chat memory, memory block) share: the ``memory``
    property and a deep copy that shares the ``Memory`` and the tokenizer.

    Mixed in before the LlamaIndex pydantic base; the class declares the ``link`` and
    ``tokenizer_fn`` fields and the ``_memory`` private attribute, and its own
    ``__init__`` (pydantic's synthesized signature would hide a mixin's).
    """

    _memory: Memory
    link: MemoryLink
    tokenizer_fn: Any

    @property
    def memory(self) -> Memory:
        """The long-term ``Memory`` this adapter reads and writes."""
        return self._memory

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        """A copy (its own buffer, if any) sharing the ``Memory`` and the tokenizer."""
        data = {k: v for k, v in self.__dict__.items() if k not in ("link", "tokenizer_fn")}
        build: Callable[..., Self] = type(self)  # the subclass's own __init__
        return build(
            memory=self._memory, tokenizer_fn=self.tokenizer_fn, **copy.deepcopy(data, memo)
        )
