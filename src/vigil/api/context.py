"""What every request of one app shares: settings, the store and its one thread, the service.

A store holds one connection and is used from one thread at a time; SQLite connections
are moreover bound to the thread that opened them. So every store call of the app runs
on one dedicated thread (:class:`StoreThread`): requests stay responsive on the event loop
while store work is serialised, and the connection is opened on the thread that uses it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request

from vigil.api.ratelimit import RateLimiter
from vigil.errors import ConfigurationError, NotFoundError
from vigil.match.algorithms import get_algorithm
from vigil.match.engine import Matcher
from vigil.match.index import MatchIndex
from vigil.screening.service import ScreeningService
from vigil.settings import Settings
from vigil.store import open_store
from vigil.store.base import Store
from vigil.store.sqlite_store import SQLiteStore

__all__ = ["DEFAULT_DATASET", "ApiContext", "Context", "StoreThread", "context_of"]

log = logging.getLogger(__name__)

_T = TypeVar("_T")
#: The dataset name of every loaded list together (as in yente).
DEFAULT_DATASET = "default"


class StoreThread:
    """Runs callables on one thread that owns the store; opens the store there on first use.

    ``opener`` is called on that thread. ``owned`` says whether :meth:`close` closes the
    store (a store the caller passed in stays the caller's).
    """

    def __init__(self, opener: Callable[[], Store], *, owned: bool) -> None:
        self._opener = opener
        self._owned = owned
        self._store: Store | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vigil-store")

    @property
    def store(self) -> Store:
        """The store; only to be used from the store thread (inside :meth:`run`)."""
        if self._store is None:
            self._store = self._opener()
        return self._store

    async def run(self, func: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        """Run ``func(*args, **kwargs)`` on the store thread and return its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(func, *args, **kwargs))

    def close(self) -> None:
        """Close the store if it is the app's own, and stop the thread."""

        def shut() -> None:
            if self._owned and self._store is not None:
                self._store.close()
            self._store = None

        self._executor.submit(shut).result()
        self._executor.shutdown(wait=True)


def _opener(settings: Settings, store: Store | None) -> tuple[Callable[[], Store], bool]:
    if store is None:
        return (lambda: open_store(settings.database_url)), True
    if isinstance(store, SQLiteStore):
        # The caller's SQLite connection is bound to the caller's thread: open one of our
        # own on the same file (WAL mode lets both read and write it).
        if store.path == ":memory:":
            raise ConfigurationError(
                "the API cannot share an in-memory SQLite store; use a file (sqlite:///path)"
            )
        path = store.path
        return (lambda: SQLiteStore(path)), True
    return (lambda: store), False


class ApiContext:
    """Settings, store thread, screening service and the per-list matchers of one app."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        opener, owned = _opener(settings, store)
        self.store_thread = StoreThread(opener, owned=owned)
        self.rate_limiter = RateLimiter(settings.rate_limit)
        self._service: ScreeningService | None = None
        # source -> (version id, index over that version): built on first use, on the store thread.
        self._source_indexes: dict[str, tuple[int, MatchIndex]] = {}
        self._groups: tuple[Matcher, dict[str, str]] | None = None

    async def run(self, func: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        """Run ``func`` on the store thread (see :class:`StoreThread`)."""
        return await self.store_thread.run(func, *args, **kwargs)

    # Everything below runs on the store thread only.

    @property
    def store(self) -> Store:
        return self.store_thread.store

    @property
    def service(self) -> ScreeningService:
        if self._service is None:
            self._service = ScreeningService(self.store, cache_dir=self.settings.home / "cache")
        return self._service

    def matcher(self, dataset: str = DEFAULT_DATASET, algorithm: str | None = None) -> Matcher:
        """The matcher over ``dataset`` (``default``: every loaded list; else one source's key).

        :class:`NotFoundError` for a dataset that is not a loaded list, InputError for an
        unknown algorithm (the registry of :mod:`vigil.match.algorithms`).
        """
        service = self.service
        if algorithm is not None:
            get_algorithm(algorithm)
        if dataset == DEFAULT_DATASET:
            base = service.matcher()
        else:
            latest = self.store.latest_version(dataset)
            if latest is None:
                known = ", ".join([DEFAULT_DATASET, *self.store.sources()])
                raise NotFoundError(f"no dataset {dataset!r} (known: {known})")
            cached = self._source_indexes.get(dataset)
            if cached is None or cached[0] != latest.id:
                index = MatchIndex.build(self.store.parties(latest.id))
                cached = self._source_indexes[dataset] = (latest.id, index)
                log.info("dataset index built", extra={"dataset": dataset, "version": latest.id})
            base = Matcher(cached[1], service.config)
        if algorithm is None or algorithm == base.config.algorithm:
            return base
        return Matcher(base.index, replace(base.config, algorithm=algorithm))

    def group_id(self, party_id: str) -> str | None:
        """The cross-list group of a party of the current lists (None if it is in none)."""
        matcher = self.service.matcher()
        if self._groups is None or self._groups[0] is not matcher:
            self._groups = (matcher, {p.id: p.group for p in matcher.index.parties})
        return self._groups[1].get(party_id)

    def close(self) -> None:
        self.store_thread.close()


def context_of(request: Request) -> ApiContext:
    """The context of the app serving ``request``."""
    context: ApiContext = request.app.state.vigil
    return context


#: The app's context, as a route parameter.
Context = Annotated[ApiContext, Depends(context_of)]
