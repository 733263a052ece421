"""``mem0i serve-chroma``: run a Chroma server for server mode, in the foreground.

The server is ``chroma run`` from the chromadb package installed with
mem0-integrations (the ``chroma`` executable next to this Python). Serving the
folder of an embedded store makes its memories available to every process that
connects with ``--chroma-host``/``--chroma-port`` (``MEM0I_CHROMA_HOST`` and
``MEM0I_CHROMA_PORT`` for applications). The server keeps the folder's lock (see
:mod:`mem0_integrations.core.folder_lock`), so no process opens the folder as an
embedded store while it serves it, and it does not start while one has it open.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from ._common import Parser, emit

__all__ = ["chroma_command", "register"]


def _executable() -> str | None:
    """The ``chroma`` executable next to this interpreter, else the one on PATH."""
    here = os.path.dirname(sys.executable)
    return shutil.which("chroma", path=here) or shutil.which("chroma")


def chroma_command(path: Path, host: str, port: int, executable: str = "chroma") -> list[str]:
    """The ``chroma run`` command line that serves ``path``."""
    return [executable, "run", "--path", str(path), "--host", host, "--port", str(port)]


def _serve(args: argparse.Namespace) -> int:
    from mem0_integrations import DEFAULT_PATH, ConfigurationError
    from mem0_integrations.core.folder_lock import acquire

    folder = args.path or os.environ.get("MEM0I_PATH") or DEFAULT_PATH
    path = Path(folder).expanduser().resolve()
    port = args.port
    if port is None:
        env_port = os.environ.get("MEM0I_CHROMA_PORT") or "8000"
        if not env_port.isdigit():
            raise ConfigurationError(f"MEM0I_CHROMA_PORT={env_port!r} is not a port number.")
        port = int(env_port)
    executable = _executable()
    command = chroma_command(path, args.host, port, executable or "chroma")
    if args.print:
        emit(args, {"command": command}, lambda: print(shlex.join(command)))
        return 0
    if executable is None:
        raise ConfigurationError(
            f"The `chroma` executable was not found next to {sys.executable} nor on PATH. "
            "Reinstall mem0-integrations (it depends on chromadb) in this environment."
        )
    print(
        f"mem0i: serving {path} on http://{args.host}:{port} (Ctrl-C stops it). Connect with "
        f"--chroma-host {args.host} --chroma-port {port}, or MEM0I_CHROMA_HOST={args.host} "
        f"MEM0I_CHROMA_PORT={port}.\nmem0i: {shlex.join(command)}",
        file=sys.stderr,
        flush=True,
    )
    sys.stdout.flush()
    lease = acquire(path)  # StoreLockedError if an application has the folder open
    if os.name == "posix":  # become the server: signals and the exit code are Chroma's own
        lease.keep_across_exec()
        os.execv(executable, command)
    try:  # pragma: no cover - Windows
        return subprocess.run(command, check=False).returncode
    except KeyboardInterrupt:  # pragma: no cover - Windows
        return 130


def register(sub: argparse._SubParsersAction[Parser]) -> None:
    """Add ``serve-chroma`` to the subcommands."""
    serve = sub.add_parser(
        "serve-chroma",
        help="run a Chroma server (`chroma run`) for server mode, or --print its command",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument(
        "--path", help="folder the server stores in (default: $MEM0I_PATH or ./mem0_memories)"
    )
    serve.add_argument(
        "--host", "--chroma-host", default="127.0.0.1", help="address to listen on (%(default)s)"
    )
    serve.add_argument(
        "--port", "--chroma-port", type=int, default=None, help="port ($MEM0I_CHROMA_PORT or 8000)"
    )
    serve.add_argument("--print", action="store_true", help="print the command, do not run it")
    serve.add_argument("--json", action="store_true", help="with --print: the command as JSON")
    serve.set_defaults(func=_serve)
