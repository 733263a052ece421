"""LLM adapters, retries and tolerant JSON, against a scripted local server and fakes.

The OpenAI tests go through the real ``openai`` client to :class:`FaultServer` on
127.0.0.1; sleeps are recorded instead of slept, so the file runs in a few seconds.
"""

from __future__ import annotations

import logging
import random
import sys
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import httpx
import openai
import pytest
from langchain_core.language_models.fake_chat_models import (
    FakeListChatModel,
    GenericFakeChatModel,
)
from langchain_core.messages import AIMessage, BaseMessage
from llama_index.core.llms import (
    CompletionResponse,
    CompletionResponseGen,
    CustomLLM,
    LLMMetadata,
    MockLLM,
)
from pydantic import Field

from mem0_integrations.core.completion import RetryPolicy, complete_json, parse_json_reply
from mem0_integrations.core.config import LLMConfig
from mem0_integrations.core.errors import ConfigurationError, ExtractionError
from mem0_integrations.core.llm import (
    LLM,
    LangChainLLM,
    LlamaIndexLLM,
    LLMReply,
    OpenAILLM,
    as_llm,
    llm_from_config,
)
from mem0_integrations.core.models import LLMUsage
from tests.fault_server import (
    Disconnect,
    Dynamic,
    FaultServer,
    Hang,
    RawBody,
    Reply,
    Status,
    Truncated,
)

SCHEMA: dict[str, Any] = {
    "title": "facts",
    "type": "object",
    "properties": {"facts": {"type": "array", "items": {"type": "string"}, "maxItems": 5}},
    "required": ["facts"],
    "additionalProperties": False,
}
MESSAGES = [
    {"role": "system", "content": "Extract facts as JSON."},
    {"role": "user", "content": "I like tea and I have a dog."},
]
GOOD = '{"facts": ["likes tea"]}'
HANG_TIMEOUT = 0.3  # client timeout in the tests that make the server hang


def facts(data: Any) -> list[str]:
    """The validator the tests use: {"facts": [str, ...]}."""
    if not isinstance(data, dict) or not isinstance(data.get("facts"), list):
        raise ValueError('the reply must be an object {"facts": [...]}')
    if not all(isinstance(f, str) for f in data["facts"]):
        raise ValueError("every fact must be a string")
    return list(data["facts"])


class Sleeps(list[float]):
    """A ``sleep`` that records the delays instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as s:
        yield s


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def make_llm(server: FaultServer, *, timeout: float = 5.0, **kwargs: Any) -> OpenAILLM:
    return OpenAILLM("test-model", base_url=server.base_url, api_key="k", timeout=timeout, **kwargs)


def ask(
    llm: LLM,
    sleeps: Sleeps,
    *,
    schema: Mapping[str, Any] | None = SCHEMA,
    retry: RetryPolicy | None = None,
    rng: random.Random | None = None,
) -> tuple[list[str], LLMUsage]:
    return complete_json(
        llm,
        MESSAGES,
        schema=schema,
        validate=facts,
        max_tokens=256,
        retry=retry or RetryPolicy(max_retries=3, backoff=0.5, max_backoff=8.0),
        sleep=sleeps,
        rng=rng or random.Random(0),
    )


# -- OpenAI, happy path


def test_success_returns_validated_value_and_usage(server: FaultServer, sleeps: Sleeps) -> None:
    server.script([Reply(GOOD, prompt_tokens=12, completion_tokens=7)])
    value, usage = ask(make_llm(server), sleeps)
    assert value == ["likes tea"]
    assert usage == LLMUsage(calls=1, prompt_tokens=12, completion_tokens=7)
    assert sleeps == []
    (body,) = server.requests
    assert body["model"] == "test-model"
    assert body["messages"] == MESSAGES
    assert body["max_tokens"] == 256
    assert body["temperature"] == 0.0
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "facts", "schema": SCHEMA, "strict": True},
    }


def test_no_schema_sends_no_response_format(server: FaultServer, sleeps: Sleeps) -> None:
    server.script([Reply(GOOD)])
    ask(make_llm(server), sleeps, schema=None)
    assert server.formats == [None]


def test_schema_without_title_is_named_response(server: FaultServer, sleeps: Sleeps) -> None:
    server.script([Reply(GOOD)])
    ask(make_llm(server), sleeps, schema={"type": "object"})
    assert server.requests[0]["response_format"]["json_schema"]["name"] == "response"


@pytest.mark.parametrize(
    "text",
    [
        '```json\n{"facts": ["likes tea"]}\n```',
        '```\n{"facts": ["likes tea"]}\n```',
        'Sure! Here are the facts:\n{"facts": ["likes tea"]}\nLet me know if you need more.',
        '{"facts": ["likes tea",],}',
    ],
    ids=["json-fence", "bare-fence", "prose", "trailing-commas"],
)
def test_wrapped_json_is_parsed_without_repair(
    server: FaultServer, sleeps: Sleeps, text: str
) -> None:
    server.script([Reply(text)])
    value, usage = ask(make_llm(server), sleeps)
    assert value == ["likes tea"]
    assert usage.calls == 1


# -- OpenAI, transient faults


def test_timeouts_are_retried_then_succeed(server: FaultServer, sleeps: Sleeps) -> None:
    server.script([Hang(5), Hang(5), Reply(GOOD, prompt_tokens=3, completion_tokens=2)])
    value, usage = ask(make_llm(server, timeout=HANG_TIMEOUT), sleeps)
    assert value == ["likes tea"]
    assert usage == LLMUsage(calls=3, prompt_tokens=3, completion_tokens=2)
    assert len(server.requests) == 3
    assert len(sleeps) == 2


@pytest.mark.parametrize(("header", "expected"), [("0", 0.0), ("2", 2.0), ("30", 8.0)])
def test_429_honours_retry_after_capped_at_max_backoff(
    server: FaultServer, sleeps: Sleeps, header: str, expected: float
) -> None:
    server.script([Status(429, headers={"Retry-After": header}), Reply(GOOD)])
    value, usage = ask(make_llm(server), sleeps)
    assert value == ["likes tea"]
    assert usage.calls == 2
    assert sleeps == [expected]


def test_server_errors_are_retried(server: FaultServer, sleeps: Sleeps) -> None:
    server.script([Status(500), Status(503), Status(408), Reply(GOOD)])
    value, usage = ask(make_llm(server), sleeps)
    assert value == ["likes tea"]
    assert usage.calls == 4
    assert len(sleeps) == 3


def test_dropped_connection_is_retried(server: FaultServer, sleeps: Sleeps) -> None:
    server.script([Disconnect(b'{"id": "chatcmpl'), Reply(GOOD)])
    value, usage = ask(make_llm(server), sleeps)
    assert value == ["likes tea"]
    assert usage.calls == 2


def test_final_failure_raises_with_attempts_and_stops(server: FaultServer, sleeps: Sleeps) -> None:
    server.script([Status(500)] * 4 + [Reply(GOOD)])
    with pytest.raises(ExtractionError, match=r"HTTP 500 after 4 attempts") as info:
        ask(make_llm(server), sleeps)
    assert info.value.attempts == 4
    assert isinstance(info.value.__cause__, openai.InternalServerError)
    assert "openai:test-model" in str(info.value)
    assert len(server.requests) == 4
    assert server.remaining == 1  # no request after giving up
    assert len(sleeps) == 3


def test_repeated_timeouts_say_so(server: FaultServer, sleeps: Sleeps) -> None:
    server.script([Hang(5), Hang(5), Reply(GOOD)])
    with pytest.raises(ExtractionError, match="timed out 2 times") as info:
        ask(make_llm(server, timeout=HANG_TIMEOUT), sleeps, retry=RetryPolicy(max_retries=1))
    assert info.value.attempts == 2
    assert isinstance(info.value.__cause__, openai.APITimeoutError)
    assert server.remaining == 1


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (401, openai.AuthenticationError),
        (403, openai.PermissionDeniedError),
        (404, openai.NotFoundError),
    ],
)
def test_client_errors_are_not_retried(
    server: FaultServer, sleeps: Sleeps, code: int, error: type[Exception]
) -> None:
    server.script([Status(code), Reply(GOOD)])
    with pytest.raises(ExtractionError, match=f"HTTP {code}") as info:
        ask(make_llm(server), sleeps)
    assert info.value.attempts == 1
    assert isinstance(info.value.__cause__, error)
    assert len(server.requests) == 1
    assert sleeps == []


def test_plain_400_without_schema_is_not_retried(server: FaultServer, sleeps: Sleeps) -> None:
    server.script([Status(400, "context length exceeded"), Reply(GOOD)])
    with pytest.raises(ExtractionError, match="HTTP 400") as info:
        ask(make_llm(server), sleeps, schema=None)
    assert info.value.attempts == 1
    assert server.remaining == 1


def test_non_json_200_fails_without_retry(server: FaultServer, sleeps: Sleeps) -> None:
    server.script([RawBody("<html>proxy error</html>", content_type="text/html"), Reply(GOOD)])
    with pytest.raises(ExtractionError, match="not retried") as info:
        ask(make_llm(server), sleeps)
    assert info.value.attempts == 1
    assert server.remaining == 1


# -- response_format


def test_json_schema_rejected_downgrades_and_is_remembered(
    server: FaultServer, sleeps: Sleeps, caplog: pytest.LogCaptureFixture
) -> None:
    server.reject_formats("json_schema").script([Reply(GOOD), Reply(GOOD)])
    llm = make_llm(server)
    with caplog.at_level(logging.INFO, logger="mem0_integrations"):
        _, first = ask(llm, sleeps)
        _, second = ask(llm, sleeps)
    assert server.formats == ["json_schema", "json_object", "json_object"]
    assert llm.format_in_use == "json_object"
    assert first.calls == 2  # the rejected request counts
    assert second.calls == 1
    assert sleeps == []
    downgrades = [r for r in caplog.records if "rejected response_format" in r.getMessage()]
    assert len(downgrades) == 1
    assert downgrades[0].levelno == logging.INFO


def test_downgrade_goes_down_to_no_response_format(server: FaultServer, sleeps: Sleeps) -> None:
    server.reject_formats("json_schema", "json_object").script([Reply(GOOD), Reply(GOOD)])
    llm = make_llm(server)
    ask(llm, sleeps)
    ask(llm, sleeps)
    assert server.formats == ["json_schema", "json_object", None, None]
    assert "response_format" not in server.requests[-1]
    assert llm.format_in_use == "text"


def test_500_mentioning_response_format_downgrades(server: FaultServer, sleeps: Sleeps) -> None:
    server.script([Status(500, "json_schema response_format is not implemented"), Reply(GOOD)])
    llm = make_llm(server)
    assert ask(llm, sleeps)[0] == ["likes tea"]
    assert server.formats == ["json_schema", "json_object"]
    assert sleeps == []


def test_400_on_every_level_is_not_remembered(server: FaultServer, sleeps: Sleeps) -> None:
    """A 400 that is not about the format fails at once and leaves the level alone."""
    server.script([Status(400, "prompt too long")] * 3 + [Reply(GOOD)])
    llm = make_llm(server)
    with pytest.raises(ExtractionError, match="HTTP 400"):
        ask(llm, sleeps)
    assert server.formats == ["json_schema", "json_object", None]
    assert llm.format_in_use == "json_schema"
    assert server.remaining == 1


def test_pinned_json_schema_does_not_downgrade(server: FaultServer, sleeps: Sleeps) -> None:
    server.reject_formats("json_schema").script([Reply(GOOD)])
    with pytest.raises(ExtractionError, match="HTTP 400") as info:
        ask(make_llm(server, response_format="json_schema"), sleeps)
    assert info.value.attempts == 1
    assert server.formats == ["json_schema"]


@pytest.mark.parametrize(("pinned", "sent"), [("json_object", "json_object"), ("text", None)])
def test_pinned_levels_are_sent(
    server: FaultServer, sleeps: Sleeps, pinned: Any, sent: str | None
) -> None:
    server.script([Reply(GOOD)])
    ask(make_llm(server, response_format=pinned), sleeps)
    assert server.formats == [sent]


def test_unknown_response_format_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="response_format"):
        OpenAILLM("m", base_url="http://127.0.0.1:9/v1", response_format="xml")  # type: ignore[arg-type]


# -- invalid output, repair


def test_truncated_json_gets_one_repair(server: FaultServer, sleeps: Sleeps) -> None:
    cut = Truncated('{"facts": ["likes tea", "has a dog"]}', keep=20)
    server.script([cut, Reply(GOOD, prompt_tokens=4, completion_tokens=3)])
    value, usage = ask(make_llm(server), sleeps)
    assert value == ["likes tea"]
    assert usage == LLMUsage(calls=2, prompt_tokens=14, completion_tokens=8)
    first, repair = server.requests
    assert repair["messages"][: len(MESSAGES)] == MESSAGES
    bad, ask_again = repair["messages"][len(MESSAGES) :]
    assert bad == {"role": "assistant", "content": '{"facts": ["likes te'}
    assert ask_again["role"] == "user"
    with pytest.raises(ValueError, match="cut off") as problem:
        parse_json_reply(bad["content"])
    assert str(problem.value) in ask_again["content"]
    assert "only the corrected JSON" in ask_again["content"]
    assert repair["response_format"] == first["response_format"]


def test_validation_error_gets_one_repair(server: FaultServer, sleeps: Sleeps) -> None:
    server.script([Reply('{"facts": "likes tea"}'), Reply(GOOD)])
    value, usage = ask(make_llm(server), sleeps)
    assert value == ["likes tea"]
    assert usage.calls == 2
    repair = server.requests[1]["messages"][-1]["content"]
    assert 'the reply must be an object {"facts": [...]}' in repair


def test_invalid_twice_raises_after_exactly_two_calls(server: FaultServer, sleeps: Sleeps) -> None:
    server.script([Reply("I cannot do that."), Reply('{"facts": [1, 2]}'), Reply(GOOD)])
    with pytest.raises(ExtractionError, match="invalid JSON after one repair") as info:
        ask(make_llm(server), sleeps)
    assert info.value.attempts == 2
    assert "every fact must be a string" in str(info.value)
    assert "no JSON object or array" in str(info.value)
    assert isinstance(info.value.__cause__, ValueError)
    assert len(server.requests) == 2
    assert server.remaining == 1


def test_transient_errors_during_repair_are_retried(server: FaultServer, sleeps: Sleeps) -> None:
    server.script([Reply("nope"), Status(502), Status(429, headers={"Retry-After": "1"})])
    server.script([Reply(GOOD)])
    value, usage = ask(make_llm(server), sleeps)
    assert value == ["likes tea"]
    assert usage.calls == 4
    assert len(sleeps) == 2
    assert sleeps[1] == 1.0
    # Every retry of the repair resends the repair conversation.
    assert [len(body["messages"]) for body in server.requests] == [2, 4, 4, 4]


def test_dynamic_step_sees_the_request(server: FaultServer, sleeps: Sleeps) -> None:
    def echo_user(body: Any) -> Reply:
        return Reply(f'{{"facts": ["{body["messages"][-1]["content"]}"]}}')

    server.script([Dynamic(echo_user)])
    assert ask(make_llm(server), sleeps)[0] == ["I like tea and I have a dog."]


def test_exhausted_script_fails_loudly(server: FaultServer, sleeps: Sleeps) -> None:
    with pytest.raises(ExtractionError, match="script exhausted"):
        ask(make_llm(server), sleeps)


# -- retry policy, classification


class Flaky:
    """An LLM that raises the given exceptions in turn, then answers ``GOOD``."""

    name = "flaky"

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    def complete(
        self,
        messages: Sequence[Mapping[str, str]],
        *,
        schema: Mapping[str, Any] | None = None,
        max_tokens: int = 1024,
    ) -> LLMReply:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return LLMReply(GOOD, prompt_tokens=1, completion_tokens=1)


def test_backoff_is_exponential_with_full_jitter(sleeps: Sleeps) -> None:
    llm = Flaky(*(TimeoutError("slow") for _ in range(5)))
    policy = RetryPolicy(max_retries=5, backoff=0.5, max_backoff=2.0)
    ask(llm, sleeps, retry=policy, rng=random.Random(7))
    caps = [0.5, 1.0, 2.0, 2.0, 2.0]
    replay = random.Random(7)
    assert sleeps == [replay.uniform(0.0, cap) for cap in caps]
    assert all(0.0 <= s <= cap for s, cap in zip(sleeps, caps, strict=True))
    assert len(set(sleeps)) == len(sleeps)  # jittered, not a fixed schedule


def test_jitter_stays_under_the_cap_over_many_draws() -> None:
    policy = RetryPolicy(backoff=1.0, max_backoff=3.0)
    rng = random.Random(1)
    delays = [policy.delay(n, rng) for n in range(10) for _ in range(50)]
    assert max(delays) <= 3.0
    assert min(delays) >= 0.0
    assert max(delays) > 2.5  # the range is really used


def test_retry_policy_from_config() -> None:
    cfg = LLMConfig(model="m", max_retries=5, backoff=0.1, max_backoff=1.5)
    assert RetryPolicy.from_config(cfg) == RetryPolicy(max_retries=5, backoff=0.1, max_backoff=1.5)


class _Response:
    def __init__(self, status_code: int, headers: dict[str, str] | None = None) -> None:
        self.status_code = status_code
        self.headers = headers or {}


class StatusError(Exception):
    """Like errors of other SDKs: a status on the exception or on its response."""

    def __init__(self, status_code: int | None = None, response: _Response | None = None) -> None:
        super().__init__(f"status {status_code or (response and response.status_code)}")
        if status_code is not None:
            self.status_code = status_code
        self.response = response


def _wrapped(inner: Exception) -> Exception:
    try:
        raise inner
    except Exception as e:
        outer = RuntimeError("framework wrapper")
        outer.__cause__ = e
        return outer


REQUEST = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")


@pytest.mark.parametrize(
    "error",
    [
        TimeoutError("slow"),
        httpx.ReadTimeout("slow", request=REQUEST),
        httpx.ConnectError("refused", request=REQUEST),
        ConnectionResetError("reset"),
        StatusError(503),
        StatusError(response=_Response(429)),
        StatusError(409),
        _wrapped(StatusError(500)),
        _wrapped(httpx.ReadTimeout("slow", request=REQUEST)),
    ],
    ids=lambda e: type(e).__name__,
)
def test_transient_errors_of_any_framework_are_retried(error: Exception, sleeps: Sleeps) -> None:
    llm = Flaky(error)
    value, usage = ask(llm, sleeps)
    assert value == ["likes tea"]
    assert llm.calls == 2
    assert usage.calls == 2


@pytest.mark.parametrize(
    "error",
    [
        StatusError(401),
        StatusError(response=_Response(404)),
        _wrapped(StatusError(403)),
        ValueError("bad argument"),
        KeyError("choices"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_other_errors_fail_at_once(error: Exception, sleeps: Sleeps) -> None:
    llm = Flaky(error)
    with pytest.raises(ExtractionError, match="not retried") as info:
        ask(llm, sleeps)
    assert llm.calls == 1
    assert info.value.attempts == 1
    assert info.value.__cause__ is error
    assert sleeps == []


def test_retry_after_milliseconds_header(sleeps: Sleeps) -> None:
    error = StatusError(response=_Response(429, {"retry-after-ms": "1500"}))
    ask(Flaky(error), sleeps)
    assert sleeps == [1.5]


# -- parse_json_reply


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ("  [1, 2]  ", [1, 2]),
        ('```json\n{"a": [1, 2]}\n```', {"a": [1, 2]}),
        ('```JSON\n{"a": 1}\n```\n', {"a": 1}),
        ('```\n[{"a": 1}]\n```', [{"a": 1}]),
        ('Here you go: {"a": "x"} Hope it helps!', {"a": "x"}),
        ('Note [see below]: {"a": 1}', {"a": 1}),
        ('{"a": "brace } and [ in a string"}', {"a": "brace } and [ in a string"}),
        ('{"a": "escaped \\" quote {"}', {"a": 'escaped " quote {'}),
        ('{"a": [1, 2,], "b": {"c": 3,},}', {"a": [1, 2], "b": {"c": 3}}),
        ('{"a": ",]"}', {"a": ",]"}),
        ('{"a": 1} {"b": 2}', {"a": 1}),
        ("42", 42),
    ],
)
def test_parse_json_reply_accepts(text: str, expected: Any) -> None:
    assert parse_json_reply(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        ("I could not find any facts.", "no JSON"),
        ('{"facts": ["likes tea", "has a d', "cut off"),
        ('{"facts": [{"text": "a"}, {"text": "b', "cut off"),
        ('```json\n{"facts": ["a",\n', "cut off"),
        ('{"facts": ["a"]', "cut off"),
        ("{'facts': ['single quotes']}", "not valid JSON"),
        ('{"a": 1]', "no JSON"),
    ],
)
def test_parse_json_reply_rejects(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_json_reply(text)


def test_truncated_json_is_never_patched_into_a_partial_value() -> None:
    """The inner, complete object of a cut-off reply must not come back as the answer."""
    with pytest.raises(ValueError, match="cut off"):
        parse_json_reply('Facts: {"facts": [{"text": "a"}, {"text": "b"}, {"te')


# -- LangChain


class RecordingChatModel(FakeListChatModel):
    """FakeListChatModel that keeps the messages it was called with."""

    seen: list[list[BaseMessage]] = Field(default_factory=list)

    def _call(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> str:
        self.seen.append(list(messages))
        return super()._call(messages, *args, **kwargs)


def test_langchain_chat_model_through_complete_json(sleeps: Sleeps) -> None:
    model = RecordingChatModel(responses=["```json\n" + GOOD + "\n```"])
    llm = as_llm(model)
    assert isinstance(llm, LangChainLLM)
    assert llm.name == "langchain:RecordingChatModel"
    messages = [*MESSAGES, {"role": "assistant", "content": "ok"}]
    value, usage = complete_json(llm, messages, schema=SCHEMA, validate=facts, sleep=sleeps)
    assert value == ["likes tea"]
    assert usage == LLMUsage(calls=1)
    (seen,) = model.seen
    assert [(m.type, m.content) for m in seen] == [
        ("system", "Extract facts as JSON."),
        ("human", "I like tea and I have a dog."),
        ("ai", "ok"),
    ]


def test_langchain_repair_goes_through_invoke(sleeps: Sleeps) -> None:
    model = RecordingChatModel(responses=["not json", GOOD])
    value, usage = complete_json(
        LangChainLLM(model), MESSAGES, schema=SCHEMA, validate=facts, sleep=sleeps
    )
    assert value == ["likes tea"]
    assert usage.calls == 2
    assert [m.type for m in model.seen[1]] == ["system", "human", "ai", "human"]


def test_langchain_usage_and_content_blocks() -> None:
    message = AIMessage(
        content=[{"type": "text", "text": '{"facts": '}, {"type": "text", "text": "[]}"}],
        usage_metadata={"input_tokens": 11, "output_tokens": 4, "total_tokens": 15},
    )
    reply = LangChainLLM(GenericFakeChatModel(messages=iter([message]))).complete(MESSAGES)
    assert reply == LLMReply('{"facts": []}', prompt_tokens=11, completion_tokens=4)


# -- LlamaIndex


class FixedLLM(CustomLLM):
    """A LlamaIndex LLM answering fixed text, with OpenAI-style usage in ``raw``."""

    answer: str = GOOD
    prompts: list[str] = Field(default_factory=list)

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="fixed")

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        self.prompts.append(prompt)
        usage = {"prompt_tokens": 9, "completion_tokens": 2}
        return CompletionResponse(text=self.answer, raw={"usage": usage})

    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        raise NotImplementedError


def test_llama_index_llm_through_complete_json(sleeps: Sleeps) -> None:
    model = FixedLLM()
    llm = as_llm(model)
    assert isinstance(llm, LlamaIndexLLM)
    assert llm.name == "llama_index:FixedLLM"
    value, usage = complete_json(llm, MESSAGES, schema=SCHEMA, validate=facts, sleep=sleeps)
    assert value == ["likes tea"]
    assert usage == LLMUsage(calls=1, prompt_tokens=9, completion_tokens=2)
    (prompt,) = model.prompts
    assert "Extract facts as JSON." in prompt
    assert "I like tea and I have a dog." in prompt


def test_llama_index_mock_llm_without_usage() -> None:
    llm = as_llm(MockLLM())
    assert isinstance(llm, LlamaIndexLLM)
    reply = llm.complete([{"role": "user", "content": "hello"}])
    assert "hello" in reply.text
    assert (reply.prompt_tokens, reply.completion_tokens) == (0, 0)


# -- as_llm, config


def test_as_llm_passes_our_own_and_protocol_objects_through() -> None:
    ours = OpenAILLM("m", base_url="http://127.0.0.1:9/v1")
    assert as_llm(ours) is ours
    custom = Flaky()
    assert as_llm(custom) is custom


def test_as_llm_wraps_an_openai_client(server: FaultServer, sleeps: Sleeps) -> None:
    client = openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=0)
    llm = as_llm(client, model="served-model")
    assert isinstance(llm, OpenAILLM)
    assert llm.name == "openai:served-model"
    server.script([Reply(GOOD)])
    assert ask(llm, sleeps)[0] == ["likes tea"]
    assert server.requests[0]["model"] == "served-model"


def test_as_llm_needs_a_model_for_an_openai_client() -> None:
    client = openai.OpenAI(base_url="http://127.0.0.1:9/v1", api_key="k")
    with pytest.raises(ConfigurationError, match="model"):
        as_llm(client)


def test_as_llm_rejects_an_async_openai_client() -> None:
    client = openai.AsyncOpenAI(base_url="http://127.0.0.1:9/v1", api_key="k")
    with pytest.raises(ConfigurationError, match="synchronous"):
        as_llm(client, model="m")


@pytest.mark.parametrize("obj", [object(), "gpt-4o-mini", lambda messages: "{}"])
def test_as_llm_rejects_other_objects(obj: Any) -> None:
    with pytest.raises(ConfigurationError, match="not an LLM"):
        as_llm(obj)


def test_llm_from_config() -> None:
    assert llm_from_config(LLMConfig()) is None
    cfg = LLMConfig(model="local", base_url="http://127.0.0.1:9/v1", response_format="json_object")
    llm = llm_from_config(cfg)
    assert isinstance(llm, OpenAILLM)
    assert llm.name == "openai:local"
    assert llm.format_in_use == "json_object"


def test_missing_openai_package_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "openai", None)
    with pytest.raises(ConfigurationError, match=r"mem0-integrations\[openai\]"):
        OpenAILLM("m", base_url="http://127.0.0.1:9/v1")


def test_missing_api_key_without_base_url_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY"):
        OpenAILLM("gpt-4o-mini")
