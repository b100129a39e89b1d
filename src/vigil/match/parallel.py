"""Screening a large batch on several cores.

Worker processes are forked after the index is built, so they share its memory copy-on-write
and nothing is pickled but the queries and the hits. Falls back to one process where fork is
not available.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence

from vigil.match.engine import Matcher
from vigil.match.types import Hit, Query

__all__ = ["DEFAULT_CHUNK", "screen_parallel"]

DEFAULT_CHUNK = 2_000
_MATCHER: Matcher | None = None
_LIMIT = 10
_THRESHOLD: float | None = None


def _work(queries: list[Query]) -> list[list[Hit]]:
    assert _MATCHER is not None
    return _MATCHER.screen_batch(queries, limit=_LIMIT, threshold=_THRESHOLD)


def _chunks(queries: Sequence[Query], size: int) -> Iterator[list[Query]]:
    for start in range(0, len(queries), size):
        yield list(queries[start : start + size])


def screen_parallel(
    matcher: Matcher,
    queries: Sequence[Query],
    *,
    workers: int | None = None,
    limit: int = 10,
    threshold: float | None = None,
    chunk: int = DEFAULT_CHUNK,
) -> Iterator[list[list[Hit]]]:
    """Screen ``queries`` in chunks on ``workers`` processes (default: every core), in input order.

    Yields the hits of one chunk at a time, so a caller can report progress and write results
    as they come.
    """
    global _MATCHER, _LIMIT, _THRESHOLD
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for part in _chunks(queries, chunk):
            yield matcher.screen_batch(part, limit=limit, threshold=threshold)
        return
    _MATCHER, _LIMIT, _THRESHOLD = matcher, limit, threshold
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers) as pool:
            yield from pool.imap(_work, _chunks(queries, chunk))
    finally:
        _MATCHER = None
