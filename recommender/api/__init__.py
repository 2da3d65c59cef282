"""The storefront API (Flask): ``create_app`` builds it from configuration (``config``), with
one blueprint per resource under /v1 and JSON errors throughout, in the language asked for
(``messages``).

    GET  /v1/openapi.json                       the API's OpenAPI document, generated from its
                                                models (``models``; no key needed)
    GET  /v1/garments, /v1/garments/{id}        the catalog
    POST /v1/photo-checks                       is a photo usable (one person, head to feet)?
    POST /v1/avatars                            photos (multipart) + height -> avatar, fitting
                                                (202 at once; the fit runs in the fit engine)
    GET, DELETE /v1/avatars/{id}                an avatar: fitting, ready with its measurements,
                                                or failed; delete erases all derived from it
    GET  /v1/avatar-fits                        fits still waiting (for autoscalers)
    POST /v1/events                             a shopper's view, tryon, ... on an item
    GET  /v1/recommendations?shopper=&k=        items with the policy's propensities
    POST /v1/tryons, GET /v1/tryons/{id}[/files/{name}]   an avatar in a garment or an
                                                outfit: preview at once, then renders, 3D
                                                model, fit map and fit
    POST, DELETE /v1/tryons/{id}/share          a link to a public page of the try-on; revoke
    GET  /s/{token}[/{file}]                    that page (no key; ``shared``)
    GET  /v1/insights/sizes?garment=&epsilon=   advised sizes, fit verdicts and returns of a
                                                garment, with differential privacy

/widget/ serves the try-on widget (``widget``). Every /v1 route but the document needs
``Authorization: Bearer KEY`` (``tryon keys create``) and sees only its storefront's data;
pages on the storefront's site use a publishable key made for its origin (``cors``).
Production: ``TRYON_WARM_ENGINE=1 gunicorn -w 2 --timeout 300 'recommender.api:create_app()'``
(each server process then starts its engines, for fits and for try-ons, with itself).
"""
from __future__ import annotations

from flask import Flask

from recommender.api import (avatars, cors, errors, garments, insights, openapi, shared, shoppers,
                           tryons, widget)
from recommender.api.auth import rate_limits
from recommender.api.config import Settings, settings_from_environment
from recommender.api.uploads import InMemoryRequest
from recommender.avatar_fits import AvatarFits
from recommender.storefront_data import StorefrontData
from recommender.tryons import TryOnService


def create_app(settings: Settings | None = None) -> Flask:
    """The app on ``settings`` (default: from the environment, ``settings_from_environment``)."""
    settings = settings or settings_from_environment()
    app = Flask(__name__)
    app.request_class = InMemoryRequest  # uploads never touch the disk
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes
    data = StorefrontData(settings.database_url, settings.secret)
    app.extensions["tryon"] = {"settings": settings, "data": data, "recommenders": {},
                               "tryons": TryOnService(settings, data),
                               "fits": AvatarFits(settings, data)}
    if settings.broker:
        app.extensions["tryon"]["fits"].follow_unsettled()
    errors.register(app)
    cors.register(app)
    keyed = [garments.blueprint, avatars.blueprint, shoppers.blueprint, tryons.blueprint,
             insights.blueprint]
    rate_limits(app, keyed, [shared.blueprint], settings.rate_limit_per_minute, settings.broker)
    for blueprint in (*keyed, openapi.blueprint):
        app.register_blueprint(blueprint, url_prefix="/v1")
    app.register_blueprint(widget.blueprint, url_prefix="/widget")
    app.register_blueprint(shared.blueprint, url_prefix="/s")
    return app
