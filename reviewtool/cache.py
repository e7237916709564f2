"""Django's Redis cache, with one Redis client per connection pool, that screening survives losing.

Django's RedisCacheClient builds a new `redis.Redis` for every cache operation, and building one
fills a table of ~170 response callbacks; the screening path makes several cache calls a request
(hints, claims), each paying for it again. A client is thread-safe and shares its pool, so one
will do.

The cache holds only hints: where a reviewer's search for open references starts, the soft claims
that spread a team over the queue, counters that start a retrain, ids looked up before. Losing it
costs speed and spreading, never a decision (the vote is checked under the reference's lock). So
while Redis cannot be reached a read misses, a write is dropped and an increment finds no counter
(the ValueError every caller already handles for an expired one), instead of the screening page
answering 500. After a failure the cache is not asked again for RETRY_SECONDS, so a Redis that
hangs costs one short timeout (OPTIONS socket_timeout, settings.CACHES) every few seconds, not
one per call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _tolerant(fallback: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Run the operation, or, while Redis cannot be reached, answer `fallback(*args)`."""

    def decorate(operation: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(operation)
        def call(self: _PooledClient, *args: Any, **kwargs: Any) -> Any:
            if time.monotonic() < self._down_until:
                return fallback(*args, **kwargs)
            try:
                return operation(self, *args, **kwargs)
            except _UNREACHABLE as error:
                self._down_until = time.monotonic() + RETRY_SECONDS
                logger.warning(
                    "The cache (Redis) cannot be reached: %s. Screening goes on without its "
                    "hints and claims; the cache is asked again in %.0f s.",
                    error,
                    RETRY_SECONDS,
                )
                return fallback(*args, **kwargs)

        return call

    return decorate


def _no_counter(*_: Any, **__: Any) -> int:
    raise ValueError("the cache cannot be reached: no counter")


class _PooledClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}
        self._down_until = 0.0

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client

    @_tolerant(lambda key, default: default)
    def get(self, key: Any, default: Any) -> Any:
        return super().get(key, default)

    @_tolerant(lambda *_: {})
    def get_many(self, keys: Any) -> dict[Any, Any]:
        return super().get_many(keys)

    @_tolerant(lambda *_: False)
    def has_key(self, key: Any) -> bool:
        return super().has_key(key)

    @_tolerant(lambda *_: False)
    def add(self, key: Any, value: Any, timeout: Any) -> bool:
        return super().add(key, value, timeout)

    @_tolerant(lambda *_: None)
    def set(self, key: Any, value: Any, timeout: Any) -> None:
        return super().set(key, value, timeout)

    @_tolerant(lambda *_: [])
    def set_many(self, data: Any, timeout: Any) -> Any:
        return super().set_many(data, timeout)

    @_tolerant(lambda *_: False)
    def touch(self, key: Any, timeout: Any) -> bool:
        return super().touch(key, timeout)

    @_tolerant(lambda *_: False)
    def delete(self, key: Any) -> bool:
        return super().delete(key)

    @_tolerant(lambda *_: 0)
    def delete_many(self, keys: Any) -> int:
        return super().delete_many(keys)

    @_tolerant(_no_counter)
    def incr(self, key: Any, delta: int) -> int:
        return super().incr(key, delta)

    @_tolerant(lambda *_: False)
    def clear(self) -> bool:
        return super().clear()


class PooledRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _PooledClient
