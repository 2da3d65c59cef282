"""Cross-origin access for pages that embed the widget on the storefront's own site: a
browser's preflight (OPTIONS) of a /v1 route is answered for any origin, since it only asks
whether a request may carry a key; the request itself is checked against its key's origins
(``auth``), and its answer, errors included, names the page's origin so the page may read it.
The widget's files are public code that any page may load (``Access-Control-Allow-Origin: *``).
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, g, request

from neural.errors import InputError

PREFLIGHT_MAX_AGE_S = 600


def register(app: Flask) -> None:
    @app.after_request
    def allow_pages(response: Response) -> Response:
        if request.path.startswith("/widget/"):
            response.headers["Access-Control-Allow-Origin"] = "*"
        elif request.path.startswith("/v1/"):
            origin = request.headers.get("Origin")
            preflight = (request.method == "OPTIONS"
                         and "Access-Control-Request-Method" in request.headers)
            if origin and (preflight or g.get("page_origin") == origin):
                response.headers["Access-Control-Allow-Origin"] = origin
                response.vary.add("Origin")
            if origin and preflight:
                response.headers["Access-Control-Allow-Methods"] = "GET, POST, DELETE"
                response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
                response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE_S)
        return response


def web_origin(text: str) -> str:
    """"https://Shop.example/" -> "https://shop.example": a page's origin as browsers send it
    (scheme, host and any port; no path)."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in (
            "", "/") or parts.query or parts.fragment:
        raise InputError(f"{text!r} is not a web origin: give scheme and host, e.g. "
                         "https://shop.example")
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"
