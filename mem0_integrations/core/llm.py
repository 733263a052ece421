"""LLM access for fact extraction: one small protocol, three adapters, retries, JSON.

* :class:`LLMReply` - text of one completion plus token counts.
* :class:`LLM` - protocol: ``name`` and ``complete(messages, *, schema, max_tokens)``.
  ``messages`` are ``{"role": "system" | "user" | "assistant", "content": str}``.
  ``schema`` is a JSON schema the reply should follow; its ``title`` (if any,
  sanitised to ``[A-Za-z0-9_-]``, at most 64 characters) names it where a server
  wants a name, else ``"response"``. Adapters raise the underlying exception
  on failure: they never retry (retries live in :func:`complete_json`).
* :class:`OpenAILLM` - any OpenAI-compatible chat endpoint through the ``openai``
  package, with structured output that downgrades itself when the server
  rejects it (``json_schema`` -> ``json_object`` -> plain text).
* :class:`LangChainLLM`, :class:`LlamaIndexLLM` - duck-typed wrappers of a
  LangChain chat model and a LlamaIndex LLM (neither framework is imported).
* :func:`as_llm`, :func:`llm_from_config` - build an :class:`LLM` from what the
  user has.
* :func:`complete_json` - retries transient failures with backoff and jitter,
  parses the reply tolerantly (:func:`parse_json_reply`), validates it, gives
  invalid output exactly one repair request, and raises
  :class:`~mem0_integrations.core.errors.ExtractionError` otherwise. Partial
  output is never returned.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal, Protocol, TypeVar, runtime_checkable

from .config import LLMConfig
from .errors import ConfigurationError, ExtractionError
from .models import LLMUsage

__all__ = [
    "LLM",
    "LLMReply",
    "LangChainLLM",
    "LlamaIndexLLM",
    "OpenAILLM",
    "RetryPolicy",
    "as_llm",
    "complete_json",
    "llm_from_config",
    "parse_json_reply",
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


# --------------------------------------------------------------------------- JSON parsing

_OPENER = re.compile(r"[{\[]")
_TRAILING_COMMA = re.compile(r",\s*[}\]]")


def _span_end(text: str, start: int) -> int | None:
    """Index after the bracket closing ``text[start]``; -1 if brackets mismatch; None if cut off."""
    closers: list[str] = []
    in_string = escaped = False
    for i in range(start, len(text)):
        ch = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            closers.append("}" if ch == "{" else "]")
        elif ch in "}]":
            if not closers or closers.pop() != ch:
                return -1
            if not closers:
                return i + 1
    return None


def _drop_trailing_commas(text: str) -> str:
    out: list[str] = []
    in_string = escaped = False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "," and _TRAILING_COMMA.match(text, i):
            continue
        out.append(ch)
    return "".join(out)


def _loads(span: str) -> Any:
    try:
        return json.loads(span)
    except ValueError as first:
        try:
            return json.loads(_drop_trailing_commas(span))
        except ValueError:
            raise first from None


def parse_json_reply(text: str) -> Any:
    """Parse a model's reply as JSON, tolerating what models wrap around it.

    Accepts plain JSON; JSON inside a ```` ``` ```` or ```` ```json ```` fence; prose
    before and after the first balanced top-level object or array; trailing
    commas. Raises ``ValueError`` (saying what is wrong) for an empty reply, a
    reply without JSON, invalid JSON, and JSON that is cut off (a model hitting
    ``max_tokens``): truncated output is never patched into something valid.
    """
    stripped = text.strip()
    if not stripped:
        raise ValueError("the reply is empty; expected a JSON object")
    try:
        return json.loads(stripped)
    except ValueError:
        pass
    error: ValueError | None = None
    start = _OPENER.search(stripped)
    while start is not None:
        end = _span_end(stripped, start.start())
        if end is None:
            raise ValueError(
                "the JSON is cut off before its closing bracket (the reply looks truncated, "
                "e.g. by max_tokens); send the complete JSON, shorter if needed"
            )
        if end > 0:
            try:
                return _loads(stripped[start.start() : end])
            except ValueError as e:
                error = error or ValueError(f"the reply is not valid JSON: {e}")
        resume = end if end > 0 else start.end()
        start = _OPENER.search(stripped, resume)
    raise error or ValueError("the reply contains no JSON object or array")


# --------------------------------------------------------------------------- retries


@dataclass(frozen=True)
class RetryPolicy:
    """How :func:`complete_json` retries transient failures.

    Retry ``n`` (from 0) waits ``uniform(0, min(max_backoff, backoff * 2**n))``
    seconds (full jitter), or the server's ``Retry-After`` capped at ``max_backoff``.
    """

    max_retries: int = 3
    backoff: float = 0.5
    max_backoff: float = 8.0

    @classmethod
    def from_config(cls, cfg: LLMConfig) -> RetryPolicy:
        return cls(max_retries=cfg.max_retries, backoff=cfg.backoff, max_backoff=cfg.max_backoff)

    def delay(self, retry: int, rng: random.Random, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (0 for the first retry)."""
        if retry_after is not None:
            return min(retry_after, self.max_backoff)
        return rng.uniform(0.0, min(self.max_backoff, self.backoff * 2.0**retry))


_DEFAULT_RETRY = RetryPolicy()
_TIMEOUT_SUFFIXES = ("Timeout", "TimeoutError", "TimeoutException")
_CONNECTION_NAMES = frozenset(
    {"APIConnectionError", "TransportError", "NetworkError", "ConnectError", "ConnectionError"}
)


@dataclass(frozen=True)
class _Failure:
    kind: Literal["timeout", "connection", "status"]
    status: int | None = None

    @property
    def transient(self) -> bool:
        return self.status is None or self.status in (408, 409, 429) or self.status >= 500


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and what caused it (frameworks wrap the client's errors)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < 8:
        seen.add(id(current))
        yield current
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )


def _classify(exc: BaseException) -> _Failure | None:
    """What kind of failure ``exc`` is, by attributes and class names; None: unknown."""
    for e in _chain(exc):
        status = _status_of(e)
        if status is not None:
            return _Failure("status", status)
        names = [cls.__name__ for cls in type(e).__mro__]
        if isinstance(e, TimeoutError) or any(n.endswith(_TIMEOUT_SUFFIXES) for n in names):
            return _Failure("timeout")
        if isinstance(e, ConnectionError) or _CONNECTION_NAMES.intersection(names):
            return _Failure("connection")
    return None


def _retry_after(exc: BaseException) -> float | None:
    """Seconds from a ``Retry-After`` (or ``retry-after-ms``) header on the error's response."""
    for e in _chain(exc):
        headers = getattr(getattr(e, "response", None), "headers", None)
        if headers is None or not hasattr(headers, "get"):
            continue
        millis = headers.get("retry-after-ms")
        value = headers.get("retry-after") or headers.get("Retry-After")
        if millis is not None:
            seconds = _seconds(str(millis))
            if seconds is not None:
                return seconds / 1000.0
        if value is not None:
            return _seconds(str(value))
    return None


def _seconds(value: str) -> float | None:
    """A ``Retry-After`` value (delta seconds or an HTTP date) as seconds from now, >= 0."""
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class _Session:
    """Requests of one :func:`complete_json` call: retries, counting, failure messages."""

    def __init__(
        self,
        llm: LLM,
        *,
        schema: Mapping[str, Any] | None,
        max_tokens: int,
        retry: RetryPolicy,
        sleep: Callable[[float], None],
        rng: random.Random,
    ) -> None:
        self.llm, self.schema, self.max_tokens = llm, schema, max_tokens
        self.retry, self.sleep, self.rng = retry, sleep, rng
        self.calls = self.prompt_tokens = self.completion_tokens = 0

    @property
    def usage(self) -> LLMUsage:
        return LLMUsage(
            calls=self.calls,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
        )

    def send(self, messages: Sequence[Mapping[str, str]]) -> LLMReply:
        """One completion, retrying transient failures; ExtractionError when it gives up."""
        kinds: list[str] = []
        while True:
            self.calls += 1
            try:
                reply = self.llm.complete(messages, schema=self.schema, max_tokens=self.max_tokens)
            # Adapters wrap arbitrary frameworks, so any exception may come back;
            # each one is classified, and every final one is wrapped with its cause.
            except Exception as e:
                failure = _classify(e)
                if failure is None or not failure.transient:
                    raise self._fatal(e, failure) from e
                kinds.append(failure.kind)
                if len(kinds) > self.retry.max_retries:
                    raise self._gave_up(e, failure, kinds) from e
                self.sleep(self.retry.delay(len(kinds) - 1, self.rng, _retry_after(e)))
                continue
            self.calls += max(reply.requests, 1) - 1
            self.prompt_tokens += _tokens(reply.prompt_tokens)
            self.completion_tokens += _tokens(reply.completion_tokens)
            return reply

    def _fatal(self, exc: Exception, failure: _Failure | None) -> ExtractionError:
        name = self.llm.name
        if failure is None or failure.status is None:
            text = f"The LLM {name} failed (not retried): {type(exc).__name__}: {_said(exc)}."
        else:
            hints = {
                401: "Check the API key.",
                403: "Check the API key's permissions for this model.",
                404: "Check the model name and base_url.",
            }
            hint = hints.get(failure.status, "Check the model, base_url and request size.")
            text = (
                f"The LLM {name} failed with HTTP {failure.status} (not retried): "
                f"{_said(exc)}. {hint}"
            )
        return ExtractionError(text, attempts=self.calls, usage=self.usage)

    def _gave_up(self, exc: Exception, failure: _Failure, kinds: list[str]) -> ExtractionError:
        name, n = self.llm.name, len(kinds)
        if all(k == "timeout" for k in kinds):
            what = f"timed out {_times(n, 'time')}"
        elif failure.kind == "status":
            what = f"answered HTTP {failure.status} after {_times(n, 'attempt')}"
        elif failure.kind == "timeout":
            what = f"failed {_times(n, 'time')} (the last one timed out)"
        else:
            what = f"could not be reached after {_times(n, 'attempt')}"
        return ExtractionError(
            f"The LLM {name} {what}: {_said(exc)}. Check that the server is up and not "
            "overloaded, or raise LLMConfig.timeout, max_retries or max_backoff.",
            attempts=self.calls,
            usage=self.usage,
        )


def _times(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _said(exc: BaseException) -> str:
    """An exception as text for a message, without its trailing full stop."""
    return (str(exc) or type(exc).__name__).rstrip(". ")


def _repair_request(problem: str, schema: Mapping[str, Any] | None) -> str:
    target = "the JSON schema you were given" if schema is not None else "the requested format"
    return (
        f"Your previous reply could not be used: {problem}.\n"
        f"Reply again with only the corrected JSON, complete and valid, following {target}: "
        "no prose, no code fences."
    )


def complete_json(
    llm: LLM,
    messages: Sequence[Mapping[str, str]],
    *,
    schema: Mapping[str, Any] | None,
    validate: Callable[[Any], T],
    max_tokens: int = 1024,
    retry: RetryPolicy = _DEFAULT_RETRY,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> tuple[T, LLMUsage]:
    """Ask ``llm`` for JSON, validate it, and return ``(validate(parsed), usage)``.

    * Transient failures (timeouts, connection errors, HTTP 408/409/429/5xx) are
      retried up to ``retry.max_retries`` times with full-jitter backoff, or the
      server's ``Retry-After`` (capped at ``retry.max_backoff``). Other failures
      are not retried.
    * The reply is parsed with :func:`parse_json_reply`, then passed to
      ``validate``, which returns the value or raises ``ValueError`` saying what
      is wrong. Invalid output gets exactly one repair request (the conversation,
      the bad reply, and the problem); its transient failures are retried too.
    * Every final failure raises :class:`ExtractionError` with ``attempts`` (all
      requests sent by this call), ``usage`` (their traffic) and ``__cause__`` set
      to the last exception.
    * ``usage.calls`` counts every request sent, failed ones included; tokens are
      what replies reported.
    """
    session = _Session(
        llm,
        schema=schema,
        max_tokens=max_tokens,
        retry=retry,
        sleep=sleep,
        rng=rng or random.Random(),
    )
    reply = session.send(messages)
    try:
        return validate(parse_json_reply(reply.text)), session.usage
    except ValueError as e:
        problem = str(e).rstrip(".")
    repair = [
        *messages,
        {"role": "assistant", "content": reply.text},
        {"role": "user", "content": _repair_request(problem, schema)},
    ]
    second = session.send(repair)
    try:
        return validate(parse_json_reply(second.text)), session.usage
    except ValueError as e:
        raise ExtractionError(
            f"The LLM {llm.name} answered with invalid JSON after one repair: {e} (the first "
            f"reply: {problem}). Nothing was applied; try a stronger model or a larger "
            "max_tokens.",
            attempts=session.calls,
            usage=session.usage,
        ) from e
