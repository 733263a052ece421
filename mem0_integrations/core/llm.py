"""LLM access for fact extraction: one small protocol and three adapters.

* :class:`LLMReply` - text of one completion plus token counts.
* :class:`LLM` - protocol: ``name`` and ``complete(messages, *, schema, max_tokens)``.
  ``messages`` are ``{"role": "system" | "user" | "assistant", "content": str}``.
  ``schema`` is a JSON schema the reply should follow; its ``title`` (if any,
  sanitised to ``[A-Za-z0-9_-]``, at most 64 characters) names it where a server
  wants a name, else ``"response"``. Adapters raise the underlying exception
  on failure: they never retry (retries live in
  :func:`~.completion.complete_json`).
* :class:`OpenAILLM` - any OpenAI-compatible chat endpoint through the ``openai``
  package, with structured output that downgrades itself when the server
  rejects it (``json_schema`` -> ``json_object`` -> plain text).
* :class:`LangChainLLM`, :class:`LlamaIndexLLM` - duck-typed wrappers of a
  LangChain chat model and a LlamaIndex LLM (neither framework is imported).
* :func:`as_llm`, :func:`llm_from_config` - build an :class:`LLM` from what the
  user has.

Retries, JSON parsing and repair live in :mod:`.completion`.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar, runtime_checkable

from .config import LLMConfig
from .errors import ConfigurationError

__all__ = [
    "LLM",
    "LLMReply",
    "LangChainLLM",
    "LlamaIndexLLM",
    "OpenAILLM",
    "as_llm",
    "llm_from_config",
]

log = logging.getLogger("mem0_integrations")

T = TypeVar("T")
ResponseFormat = Literal["auto", "json_schema", "json_object", "text"]
_LEVELS: tuple[str, ...] = ("json_schema", "json_object", "text")


@dataclass(frozen=True)
class LLMReply:
    """One completion: its text, the tokens the server reported, and the requests it took.

    ``requests`` is above 1 only when an adapter had to resend (e.g. after a
    ``response_format`` downgrade); :func:`complete_json` counts it in ``calls``.
    """

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    requests: int = 1


@runtime_checkable
class LLM(Protocol):
    """What the core needs from a chat model."""

    @property
    def name(self) -> str:
        """A readable name such as ``openai:gpt-4o-mini``, used in messages and logs."""
        ...

    def complete(
        self,
        messages: Sequence[Mapping[str, str]],
        *,
        schema: Mapping[str, Any] | None = None,
        max_tokens: int = 1024,
    ) -> LLMReply:
        """One completion; raise the underlying exception on failure (no retries)."""
        ...


# --------------------------------------------------------------------------- adapters


def _schema_name(schema: Mapping[str, Any]) -> str:
    title = schema.get("title")
    name = re.sub(r"[^A-Za-z0-9_-]", "_", title)[:64] if isinstance(title, str) else ""
    return name or "response"


def _get(obj: Any, key: str) -> Any:
    """``obj[key]`` for mappings, ``obj.key`` otherwise, ``None`` when absent."""
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(key)
    return getattr(obj, key, None)


def _tokens(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _content_text(content: Any) -> str:
    """Text of a message content: a string, or a list of content blocks (text parts joined)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence):
        parts = []
        for block in content:
            if isinstance(block, str):
                parts.append(block)
            elif _get(block, "type") in (None, "text") and isinstance(_get(block, "text"), str):
                parts.append(_get(block, "text"))
        return "".join(parts)
    return str(content)


def _status_of(exc: BaseException) -> int | None:
    """The HTTP status an exception carries, on itself or on its ``response``."""
    for holder in (exc, getattr(exc, "response", None)):
        code = getattr(holder, "status_code", None)
        if isinstance(code, int) and not isinstance(code, bool):
            return code
    return None


def _rejects_format(exc: BaseException) -> bool:
    """True if the server refused the request, plausibly because of ``response_format``."""
    status = _status_of(exc)
    if status is None:
        return False
    text = str(exc).lower()
    return status == 400 or (status >= 400 and ("response_format" in text or "schema" in text))


class OpenAILLM:
    """An OpenAI-compatible chat endpoint (OpenAI, llama.cpp server, vLLM, Ollama...).

    ``response_format``: ``"auto"`` asks for ``json_schema`` (strict) output and,
    when the server rejects it (HTTP 400, or an error about ``response_format``),
    retries the same request with ``json_object`` and then without a
    ``response_format``; the first level that works is remembered for later calls
    and logged once at INFO. ``"json_schema"``, ``"json_object"`` and ``"text"``
    pin one level. A ``response_format`` is only sent when ``schema`` is given.
    With ``strict`` schemas OpenAI requires ``additionalProperties: false`` and
    every property listed in ``required``; other schemas are rejected (and
    ``"auto"`` then downgrades).

    ``max_tokens`` is sent as ``max_tokens`` (what compatible servers accept).
    An injected ``client`` (an ``openai.OpenAI``) is used as-is, with its own
    timeout and retries; otherwise one is built with ``max_retries=0``, since
    :func:`complete_json` does the retrying.
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 30.0,
        temperature: float = 0.0,
        response_format: ResponseFormat = "auto",
        client: Any = None,
    ) -> None:
        if response_format not in ("auto", *_LEVELS):
            raise ConfigurationError(
                f"response_format={response_format!r} is not supported; use one of "
                "'auto', 'json_schema', 'json_object' or 'text'."
            )
        self._client = client if client is not None else _openai_client(base_url, api_key, timeout)
        self.model = model
        self.temperature = temperature
        self.response_format: ResponseFormat = response_format
        self._level: str = "json_schema" if response_format == "auto" else response_format
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return f"openai:{self.model}"

    @property
    def format_in_use(self) -> str:
        """The ``response_format`` level requests use now (after any downgrade)."""
        return self._level

    def complete(
        self,
        messages: Sequence[Mapping[str, str]],
        *,
        schema: Mapping[str, Any] | None = None,
        max_tokens: int = 1024,
    ) -> LLMReply:
        level = self._level
        requests = 0
        while True:
            requests += 1
            try:
                response = self._client.chat.completions.create(
                    **self._request(messages, schema, max_tokens, level)
                )
            except Exception as e:
                lower = self._lower_level(level, e) if schema is not None else None
                if lower is None:
                    raise
                level = lower
                continue
            if level != self._level:
                self._remember(level)
            return self._reply(response, requests)

    def _request(
        self,
        messages: Sequence[Mapping[str, str]],
        schema: Mapping[str, Any] | None,
        max_tokens: int,
        level: str,
    ) -> dict[str, Any]:
        request: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": m["role"], "content": m["content"]} for m in messages],
            "temperature": self.temperature,
            "max_tokens": max_tokens,
        }
        if schema is not None and level == "json_schema":
            request["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": _schema_name(schema),
                    "schema": dict(schema),
                    "strict": True,
                },
            }
        elif schema is not None and level == "json_object":
            request["response_format"] = {"type": "json_object"}
        return request

    def _lower_level(self, level: str, exc: Exception) -> str | None:
        if self.response_format != "auto" or level == "text" or not _rejects_format(exc):
            return None
        return _LEVELS[_LEVELS.index(level) + 1]

    def _remember(self, level: str) -> None:
        with self._lock:
            if _LEVELS.index(level) <= _LEVELS.index(self._level):
                return
            previous, self._level = self._level, level
        shown = "no response_format" if level == "text" else f"response_format={level}"
        log.info(
            "%s rejected response_format=%s; using %s from now on.", self.name, previous, shown
        )

    @staticmethod
    def _reply(response: Any, requests: int) -> LLMReply:
        choices = getattr(response, "choices", None)
        if choices is None:
            raise ValueError(
                f"the server's answer is not a chat completion: {str(response)[:200]!r}"
            )
        message = getattr(choices[0], "message", None) if choices else None
        usage = getattr(response, "usage", None)
        return LLMReply(
            text=_content_text(getattr(message, "content", None)),
            prompt_tokens=_tokens(_get(usage, "prompt_tokens")),
            completion_tokens=_tokens(_get(usage, "completion_tokens")),
            requests=requests,
        )


def _openai_client(base_url: str | None, api_key: str | None, timeout: float) -> Any:
    try:
        import openai
    except ImportError as e:
        raise ConfigurationError(
            "OpenAILLM needs the openai package: pip install 'mem0-integrations[openai]'."
        ) from e
    key = api_key or os.environ.get("OPENAI_API_KEY") or ("not-needed" if base_url else None)
    try:
        return openai.OpenAI(base_url=base_url, api_key=key, timeout=timeout, max_retries=0)
    except openai.OpenAIError as e:
        raise ConfigurationError(
            f"Cannot create the OpenAI client: {e} Set OPENAI_API_KEY or pass api_key=, or "
            "pass base_url= for a local OpenAI-compatible server."
        ) from e


_LANGCHAIN_ROLES = {"system": "system", "user": "human", "assistant": "ai"}


class LangChainLLM:
    """A LangChain chat model (``BaseChatModel``), duck-typed: only ``invoke`` is used.

    The schema is not passed on (``with_structured_output`` is not portable
    across providers); :func:`complete_json` parses the text tolerantly.
    ``max_tokens`` is not passed either: configure it on the chat model.
    """

    def __init__(self, chat_model: Any) -> None:
        self.chat_model = chat_model

    @property
    def name(self) -> str:
        return f"langchain:{type(self.chat_model).__name__}"

    def complete(
        self,
        messages: Sequence[Mapping[str, str]],
        *,
        schema: Mapping[str, Any] | None = None,
        max_tokens: int = 1024,
    ) -> LLMReply:
        prompt = [(_LANGCHAIN_ROLES.get(m["role"], "human"), m["content"]) for m in messages]
        result = self.chat_model.invoke(prompt)
        usage = getattr(result, "usage_metadata", None)
        return LLMReply(
            text=_content_text(getattr(result, "content", result)),
            prompt_tokens=_tokens(_get(usage, "input_tokens")),
            completion_tokens=_tokens(_get(usage, "output_tokens")),
        )


class LlamaIndexLLM:
    """A LlamaIndex ``LLM``, duck-typed: only ``chat`` is used.

    Like :class:`LangChainLLM`, neither ``schema`` nor ``max_tokens`` is passed on.
    Token counts come from ``response.raw["usage"]`` (or ``additional_kwargs``)
    when the integration reports them.
    """

    def __init__(self, llm: Any) -> None:
        self.llm = llm

    @property
    def name(self) -> str:
        return f"llama_index:{type(self.llm).__name__}"

    def complete(
        self,
        messages: Sequence[Mapping[str, str]],
        *,
        schema: Mapping[str, Any] | None = None,
        max_tokens: int = 1024,
    ) -> LLMReply:
        try:
            from llama_index.core.llms import ChatMessage, MessageRole
        except ImportError as e:  # pragma: no cover - the object came from that package
            raise ConfigurationError(
                "LlamaIndexLLM needs llama-index-core: pip install llama-index-core."
            ) from e
        roles = {
            "system": MessageRole.SYSTEM,
            "user": MessageRole.USER,
            "assistant": MessageRole.ASSISTANT,
        }
        chat = [
            ChatMessage(role=roles.get(m["role"], MessageRole.USER), content=m["content"])
            for m in messages
        ]
        response = self.llm.chat(chat)
        usage = _get(getattr(response, "raw", None), "usage")
        extra = getattr(response, "additional_kwargs", None)
        return LLMReply(
            text=_content_text(_get(getattr(response, "message", None), "content")),
            prompt_tokens=_tokens(_get(usage, "prompt_tokens") or _get(extra, "prompt_tokens")),
            completion_tokens=_tokens(
                _get(usage, "completion_tokens") or _get(extra, "completion_tokens")
            ),
        )


def _from_package(obj: object, prefix: str) -> bool:
    return any(cls.__module__.startswith(prefix) for cls in type(obj).__mro__)


def as_llm(obj: Any, *, model: str | None = None) -> LLM:
    """Coerce what the user has into an :class:`LLM`.

    Accepts one of ours, an ``openai.OpenAI`` client (then ``model=`` is
    required; it is ignored for everything else), a LangChain chat model, a
    LlamaIndex LLM, or any object with ``name`` and ``complete`` as in :class:`LLM`.
    """
    if isinstance(obj, OpenAILLM | LangChainLLM | LlamaIndexLLM):
        return obj
    if type(obj).__module__.startswith("openai") and hasattr(obj, "chat"):
        if type(obj).__name__.startswith("Async"):
            raise ConfigurationError(
                f"{type(obj).__name__} is asynchronous; pass a synchronous openai.OpenAI client "
                "(the library runs LLM calls in threads)."
            )
        if not model:
            raise ConfigurationError(
                "An openai.OpenAI client needs a model name: as_llm(client, model='gpt-4o-mini') "
                "or Memory(llm=client, config=MemoryConfig(llm=LLMConfig(model=...)))."
            )
        return OpenAILLM(model, client=obj)
    if _from_package(obj, "langchain_core"):
        return LangChainLLM(obj)
    if _from_package(obj, "llama_index"):
        return LlamaIndexLLM(obj)
    if isinstance(obj, LLM):
        return obj
    raise ConfigurationError(
        f"{type(obj).__name__} is not an LLM. Pass an openai.OpenAI client with model=, a "
        "LangChain chat model, a LlamaIndex LLM, or an object with a name property and "
        "complete(messages, *, schema, max_tokens) returning an LLMReply."
    )


def llm_from_config(cfg: LLMConfig) -> LLM | None:
    """The :class:`OpenAILLM` an :class:`LLMConfig` describes; ``None`` without a model."""
    if cfg.model is None:
        return None
    return OpenAILLM(
        cfg.model,
        base_url=cfg.base_url,
        api_key=cfg.api_key,
        timeout=cfg.timeout,
        temperature=cfg.temperature,
        response_format=cfg.response_format,
    )
