"""Every error as JSON: ``{"error": {"status": 404, "code": "not_found", "message": "..."}}``,
for HTTP errors the app raises (``fail``), for Werkzeug's own (bad multipart, too large, wrong
method) and, without details, for anything unexpected; the message in the client's language
(``recommender.api.messages``), with the English as ``detail`` where only a general text could
be given."""
from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, request
from flask_limiter import RateLimitExceeded
from pydantic import BaseModel
from werkzeug.exceptions import HTTPException, InternalServerError

from recommender.api.messages import DEFAULT, Catalog, catalog, languages

log = logging.getLogger("tryon.api")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def fail(status: int, code: str, message: str) -> ApiError:
    """An error to raise from a view: ``raise fail(400, "bad_height", "...")``."""
    return ApiError(status, code, message)


def json_body(body: BaseModel | None, what: str) -> BaseModel:
    """A route's validated JSON body; None where the request was not JSON at all (a form)."""
    if body is None:
        raise fail(400, "bad_request", f"send {what} as a JSON object")
    return body


def request_language() -> str:
    """The language the request asks for (``lang``, else Accept-Language) among those with a
    catalog; English by default."""
    known = languages(current_app.extensions["tryon"]["settings"].messages_dir)
    asked = request.args.get("lang")
    if asked in known:
        return asked
    return request.accept_languages.best_match(known, DEFAULT)


def request_catalog() -> Catalog | None:
    """The catalog of the request's language; None for English."""
    lang = request_language()
    return None if lang == DEFAULT else catalog(
        lang, current_app.extensions["tryon"]["settings"].messages_dir)


def _response(status: int, code: str, message: str):
    lang, chosen, detail = request_language(), request_catalog(), None
    if chosen is not None:
        message, detail = chosen.translate(message, code)
    error = {"status": status, "code": code, "message": message}
    answer = jsonify(error=error | ({"detail": detail} if detail else {}))
    answer.headers["Content-Language"] = lang
    return answer, status


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(error: ApiError):
        return _response(error.status, error.code, error.message)

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error: RateLimitExceeded):
        return _response(429, "rate_limited",
                         "too many requests for this API key; retry in a second")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = (error.name or "error").lower().replace(" ", "_")
        return _response(error.code or 500, code, error.description or error.name)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unexpected error")  # the traceback, never the request's content
        return _response(500, "internal_error", InternalServerError.description)
