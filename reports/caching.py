"""A figure cached for a few minutes, in whatever cache is configured.

Redis when REDIS_URL configures it, otherwise the local memory of the process (Django's default). A
cache that is down only makes the page slower: the figure is computed as if nothing was cached.
"""

import logging
from collections.abc import Callable

from django.core.cache import cache

log = logging.getLogger(__name__)


def cached(key: str, seconds: int, compute: Callable):
    try:
        value = cache.get(key)
    except Exception:  # the cache server is down; the page must still answer
        log.warning("Cache niet bereikbaar; %s wordt opnieuw berekend.", key.split(":")[1])
        value = None
    if value is not None:
        return value
    value = compute()
    try:
        cache.set(key, value, seconds)
    except Exception:
        log.warning("Cache niet bereikbaar; %s is niet bewaard.", key.split(":")[1])
    return value
