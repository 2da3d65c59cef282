"""The catalog: GET /v1/garments, GET /v1/garments/{id}."""
from __future__ import annotations

from flask import Blueprint, jsonify

from recommender.api.auth import require_key
from recommender.api.errors import fail
from recommender.catalog import catalog

blueprint = Blueprint("garments", __name__)
blueprint.before_request(require_key)


@blueprint.get("/garments")
def list_garments():
    return jsonify(garments=[item.to_json() for item in catalog()])


@blueprint.get("/garments/<item_id>")
def get_garment(item_id: str):
    for item in catalog():
        if item.id == item_id:
            return jsonify(item.to_json())
    raise fail(404, "not_found", f"no garment {item_id!r} in the catalog")
