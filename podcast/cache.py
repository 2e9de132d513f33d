"""Django's Redis cache, forgiving: with Redis gone the site runs uncached instead of failing.

Every cached thing here (feed bytes, whole pages, rendered notes) is keyed by the database stamp
and can be rebuilt, so a miss is always safe; a 500 on every page because the cache is away is not.
"""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def _forgiving(default: Any) -> Callable:
    def decorator(method: Callable) -> Callable:
        @wraps(method)
        def wrapper(self: "ForgivingRedisCache", *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except RedisError as exc:
                logger.warning("Cache unavailable (%s): %s", method.__name__, exc)
                return default(*args, **kwargs) if callable(default) else default

        return wrapper

    return decorator


class ForgivingRedisCache(RedisCache):
    get = _forgiving(lambda key, default=None, version=None: default)(RedisCache.get)
    get_many = _forgiving({})(RedisCache.get_many)
    set = _forgiving(None)(RedisCache.set)
    set_many = _forgiving([])(RedisCache.set_many)
    add = _forgiving(False)(RedisCache.add)
    touch = _forgiving(False)(RedisCache.touch)
    delete = _forgiving(False)(RedisCache.delete)
    delete_many = _forgiving(None)(RedisCache.delete_many)
    has_key = _forgiving(False)(RedisCache.has_key)
    clear = _forgiving(False)(RedisCache.clear)
