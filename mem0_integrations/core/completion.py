"""One JSON completion from an :class:`~.llm.LLM`: retries, tolerant parsing, one repair.

:func:`complete_json` retries transient failures with backoff and jitter,
parses the reply tolerantly (:func:`parse_json_reply`), validates it, gives
invalid output exactly one repair request, and raises
:class:`~mem0_integrations.core.errors.ExtractionError` otherwise. Partial
output is never returned.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from .config import LLMConfig
from .deadline import bounded, remaining
from .errors import DeadlineExceededError, ExtractionError
from .llm import LLM, LLMReply, _status_of, _tokens
from .models import LLMUsage

__all__ = ["RetryPolicy", "complete_json", "parse_json_reply"]

T = TypeVar("T")


# --------------------------------------------------------------------------- JSON parsing

_OPENER = re.compile(r"[{\[]")
_TRAILING_COMMA = re.compile(r",\s*[}\]]")


def _scan(text: str, start: int = 0) -> Iterator[tuple[int, str, bool]]:
    """``(index, char, is_code)`` from ``start``: ``is_code`` is False inside string literals
    (their quotes included), so brackets and commas in strings are never structure."""
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
            yield i, ch, False
        elif ch == '"':
            in_string = True
            yield i, ch, False
        else:
            yield i, ch, True


def _span_end(text: str, start: int) -> int | None:
    """Index after the bracket closing ``text[start]``; -1 if brackets mismatch; None if cut off."""
    closers: list[str] = []
    for i, ch, is_code in _scan(text, start):
        if not is_code:
            continue
        if ch in "{[":
            closers.append("}" if ch == "{" else "]")
        elif ch in "}]":
            if not closers or closers.pop() != ch:
                return -1
            if not closers:
                return i + 1
    return None


def _drop_trailing_commas(text: str) -> str:
    return "".join(
        ch
        for i, ch, is_code in _scan(text)
        if not (is_code and ch == "," and _TRAILING_COMMA.match(text, i))
    )


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
    from email.utils import parsedate_to_datetime  # rare: an HTTP date; keeps the import light

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
                reply = bounded(
                    f"get an answer from the LLM {self.llm.name}",
                    lambda: self.llm.complete(
                        messages, schema=self.schema, max_tokens=self.max_tokens
                    ),
                )
            except DeadlineExceededError:
                raise
            # Adapters wrap arbitrary frameworks, so any exception may come back;
            # each one is classified, and every final one is wrapped with its cause.
            except Exception as e:
                failure = _classify(e)
                if failure is None or not failure.transient:
                    raise self._fatal(e, failure) from e
                kinds.append(failure.kind)
                if len(kinds) > self.retry.max_retries:
                    raise self._gave_up(e, failure, kinds) from e
                pause = self.retry.delay(len(kinds) - 1, self.rng, _retry_after(e))
                left = remaining()
                if left is not None and pause >= left:  # no time left for a retry
                    raise self._gave_up(e, failure, kinds) from e
                self.sleep(pause)
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
