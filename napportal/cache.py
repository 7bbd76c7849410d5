"""The default cache: Redis, and the database while Redis is unreachable.

The cache holds the login rate limits (allauth counts attempts there). With Redis alone, a Redis outage
stopped every login with a bare 500. Failing closed would keep the limits but lock everyone out; failing open
would drop the limits exactly when something is already wrong. Falling back to the database keeps both login
and its limits, at the cost of a few small writes per login while Redis is down. Counts made in Redis before the
outage are not carried over: for those minutes a limit restarts from zero, which is the price of staying up.

After a failure Redis is left alone for ``RETRY_AFTER`` seconds, so a request makes at most one slow attempt
(bounded by the connection timeouts in ``OPTIONS``) rather than one per cache call.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
RETRY_AFTER = 5.0


class FailoverCache(BaseCache):
    """``OPTIONS = {"PRIMARY": "<alias>", "FALLBACK": "<alias>"}``: calls go to the primary cache while it
    answers and to the fallback while it does not."""

    _primary_down_until = 0.0  # per process, shared by every thread

    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        options = params.get("OPTIONS", {})
        self._primary_alias = options["PRIMARY"]
        self._fallback_alias = options["FALLBACK"]

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() >= FailoverCache._primary_down_until:
            try:
                return getattr(caches[self._primary_alias], method)(*args, **kwargs)
            except REDIS_DOWN as exc:
                FailoverCache._primary_down_until = time.monotonic() + RETRY_AFTER
                logger.warning("Cache %r unreachable (%s); using %r", self._primary_alias, exc, self._fallback_alias)
        return getattr(caches[self._fallback_alias], method)(*args, **kwargs)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return bool(self._call("add", key, value, timeout=timeout, version=version))

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._call("get", key, default, version=version)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._call("set", key, value, timeout=timeout, version=version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return bool(self._call("touch", key, timeout=timeout, version=version))

    def delete(self, key: Any, version: int | None = None) -> bool:
        return bool(self._call("delete", key, version=version))

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return dict(self._call("get_many", keys, version=version))

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return bool(self._call("has_key", key, version=version))

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return int(self._call("incr", key, delta, version=version))

    def decr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return int(self._call("decr", key, delta, version=version))

    def set_many(self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        return list(self._call("set_many", data, timeout=timeout, version=version) or [])

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._call("delete_many", keys, version=version)

    def clear(self) -> None:
        self._call("clear")

    def close(self, **kwargs: Any) -> None:
        for alias in (self._primary_alias, self._fallback_alias):
            caches[alias].close(**kwargs)
