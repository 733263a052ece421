"""LangChain messages to the core's :class:`~mem0_integrations.Message`, and scope kwargs.

Shared by every LangChain surface so they agree on roles and on what counts as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from langchain_core.messages import BaseMessage

from ..core.errors import ScopeError
from ..core.models import Message, Role, Scope

__all__ = [
    "context_field",
    "latest_user_text",
    "merge_scope",
    "message_text",
    "scope_kwargs",
    "to_core_messages",
]

_ROLES: dict[str, Role] = {
    "human": "user",
    "ai": "assistant",
    "system": "system",
    "tool": "tool",
    "function": "tool",
    "developer": "system",
}


def message_text(message: BaseMessage) -> str:
    """The text of a message; content blocks other than text (images, tool calls) are skipped."""
    content: Any = message.content
    if isinstance(content, str):
        return content.strip()
    parts: list[str] = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            parts.append(str(block.get("text", "")))
    return "\n".join(p for p in parts if p).strip()


def to_core_messages(messages: Iterable[BaseMessage]) -> list[Message]:
    """Core messages for the ones with text, roles mapped (``human`` -> ``user``, ...)."""
    out: list[Message] = []
    for message in messages:
        role = _ROLES.get(message.type)
        text = message_text(message)
        if role is None or not text:
            continue
        out.append(Message(role=role, content=text, id=message.id, name=message.name))
    return out


def latest_user_text(messages: Sequence[BaseMessage]) -> str | None:
    """The text of the last human message, the natural search query for a turn."""
    for message in reversed(messages):
        if message.type == "human":
            text = message_text(message)
            if text:
                return text
    return None


def scope_kwargs(
    user_id: str | None, agent_id: str | None, session_id: str | None
) -> dict[str, str]:
    """The scope ids that are set, as keyword arguments for ``Memory`` calls."""
    ids = {"user_id": user_id, "agent_id": agent_id, "session_id": session_id}
    return {k: v for k, v in ids.items() if v is not None}


def context_field(context: Any, name: str) -> Any:
    """A field of a run's context: a dict key, or an attribute (dataclass, pydantic model)."""
    return context.get(name) if isinstance(context, Mapping) else getattr(context, name, None)


def merge_scope(fixed: Mapping[str, str], found: Mapping[str, str], who: str) -> dict[str, str]:
    """The ids bound at construction (``fixed``) with those of the run's context
    (``found``), validated; :class:`ScopeError` when they disagree or none is set."""
    ids = dict(fixed)
    for name, value in found.items():
        if name in ids and ids[name] != value:
            raise ScopeError(
                f"The run's context has {name}={value!r} but {who} was built with "
                f"{name}={ids[name]!r}. Give each id in one place, or make them agree."
            )
        ids[name] = value
    if not ids:
        raise ScopeError(
            f"{who} has no scope for this run: give it user_id= (or agent_id=, session_id=), "
            "or pass context=... with one when invoking the agent."
        )
    Scope(**ids)  # validates: plain strings, no operators or wildcards
    return ids
