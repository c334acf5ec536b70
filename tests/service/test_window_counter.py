"""The fixed-window counter behind the posting limits: in memory embedded, in the real Redis in production."""

from __future__ import annotations

import pytest
import redis
from limits import parse_many

from service.web.window_counter import WindowCounter, storage_supported

MINUTE, HOUR = parse_many("2/minute;5/hour")


def test_memory_counts_every_window_of_every_key_on_its_own() -> None:
    counter = WindowCounter("memory://")
    first = counter.hit([("ip:a", MINUTE), ("ip:a", HOUR), ("author:x", MINUTE)])
    assert [window.count for window in first] == [1, 1, 1] and not any(window.exceeded for window in first)
    counter.hit([("ip:a", MINUTE)])
    third = counter.hit([("ip:a", MINUTE), ("ip:a", HOUR), ("ip:b", MINUTE)])
    assert [window.count for window in third] == [3, 2, 1]
    assert [window.exceeded for window in third] == [True, False, False]
    assert 1 <= third[0].retry_after() <= 60 and 1 <= third[1].retry_after() <= 3600


def test_memory_drops_ended_windows_once_it_is_full() -> None:
    counter = WindowCounter("memory://")
    counter.MEMORY_PURGE_AT = 3
    counter._memory = {f"old-{i}": (1, 0.0) for i in range(3)}  # windows that ended at the epoch
    counter.hit([("ip:a", MINUTE)])
    assert len(counter._memory) == 1 and not any(key.startswith("old-") for key in counter._memory)


@pytest.mark.integration
def test_redis_counts_are_shared_and_their_keys_expire_with_the_window() -> None:
    from tests.integration.conftest import redis_database

    with redis_database() as url:
        one, other = WindowCounter(url), WindowCounter(url)
        assert [w.count for w in one.hit([("author:x", MINUTE), ("author:x", HOUR)])] == [1, 1]
        assert [w.count for w in other.hit([("author:x", MINUTE), ("author:x", HOUR)])] == [2, 2]
        assert other.hit([("author:x", MINUTE)])[0].exceeded
        client = redis.Redis.from_url(url)
        ttls = sorted(client.ttl(key) for key in client.keys("moderation-window/*"))
        assert len(ttls) == 2 and 0 < ttls[0] <= 61 and 61 < ttls[1] <= 3601
        client.close()


def test_an_unreachable_redis_is_left_for_memory_for_a_while() -> None:
    counter = WindowCounter("redis://127.0.0.1:18849/0")  # nothing listens on this port of our range
    assert [counter.hit([("ip:a", MINUTE)])[0].count for _ in range(3)] == [1, 2, 3]
    assert counter._redis_back_at > 0  # not asked again on every request while it is down


@pytest.mark.parametrize("uri,supported", [("memory://", True), ("redis://h:6379/0", True), ("rediss://h/1", True),
                                           ("redis+sentinel://h/m", False), ("redis+unix:///tmp/r.sock", False)])
def test_storages_it_does_not_speak_stay_with_flask_limiter(uri: str, supported: bool) -> None:
    assert storage_supported(uri) is supported
