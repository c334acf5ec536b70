"""Fixed-window rate counters for the busiest limited endpoint: every window of a request in one round trip.

Flask-Limiter counts each window of each limit with its own Redis call and evaluates its limits in Python on
every request; on ``POST /api/v1/comments`` (per address and per author, two windows each by default) that
cost as much CPU as storing the comment. This counts the same fixed windows (a window starts at a multiple of
its length since the epoch, as Flask-Limiter's "fixed-window" strategy does) with one script call,
and, like the limiter configured in service/limits.py, never fails a request on its own account: while Redis
does not answer it counts in this process's memory and tries Redis again a few seconds later.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import redis
from limits import RateLimitItem

log = logging.getLogger("moderation.limits")

REDIS_SCHEMES = ("redis://", "rediss://")
_HIT = """
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  if counts[i] == 1 then redis.call('EXPIRE', key, ARGV[i]) end
end
return counts
"""
"""One round trip and one reply for every window of a request (the key names its window, so it only has to
outlive it)."""
"""Storages this counter talks to itself; others (sentinel, cluster, unix socket) stay with Flask-Limiter."""


@dataclass(frozen=True)
class Window:
    """One window of one limit after this request's hit."""

    limit: RateLimitItem
    count: int
    resets_at: float
    """Epoch seconds when the window ends."""

    @property
    def exceeded(self) -> bool:
        """Over the limit with this request (the hit that crossed it is refused too, as with Flask-Limiter)."""
        return self.count > self.limit.amount

    def retry_after(self) -> int:
        """Whole seconds until the window ends (at least 1)."""
        return max(1, int(self.resets_at - time.time() + 0.999))


class WindowCounter:
    """Counts hits per key and window, in Redis (shared by every process and host) or in this process."""

    REDIS_RETRY_SECONDS = 5.0
    """After Redis failed, how long to count in memory before trying it again."""
    MEMORY_PURGE_AT = 10_000
    """Ended windows are dropped from memory once it holds this many."""

    def __init__(self, storage_uri: str, prefix: str = "moderation-window", timeout: float = 1.0) -> None:
        """``timeout``: a Redis that does not answer within this many seconds costs a request at most that much
        before the memory fallback."""
        self.prefix = prefix
        self._redis = None if storage_uri.startswith("memory://") else redis.Redis.from_url(
            storage_uri, socket_connect_timeout=timeout, socket_timeout=timeout)
        self._hit = self._redis.register_script(_HIT) if self._redis is not None else None
        self._memory: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()
        self._redis_back_at = 0.0

    def hit(self, counted: Sequence[tuple[str, RateLimitItem]]) -> list[Window]:
        """Count one hit of ``key`` in the current window of each ``(key, limit)``; the windows after it."""
        now = time.time()
        windows = []
        for key, limit in counted:
            length = limit.get_expiry()
            start = int(now // length) * length
            windows.append((f"{self.prefix}/{key}/{limit.amount}/{length}/{start}", length, start + length))
        counts = self._in_redis(windows, now) if self._redis is not None and now >= self._redis_back_at else None
        if counts is None:
            counts = self._in_memory(windows, now)
        return [Window(limit, count, resets_at)
                for (_, limit), count, (_, _, resets_at) in zip(counted, counts, windows, strict=True)]

    def _in_redis(self, windows: Sequence[tuple[str, int, float]], now: float) -> list[int] | None:
        try:
            counts = self._hit(keys=[key for key, _, _ in windows], args=[length + 1 for _, length, _ in windows])
        except redis.RedisError as error:
            if self._redis_back_at <= now:
                log.warning("rate limit storage unavailable; counting in memory for now",
                            extra={"error": f"{type(error).__name__}: {error}"[:300]})
            self._redis_back_at = now + self.REDIS_RETRY_SECONDS
            return None
        return [int(count) for count in counts]

    def _in_memory(self, windows: Sequence[tuple[str, int, float]], now: float) -> list[int]:
        counts = []
        with self._lock:
            if len(self._memory) >= self.MEMORY_PURGE_AT:
                self._memory = {key: entry for key, entry in self._memory.items() if entry[1] > now}
            for key, _, resets_at in windows:
                count = self._memory.get(key, (0, resets_at))[0] + 1
                self._memory[key] = (count, resets_at)
                counts.append(count)
        return counts


def storage_supported(storage_uri: str) -> bool:
    """Whether WindowCounter can use this storage (memory or a plain Redis URL)."""
    return storage_uri.startswith(("memory://", *REDIS_SCHEMES))
