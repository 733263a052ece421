"""LangChain messages to the core's :class:`~mem0_integrations.Message`, and scope kwargs.

Shared by every LangChain surface so they agree on roles and on what counts as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from langchain_core.messages import BaseMessage

from ..core.models import Message, Role

__all__ = ["latest_user_text", "message_text", "scope_kwargs", "to_core_messages"]

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
