"""LlamaIndex ``ChatMessage`` to the core's :class:`~mem0_integrations.Message`.

Shared by every LlamaIndex surface so they agree on roles, on what counts as
text, on what a finished turn is and on which message is the search query.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from llama_index.core.base.llms.types import ChatMessage, TextBlock, ToolCallBlock

from ..core.config import LimitsConfig
from ..core.models import Message, Role

__all__ = ["is_reply", "latest_user_text", "message_text", "to_core_messages"]

_ROLES: dict[str, Role] = {
    "user": "user",
    "assistant": "assistant",
    "chatbot": "assistant",
    "model": "assistant",
    "system": "system",
    "developer": "system",
    "tool": "tool",
    "function": "tool",
}


def _role(message: ChatMessage) -> Role | None:
    return _ROLES.get(str(getattr(message.role, "value", message.role)))


def message_text(message: ChatMessage) -> str:
    """The text blocks of a message, joined; images, tool calls and the like are skipped."""
    parts = [b.text for b in message.blocks if isinstance(b, TextBlock) and b.text]
    return "\n".join(parts).strip()


def _calls_tools(message: ChatMessage) -> bool:
    return bool(message.additional_kwargs.get("tool_calls")) or any(
        isinstance(b, ToolCallBlock) for b in message.blocks
    )


def is_reply(message: ChatMessage) -> bool:
    """True for an assistant answer: the message that ends a turn (not a tool call)."""
    return (
        _role(message) == "assistant" and not _calls_tools(message) and bool(message_text(message))
    )


def latest_user_text(messages: Sequence[ChatMessage]) -> str | None:
    """The text of the last user message with text, the natural search query for a turn."""
    for message in reversed(messages):
        if _role(message) == "user":
            text = message_text(message)
            if text:
                return text
    return None


def to_core_messages(
    messages: Iterable[ChatMessage], *, roles: Collection[str], limits: LimitsConfig
) -> list[Message]:
    """Core messages for the ones with text whose role is in ``roles``.

    Texts longer than ``limits.max_text_chars`` are clipped and only the last
    ``limits.max_messages`` are kept, so a pasted document never makes a chat
    turn fail to save.
    """
    out: list[Message] = []
    for message in messages:
        role = _role(message)
        text = message_text(message)[: limits.max_text_chars].strip()
        if role is None or role not in roles or not text:
            continue
        msg_id = message.additional_kwargs.get("id")
        out.append(Message(role=role, content=text, id=msg_id if isinstance(msg_id, str) else None))
    return out[-limits.max_messages :]
