"""The catalog: GET /v1/garments, GET /v1/garments/{id}, and each garment's image, its pattern
as a flat sheet: GET /v1/garments/{id}/images/pattern.png."""
from __future__ import annotations

from functools import lru_cache

from flask import Blueprint, jsonify, make_response

from recommender.api.auth import require_key
from recommender.api.errors import fail, request_language
from recommender.api.models import Garment, Garments
from recommender.api.openapi import API, answers
from recommender.catalog import Item, catalog
from recommender.garment_images import pattern_sheet

blueprint = Blueprint("garments", __name__)
blueprint.before_request(require_key)


@blueprint.get("/garments")
@API.validate(resp=answers(HTTP_200=Garments), tags=["catalog"])
def list_garments():
    """The catalog."""
    return jsonify(garments=_catalog_json(request_language()))


@blueprint.get("/garments/<item_id>")
@API.validate(resp=answers(HTTP_200=Garment), tags=["catalog"])
def get_garment(item_id: str):
    """One garment."""
    return jsonify(catalog_item(item_id).to_json(request_language()))


@blueprint.get("/garments/<item_id>/images/pattern.png")
@API.validate(resp=answers(HTTP_200=None), tags=["catalog"])
def get_pattern_image(item_id: str):
    """The garment's sewing pattern as a flat sheet (PNG)."""
    response = make_response(pattern_sheet(catalog_item(item_id)))
    response.mimetype = "image/png"
    response.cache_control.max_age = 86400
    return response


@lru_cache(maxsize=8)
def _catalog_json(lang: str) -> list[dict]:
    """The catalog's answer in ``lang`` (the catalog is read once per process)."""
    return [item.to_json(lang) for item in catalog()]


def catalog_item(item_id: str) -> Item:
    """The catalog's item ``item_id``; a 404 answer when there is none."""
    for item in catalog():
        if item.id == item_id:
            return item
    raise fail(404, "not_found", f"no garment {item_id!r} in the catalog")
