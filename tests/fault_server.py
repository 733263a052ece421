"""A scripted fake OpenAI-compatible server on 127.0.0.1, for fault-injection tests.

Each ``POST .../chat/completions`` takes the next step from a queue and
answers as it says; every request body is recorded::

    from tests.fault_server import FaultServer, Hang, Reply, Status, Truncated

    with FaultServer() as server:
        server.script([
            Hang(5),                                   # no answer: the client times out
            Status(429, headers={"Retry-After": "0"}),  # rate limited
            Status(500),                               # server error
            Truncated('{"facts": ["a", "b"]}'),        # cut off, finish_reason "length"
            Reply('{"facts": ["a"]}', prompt_tokens=12, completion_tokens=5),
        ])
        llm = OpenAILLM("test-model", base_url=server.base_url, api_key="x", timeout=0.5)
        ...
        assert len(server.requests) == 5
        assert server.requests[0]["messages"][0]["role"] == "system"
        assert server.formats == ["json_schema"] * 5   # response_format type per request

Steps (frozen dataclasses, reusable in several scripts):

* ``Reply(text, prompt_tokens=10, completion_tokens=5, finish_reason="stop")`` - a
  proper ``chat.completion`` with ``text`` as the assistant's content, and usage.
* ``Truncated(text, keep=None)`` - like ``Reply`` with ``text[:keep]`` (default: half)
  and ``finish_reason="length"``, as a model hitting ``max_tokens``.
* ``Status(code, message="", headers=None, body=None)`` - an error status with an
  OpenAI-style ``{"error": {...}}`` body (or ``body`` verbatim).
* ``Hang(seconds=10.0, then=None)`` - wait (interrupted when the server closes), then
  answer with ``then``, or close the connection without an answer.
* ``RawBody(body, status=200, content_type="application/json", headers=None)`` -
  any bytes, e.g. a non-JSON 200.
* ``Disconnect(partial=b"")`` - announce a body, send only ``partial``, close: a
  transport error on the client side.
* ``Dynamic(fn)`` - ``fn(request_body) -> step``, for answers that depend on the request.

Server-wide behaviour:

* ``FaultServer(reject_formats={"json_schema"})`` (or ``server.reject_formats(...)``):
  requests whose ``response_format.type`` is in the set get HTTP 400 ("response_format
  ... is not supported") without consuming a step, like a server lacking that feature.
* ``FaultServer(default=Reply(...))``: the answer once the script is empty. Without a
  default an empty script answers HTTP 418 "script exhausted" (not retried by clients),
  so a test that sends more requests than it scripted fails loudly.
* ``requests`` (parsed JSON bodies), ``headers``, ``formats``, ``remaining`` (steps left).
* ``base_url`` is ``http://127.0.0.1:<port>/v1``. Use it as a context manager (or
  ``start()`` / ``close()``); closing releases hanging handlers and joins the thread.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = [
    "Disconnect",
    "Dynamic",
    "FaultServer",
    "Hang",
    "RawBody",
    "Reply",
    "Status",
    "Step",
    "Truncated",
]


@dataclass(frozen=True)
class Reply:
    """A successful chat completion whose assistant message content is ``text``."""

    text: str
    prompt_tokens: int = 10
    completion_tokens: int = 5
    finish_reason: str = "stop"
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Truncated:
    """A completion cut off by ``max_tokens``: ``text[:keep]`` (default half), "length"."""

    text: str
    keep: int | None = None
    prompt_tokens: int = 10
    completion_tokens: int = 5

    def as_reply(self) -> Reply:
        keep = len(self.text) // 2 if self.keep is None else self.keep
        return Reply(
            self.text[:keep],
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            finish_reason="length",
        )


@dataclass(frozen=True)
class Status:
    """An HTTP error: an OpenAI-style error body, or ``body`` verbatim."""

    code: int
    message: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: str | bytes | None = None


@dataclass(frozen=True)
class Hang:
    """Wait ``seconds`` (cut short when the server closes), then answer ``then`` or hang up."""

    seconds: float = 10.0
    then: Step | None = None


@dataclass(frozen=True)
class RawBody:
    """Any body with any status and content type."""

    body: str | bytes
    status: int = 200
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Disconnect:
    """Promise a longer body, send ``partial``, close the connection."""

    partial: bytes = b""


@dataclass(frozen=True)
class Dynamic:
    """Compute the step from the request body (parsed JSON)."""

    fn: Callable[[Any], Step]


Step = Reply | Truncated | Status | Hang | RawBody | Disconnect | Dynamic

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
}


def _completion(reply: Reply, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fault",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.text},
                "finish_reason": reply.finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        },
    }


def _error_body(code: int, message: str, param: str | None = None) -> dict[str, Any]:
    return {
        "error": {
            "message": message or f"fault server: scripted HTTP {code}",
            "type": _ERROR_TYPES.get(code, "server_error" if code >= 500 else "error"),
            "param": param,
            "code": None,
        }
    }


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log lines."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send_json(404, _error_body(404, f"fault server: no route {self.path}"))
            return
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
        step = self.server.owner._take(body, dict(self.headers))
        self._answer(step, body)

    def do_GET(self) -> None:
        self._send_json(404, _error_body(404, f"fault server: no route {self.path}"))

    def _answer(self, step: Step, body: Any) -> None:
        model = body.get("model", "fault-model") if isinstance(body, dict) else "fault-model"
        if isinstance(step, Dynamic):
            self._answer(step.fn(body), body)
        elif isinstance(step, Reply):
            self._send_json(200, _completion(step, model), step.headers)
        elif isinstance(step, Truncated):
            self._send_json(200, _completion(step.as_reply(), model))
        elif isinstance(step, Status):
            if step.body is None:
                self._send_json(step.code, _error_body(step.code, step.message), step.headers)
            else:
                self._send(step.code, step.body, "application/json", step.headers)
        elif isinstance(step, RawBody):
            self._send(step.status, step.body, step.content_type, step.headers)
        elif isinstance(step, Hang):
            self.server.owner._released.wait(step.seconds)
            if step.then is not None and not self.server.owner._released.is_set():
                self._answer(step.then, body)
        elif isinstance(step, Disconnect):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(step.partial) + 1000))
            self.end_headers()
            self.wfile.write(step.partial)
            self.wfile.flush()
            self.close_connection = True

    def _send_json(
        self, status: int, payload: Any, headers: Mapping[str, str] | None = None
    ) -> None:
        self._send(status, json.dumps(payload), "application/json", headers or {})

    def _send(
        self, status: int, body: str | bytes, content_type: str, headers: Mapping[str, str]
    ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timed out) first


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: FaultServer) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)


class FaultServer:
    """A fake OpenAI-compatible server answering from a script; see the module docstring."""

    def __init__(
        self,
        steps: Iterable[Step] = (),
        *,
        default: Step | None = None,
        reject_formats: Iterable[str] = (),
    ) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Step] = deque(steps)
        self._default = default
        self._rejected = set(reject_formats)
        self._requests: list[Any] = []
        self._headers: list[dict[str, str]] = []
        self._released = threading.Event()
        self._httpd = _HTTPServer(self)
        self._thread: threading.Thread | None = None

    # -- life cycle
    def start(self) -> FaultServer:
        """Serve in a daemon thread (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"fault-server-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def close(self) -> None:
        """Release hanging handlers, stop serving, close the socket."""
        self._released.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- scripting
    def script(self, steps: Iterable[Step]) -> FaultServer:
        """Append steps to the queue; returns the server for chaining."""
        with self._lock:
            self._queue.extend(steps)
        return self

    def reject_formats(self, *types: str) -> FaultServer:
        """Answer 400 to requests whose ``response_format.type`` is one of ``types``."""
        with self._lock:
            self._rejected = set(types)
        return self

    # -- inspection
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """The ``base_url`` for an OpenAI client: ``http://127.0.0.1:<port>/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def requests(self) -> list[Any]:
        """Bodies of every chat request received, parsed JSON (a str if not JSON)."""
        with self._lock:
            return list(self._requests)

    @property
    def headers(self) -> list[dict[str, str]]:
        """Headers of every chat request received."""
        with self._lock:
            return list(self._headers)

    @property
    def formats(self) -> list[str | None]:
        """``response_format.type`` of every request (None when absent)."""
        return [_format_type(body) for body in self.requests]

    @property
    def remaining(self) -> int:
        """Scripted steps not used yet."""
        with self._lock:
            return len(self._queue)

    # -- used by the handler
    def _take(self, body: Any, headers: dict[str, str]) -> Step:
        with self._lock:
            self._requests.append(body)
            self._headers.append(headers)
            kind = _format_type(body)
            if kind is not None and kind in self._rejected:
                return Status(
                    400,
                    f"response_format type '{kind}' is not supported by this server",
                )
            if self._queue:
                return self._queue.popleft()
            if self._default is not None:
                return self._default
            return Status(
                418,
                f"fault server: script exhausted after {len(self._requests) - 1} requests; "
                "script more steps or pass default=",
            )


def _format_type(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    response_format = body.get("response_format")
    if isinstance(response_format, dict) and isinstance(response_format.get("type"), str):
        return str(response_format["type"])
    return None
