"""``mem0i export | import``: JSON Lines files of memories and their history."""

from __future__ import annotations

import argparse
import io
import json
import sys
from typing import IO

from ._common import Parser, add_common, emit, open_store, read_text, require_scope, scope_ids

__all__ = ["LARGE_IMPORT", "ProgressBar", "register"]

#: Imports of at least this many memories show a progress bar (on a terminal).
LARGE_IMPORT = 100


class ProgressBar:
    """``importing [#######.......]  128/300 memories  42%`` redrawn in place on ``stream``."""

    def __init__(self, total: int | None, stream: IO[str], *, width: int = 30) -> None:
        self.total = total
        self.stream = stream
        self.width = width
        self.drawn = False

    def __call__(self, done: int) -> None:
        if self.total:
            filled = min(self.width, self.width * done // self.total)
            bar = "#" * filled + "." * (self.width - filled)
            line = f"importing [{bar}] {done:>{len(str(self.total))}}/{self.total} memories"
            line += f" {100 * done // self.total:3d}%"
        else:
            line = f"importing {done} memories"
        self.stream.write("\r" + line)
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        """End the line the bar is drawn on (if it was drawn)."""
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def _declared_total(text: str) -> int | None:
    """The ``memories`` count of the export's header line, if it has a readable one."""
    for line in io.StringIO(text):
        if line.strip():
            try:
                count = json.loads(line).get("memories")
            except (ValueError, AttributeError):
                return None
            return count if isinstance(count, int) and count >= 0 else None
    return None


def _import(args: argparse.Namespace) -> int:
    text = read_text(args.file)
    total = _declared_total(text)
    show = args.progress
    if show is None:
        show = sys.stderr.isatty() and (total or 0) >= LARGE_IMPORT and not args.json
    bar = ProgressBar(total, sys.stderr) if show else None
    with open_store(args, create=True) as memory:
        try:
            count = memory.import_jsonl(io.StringIO(text), progress=bar)
        finally:
            if bar is not None:
                bar.close()
        location = memory.location
    source = "standard input" if args.file == "-" else args.file
    emit(
        args,
        {"imported": count, "file": args.file, "store": location},
        lambda: print(f"imported {count} memories from {source} into {location}"),
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    scope = require_scope(args, "export")
    to_stdout = args.file == "-"
    with open_store(args) as memory:
        count = memory.export_jsonl(sys.stdout if to_stdout else args.file, **scope_ids(args))
    message = f"exported {count} memories of {scope} to {'stdout' if to_stdout else args.file}"
    if to_stdout:  # stdout holds the export itself
        if not args.json:
            print(message, file=sys.stderr)
        return 0
    emit(args, {"exported": count, "file": args.file}, lambda: print(message))
    return 0


def register(sub: argparse._SubParsersAction[Parser]) -> None:
    """Add ``export`` and ``import`` to the subcommands."""
    export = sub.add_parser(
        "export",
        help="write a scope's memories (every status) and history as JSON Lines",
        description="Write a scope's memories (every status) and their history as JSON Lines. "
        "With FILE '-' (the default) the export itself is printed on stdout.",
    )
    export.add_argument("file", nargs="?", default="-", help="output file (default: stdout)")
    add_common(export)
    export.set_defaults(func=_export)

    import_ = sub.add_parser(
        "import",
        help="load a JSON Lines export (ids, scopes, statuses and history kept)",
        description="Load a `mem0i export` file. Every line is validated before anything is "
        "written; memories keep the scopes stored in the file, and records whose ids are "
        "already stored are overwritten.",
    )
    import_.add_argument("file", help="the export file; - reads standard input")
    import_.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"progress bar on stderr (default: on a terminal, from {LARGE_IMPORT} memories)",
    )
    add_common(import_, scope=False)
    import_.set_defaults(func=_import)
