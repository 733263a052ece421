"""Command line: ``mem0i`` (also ``python -m mem0_integrations``).

See, fix and move what your agents remember, from a shell::

    mem0i add "I'm allergic to penicillin" --user alice
    mem0i search "allergies?" --user alice --explain
    mem0i list --user alice --all
    mem0i show ID                       # a memory and its history
    mem0i update ID "Allergic to penicillin and amoxicillin"
    mem0i forget --user alice --before 30d
    mem0i export alice.jsonl --user alice && mem0i import alice.jsonl --path ./other
    mem0i stats
    mem0i consolidate --user alice
    mem0i serve-chroma --port 8000      # then --chroma-host 127.0.0.1 --chroma-port 8000
    mem0i demo                          # the offline demo of the README

Every command but ``demo``, ``import`` and ``serve-chroma`` takes the scope
options ``--user``/``--agent``/``--session``; every command but ``demo`` and
``serve-chroma`` takes the store options ``--path``/``--chroma-host``/
``--chroma-port``/``--config`` and ``--json`` (one JSON document on stdout;
errors as a JSON document on stderr).

Environment variables (an option given on the command line wins):

=====================  =========================================================
``MEM0I_PATH``         folder of the embedded store (default ``./mem0_memories``)
``MEM0I_CHROMA_HOST``  host of a Chroma server (server mode)
``MEM0I_CHROMA_PORT``  port of that server (default 8000)
``MEM0I_CONFIG``       JSON file of ``MemoryConfig`` options (embedder, llm, ...)
``MEM0I_USER_ID``      default ``--user``
``MEM0I_AGENT_ID``     default ``--agent``
``MEM0I_SESSION_ID``   default ``--session``
=====================  =========================================================

Exit codes:

===  ========================================================================
0    success
1    error (extraction, embedding, background write, file I/O), or a declined
     confirmation
2    usage: bad options or configuration (``ConfigurationError``)
3    not found: no memory with that id in that scope (``MemoryNotFoundError``)
4    invalid input or scope: missing/malformed scope, bad ``--before``, bad
     JSON, text too long (``InvalidInputError``, ``ScopeError``)
5    store unavailable: the Chroma server is unreachable, the embedded folder
     does not exist or Chroma failed (``StoreError``)
130  interrupted (Ctrl-C)
===  ========================================================================
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from ._cli import _demo, _maintenance, _memories, _server, _transfer
from ._cli._common import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_NOT_FOUND,
    EXIT_STORE,
    EXIT_USAGE,
    Aborted,
    Parser,
    UsageError,
)

__all__ = ["build_parser", "exit_code", "main"]

_EPILOG = """\
environment: MEM0I_PATH, MEM0I_CHROMA_HOST, MEM0I_CHROMA_PORT, MEM0I_CONFIG, MEM0I_USER_ID,
  MEM0I_AGENT_ID, MEM0I_SESSION_ID (options on the command line win)

exit codes:
  0    success
  1    error, or a declined confirmation
  2    usage: bad options or configuration
  3    not found: no memory with that id in that scope
  4    invalid input or scope (missing scope, bad --before, bad JSON)
  5    store unavailable: server unreachable, no store at --path, Chroma failed
  130  interrupted

`mem0i COMMAND --help` shows a command's options."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``mem0i``."""
    parser = Parser(
        prog="mem0i",
        description="See, fix and move what your agents remember (mem0-integrations).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _demo.register(sub)
    _memories.register(sub)
    _maintenance.register(sub)
    _transfer.register(sub)
    _server.register(sub)
    return parser


def exit_code(error: BaseException) -> int:
    """The exit code of an error (see the module docstring)."""
    from mem0_integrations import (
        ConfigurationError,
        InvalidInputError,
        MemoryNotFoundError,
        StoreError,
    )

    if isinstance(error, UsageError | ConfigurationError):
        return EXIT_USAGE
    if isinstance(error, MemoryNotFoundError):
        return EXIT_NOT_FOUND
    if isinstance(error, InvalidInputError):
        return EXIT_INVALID
    if isinstance(error, StoreError):
        return EXIT_STORE
    return EXIT_ERROR


def _report(error: BaseException, code: int, as_json: bool) -> None:
    if isinstance(error, OSError) and error.filename is not None:
        message = f"{error.strerror or error}: {error.filename}"
    else:
        message = str(error)
    if as_json:
        document = {"error": {"type": type(error).__name__, "message": message, "exit_code": code}}
        print(json.dumps(document, ensure_ascii=False), file=sys.stderr)
    elif isinstance(error, UsageError):
        error.parser.print_usage(sys.stderr)
        print(f"{error.parser.prog}: error: {message}", file=sys.stderr)
    elif isinstance(error, Aborted):
        print(f"mem0i: {message}", file=sys.stderr)
    else:
        print(f"mem0i: error: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``mem0i``; returns the exit code."""
    from mem0_integrations import Mem0IntegrationsError

    args_list = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in args_list
    try:
        args = build_parser().parse_args(args_list)
        code: int = args.func(args)
    except BrokenPipeError:  # e.g. `mem0i list ... | head -1`: the reader left, stay quiet
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except (UsageError, Mem0IntegrationsError, Aborted, OSError) as e:
        code = exit_code(e)
        _report(e, code, as_json)
        return code
    except KeyboardInterrupt:
        print("\nmem0i: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return code
