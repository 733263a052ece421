"""One vocabulary for the chat memories of both frameworks, for the shared contract test.

LangChain's ``Mem0Memory`` (``save_context`` / ``load_memory_variables`` / ``clear``) and
LlamaIndex's ``Mem0ChatMemory`` (``put``/``put_messages`` / ``get`` / ``set`` / ``reset``)
are driven through the same verbs:

* ``open``: a chat memory for one user and one conversation (a "session");
* ``resume``: a new adapter object continuing the same conversation;
* ``say``: one finished turn (what the user said, what the model answered);
* ``read``: what a model would get for a query, as a :class:`Context`;
* ``replace``: replace the short-term history with given turns;
* ``reset``: empty the short-term history;
* ``flush``: wait for background writes.

Every verb has a sync and an async form; :class:`Talk` picks one per test. Where the
frameworks genuinely differ, the driver says so (a docstring and a class attribute) rather
than the test looking away.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from llama_index.core.base.llms.types import ChatMessage, MessageRole

from mem0_integrations import Memory
from mem0_integrations.core.rank.context import DEFAULT_HEADER
from mem0_integrations.langchain import Mem0Memory
from mem0_integrations.llama_index import Mem0ChatMemory

Turn = tuple[str, str]  # (what the user said, what the assistant answered)
Line = tuple[Literal["user", "assistant"], str]


@dataclass(frozen=True)
class Context:
    """What a model receives from a chat memory, framework-free.

    ``memories`` is the rendered long-term block (``render_memories``), "" when none;
    ``turns`` are the short-term messages, oldest first, as ``(role, text)``.
    """

    memories: str
    turns: list[Line]

    @property
    def text(self) -> str:
        """Everything the model would see, as one string."""
        return "\n".join([self.memories, *(f"{role}: {text}" for role, text in self.turns)])


def lines(*turns: Turn) -> list[Line]:
    """The short-term messages ``turns`` should produce, oldest first."""
    return [line for user, ai in turns for line in (("user", user), ("assistant", ai))]


class Driver(ABC):
    """The contract's verbs for one framework's chat memory."""

    name: ClassVar[str]
    #: Whether turns given to ``replace`` also become long-term memories.
    replace_is_remembered: ClassVar[bool]

    @abstractmethod
    def open(self, memory: Memory, *, user_id: str, session: str, background: bool = False) -> Any:
        """A chat memory for ``user_id``'s conversation ``session`` on ``memory``."""

    @abstractmethod
    def resume(self, adapter: Any) -> Any:
        """A new adapter object that continues ``adapter``'s conversation."""

    @abstractmethod
    def say(self, adapter: Any, turn: Turn) -> None: ...

    @abstractmethod
    async def asay(self, adapter: Any, turn: Turn) -> None: ...

    @abstractmethod
    def read(self, adapter: Any, query: str) -> Context: ...

    @abstractmethod
    async def aread(self, adapter: Any, query: str) -> Context: ...

    @abstractmethod
    def replace(self, adapter: Any, turns: Sequence[Turn]) -> None: ...

    @abstractmethod
    async def areplace(self, adapter: Any, turns: Sequence[Turn]) -> None: ...

    @abstractmethod
    def reset(self, adapter: Any) -> None: ...

    @abstractmethod
    async def areset(self, adapter: Any) -> None: ...

    def flush(self, adapter: Any) -> None:
        adapter.flush()

    async def aflush(self, adapter: Any) -> None:
        await adapter.aflush()


def _is_memory_block(content: object) -> bool:
    return isinstance(content, str) and content.startswith(DEFAULT_HEADER)


class LangChainDriver(Driver):
    """``Mem0Memory`` as a ``ConversationChain`` uses it, with ``return_messages=True``.

    Differences from LlamaIndex, stated here rather than hidden in the tests:

    * ``session_id`` names the conversation; long-term facts are kept per user, so a new
      session of the same user sees them.
    * The recent-turn window is persisted next to the memories: ``resume`` is a new
      ``Mem0Memory`` with the same ids.
    * Classic LangChain memory has no "set the history" verb: ``replace`` is ``clear()``
      then ``save_context`` per turn, so replaced turns are also remembered long-term.
    """

    name = "langchain"
    replace_is_remembered = True

    def open(
        self, memory: Memory, *, user_id: str, session: str, background: bool = False
    ) -> Mem0Memory:
        return Mem0Memory(
            memory, user_id=user_id, session_id=session, return_messages=True, background=background
        )

    def resume(self, adapter: Mem0Memory) -> Mem0Memory:
        return self.open(
            adapter.memory,
            user_id=str(adapter.user_id),
            session=str(adapter.session_id),
            background=adapter.background,
        )

    @staticmethod
    def _io(turn: Turn) -> tuple[dict[str, Any], dict[str, str]]:
        return {"input": turn[0]}, {"output": turn[1]}

    def say(self, adapter: Mem0Memory, turn: Turn) -> None:
        adapter.save_context(*self._io(turn))

    async def asay(self, adapter: Mem0Memory, turn: Turn) -> None:
        await adapter.asave_context(*self._io(turn))

    def _context(self, adapter: Mem0Memory, variables: dict[str, Any]) -> Context:
        messages: list[BaseMessage] = variables[adapter.memory_key]
        memories = ""
        if messages and isinstance(messages[0], SystemMessage):
            memories = str(messages.pop(0).content)
            assert _is_memory_block(memories), memories
        turns: list[Line] = []
        for m in messages:
            assert isinstance(m, HumanMessage | AIMessage), m
            turns.append(("user" if isinstance(m, HumanMessage) else "assistant", str(m.content)))
        return Context(memories, turns)

    def read(self, adapter: Mem0Memory, query: str) -> Context:
        return self._context(adapter, adapter.load_memory_variables({"input": query}))

    async def aread(self, adapter: Mem0Memory, query: str) -> Context:
        return self._context(adapter, await adapter.aload_memory_variables({"input": query}))

    def replace(self, adapter: Mem0Memory, turns: Sequence[Turn]) -> None:
        adapter.clear()
        for turn in turns:
            self.say(adapter, turn)

    async def areplace(self, adapter: Mem0Memory, turns: Sequence[Turn]) -> None:
        await adapter.aclear()
        for turn in turns:
            await self.asay(adapter, turn)

    def reset(self, adapter: Mem0Memory) -> None:
        adapter.clear()

    async def areset(self, adapter: Mem0Memory) -> None:
        await adapter.aclear()


class LlamaIndexDriver(Driver):
    """``Mem0ChatMemory`` as a chat engine uses it; ``say`` is one ``put_messages`` call.

    Differences from LangChain, stated here rather than hidden in the tests:

    * ``session_id`` names the conversation, as in LangChain: long-term facts are kept
      per user (``Scope.long_term``), so a new session is a new ``Mem0ChatMemory`` with
      another ``session_id``.
    * The short-term buffer lives in the object and travels with ``to_dict``: ``resume``
      is ``from_dict(to_dict())``.
    * ``set`` gives context, not statements: replaced turns are not remembered long-term.
    """

    name = "llama_index-put_messages"
    replace_is_remembered = False

    def open(
        self, memory: Memory, *, user_id: str, session: str, background: bool = False
    ) -> Mem0ChatMemory:
        return Mem0ChatMemory.from_defaults(
            memory=memory, user_id=user_id, session_id=session, background=background
        )

    def resume(self, adapter: Mem0ChatMemory) -> Mem0ChatMemory:
        return Mem0ChatMemory.from_dict(adapter.to_dict())

    @staticmethod
    def _messages(turns: Sequence[Turn]) -> list[ChatMessage]:
        return [
            ChatMessage(role=role, content=text)
            for user, ai in turns
            for role, text in ((MessageRole.USER, user), (MessageRole.ASSISTANT, ai))
        ]

    def say(self, adapter: Mem0ChatMemory, turn: Turn) -> None:
        adapter.put_messages(self._messages([turn]))

    async def asay(self, adapter: Mem0ChatMemory, turn: Turn) -> None:
        await adapter.aput_messages(self._messages([turn]))

    @staticmethod
    def _context(messages: list[ChatMessage]) -> Context:
        memories = [m.content for m in messages if _is_memory_block(m.content)]
        assert len(memories) <= 1, memories
        turns: list[Line] = []
        for m in messages:
            if _is_memory_block(m.content):
                assert m.role == MessageRole.SYSTEM, m
                continue
            assert m.role in (MessageRole.USER, MessageRole.ASSISTANT), m
            role: Literal["user", "assistant"] = (
                "user" if m.role == MessageRole.USER else "assistant"
            )
            turns.append((role, str(m.content)))
        return Context(str(memories[0]) if memories else "", turns)

    def read(self, adapter: Mem0ChatMemory, query: str) -> Context:
        return self._context(adapter.get(input=query))

    async def aread(self, adapter: Mem0ChatMemory, query: str) -> Context:
        return self._context(await adapter.aget(input=query))

    def replace(self, adapter: Mem0ChatMemory, turns: Sequence[Turn]) -> None:
        adapter.set(self._messages(turns))

    async def areplace(self, adapter: Mem0ChatMemory, turns: Sequence[Turn]) -> None:
        await adapter.aset(self._messages(turns))

    def reset(self, adapter: Mem0ChatMemory) -> None:
        adapter.reset()

    async def areset(self, adapter: Mem0ChatMemory) -> None:
        await adapter.areset()


class LlamaIndexPutDriver(LlamaIndexDriver):
    """``Mem0ChatMemory`` fed one message at a time (``put``/``aput``), as agents do."""

    name = "llama_index-put"

    def say(self, adapter: Mem0ChatMemory, turn: Turn) -> None:
        for message in self._messages([turn]):
            adapter.put(message)

    async def asay(self, adapter: Mem0ChatMemory, turn: Turn) -> None:
        for message in self._messages([turn]):
            await adapter.aput(message)


DRIVERS: list[Driver] = [LangChainDriver(), LlamaIndexDriver(), LlamaIndexPutDriver()]


@dataclass(frozen=True)
class Talk:
    """A driver's verbs in one mode: ``"sync"`` or ``"async"``, awaited the same way."""

    driver: Driver
    mode: Literal["sync", "async"]

    def open(self, memory: Memory, user_id: str, session: str, background: bool = False) -> Any:
        return self.driver.open(memory, user_id=user_id, session=session, background=background)

    def resume(self, adapter: Any) -> Any:
        return self.driver.resume(adapter)

    async def say(self, adapter: Any, *turns: Turn) -> None:
        for turn in turns:
            if self.mode == "sync":
                self.driver.say(adapter, turn)
            else:
                await self.driver.asay(adapter, turn)

    async def read(self, adapter: Any, query: str) -> Context:
        if self.mode == "sync":
            return self.driver.read(adapter, query)
        return await self.driver.aread(adapter, query)

    async def replace(self, adapter: Any, *turns: Turn) -> None:
        if self.mode == "sync":
            self.driver.replace(adapter, turns)
        else:
            await self.driver.areplace(adapter, turns)

    async def reset(self, adapter: Any) -> None:
        if self.mode == "sync":
            self.driver.reset(adapter)
        else:
            await self.driver.areset(adapter)

    async def flush(self, adapter: Any) -> None:
        if self.mode == "sync":
            self.driver.flush(adapter)
        else:
            await self.driver.aflush(adapter)


class GatedEmbedder:
    """Wraps an embedder; while closed, embedding a text containing ``word`` waits.

    Lets a test hold a background write (its fact contains ``word``) without sleeping,
    while searches (queries without ``word``) go through. Embedding ``word`` on the
    thread that closed the gate fails at once: that write was not in the background.
    """

    def __init__(self, inner: Any, word: str, timeout: float = 60.0) -> None:
        self.inner = inner
        self.word = word.lower()
        self.timeout = timeout
        self._open = threading.Event()
        self._open.set()
        self._closer: int | None = None
        self.held = 0

    @property
    def name(self) -> str:
        return str(self.inner.name)

    def embed(self, texts: Sequence[str]) -> Any:
        if not self._open.is_set() and any(self.word in t.lower() for t in texts):
            if threading.get_ident() == self._closer:
                raise AssertionError(f"{texts!r} was embedded in the caller's thread")
            self.held += 1
            if not self._open.wait(self.timeout):
                raise AssertionError(f"the gate stayed closed for {self.timeout} s")
        return self.inner.embed(texts)

    @contextmanager
    def closed(self) -> Iterator[None]:
        """Hold writes mentioning ``word`` until the block ends."""
        self._closer = threading.get_ident()
        self._open.clear()
        try:
            yield
        finally:
            self._open.set()
            self._closer = None
