"""Django's Redis cache, keeping one Redis client per connection pool instead of one per call.

Django's RedisCacheClient builds a new `redis.Redis` for every cache operation, and building one
fills a table of ~170 response callbacks; the screening path makes several cache calls a request
(hints, claims), each paying for it again. A client is thread-safe and shares its pool, so one
will do.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _PooledClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class PooledRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _PooledClient
