"""``mem0i add | search | list | show | update``: write, find and read memories."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from ._common import Parser, add_common, emit, open_store, read_text, require_scope, scope_ids
from ._common import short_time as when

if TYPE_CHECKING:
    from mem0_integrations import HistoryEntry, MemoryEvent, MemoryHit, MemoryRecord

__all__ = ["event_line", "register"]


def event_line(event: MemoryEvent) -> str:
    """``ADD     <id>  text  (was: old text)``."""
    extra = f"  (was: {event.previous_memory})" if event.previous_memory else ""
    return f"{event.event.value:<6}  {event.id}  {event.memory or ''}{extra}"


# --- add ----------------------------------------------------------------------------------


def _messages(args: argparse.Namespace) -> Any:
    from mem0_integrations import InvalidInputError

    if (args.text is None) == (args.file is None):
        raise InvalidInputError(
            "Give the text to remember, or --file with JSON messages (not both), e.g. "
            "mem0i add 'I am allergic to penicillin' --user alice."
        )
    if args.text is not None:
        return args.text
    try:
        return json.loads(read_text(args.file))
    except json.JSONDecodeError as e:
        raise InvalidInputError(
            f"--file {args.file}: not JSON ({e}). Expected a list of "
            '{"role": "user", "content": "..."} messages, one message, or a string.'
        ) from e


def _json_object(text: str | None, option: str) -> dict[str, Any] | None:
    from mem0_integrations import InvalidInputError

    if text is None:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise InvalidInputError(f'{option} is not JSON ({e}); e.g. \'{{"source": "cli"}}\'.') from e
    if not isinstance(value, dict):
        raise InvalidInputError(f'{option} must be a JSON object such as \'{{"source": "cli"}}\'.')
    return value


def _add(args: argparse.Namespace) -> int:
    require_scope(args, "add")
    messages = _messages(args)
    metadata = _json_object(args.metadata, "--metadata")
    with open_store(args, create=True) as memory:
        result = memory.add(messages, **scope_ids(args), metadata=metadata, infer=args.infer)

    def human() -> None:
        for event in result.events:
            print(event_line(event))
        if not result.events:
            print("nothing to remember: no statement of fact was found (try --no-infer)")
        for skipped in result.skipped:
            print(f"skipped  {skipped.text!r}: {skipped.reason}")
        for warning in result.warnings:
            print(f"mem0i: warning: {warning}", file=sys.stderr)

    emit(args, result.model_dump(mode="json"), human)
    return 0


# --- search -------------------------------------------------------------------------------


def _explain_lines(hit: MemoryHit) -> list[str]:
    ex = hit.explanation
    if ex is None:
        return []
    lines = [
        f"      {name:<14}{p.value:6.3f} x {p.weight:<5g} -> {p.contribution:.3f}"
        for name, p in ex.parts.items()
    ]
    decay = f"half-life {ex.half_life_days:g} d" if ex.half_life_days else "never decays"
    lines.append(
        f"      retention {ex.retention:.3f} ({ex.decay_class}, {decay}); "
        f"age {ex.age_days:.1f} d, idle {ex.idle_days:.1f} d"
    )
    if ex.matched_terms:
        lines.append(f"      matched terms: {', '.join(ex.matched_terms)}")
    return lines


def _search(args: argparse.Namespace) -> int:
    from mem0_integrations.core.rank.context import render_memories

    scope = require_scope(args, "search")
    with open_store(args) as memory:
        hits = memory.search(
            args.query,
            **scope_ids(args),
            limit=args.limit,
            explain=args.explain,
            reinforce=args.reinforce,
        )
    prompt = render_memories(hits)
    document: dict[str, Any] = {
        "query": args.query,
        "scope": scope.model_dump(exclude_none=True),
        "hits": [h.model_dump(mode="json") for h in hits],
    }
    if args.prompt:
        document["prompt"] = prompt

    def human() -> None:
        if args.prompt:
            print(prompt)
            return
        if not hits:
            print(f"no memories of {scope} match {args.query!r}")
        for hit in hits:
            category = f"[{hit.record.category}] " if hit.record.category else ""
            print(f"{hit.score:.3f}  {hit.id}  {category}{hit.memory}")
            for line in _explain_lines(hit):
                print(line)

    emit(args, document, human)
    return 0


# --- list and show ------------------------------------------------------------------------


def _record_line(record: MemoryRecord) -> str:
    status = "" if record.status.value == "active" else f"  ({record.status.value})"
    category = f"[{record.category}] " if record.category else ""
    return f"{record.id}  {when(record.said_at)}  {category}{record.text}{status}"


def _list(args: argparse.Namespace) -> int:
    scope = require_scope(args, "list")
    with open_store(args) as memory:
        records = memory.get_all(
            **scope_ids(args), limit=args.limit, include_inactive=args.include_inactive
        )

    def human() -> None:
        for record in records:
            print(_record_line(record))
        which = "memories" if args.include_inactive else "active memories"
        print(f"{len(records)} {which} of {scope}")

    document = {
        "scope": scope.model_dump(exclude_none=True),
        "memories": [r.model_dump(mode="json") for r in records],
    }
    emit(args, document, human)
    return 0


def _history_line(entry: HistoryEntry) -> str:
    old, new = entry.old_memory, entry.new_memory
    change = f"{old} -> {new}" if old and new and old != new else (new or old or "")
    reason = f"  ({entry.reason})" if entry.reason else ""
    return f"  {when(entry.created_at)}  {entry.event.value:<7} {change}{reason}"


def _key(record: MemoryRecord) -> str | None:
    if record.key is None or record.value is None:
        return record.key
    return f"{record.key} = {json.dumps(record.value, ensure_ascii=False)}"


def _show_record(record: MemoryRecord) -> None:
    rows: list[tuple[str, Any]] = [
        ("id", record.id),
        ("text", record.text),
        ("scope", str(record.scope)),
        ("status", record.status.value),
        ("category", record.category),
        ("key", _key(record)),
        ("stated", when(record.said_at)),
        ("created", when(record.created_at)),
        ("updated", when(record.updated_at)),
        ("last used", f"{when(record.last_accessed_at)} ({record.access_count} uses)"),
        ("importance", f"{record.importance:.2f}"),
        ("expires", record.expires_at and when(record.expires_at)),
        ("valid until", record.valid_until and when(record.valid_until)),
        ("superseded by", record.superseded_by),
        ("metadata", record.metadata and json.dumps(record.metadata, ensure_ascii=False)),
    ]
    for name, value in rows:
        if value is not None:
            print(f"{name + ':':<15}{value}")


def _show(args: argparse.Namespace) -> int:
    from mem0_integrations import MemoryNotFoundError

    with open_store(args) as memory:
        try:
            record: MemoryRecord | None = memory.get(args.id, **scope_ids(args))
        except MemoryNotFoundError:
            record = None  # forgotten with its history kept, or unknown (history() raises)
        history = memory.history(args.id, **scope_ids(args))

    def human() -> None:
        if record is None:
            print(f"{args.id}: forgotten (hard-deleted); its history is kept")
        else:
            _show_record(record)
        print("history:")
        for entry in history:
            print(_history_line(entry))

    document = {
        "memory": None if record is None else record.model_dump(mode="json"),
        "history": [e.model_dump(mode="json") for e in history],
    }
    emit(args, document, human)
    return 0


# --- update -------------------------------------------------------------------------------


def _update(args: argparse.Namespace) -> int:
    metadata = _json_object(args.metadata, "--metadata")
    with open_store(args) as memory:
        event = memory.update(args.id, args.text, metadata=metadata, **scope_ids(args))
    emit(args, event.model_dump(mode="json"), lambda: print(event_line(event)))
    return 0


def register(sub: argparse._SubParsersAction[Parser]) -> None:
    """Add ``add``, ``search``, ``list``, ``show`` and ``update`` to the subcommands."""
    add = sub.add_parser("add", help="remember a text or JSON messages")
    add.add_argument("text", nargs="?", help="what to remember (or use --file)")
    add.add_argument(
        "--file", "-f", help='JSON messages: [{"role": "user", "content": "..."}, ...]; - is stdin'
    )
    add.add_argument(
        "--infer",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="extract facts (default) or store each message verbatim (--no-infer)",
    )
    add.add_argument("--metadata", metavar="JSON", help="a JSON object kept with the memories")
    add_common(add)
    add.set_defaults(func=_add)

    search = sub.add_parser("search", help="the scope's memories that best match a query")
    search.add_argument("query")
    search.add_argument("--limit", "-n", type=int, default=5, help="hits (default: %(default)s)")
    search.add_argument("--explain", action="store_true", help="print the parts of each score")
    search.add_argument(
        "--prompt", action="store_true", help="print the hits as a model sees them in a prompt"
    )
    search.add_argument(
        "--reinforce", action="store_true", help="count the hits as uses (off: only look)"
    )
    add_common(search)
    search.set_defaults(func=_search)

    list_ = sub.add_parser("list", help="the scope's memories, most recently updated first")
    list_.add_argument(
        "--all",
        dest="include_inactive",
        action="store_true",
        help="include superseded, deleted, archived and expired memories",
    )
    list_.add_argument("--limit", "-n", type=int, default=None, help="at most this many")
    add_common(list_)
    list_.set_defaults(func=_list)

    show = sub.add_parser("show", help="one memory and its history")
    show.add_argument("id")
    add_common(show)
    show.set_defaults(func=_show)

    update = sub.add_parser("update", help="replace a memory's text (history kept)")
    update.add_argument("id")
    update.add_argument("text")
    update.add_argument("--metadata", metavar="JSON", help="replace its metadata too")
    add_common(update)
    update.set_defaults(func=_update)
