"""API keys and rate limits: a resource blueprint calls ``require_key`` before each request;
it finds the storefront of the ``Authorization: Bearer KEY`` header (``g.storefront``) and
allows each key ``rate_limit_per_minute`` requests a minute (a token bucket per server
process). A secret key serves the storefront's servers and its pages on the API's own site; a
publishable key, its pages on the origins it was made for (``g.page_origin``: the page's
origin, which the answer lets read it, ``cors``)."""
from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

from flask import current_app, g, request

from recommender.api.errors import fail

_buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens left, when)
_access: dict[str, tuple[tuple[str, frozenset[str]], float]] = {}  # key -> (access, until)
_lock = threading.Lock()
KEY_CACHE_S = 30.0  # a key's storefront and origins are looked up again after this long


def require_key() -> None:
    if request.method == "OPTIONS":
        return  # a browser's preflight carries no key: ``cors`` answers it
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise fail(401, "unauthorized", "send the storefront's API key: Authorization: Bearer KEY")
    key, state = key.strip(), current_app.extensions["tryon"]
    access = _access_of(key, state["data"])
    if access is None:
        raise fail(401, "unauthorized", "unknown API key")
    storefront, origins = access
    origin = request.headers.get("Origin")
    if origins and origin is not None:
        if origin not in origins:
            raise fail(403, "wrong_origin", f"this publishable key is for pages on "
                                            f"{', '.join(sorted(origins))}, not {origin}")
        g.page_origin = origin
    elif origin is not None and urlsplit(origin).netloc != request.host:
        raise fail(403, "secret_key_in_page",
                   "a secret key must not be used by a web page on another site: give the "
                   "page a publishable key (tryon keys create SHOP --origin https://...)")
    if not _take_token(key, state["settings"].rate_limit_per_minute):
        raise fail(429, "rate_limited", "too many requests for this API key; retry in a second")
    g.storefront = storefront


def _access_of(key: str, data) -> tuple[str, frozenset[str]] | None:
    """The key's storefront and origins, from the store at most every ``KEY_CACHE_S``
    seconds."""
    now = time.monotonic()
    cached = _access.get(key)
    if cached is not None and cached[1] > now:
        return cached[0]
    access = data.key_access(key)
    if access is not None:
        _access[key] = (access, now + KEY_CACHE_S)
    return access


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
