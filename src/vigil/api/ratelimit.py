"""The per-key request limit of the API: a sliding window of one minute, in memory."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from vigil.api.errors import RateLimited

__all__ = ["RateLimiter"]

_WINDOW = 60.0
_MAX_IDENTITIES = 10_000


class RateLimiter:
    """At most ``per_minute`` requests per identity in any 60 seconds (0: no limit).

    In memory, per process: enough to stop a runaway client, not a distributed quota.
    """

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, identity: str) -> None:
        """Count one request of ``identity``; :class:`RateLimited` if it is over the limit."""
        if self.per_minute <= 0:
            return
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(identity, deque())
            while hits and hits[0] <= now - _WINDOW:
                hits.popleft()
            if len(hits) >= self.per_minute:
                retry = max(1, int(hits[0] + _WINDOW - now) + 1)
                raise RateLimited(
                    f"more than {self.per_minute} requests a minute; retry in {retry} s", retry_after=retry
                )
            hits.append(now)
            if len(self._hits) > _MAX_IDENTITIES:  # forget idle identities so memory stays bounded
                for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - _WINDOW]:
                    del self._hits[key]
