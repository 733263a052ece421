"""``mem0i serve-chroma``: run a Chroma server for server mode, in the foreground.

The server is ``chroma run`` from the chromadb package installed with
mem0-integrations (the ``chroma`` executable next to this Python). Serving the
folder of an embedded store makes its memories available to every process that
connects with ``--chroma-host``/``--chroma-port`` (``MEM0I_CHROMA_HOST`` and
``MEM0I_CHROMA_PORT`` for applications). The server keeps the folder's lock (see
:mod:`mem0_integrations.core.store.folder_lock`), so no process opens the folder as an
embedded store while it serves it, and it does not start while one has it open.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from ._common import Parser, emit

__all__ = [
    "chroma_command",
    "chroma_executable",
    "free_port",
    "heartbeat",
    "register",
    "running_chroma_server",
    "stop",
]


def chroma_executable() -> str | None:
    """The ``chroma`` executable next to this interpreter, else the one on PATH."""
    here = os.path.dirname(sys.executable)
    return shutil.which("chroma", path=here) or shutil.which("chroma")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def heartbeat(host: str, port: int) -> bool:
    """True if a Chroma server answers a heartbeat at ``host:port``."""
    import chromadb
    from chromadb.config import Settings

    try:
        client = chromadb.HttpClient(
            host=host, port=port, settings=Settings(anonymized_telemetry=False)
        )
        client.heartbeat()
    except Exception:  # any failure means "not answering (yet)"
        return False
    return True


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate ``process`` and wait for it; kill it if it has not exited in 15 s."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


@contextlib.contextmanager
def running_chroma_server(
    data: Path, log: Path, *, timeout: float = 60.0
) -> Iterator[tuple[str, int, subprocess.Popen[bytes]]]:
    """``chroma run --path DATA`` on 127.0.0.1 and a free port, its output appended to
    ``log``, until the block ends (then :func:`stop`). Yields (host, port, process) once
    the server answers a heartbeat; raises RuntimeError with the log's tail if it exits
    or stays silent for ``timeout`` seconds. Tests and benchmarks start theirs with it."""
    executable = chroma_executable()
    if executable is None:
        raise RuntimeError(
            f"The `chroma` executable was found neither next to {sys.executable} nor on PATH; "
            "install chromadb into this environment."
        )
    host, port = "127.0.0.1", free_port()
    command = chroma_command(data, host, port, executable)
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=log.parent)
    try:
        deadline = time.monotonic() + timeout
        while not heartbeat(host, port):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
                state = (
                    f"exited with code {process.returncode}"
                    if process.poll() is not None
                    else f"did not answer a heartbeat within {timeout:.0f} s"
                )
                raise RuntimeError(f"`{shlex.join(command)}` {state}. Log tail:\n{tail}")
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.1)  # poll; wakes at once if the server dies
        yield host, port, process
    finally:
        stop(process)


def chroma_command(path: Path, host: str, port: int, executable: str = "chroma") -> list[str]:
    """The ``chroma run`` command line that serves ``path``."""
    return [executable, "run", "--path", str(path), "--host", host, "--port", str(port)]


def _serve(args: argparse.Namespace) -> int:
    from mem0_integrations import DEFAULT_PATH, ConfigurationError
    from mem0_integrations.core.store.folder_lock import acquire

    folder = args.path or os.environ.get("MEM0I_PATH") or DEFAULT_PATH
    path = Path(folder).expanduser().resolve()
    port = args.port
    if port is None:
        env_port = os.environ.get("MEM0I_CHROMA_PORT") or "8000"
        if not env_port.isdigit():
            raise ConfigurationError(f"MEM0I_CHROMA_PORT={env_port!r} is not a port number.")
        port = int(env_port)
    executable = chroma_executable()
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
