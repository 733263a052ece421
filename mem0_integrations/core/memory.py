"""`Memory`: the one orchestrator, with sync methods and async twins.

Each public method validates its input completely, then does its I/O. The
async twins (``aadd``, ``asearch``, ...) run the very same method in a worker
thread (:func:`_async_twin`), so there is one implementation of the logic;
Chroma's embedded client is synchronous, so a thread is the honest shell.

Writes hold a per-instance lock from "read what is stored" to "write the
result", so two threads adding the same fact leave one record.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import weakref
from collections.abc import Callable, Coroutine, Mapping
from concurrent.futures import Future
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any, Concatenate, Literal, ParamSpec, TypeVar, overload

from .adding import AddPipeline, checked_now, commit
from .background import BackgroundWriter
from .completion import RetryPolicy
from .config import Clock, MemoryConfig, utc_now
from .deadline import deadline, in_thread
from .embedders import BoundedEmbedder, Embedder, as_embedder, embedder_from_config
from .errors import (
    ConfigurationError,
    InvalidInputError,
    MemoryNotFoundError,
    ScopeError,
)
from .extract.extraction import (
    Candidate,
    check_text,
    fact_candidates,
    parse_messages,
)
from .extract.llm_extractor import LLMExtractor
from .extract.quarantine import Quarantine
from .lifecycle.access import AccessRecorder
from .lifecycle.lifecycle import Lifecycle, check_id
from .lifecycle.purge import settle_purge
from .lifecycle.transfer import Progress, dump_lines, embed_texts, parse_lines
from .llm import LLM, as_llm, llm_from_config
from .merge.merging import MergeRules, plan_delete, plan_edit
from .models import (
    AddResult,
    ConsolidationReport,
    EventType,
    HistoryEntry,
    MemoryEvent,
    MemoryHit,
    MemoryRecord,
    MemorySource,
    MemoryStatus,
    QuarantinedItem,
    Scope,
    build_schemas,
)
from .rank.search import Searcher, SearchRequest, moment
from .store.filters import read_where, validate_metadata
from .store.folder_lock import FolderLease
from .store.folder_lock import acquire as acquire_folder
from .store.journal import JOURNAL_DIR, FileJournal
from .store.local_index import Loaded, LocalIndex
from .store.store import ChromaStore, Write, check_folder, open_client
from .store.transcript import Transcripts

__all__ = ["Memory"]

log = logging.getLogger("mem0_integrations")

P = ParamSpec("P")
R = TypeVar("R")


def _async_twin(
    fn: Callable[Concatenate[Memory, P], R],
) -> Callable[Concatenate[Memory, P], Coroutine[Any, Any, R]]:
    """The async twin of a sync method: the same code, run in a worker thread."""

    @functools.wraps(fn)
    async def twin(self: Memory, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return await in_thread(fn, self, *args, **kwargs)

    twin.__name__ = twin.__qualname__ = "a" + fn.__name__
    twin.__doc__ = f"Async twin of :meth:`Memory.{fn.__name__}` (same logic, in a worker thread)."
    return twin


class _Owned:
    """What a ``Memory`` opened itself, let go of once: at ``close()``, or when the
    ``Memory`` is collected or the interpreter exits without it (a ``weakref.finalize``)."""

    def __init__(self, client: Any, lease: FolderLease | None) -> None:
        self.client = client
        self.lease = lease
        self.access: AccessRecorder | None = None
        """Flushed before the client closes (its counts need the client)."""

    def let_go(self) -> None:
        # This may run inside the garbage collector, in the middle of any code of the
        # program: failures are logged without a traceback, since formatting one calls
        # ast.parse on Python 3.11, and an ast.parse nested in another one (collected
        # during it) fails that outer one with "AST constructor recursion depth mismatch".
        try:
            if self.access is not None:
                self.access.close()
        except Exception as e:
            log.error("mem0-integrations could not write buffered access counts: %r", e)
        try:
            close = getattr(self.client, "close", None)
            if callable(close):
                close()
        except Exception as e:  # closing must not hide the caller's own error
            log.error("mem0-integrations could not close its Chroma client: %r", e)
        finally:
            if self.lease is not None:
                self.lease.release_soon()  # never blocks: this may run inside the GC


def _deadlined(
    method: Callable[Concatenate[Memory, P], R],
) -> Callable[Concatenate[Memory, P], R]:
    """Run ``method`` under the ``Memory``'s deadline (:mod:`.deadline`)."""

    @functools.wraps(method)
    def run(self: Memory, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with deadline(self.config.deadline):
            return method(self, *args, **kwargs)

    return run


class Memory:
    """Persistent long-term memory on Chroma.

    >>> m = Memory(path="./memories")                        # embedded, offline defaults
    >>> m = Memory(chroma_host="127.0.0.1", chroma_port=8000)  # a Chroma server
    >>> m = Memory(client=chromadb_client)                   # an injected client

    Every read and write names a scope (``user_id``, ``agent_id``,
    ``session_id``; ``run_id`` is an alias of ``session_id``).
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        chroma_host: str | None = None,
        chroma_port: int | None = None,
        client: Any = None,
        embedder: Any = None,
        llm: Any = None,
        config: MemoryConfig | Mapping[str, Any] | None = None,
        clock: Clock | None = None,
    ) -> None:
        if client is not None and (path, chroma_host, chroma_port) != (None, None, None):
            raise ConfigurationError(
                "client= was given together with path/chroma_host/chroma_port. Pass either an "
                "injected Chroma client or where to open one, not both."
            )
        build_schemas()
        cfg = MemoryConfig.located(
            config, path=path, chroma_host=chroma_host, chroma_port=chroma_port
        )
        store_cfg = cfg.store
        self.config = cfg
        self._clock: Clock = clock or utc_now
        self._embedder: Embedder = (
            embedder_from_config(cfg.embedder) if embedder is None else as_embedder(embedder)
        )
        self._lease: FolderLease | None = None
        self._release: weakref.finalize[Any, Memory] | None = None
        if client is None:
            resolved = store_cfg.resolved()
            self.config = self.config.model_copy(update={"store": resolved})
            if resolved.path is not None:
                check_folder(resolved.path)
                self._lease = acquire_folder(resolved.path)
            try:
                client = open_client(resolved)
                if resolved.path is not None:  # a purge a crash interrupted
                    settle_purge(client, resolved.path, store_cfg.collection_prefix)
            except BaseException:
                if self._lease is not None:
                    self._lease.release()
                raise
            # Closing our client stops Chroma's cached in-process copy of an embedded
            # store (the last client of a folder does), so a later open reads the disk
            # afresh, whatever another process wrote meanwhile.
            self._owned = _Owned(client, self._lease)
            self._release = weakref.finalize(self, self._owned.let_go)
            self.location = (
                f"http://{resolved.chroma_host}:{resolved.chroma_port}"
                if resolved.chroma_host
                else str(resolved.path)
            )
        else:
            self.location = f"injected {type(client).__name__}"
        log.info("mem0-integrations memory at %s", self.location)
        self._store = ChromaStore(
            client, prefix=store_cfg.collection_prefix, embedder_name=self._embedder.name
        )
        # gives up at a call's deadline; checks each answer against the stored vectors
        self._bounded = BoundedEmbedder(self._embedder, self._store.vector_width)
        if self._lease is not None and self._lease.exclusive:
            self._store.shared = False
            prefix = store_cfg.collection_prefix
            self._store.journal = FileJournal(self._lease.path / JOURNAL_DIR / prefix)
            # the first Memory of this process on the folder finishes a crashed one's changes
            finished = self._lease.shared(f"recovered:{prefix}", self._store.recover)
            if finished:
                log.warning("mem0-integrations finished %d interrupted change(s)", finished)
        self._transcripts = Transcripts(client, prefix=store_cfg.collection_prefix)
        self._quarantine = Quarantine(client, prefix=store_cfg.collection_prefix)
        self._closed = False
        xcfg = cfg.extraction
        self._llm: LLM | None = (
            llm_from_config(cfg.llm) if llm is None else as_llm(llm, model=cfg.llm.model)
        )
        # imported here, not at the top: compiling the extraction and safety rules takes
        # ~0.3 s, which `import mem0_integrations` should not pay
        from .extract.rules import RuleExtractor

        self._rules = RuleExtractor(roles=xcfg.fact_roles)
        self._llm_extractor = (
            None
            if self._llm is None
            else LLMExtractor(
                self._llm,
                fact_roles=xcfg.fact_roles,
                max_facts=xcfg.max_facts,
                max_tokens=cfg.llm.max_tokens,
                retry=RetryPolicy.from_config(cfg.llm),
            )
        )
        self._merge_rules = MergeRules(
            duplicate_threshold=xcfg.duplicate_threshold,
            update_threshold=xcfg.update_threshold,
            retract_threshold=xcfg.retract_threshold,
        )
        self._access = AccessRecorder(self._store)
        if self._release is not None:
            self._owned.access = self._access
        self._background = BackgroundWriter(workers=xcfg.background_workers)
        # One write lock per store in this process: Memory objects on one folder share it,
        # so their check-then-write merges never interleave (see also Memory.close()).
        self._lock: threading.RLock = (
            threading.RLock()
            if self._lease is None
            else self._lease.shared(f"lock:{store_cfg.collection_prefix}", threading.RLock)
        )
        self._searcher = Searcher(
            store=self._store,
            embedder=self._bounded,
            config=self.config,
            access=self._access,
            index=self._local_index(),
        )
        self._adder = AddPipeline(
            store=self._store,
            embedder=self._bounded,
            rules=self._rules,
            llm_extractor=self._llm_extractor,
            merge_rules=self._merge_rules,
            config=self.config,
            access=self._access,
            lock=self._lock,
            clock=self._clock,
            quarantine=self._quarantine,
        )
        self._lifecycle = Lifecycle(
            store=self._store,
            embedder=self._bounded,
            config=self.config,
            access=self._access,
            background=self._background,
            lock=self._lock,
            clock=self._clock,
            lookup=self._record,
            transcripts=self._transcripts,
            quarantine=self._quarantine,
        )

    def _local_index(self) -> LocalIndex:
        """The in-process search index, shared by every ``Memory`` of this process on the
        same embedded folder (and then exclusive: it also answers vector search)."""
        store = self._store
        ttl = self.config.ranking.keyword_index_ttl

        def load(scope: Scope, vectors: bool) -> Loaded:
            return store.scope_rows(read_where(scope), vectors=vectors)

        lease = self._lease
        if lease is None:
            index = LocalIndex(load, ttl=ttl)
        else:
            prefix = self.config.store.collection_prefix
            index = lease.shared(
                f"index:{prefix}", lambda: LocalIndex(load, exclusive=lease.exclusive, ttl=ttl)
            )
            index.loader = load  # the newest store of the folder reads for it
        store.index = index
        return index

    def close(self) -> None:
        """Finish queued background adds, write buffered access counts, stop the threads,
        and close the Chroma client this ``Memory`` opened (an injected one stays open),
        releasing an embedded folder to other processes.

        Call this (or use ``with Memory(...) as m:``) before the process exits to keep
        every access count. Raises :class:`BackgroundWriteError` if queued adds failed.
        A ``Memory`` that opened its own client cannot read or write once closed;
        adapters that open their own ``Memory`` from ``path=`` never reuse a closed one
        (see :attr:`closed`).
        """
        self._closed = True
        try:
            self._background.close()
        finally:
            try:
                self._access.close()
            finally:
                if self._release is not None:
                    self._store.closed = True
                    self._release()  # once; other processes may open the folder now

    def flush(self, timeout: float | None = None) -> None:
        """Wait for every ``add(..., background=True)`` queued so far.

        Raises :class:`BackgroundWriteError` listing the queued adds that failed
        since the last flush (each failed add wrote nothing).
        """
        self._background.flush(timeout)

    def __enter__(self) -> Memory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        llm = self._llm.name if self._llm else None
        return f"Memory(location={self.location!r}, embedder={self._embedder.name!r}, llm={llm!r})"

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    @property
    def transcripts(self) -> Transcripts:
        """Conversation logs kept next to the memories (the ``<prefix>_chat`` collection).

        Ordered, verbatim rows per conversation (a kind and a scope), for chat
        histories and recent-turn windows; they are not memories and are never
        searched. :meth:`reset` empties them and :meth:`forget` of a whole scope
        erases that scope's; see :mod:`~mem0_integrations.core.store.transcript`.
        """
        return self._transcripts

    @property
    def embedder(self) -> Embedder:
        """The embedder in use."""
        return self._embedder

    @property
    def llm(self) -> LLM | None:
        """The LLM used by ``add(..., infer=True)``, or None (offline extraction)."""
        return self._llm

    # --- helpers --------------------------------------------------------------------------

    def _now(self) -> datetime:
        return checked_now(self._clock)

    @staticmethod
    def _scope(user_id: Any, agent_id: Any, session_id: Any, run_id: Any) -> Scope:
        return Scope(user_id=user_id, agent_id=agent_id, session_id=session_id, run_id=run_id)

    def _text(self, text: Any, what: str) -> str:
        return check_text(text, what, self.config.limits.max_text_chars)

    def _record(self, memory_id: Any, scope: Scope | None) -> MemoryRecord:
        memory_id = check_id(memory_id)
        self._access.flush()
        record = self._store.get_records([memory_id]).get(memory_id)
        if record is None or (scope is not None and not scope.contains(record.scope)):
            raise MemoryNotFoundError(memory_id)
        return record

    def _optional_scope(self, **ids: Any) -> Scope | None:
        return None if all(v is None for v in ids.values()) else self._scope(**ids)

    # --- writes ---------------------------------------------------------------------------

    @overload
    def add(
        self,
        messages: Any,
        *,
        user_id: str | None = ...,
        agent_id: str | None = ...,
        session_id: str | None = ...,
        run_id: str | None = ...,
        metadata: Mapping[str, Any] | None = ...,
        infer: bool = ...,
        expires_at: datetime | date | None = ...,
        background: Literal[False] = ...,
    ) -> AddResult: ...

    @overload
    def add(
        self,
        messages: Any,
        *,
        user_id: str | None = ...,
        agent_id: str | None = ...,
        session_id: str | None = ...,
        run_id: str | None = ...,
        metadata: Mapping[str, Any] | None = ...,
        infer: bool = ...,
        expires_at: datetime | date | None = ...,
        background: Literal[True],
    ) -> Future[AddResult]: ...

    def add(
        self,
        messages: Any,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        run_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        infer: bool = True,
        expires_at: datetime | date | None = None,
        background: bool = False,
    ) -> AddResult | Future[AddResult]:
        """Remember what ``messages`` say.

        ``messages`` is a string, a ``{"role", "content"}`` dict or a list of
        them. ``infer=False`` stores each non-system message verbatim;
        ``infer=True`` extracts the user's facts: with the LLM when one is
        configured (one request per turn, none for a turn with no statement),
        offline otherwise. Facts are merged with what the scope already holds
        (see :mod:`~mem0_integrations.core.merge.merging`).

        ``expires_at`` (an aware datetime, or a date: the end of that day, UTC)
        hides the memories this call creates after that time; ``consolidate()``
        then archives them.

        ``background=True`` validates the input, queues the work and returns a
        :class:`~concurrent.futures.Future` at once; adds of one scope are applied
        in order, and :meth:`flush` waits for them and raises their failures.
        """
        scope = self._scope(user_id, agent_id, session_id, run_id)
        parsed = parse_messages(messages, self.config.limits)
        meta = validate_metadata(metadata, max_chars=self.config.limits.max_metadata_chars)
        expiry = moment("expires_at", expires_at, end_of_day=True)
        work = functools.partial(self._adder.add, parsed, scope, meta, infer, expiry)
        if background:  # the queued work is not bound by this call's deadline
            return self._background.submit(str(scope), work)
        with deadline(self.config.deadline):  # @_deadlined cannot wrap an overloaded method
            return work()

    @_deadlined
    def remember(
        self,
        facts: Mapping[str, Any],
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        run_id: str | None = None,
        category: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        expires_at: datetime | date | None = None,
    ) -> AddResult:
        """Store structured facts, one keyed memory per key.

        A later value for the same key in the same scope supersedes the earlier
        one (status ``superseded``, history kept):
        ``remember({"allergies": ["penicillin"]}, user_id="u1")``.
        """
        scope = self._scope(user_id, agent_id, session_id, run_id)
        candidates = fact_candidates(facts, category=category, limits=self.config.limits)
        meta = validate_metadata(metadata, max_chars=self.config.limits.max_metadata_chars)
        expiry = moment("expires_at", expires_at, end_of_day=True)
        return self._adder.merge(
            candidates, scope, meta, extractor="facts", near=False, expires_at=expiry
        )

    @_deadlined
    def update(
        self,
        memory_id: str,
        text: str,
        *,
        metadata: Mapping[str, Any] | None = None,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        run_id: str | None = None,
    ) -> MemoryEvent:
        """Replace a memory's text (and metadata, if given); the old version stays in history.

        Passing scope ids checks that the memory belongs to that scope.
        """
        new_text = self._text(text, "text")
        meta = (
            None
            if metadata is None
            else validate_metadata(metadata, max_chars=self.config.limits.max_metadata_chars)
        )
        scope = self._optional_scope(
            user_id=user_id, agent_id=agent_id, session_id=session_id, run_id=run_id
        )
        (embedding,) = self._bounded.embed([new_text])
        with self._lock:
            old = self._record(memory_id, scope)
            if old.status is not MemoryStatus.ACTIVE:
                raise InvalidInputError(
                    f"Memory {memory_id!r} is {old.status.value}; only active memories can be "
                    "updated. Add a new memory instead."
                )
            old_embedding = self._store.get_embeddings([memory_id]).get(memory_id)
            plan = plan_edit(
                old,
                new_text,
                now=self._now(),
                embedding=embedding,
                old_embedding=old_embedding,
                metadata=meta,
                seq=time.time_ns(),
            )
            return commit(self._store, plan)[0]

    @_deadlined
    def delete(
        self,
        memory_id: str,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        run_id: str | None = None,
    ) -> MemoryEvent:
        """Soft-delete one memory: hidden from reads, kept in history with a DELETE event."""
        scope = self._optional_scope(
            user_id=user_id, agent_id=agent_id, session_id=session_id, run_id=run_id
        )
        with self._lock:
            record = self._record(memory_id, scope)
            if record.status is MemoryStatus.DELETED:
                raise InvalidInputError(f"Memory {memory_id!r} is already deleted.")
            plan = plan_delete([record], now=self._now(), seq=time.time_ns())
            return commit(self._store, plan)[0]

    def delete_all(
        self,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        run_id: str | None = None,
        keep_history: bool = False,
    ) -> list[MemoryEvent]:
        """Erase every memory the scope reads (a scope is required: never everything).

        By default this is erasure, as a user who asks to be forgotten expects: the
        scope's memories (active or not), their history and the scope's
        :attr:`transcripts` leave every collection, as with
        ``forget(scope, erase_history=True)``; run :func:`~mem0_integrations.purge`
        afterwards to remove their bytes from an embedded folder's files.
        ``keep_history=True`` is a soft delete instead: active memories become
        ``deleted``, restorable, with history and transcripts kept.
        Returns one ``DELETE`` event per memory that was active.
        """
        scope = self._scope(user_id, agent_id, session_id, run_id)
        if keep_history:
            self._background.flush()  # as in forget: a queued add must not land after
            with self._lock:
                self._access.flush()  # buffered access counts are written, not dropped
                records = self._store.find(read_where(scope))
                plan = plan_delete(records, now=self._now(), seq=time.time_ns())
                return commit(self._store, plan)
        records = self._store.find(read_where(scope))
        # not under the lock: forget first waits for queued background adds, which take it
        self._lifecycle.forget(None, scope, before=None, filters=None, erase_history=True)
        return [
            MemoryEvent(
                id=r.id,
                event=EventType.DELETE,
                memory=r.text,
                previous_memory=r.text,
                previous_record=r,
            )
            for r in records
        ]

    def reset(self) -> None:
        """Drop every memory, all history and every transcript of this store (all scopes).

        Irreversible.
        """
        with self._lock:
            self._store.reset()
            self._transcripts.reset()
            self._quarantine.reset()

    # --- quarantine (core/quarantine.py) --------------------------------------------------

    @_deadlined
    def quarantined(
        self,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        run_id: str | None = None,
    ) -> list[QuarantinedItem]:
        """Text kept aside instead of stored (instructions, links to follow), for review;
        the scope's items (every item without a scope), oldest first. They are never
        searched or returned as memories."""
        scope = self._optional_scope(
            user_id=user_id, agent_id=agent_id, session_id=session_id, run_id=run_id
        )
        return self._quarantine.items(scope)

    @_deadlined
    def release(
        self,
        item_id: str,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        run_id: str | None = None,
    ) -> AddResult:
        """Store a quarantined item as a memory after all (a person reviewed it): verbatim,
        in its own scope, then remove it from the quarantine."""
        scope = self._optional_scope(
            user_id=user_id, agent_id=agent_id, session_id=session_id, run_id=run_id
        )
        item = self._quarantine.get(check_id(item_id), scope)
        candidate = Candidate(text=item.text, source=MemorySource(role=item.role))
        result = self._adder.merge(
            [candidate], item.scope, {}, extractor="verbatim", near=False, screened=False
        )
        self._quarantine.delete(item.id)
        return result

    @_deadlined
    def dismiss(
        self,
        item_id: str,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        run_id: str | None = None,
    ) -> QuarantinedItem:
        """Delete a quarantined item for good; returns it."""
        scope = self._optional_scope(
            user_id=user_id, agent_id=agent_id, session_id=session_id, run_id=run_id
        )
        item = self._quarantine.get(check_id(item_id), scope)
        self._quarantine.delete(item.id)
        return item

    # --- lifecycle: forget, consolidate, feedback, restore (core/lifecycle.py) ------------

    def forget(
        self,
        memory_id: str | None = None,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        run_id: str | None = None,
        before: datetime | timedelta | None = None,
        filters: Mapping[str, Any] | None = None,
        erase_history: bool = False,
    ) -> int:
        """Hard-delete memories, whatever their status; returns how many were deleted.

        By id (scope ids, if given, must match), or every memory a scope reads
        (a scope is required without an id: never everything), narrowed by
        ``before`` (stated before this aware datetime, or more than this
        ``timedelta`` ago) and ``filters`` (as in :meth:`search`). Queued
        background adds are finished first (if some failed, their
        :class:`BackgroundWriteError` is raised before anything is deleted).

        ``erase_history=False`` keeps their history and appends a ``FORGET``
        entry each, so :meth:`history` still answers for them.
        ``erase_history=True`` deletes their history too (including the
        entries of newer memories that hold a snapshot of them); forgetting a
        whole scope that way leaves nothing of it in any collection. Forgetting
        an already forgotten id returns 0 (and erases its kept history if asked).

        Forgetting a whole scope (no id, no ``before``/``filters``) also erases the
        rows of every conversation that scope reads from :attr:`transcripts`,
        whatever ``erase_history`` says (they are not counted in the result); by
        id, or narrowed by ``before``/``filters``, transcripts stay.
        """
        scope = self._optional_scope(
            user_id=user_id, agent_id=agent_id, session_id=session_id, run_id=run_id
        )
        return self._lifecycle.forget(
            memory_id, scope, before=before, filters=filters, erase_history=erase_history
        )

    @_deadlined
    def restore(
        self,
        memory_id: str,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        run_id: str | None = None,
    ) -> MemoryEvent:
        """Make an archived or deleted memory active again (history entry ``RESTORE``).

        It counts as used now, so it does not decay straight back; its end of
        validity and an expiry already past are cleared. A keyed memory cannot
        come back while another active memory of its scope holds the key, and a
        superseded memory is restored by updating the memory that replaced it.
        """
        scope = self._optional_scope(
            user_id=user_id, agent_id=agent_id, session_id=session_id, run_id=run_id
        )
        return self._lifecycle.restore(memory_id, scope)

    def consolidate(
        self,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        run_id: str | None = None,
    ) -> ConsolidationReport:
        """Maintenance over the scope's active memories (the whole store without a scope).

        Memories past ``expires_at``, or whose decayed strength fell below
        ``DecayConfig.archive_threshold``, are archived (restorable). Near
        duplicates of exactly the same scope (stored vectors at or above
        ``ExtractionConfig.duplicate_threshold``, never two different keys) are
        merged into the most recently stated one, which takes their summed uses,
        highest importance and latest use; the others are superseded. Every
        change has a history entry with its reason. Running it twice at the same
        time changes nothing the second time; memories another writer changes
        meanwhile are left for the next run (``report.skipped``).
        """
        scope = self._optional_scope(
            user_id=user_id, agent_id=agent_id, session_id=session_id, run_id=run_id
        )
        return self._lifecycle.consolidate(scope)

    @_deadlined
    def feedback(
        self,
        memory_id: str,
        kind: Literal["positive", "negative"] | None = None,
        *,
        correction: str | None = None,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        run_id: str | None = None,
    ) -> MemoryEvent:
        """Tell the memory whether an active memory was right; pass ``kind`` or ``correction``.

        ``"positive"`` raises its importance by 0.15 and counts as a use;
        ``"negative"`` lowers it by 0.25 (importance ranks search and slows
        decay). ``correction="the right text"`` replaces the text like
        :meth:`update` and raises importance by 0.15. Each writes an ``UPDATE``
        history entry with the reason.
        """
        scope = self._optional_scope(
            user_id=user_id, agent_id=agent_id, session_id=session_id, run_id=run_id
        )
        return self._lifecycle.feedback(memory_id, scope, kind, correction)

    # --- end of lifecycle -----------------------------------------------------------------

    # --- reads ----------------------------------------------------------------------------

    @_deadlined
    def search(
        self,
        query: str,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        run_id: str | None = None,
        limit: int = 5,
        filters: Mapping[str, Any] | None = None,
        threshold: float | None = None,
        explain: bool = False,
        since: datetime | date | None = None,
        until: datetime | date | None = None,
        as_of: datetime | date | None = None,
        include_history: bool = False,
        reinforce: bool = True,
        evidence: bool = False,
    ) -> list[MemoryHit]:
        """The scope's memories that best match ``query``, best first.

        ``score`` combines similarity, keyword match (BM25), recency,
        importance and reinforcement (:class:`RankingConfig`); ``explain=True``
        sets each hit's ``explanation`` with the parts. ``threshold`` drops hits
        scoring below it. Expired memories and memories whose decayed strength
        is below the archive threshold are left out.

        Time: ``since``/``until`` keep memories about that window (their dates,
        else when they were stated); ``as_of`` searches what held at that time,
        superseded facts included, ranked as of then. ``include_history=True``
        also returns superseded, deleted and archived memories, always after the
        active ones. Each hit counts as a use of the memory (reinforcement)
        unless ``reinforce=False``.

        Facts and episodes (the turns ``add(infer=True)`` keeps verbatim) rank
        together; each hit's ``kind`` says which, and ``current`` is False for
        one that no longer holds (an episode whose facts were superseded ranks
        below what is current). A fact and the episode it was taken from say the
        same thing, so only the better-ranked of the two is returned, unless
        ``evidence=True``.
        """
        scope = self._scope(user_id, agent_id, session_id, run_id)
        text = self._text(query, "query")
        cap = self.config.limits.max_search_limit
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= cap:
            raise InvalidInputError(f"limit must be an integer from 1 to {cap}, got {limit!r}.")
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            raise InvalidInputError(f"threshold must be between 0 and 1, got {threshold!r}.")
        request = SearchRequest(
            scope=scope,
            query=text,
            limit=limit,
            filters=filters,
            threshold=threshold,
            explain=bool(explain),
            since=moment("since", since),
            until=moment("until", until, end_of_day=True),
            as_of=moment("as_of", as_of, end_of_day=True),
            include_history=bool(include_history),
            reinforce=bool(reinforce),
            evidence=bool(evidence),
        )
        if request.since and request.until and request.since > request.until:
            raise InvalidInputError(f"since={since!r} is after until={until!r}.")
        return self._searcher.search(request, self._now())

    @_deadlined
    def get(
        self,
        memory_id: str,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        run_id: str | None = None,
    ) -> MemoryRecord:
        """One memory by id, whatever its status; scope ids, if given, must match."""
        scope = self._optional_scope(
            user_id=user_id, agent_id=agent_id, session_id=session_id, run_id=run_id
        )
        return self._record(memory_id, scope)

    @_deadlined
    def get_all(
        self,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        run_id: str | None = None,
        limit: int | None = 100,
        filters: Mapping[str, Any] | None = None,
        include_inactive: bool = False,
        kind: Literal["fact", "episode", "all"] = "fact",
    ) -> list[MemoryRecord]:
        """The scope's memories, most recently updated first.

        Active and unexpired only, unless ``include_inactive`` (then superseded,
        deleted and expired memories too). ``limit=None`` returns all. ``kind``:
        the facts (default), the episodes ``add(infer=True)`` kept verbatim, or both.
        """
        scope = self._scope(user_id, agent_id, session_id, run_id)
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit < 1
        ):
            raise InvalidInputError(f"limit must be a positive integer or None, got {limit!r}.")
        if kind not in ("fact", "episode", "all"):
            raise InvalidInputError(f"kind must be 'fact', 'episode' or 'all', got {kind!r}.")
        self._access.flush()
        records = self._store.find(read_where(scope, filters=filters), archived=include_inactive)
        if kind != "all":
            records = [r for r in records if r.kind == kind]
        if not include_inactive:
            now = self._now()
            records = [r for r in records if not r.expired(now)]
        records.sort(key=lambda r: (r.updated_at, r.id), reverse=True)
        return records[:limit] if limit is not None else records

    @_deadlined
    def history(
        self,
        memory_id: str,
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        run_id: str | None = None,
    ) -> list[HistoryEntry]:
        """Every event of a memory, oldest first, including the supersede that replaced it.

        Still answers for a memory hard-deleted by :meth:`forget` with its history kept.
        """
        scope = self._optional_scope(
            user_id=user_id, agent_id=agent_id, session_id=session_id, run_id=run_id
        )
        return self._lifecycle.history(memory_id, scope)

    # --- export / import ------------------------------------------------------------------

    def export_jsonl(
        self,
        destination: str | Path | IO[str],
        *,
        user_id: str | None = None,
        agent_id: str | None = None,
        session_id: str | None = None,
        run_id: str | None = None,
    ) -> int:
        """Write the scope's memories (every status) and history as JSON Lines.

        Returns the number of memory records written.
        """
        scope = self._scope(user_id, agent_id, session_id, run_id)
        self._access.flush()
        records = self._store.find(read_where(scope), archived=True)
        history = self._store.find_history(read_where(scope))
        lines = dump_lines(records, history, scope=scope, exported_at=self._now())
        if isinstance(destination, (str, Path)):
            with open(destination, "w", encoding="utf-8") as fh:
                fh.writelines(lines)
        else:
            destination.writelines(lines)
        return len(records)

    def import_jsonl(
        self, source: str | Path | IO[str], *, progress: Progress | None = None
    ) -> int:
        """Load an export (lossless: ids, statuses, times and history are kept).

        The whole file is validated first; a bad line raises
        :class:`InvalidInputError` and nothing is written. Records with ids
        already in the store are overwritten. Returns the number of memories.

        ``progress``, if given, is called with the number of memories embedded so
        far: 0 once the file is validated, then after every 128; the write
        follows its last call (which reports them all).
        """
        if isinstance(source, (str, Path)):
            with open(source, encoding="utf-8") as fh:
                bundle = parse_lines(fh)
        else:
            bundle = parse_lines(source)
        for record in bundle.records:
            if record.scope.model_dump().keys() & record.metadata.keys():
                raise ScopeError(f"Record {record.id!r} carries scope keys in its metadata.")
        vectors = embed_texts(self._embedder.embed, [r.text for r in bundle.records], progress)
        ids = [r.id for r in bundle.records]
        with self._lock:
            stored = self._store.get_records(ids)
            stored_vectors = self._store.get_embeddings(list(stored))
            writes = [
                Write(r, v, previous=stored.get(r.id), previous_embedding=stored_vectors.get(r.id))
                for r, v in zip(bundle.records, vectors, strict=True)
            ]
            self._store.write(writes, bundle.history)
        return len(bundle.records)

    # --- async twins ----------------------------------------------------------------------

    aadd = _async_twin(add)
    aflush = _async_twin(flush)
    aremember = _async_twin(remember)
    aupdate = _async_twin(update)
    adelete = _async_twin(delete)
    adelete_all = _async_twin(delete_all)
    areset = _async_twin(reset)
    asearch = _async_twin(search)
    aget = _async_twin(get)
    aget_all = _async_twin(get_all)
    ahistory = _async_twin(history)
    aexport_jsonl = _async_twin(export_jsonl)
    aimport_jsonl = _async_twin(import_jsonl)
    aclose = _async_twin(close)
    aforget = _async_twin(forget)
    arestore = _async_twin(restore)
    aconsolidate = _async_twin(consolidate)
    afeedback = _async_twin(feedback)
    aquarantined = _async_twin(quarantined)
    arelease = _async_twin(release)
    adismiss = _async_twin(dismiss)

    async def __aenter__(self) -> Memory:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
