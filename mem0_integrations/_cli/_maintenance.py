"""``mem0i forget | consolidate | stats``: erase, tidy and count memories."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ._common import (
    Aborted,
    Parser,
    add_common,
    emit,
    open_store,
    parse_before,
    require_scope,
    scope_ids,
    short_time,
    store_config,
)

if TYPE_CHECKING:
    from mem0_integrations import Memory
    from mem0_integrations.core.lifecycle.stats import StoreStats

__all__ = ["register"]


def _confirm(question: str) -> None:
    """Ask on stderr, read one line of stdin; anything but y/yes raises :class:`Aborted`."""
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline()
    if not sys.stdin.isatty():  # the answer was not echoed: end the question's line
        print(file=sys.stderr)
    if answer.strip().lower() not in {"y", "yes"}:
        raise Aborted("aborted: nothing was forgotten (pass --yes to skip this question).")


def _question_by_id(args: argparse.Namespace, memory: Memory) -> str | None:
    """What forgetting ``args.id`` does, or None when there is nothing to do."""
    from mem0_integrations import MemoryNotFoundError

    try:
        record = memory.get(args.id, **scope_ids(args))
    except MemoryNotFoundError:
        history = memory.history(args.id, **scope_ids(args))  # raises for an unknown id
        if not args.erase_history:
            return None
        return f"Erase the kept history ({len(history)} entries) of forgotten memory {args.id}?"
    return f"Forget memory {args.id} ({record.text!r}) of {record.scope}?"


def _question_by_scope(args: argparse.Namespace, memory: Memory, before: Any) -> str:
    scope = require_scope(args, "forget")
    records = memory.get_all(**scope_ids(args), limit=None, include_inactive=True)
    if before is not None:
        cutoff = datetime.now(UTC) - before if isinstance(before, timedelta) else before
        records = [r for r in records if r.said_at < cutoff]
        narrowed = f" stated before {short_time(cutoff)}"
    else:
        narrowed = " (and its conversation logs)"
    return f"Forget {len(records)} memories of {scope}{narrowed}, whatever their status?"


def _forget(args: argparse.Namespace) -> int:
    from mem0_integrations import InvalidInputError

    before = None if args.before is None else parse_before(args.before)
    if args.id is not None and before is not None:
        raise InvalidInputError(
            "--before narrows a forget by scope; it does not apply with an ID. Pass either "
            "the ID, or a scope (--user/--agent/--session) with --before."
        )
    if args.id is None:
        require_scope(args, "forget without an ID")  # never everything
    with open_store(args) as memory:
        if args.id is not None:
            question = _question_by_id(args, memory)
        else:
            question = _question_by_scope(args, memory, before)
        if question is not None:
            kept = "erased" if args.erase_history else "kept"
            if not args.yes:
                _confirm(f"{question} This cannot be undone (history {kept}).")
            count = memory.forget(
                args.id, **scope_ids(args), before=before, erase_history=args.erase_history
            )
        else:
            count = 0

    def human() -> None:
        if question is None:
            print(f"{args.id} was already forgotten; its history is kept (--erase-history)")
        else:
            history = "history erased" if args.erase_history else "history kept"
            print(f"forgot {count} {'memory' if count == 1 else 'memories'} ({history})")

    emit(args, {"forgotten": count, "erase_history": args.erase_history}, human)
    return 0


def _consolidate(args: argparse.Namespace) -> int:
    ids = scope_ids(args)
    with open_store(args) as memory:
        report = memory.consolidate(**ids)
    where = ", ".join(f"{k}={v}" for k, v in ids.items()) or "the whole store"

    def human() -> None:
        print(
            f"consolidated {where}: scanned {report.scanned}, archived {len(report.archived)}, "
            f"expired {len(report.expired)}, merged {len(report.merged)}, "
            f"skipped {report.skipped}"
        )
        for memory_id in report.archived:
            print(f"archived  {memory_id}")
        for memory_id in report.expired:
            print(f"expired   {memory_id}")
        for kept, gone in report.merged:
            print(f"merged    {gone} into {kept}")

    emit(args, {**report.model_dump(mode="json"), "changed": report.changed}, human)
    return 0


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def _counts(by_status: dict[str, int]) -> str:
    return ", ".join(f"{status} {n}" for status, n in by_status.items())


def _print_stats(stats: StoreStats) -> None:
    if stats.disk_bytes is not None:
        disk = f"{_size(stats.disk_bytes)} on disk"
    else:
        disk = f"disk size is not available in {stats.mode} mode"
    print(f"store:     {stats.location} ({stats.mode}; {disk})")
    print(f"scope:     {stats.scope or 'all scopes'}")
    print(f"memories:  {stats.total} ({_counts(stats.by_status)})")
    print(f"history:   {stats.history_entries} entries")
    if stats.by_scope:
        print("per scope:")
        width = max(len(str(s.scope)) for s in stats.by_scope)
        for entry in stats.by_scope:
            print(f"  {entry.scope!s:<{width}}  {entry.total:>6}  {_counts(entry.by_status)}")
    if stats.by_category:
        print("per category:")
        width = max(len(k) for k in stats.by_category)
        for category, counts in stats.by_category.items():
            print(f"  {category:<{width}}  {sum(counts.values()):>6}  {_counts(counts)}")


def _stats(args: argparse.Namespace) -> int:
    from mem0_integrations import Scope
    from mem0_integrations.core.lifecycle.stats import store_stats

    ids = scope_ids(args)
    with open_store(args) as memory:
        stats = store_stats(memory, Scope(**ids) if ids else None)
    emit(args, stats.model_dump(mode="json"), lambda: _print_stats(stats))
    return 0


def _purge(args: argparse.Namespace) -> int:
    from mem0_integrations import ConfigurationError, purge

    config = store_config(args)
    if config.store.chroma_host is not None or config.store.path is None:
        raise ConfigurationError(
            "purge works on an embedded folder (--path or MEM0I_PATH); a Chroma server "
            "compacts its own files (see `chroma vacuum`)."
        )
    report = purge(config.store.path, collection_prefix=config.store.collection_prefix)

    def human() -> None:
        kept = ", ".join(f"{name} {rows:,}" for name, rows in report.collections.items())
        print(
            f"purged {config.store.path}: rows kept {kept}; "
            f"{_size(report.bytes_before)} -> {_size(report.bytes_after)}"
        )

    emit(
        args,
        {
            "path": str(config.store.path),
            "collections": report.collections,
            "bytes_before": report.bytes_before,
            "bytes_after": report.bytes_after,
        },
        human,
    )
    return 0


def register(sub: argparse._SubParsersAction[Parser]) -> None:
    """Add ``forget``, ``consolidate``, ``stats`` and ``purge`` to the subcommands."""
    forget = sub.add_parser(
        "forget",
        help="hard-delete a memory by ID, or a scope's memories (asks first)",
        description="Hard-delete one memory (ID) or every memory of a scope, whatever its "
        "status; never the whole store. Asks for confirmation unless --yes.",
    )
    forget.add_argument("id", nargs="?", help="the memory to forget (else: the whole scope)")
    forget.add_argument(
        "--before",
        metavar="AGE|DATE",
        help="only memories stated before: an age (30d, 12h, 2w) or an ISO date/time",
    )
    forget.add_argument(
        "--erase-history", action="store_true", help="delete their history too (default: kept)"
    )
    forget.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    add_common(forget)
    forget.set_defaults(func=_forget)

    consolidate = sub.add_parser(
        "consolidate",
        help="archive decayed/expired memories, merge near duplicates (whole store without a "
        "scope)",
    )
    add_common(consolidate)
    consolidate.set_defaults(func=_consolidate)

    stats = sub.add_parser(
        "stats", help="counts per scope, category and status; disk size of an embedded store"
    )
    add_common(stats)
    stats.set_defaults(func=_stats)

    purge = sub.add_parser(
        "purge",
        help="remove deleted memories' bytes from an embedded folder's files",
        description="Rewrite an embedded store without the bytes of deleted records (after "
        "`forget --erase-history`): copies each collection's live rows, drops the old ones "
        "and compacts SQLite. Needs the folder to itself: stop the applications using it.",
    )
    add_common(purge, scope=False)
    purge.set_defaults(func=_purge)
