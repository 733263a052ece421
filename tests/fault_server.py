"""A scripted fake OpenAI-compatible server on 127.0.0.1, for fault-injection tests.

Each ``POST .../chat/completions`` takes the next step from a queue and
answers as it says; every request body is recorded. ``POST .../embeddings``
has a queue of its own (see "Embeddings" below)::

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
* ``requests`` (parsed JSON bodies), ``headers``, ``formats``, ``times`` (``time.monotonic()``
  at each request's arrival), ``remaining`` (steps left).
* ``base_url`` is ``http://127.0.0.1:<port>/v1``. Use it as a context manager (or
  ``start()`` / ``close()``); closing releases hanging handlers and joins the thread.

Embeddings (``POST .../embeddings``) take their steps from a separate queue, so a test
scripting both an LLM and an embedder on one server never has one consume the other's
steps::

    with FaultServer(embeddings_default=Vectors(64)) as server:
        server.script_embeddings([
            Status(429, headers={"Retry-After": "0"}),
            Vectors(64, count_delta=-1),              # one vector short
            CutBody(Vectors(64), keep=40),            # a complete answer of cut-off JSON
        ])
        embedder = OpenAIEmbedder("emb", base_url=server.base_url, api_key="x")
        ...
        assert [r["input"] for r in server.embedding_requests] == [["some text"], ...]

Every step above works on either route; these are meant for embeddings:

* ``Vectors(dim=64, *, encoding=None, count_delta=0, widths=None, poison=..., indexes=None,
  omit=())`` - a proper embeddings answer, ``{"object": "list", "data": [{"object":
  "embedding", "index": i, "embedding": [...]}], "model": ..., "usage": {...}}``, with one
  deterministic vector per ``input`` text: ``dim`` is a width (a bag of hashed words,
  unit length, so the same text always gets the same vector and texts sharing words are
  near: searches work) or a function ``text -> vector``. Vectors are sent as the request
  asks (``encoding_format``: the openai client asks for ``"base64"``, little-endian
  float32) unless ``encoding`` ("float" or "base64") says otherwise. Malformed answers:
  ``count_delta`` adds (or, negative, drops) vectors; ``widths`` gives row ``i`` the width
  ``widths[i % len(widths)]`` (mixed widths; with an int ``dim`` only); ``poison``
  replaces the first component of the first vector (``float("nan")``, ``"x"``,
  ``None``...; a non-float forces the float encoding); ``indexes`` overrides the
  ``index`` fields (e.g. ``[0, 0]``); ``omit`` leaves top-level fields out (e.g.
  ``("data",)``).
* ``CutBody(step, keep=None)`` - the body ``step`` would send, cut to its first ``keep``
  bytes (default half) with a matching ``Content-Length``: a complete HTTP answer whose
  JSON is truncated (compare ``Disconnect``, a transport error).
* ``FaultServer(embeddings=[...], embeddings_default=...)``, ``script_embeddings(steps)``,
  ``embedding_requests``, ``embedding_headers``, ``embedding_times``,
  ``remaining_embeddings``: the embedding route's counterparts of the chat ones. Without
  ``embeddings_default`` an empty queue answers HTTP 418 as above.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = [
    "CutBody",
    "Disconnect",
    "Dynamic",
    "FaultServer",
    "Hang",
    "RawBody",
    "Reply",
    "Status",
    "Step",
    "Truncated",
    "Vectors",
    "word_hash_vector",
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


_UNSET: Any = type("_Unset", (), {"__repr__": lambda self: "<unset>"})()


@dataclass(frozen=True)
class Vectors:
    """An embeddings answer, one deterministic vector per input text (malformed on request).

    See the module docstring; with only ``dim`` given it is a proper answer.
    """

    dim: int | Callable[[str], Sequence[float]] = 64
    encoding: str | None = None
    count_delta: int = 0
    widths: Sequence[int] | None = None
    poison: Any = _UNSET
    indexes: Sequence[int] | None = None
    omit: Sequence[str] = ()
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CutBody:
    """``step``'s answer with its body cut to ``keep`` bytes (default half), length matching."""

    step: Step
    keep: int | None = None


Step = Reply | Truncated | Status | Hang | RawBody | Disconnect | Dynamic | Vectors | CutBody

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
}

_WORD = re.compile(r"[a-z0-9]+")


def word_hash_vector(text: str, dim: int = 64) -> list[float]:
    """A unit vector of ``dim`` for ``text``: its lower-cased words hashed into slots.

    Deterministic across processes; texts sharing words have a positive cosine.
    """
    vec = [0.0] * dim
    for word in _WORD.findall(text.lower()):
        slot = int(hashlib.md5(word.encode()).hexdigest(), 16) % dim
        vec[slot] += 1.0
    if not any(vec):
        vec[0] = 1.0
    norm = math.sqrt(sum(v * v for v in vec))
    return [v / norm for v in vec]


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


def _inputs(body: Any) -> list[str]:
    """The texts of an embeddings request (``input`` is a string or a list of strings)."""
    raw = body.get("input") if isinstance(body, dict) else None
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list):
        return [x if isinstance(x, str) else json.dumps(x) for x in raw]
    return []


def _embeddings(step: Vectors, body: Any, model: str) -> dict[str, Any]:
    texts = _inputs(body)
    n = max(len(texts) + step.count_delta, 0)
    # extra rows (count_delta > 0) repeat the texts cyclically
    texts = [texts[i % len(texts)] if texts else f"extra {i}" for i in range(n)]
    requested = body.get("encoding_format") if isinstance(body, dict) else None
    encoding = step.encoding or (requested if requested in ("float", "base64") else "float")
    data: list[dict[str, Any]] = []
    for i, text in enumerate(texts):
        if callable(step.dim):
            vector: list[Any] = [float(x) for x in step.dim(text)]
        else:
            width = step.dim if step.widths is None else step.widths[i % len(step.widths)]
            vector = word_hash_vector(text, width) if width > 0 else []
        if i == 0 and step.poison is not _UNSET and vector:
            vector[0] = step.poison
        embedding: Any = vector
        if encoding == "base64" and all(isinstance(x, float) for x in vector):
            packed = struct.pack(f"<{len(vector)}f", *vector)
            embedding = base64.b64encode(packed).decode("ascii")
        index = i if step.indexes is None else step.indexes[i % len(step.indexes)]
        data.append({"object": "embedding", "index": index, "embedding": embedding})
    tokens = sum(len(t.split()) for t in texts)
    payload: dict[str, Any] = {
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
    for name in step.omit:
        payload.pop(name, None)
    return payload


def _error_body(code: int, message: str, param: str | None = None) -> dict[str, Any]:
    return {
        "error": {
            "message": message or f"fault server: scripted HTTP {code}",
            "type": _ERROR_TYPES.get(code, "server_error" if code >= 500 else "error"),
            "param": param,
            "code": None,
        }
    }


def _render(step: Step, body: Any) -> tuple[int, bytes, str, Mapping[str, str]] | None:
    """Status, body, content type and headers of a step that is a plain answer (else None)."""
    model = body.get("model", "fault-model") if isinstance(body, dict) else "fault-model"
    if isinstance(step, Dynamic):
        return _render(step.fn(body), body)
    if isinstance(step, Reply):
        return 200, _json(_completion(step, model)), "application/json", step.headers
    if isinstance(step, Truncated):
        return 200, _json(_completion(step.as_reply(), model)), "application/json", {}
    if isinstance(step, Vectors):
        return 200, _json(_embeddings(step, body, model)), "application/json", step.headers
    if isinstance(step, Status):
        if step.body is None:
            payload = _json(_error_body(step.code, step.message))
            return step.code, payload, "application/json", step.headers
        return step.code, _bytes(step.body), "application/json", step.headers
    if isinstance(step, RawBody):
        return step.status, _bytes(step.body), step.content_type, step.headers
    if isinstance(step, CutBody):
        inner = _render(step.step, body)
        if inner is None:
            raise TypeError(f"CutBody needs a step with a body, not {step.step!r}")
        status, data, content_type, headers = inner
        keep = len(data) // 2 if step.keep is None else step.keep
        return status, data[:keep], content_type, headers
    return None


def _json(payload: Any) -> bytes:
    return json.dumps(payload).encode("utf-8")  # NaN/Infinity as JS literals, as Python does


def _bytes(body: str | bytes) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log lines."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0].rstrip("/")
        route = next((r for r in _ROUTES if path.endswith("/" + r)), None)
        if route is None:
            self._send(404, _json(_error_body(404, f"fault server: no route {self.path}")))
            return
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
        step = self.server.owner._take(route, body, dict(self.headers))
        self._answer(step, body)

    def do_GET(self) -> None:
        self._send(404, _json(_error_body(404, f"fault server: no route {self.path}")))

    def _answer(self, step: Step, body: Any) -> None:
        if isinstance(step, Dynamic):
            self._answer(step.fn(body), body)
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
        else:
            rendered = _render(step, body)
            assert rendered is not None, step
            self._send(*rendered)

    def _send(
        self,
        status: int,
        data: bytes,
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
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


_CHAT = "chat/completions"
_EMBEDDINGS = "embeddings"
_ROUTES = (_CHAT, _EMBEDDINGS)


class _Route:
    """One endpoint's script and log."""

    def __init__(self, steps: Iterable[Step], default: Step | None) -> None:
        self.queue: deque[Step] = deque(steps)
        self.default = default
        self.requests: list[Any] = []
        self.headers: list[dict[str, str]] = []
        self.times: list[float] = []


class FaultServer:
    """A fake OpenAI-compatible server answering from a script; see the module docstring."""

    def __init__(
        self,
        steps: Iterable[Step] = (),
        *,
        default: Step | None = None,
        reject_formats: Iterable[str] = (),
        embeddings: Iterable[Step] = (),
        embeddings_default: Step | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._routes = {
            _CHAT: _Route(steps, default),
            _EMBEDDINGS: _Route(embeddings, embeddings_default),
        }
        self._rejected = set(reject_formats)
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
        """Append steps to the chat queue; returns the server for chaining."""
        with self._lock:
            self._routes[_CHAT].queue.extend(steps)
        return self

    def script_embeddings(self, steps: Iterable[Step]) -> FaultServer:
        """Append steps to the embeddings queue; returns the server for chaining."""
        with self._lock:
            self._routes[_EMBEDDINGS].queue.extend(steps)
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
            return list(self._routes[_CHAT].requests)

    @property
    def headers(self) -> list[dict[str, str]]:
        """Headers of every chat request received."""
        with self._lock:
            return list(self._routes[_CHAT].headers)

    @property
    def times(self) -> list[float]:
        """``time.monotonic()`` at the arrival of every chat request."""
        with self._lock:
            return list(self._routes[_CHAT].times)

    @property
    def formats(self) -> list[str | None]:
        """``response_format.type`` of every request (None when absent)."""
        return [_format_type(body) for body in self.requests]

    @property
    def remaining(self) -> int:
        """Scripted chat steps not used yet."""
        with self._lock:
            return len(self._routes[_CHAT].queue)

    @property
    def embedding_requests(self) -> list[Any]:
        """Bodies of every embeddings request received, parsed JSON (a str if not JSON)."""
        with self._lock:
            return list(self._routes[_EMBEDDINGS].requests)

    @property
    def embedding_headers(self) -> list[dict[str, str]]:
        """Headers of every embeddings request received."""
        with self._lock:
            return list(self._routes[_EMBEDDINGS].headers)

    @property
    def embedding_times(self) -> list[float]:
        """``time.monotonic()`` at the arrival of every embeddings request."""
        with self._lock:
            return list(self._routes[_EMBEDDINGS].times)

    @property
    def remaining_embeddings(self) -> int:
        """Scripted embedding steps not used yet."""
        with self._lock:
            return len(self._routes[_EMBEDDINGS].queue)

    # -- used by the handler
    def _take(self, route: str, body: Any, headers: dict[str, str]) -> Step:
        with self._lock:
            r = self._routes[route]
            r.requests.append(body)
            r.headers.append(headers)
            r.times.append(time.monotonic())
            kind = _format_type(body)
            if route == _CHAT and kind is not None and kind in self._rejected:
                return Status(
                    400,
                    f"response_format type '{kind}' is not supported by this server",
                )
            if r.queue:
                return r.queue.popleft()
            if r.default is not None:
                return r.default
            return Status(
                418,
                f"fault server: script exhausted after {len(r.requests) - 1} {route} "
                "requests; script more steps or pass a default",
            )


def _format_type(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    response_format = body.get("response_format")
    if isinstance(response_format, dict) and isinstance(response_format.get("type"), str):
        return str(response_format["type"])
    return None
