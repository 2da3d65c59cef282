"""API keys and rate limits: a resource blueprint calls ``require_key`` before each request;
it finds the storefront of the ``Authorization: Bearer KEY`` header (``g.storefront``).
``rate_limits`` allows each known key ``rate_limit_per_minute`` requests a minute (Flask-Limiter,
a sliding window) counted where every server process sees them: in Redis when the render farm's
broker is configured (``TRYON_BROKER``), else in the process. A secret key serves the
storefront's servers and its pages on the API's own site; a publishable key, its pages on the
origins it was made for (``g.page_origin``: the page's origin, which the answer lets read it,
``cors``)."""
from __future__ import annotations

import hashlib
import time
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, g, request
from flask_limiter import Limiter

from recommender.api.errors import fail

_access: dict[str, tuple[tuple[str, frozenset[str]], float]] = {}  # key -> (access, until)
KEY_CACHE_S = 30.0  # a key's storefront and origins are looked up again after this long


def require_key() -> None:
    if request.method == "OPTIONS":
        return  # a browser's preflight carries no key: ``cors`` answers it
    key = _bearer_key()
    if not key:
        raise fail(401, "unauthorized", "send the storefront's API key: Authorization: Bearer KEY")
    access = _access_of(key, current_app.extensions["tryon"]["data"])
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
    g.storefront = storefront


def rate_limits(app: Flask, blueprints: list[Blueprint], public: list[Blueprint],
                per_minute: int, storage_uri: str | None) -> Limiter:
    """Limit each known key to ``per_minute`` requests a minute on ``blueprints``' routes, and
    each client address to as many on the ``public`` ones (pages anyone may open), counted in
    ``storage_uri`` (``redis://...``; None: this process's memory). Keyed requests without a
    known key are not counted: ``require_key`` refuses them."""
    limiter = Limiter(key_func=_counted_as, app=app, storage_uri=storage_uri or "memory://",
                      strategy="sliding-window-counter", key_prefix="tryon-api")
    for blueprint in blueprints:
        limiter.limit(f"{per_minute}/minute", exempt_when=_not_counted)(blueprint)
    for blueprint in public:
        limiter.limit(f"{per_minute}/minute", key_func=_client_address)(blueprint)
    return limiter


def _client_address() -> str:
    """Where a public request is counted: a digest of the client's address."""
    return hashlib.sha256(f"address:{request.remote_addr}".encode()).hexdigest()[:32]


def _bearer_key() -> str:
    """The request's ``Authorization: Bearer KEY``, or "" without one."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    return key.strip() if scheme.lower() == "bearer" else ""


def _counted_as() -> str:
    """Where a request is counted: a digest of its key (keys never reach the limiter's store)."""
    return hashlib.sha256(_bearer_key().encode()).hexdigest()[:32]


def _not_counted() -> bool:
    key = _bearer_key()
    return (request.method == "OPTIONS" or not key
            or _access_of(key, current_app.extensions["tryon"]["data"]) is None)


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
