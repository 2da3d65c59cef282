"""API keys and rate limits: a resource blueprint calls ``require_key`` before each request;
it finds the storefront of the ``Authorization: Bearer KEY`` header (``g.storefront``) and
allows each key ``rate_limit_per_minute`` requests a minute (a token bucket per server
process)."""
from __future__ import annotations

import threading
import time

from flask import current_app, g, request

from recommender.api.errors import fail

_buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens left, when)
_storefronts: dict[str, tuple[str, float]] = {}  # key -> (storefront, until when)
_lock = threading.Lock()
KEY_CACHE_S = 30.0  # a key's storefront is looked up again after this long


def require_key() -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise fail(401, "unauthorized", "send the storefront's API key: Authorization: Bearer KEY")
    key, state = key.strip(), current_app.extensions["tryon"]
    storefront = _storefront_of(key, state["data"])
    if storefront is None:
        raise fail(401, "unauthorized", "unknown API key")
    if not _take_token(key, state["settings"].rate_limit_per_minute):
        raise fail(429, "rate_limited", "too many requests for this API key; retry in a second")
    g.storefront = storefront


def _storefront_of(key: str, data) -> str | None:
    """The key's storefront, from the store at most every ``KEY_CACHE_S`` seconds."""
    now = time.monotonic()
    cached = _storefronts.get(key)
    if cached is not None and cached[1] > now:
        return cached[0]
    storefront = data.storefront_of(key)
    if storefront is not None:
        _storefronts[key] = (storefront, now + KEY_CACHE_S)
    return storefront


def _take_token(key: str, per_minute: int) -> bool:
    now = time.monotonic()
    with _lock:
        tokens, then = _buckets.get(key, (float(per_minute), now))
        tokens = min(float(per_minute), tokens + (now - then) * per_minute / 60.0)
        if tokens < 1.0:
            _buckets[key] = (tokens, now)
            return False
        _buckets[key] = (tokens - 1.0, now)
        return True
