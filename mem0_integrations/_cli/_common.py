"""What every ``mem0i`` command shares: options, opening the store, output, exit codes."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypedDict

if TYPE_CHECKING:
    from mem0_integrations import Memory, MemoryConfig, Scope

__all__ = [
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_STORE",
    "EXIT_USAGE",
    "SCOPE_ENV",
    "Aborted",
    "Command",
    "Parser",
    "ScopeIds",
    "UsageError",
    "add_common",
    "emit",
    "open_store",
    "parse_before",
    "read_text",
    "require_scope",
    "scope_ids",
    "short_time",
    "store_config",
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_INVALID = 4
EXIT_STORE = 5
EXIT_INTERRUPTED = 130

#: Environment variables that give a scope id when its option is not passed.
SCOPE_ENV = {
    "user_id": "MEM0I_USER_ID",
    "agent_id": "MEM0I_AGENT_ID",
    "session_id": "MEM0I_SESSION_ID",
}

Command = Callable[[argparse.Namespace], int]


class ScopeIds(TypedDict, total=False):
    """The scope ids a command was given, as ``Memory`` keyword arguments."""

    user_id: str
    agent_id: str
    session_id: str


class UsageError(Exception):
    """A command line argparse rejected (exit code 2)."""

    def __init__(self, message: str, parser: argparse.ArgumentParser) -> None:
        super().__init__(message)
        self.parser = parser


class Aborted(Exception):
    """The user declined a confirmation; nothing was changed (exit code 1)."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are raised, so ``main`` can print them as text or JSON."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, self)


def add_common(parser: argparse.ArgumentParser, *, scope: bool = True, store: bool = True) -> None:
    """Add the scope options, the store options and ``--json`` to a command."""
    if scope:
        group = parser.add_argument_group("scope (default: $MEM0I_USER_ID, ...)")
        group.add_argument("--user", "-u", dest="user_id", metavar="ID", help="user id")
        group.add_argument("--agent", "-a", dest="agent_id", metavar="ID", help="agent id")
        group.add_argument("--session", "-s", dest="session_id", metavar="ID", help="session id")
    if store:
        group = parser.add_argument_group("store (default: $MEM0I_PATH or ./mem0_memories)")
        group.add_argument("--path", help="folder of the embedded store ($MEM0I_PATH)")
        group.add_argument(
            "--chroma-host", metavar="HOST", help="Chroma server ($MEM0I_CHROMA_HOST)"
        )
        group.add_argument(
            "--chroma-port", metavar="PORT", type=int, help="server port ($MEM0I_CHROMA_PORT)"
        )
        group.add_argument(
            "--config", metavar="FILE", help="JSON file of MemoryConfig options ($MEM0I_CONFIG)"
        )
    parser.add_argument("--json", action="store_true", help="print one JSON document on stdout")


# --- scope --------------------------------------------------------------------------------


def scope_ids(args: argparse.Namespace) -> ScopeIds:
    """The scope ids given as options, else by the environment (unset ones left out)."""
    ids = ScopeIds()
    for name, env in SCOPE_ENV.items():
        value = getattr(args, name, None)
        if value is None:
            value = os.environ.get(env) or None
        if value is not None:
            ids[name] = value  # type: ignore[literal-required]
    return ids


def require_scope(args: argparse.Namespace, what: str) -> Scope:
    """The scope of a command that needs one; :class:`ScopeError` when none is given."""
    from mem0_integrations import Scope, ScopeError

    ids = scope_ids(args)
    if not ids:
        raise ScopeError(
            f"{what} needs a scope: pass --user, --agent or --session (or set MEM0I_USER_ID, "
            "MEM0I_AGENT_ID or MEM0I_SESSION_ID)."
        )
    return Scope(**ids)


# --- store --------------------------------------------------------------------------------


def store_config(args: argparse.Namespace) -> MemoryConfig:
    """The resolved config: --config file, then the location options and environment."""
    from pydantic import ValidationError

    from mem0_integrations import ConfigurationError, MemoryConfig
    from mem0_integrations.core.connect import resolve_config

    base = MemoryConfig()
    file = args.config or os.environ.get("MEM0I_CONFIG") or None
    if file is not None:
        try:
            base = MemoryConfig.model_validate(json.loads(read_text(file)))
        except json.JSONDecodeError as e:
            raise ConfigurationError(f"--config {file}: not JSON ({e}).") from e
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "the file"
            raise ConfigurationError(f"--config {file}: {where}: {first['msg']}.") from e
    host, port = args.chroma_host, args.chroma_port
    if port is not None and host is None and args.path is None:
        host = os.environ.get("MEM0I_CHROMA_HOST") or None
        if host is None:
            raise ConfigurationError(
                "--chroma-port needs --chroma-host (or MEM0I_CHROMA_HOST), e.g. "
                "--chroma-host 127.0.0.1."
            )
    return resolve_config(path=args.path, chroma_host=host, chroma_port=port, config=base)


@contextlib.contextmanager
def open_store(args: argparse.Namespace, *, create: bool = False) -> Iterator[Memory]:
    """The ``Memory`` the options name, closed at the end of the block.

    An embedded folder that does not exist is refused unless ``create`` (only
    ``add`` and ``import`` create a store), so a mistyped path is not an empty store.
    """
    from mem0_integrations import Memory, StoreError

    config = store_config(args)
    path = config.store.path
    if config.store.chroma_host is None and path is not None and not create and not path.exists():
        raise StoreError(
            f"No memory store at {path}. Pass --path (or set MEM0I_PATH) to the folder your "
            "application uses, or --chroma-host for a server; `mem0i add` creates a store."
        )
    with Memory(config=config) as memory:
        yield memory


# --- values -------------------------------------------------------------------------------

_AGE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_before(text: str) -> datetime | timedelta:
    """``--before``: an age (``30d``, ``12h``, ``2w``, ``90m``, ``45s``) or an ISO date/time.

    A date means midnight UTC at its start; a time without a timezone is UTC.
    """
    from mem0_integrations import InvalidInputError

    match = _AGE.match(text)
    if match:
        return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(
            f"--before {text!r} is neither an age such as 30d, 12h, 2w, 90m or 45s nor an ISO "
            "date such as 2025-01-31 (or 2025-01-31T12:00:00+00:00)."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def read_text(file: str) -> str:
    """The text of ``file`` (``-``: standard input)."""
    if file == "-":
        return sys.stdin.read()
    return Path(file).read_text(encoding="utf-8")


def short_time(moment: datetime | None) -> str:
    """A datetime as ``2025-01-02 03:04Z`` (UTC), or ``-``."""
    if moment is None:
        return "-"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") + "Z"


# --- output -------------------------------------------------------------------------------


def emit(args: argparse.Namespace, document: Any, human: Callable[[], None]) -> None:
    """Print ``document`` as one JSON document with ``--json``, else call ``human()``."""
    if getattr(args, "json", False):
        json.dump(document, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        human()
