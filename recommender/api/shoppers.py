"""Shoppers' behaviour and what to show them: POST /v1/events, GET /v1/recommendations.

An event is ``{"shopper": ID, "item": GARMENT, "type": view|tryon|add_to_outfit|add_to_cart|
purchase|return, "avatar": AVATAR (optional), "context": {...} (optional)}``; shopper ids are
stored only as keyed hashes. A recommendation answer lists items with the propensity the
policy gave each, and is logged with them for offline evaluation. Which policy answers a
shopper is set by ``Settings.policy``: one for all, or an A/B split of shoppers by pseudonym.
"""
from __future__ import annotations

import functools

from flask import Blueprint, current_app, g, jsonify, request

from recommender.api.auth import require_key
from recommender.api.config import Settings
from recommender.api.errors import fail
from recommender.catalog import catalog
from recommender.storefront_data import EVENT_TYPES
from recommender.storefront_policy import StorefrontRecommender
from recommender.storefront_sessions import SessionRecommender

blueprint = Blueprint("shoppers", __name__)
blueprint.before_request(require_key)
MAX_K = 20
MAX_ID = 100  # characters of a shopper or item id


@blueprint.post("/events")
def post_event():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise fail(400, "bad_request", "send the event as a JSON object")
    shopper, item, kind = body.get("shopper"), body.get("item"), body.get("type")
    for name, value in (("shopper", shopper), ("item", item)):
        if not isinstance(value, str) or not 0 < len(value) <= MAX_ID:
            raise fail(400, "bad_request", f"'{name}' must be a string of 1-{MAX_ID} characters")
    if kind not in EVENT_TYPES:
        raise fail(400, "bad_request", f"'type' must be one of {', '.join(EVENT_TYPES)}")
    if item not in {i.id for i in catalog()}:
        raise fail(404, "not_found", f"no garment {item!r} in the catalog")
    avatar = _avatar(body.get("avatar"))
    context = body.get("context", {})
    if not isinstance(context, dict):
        raise fail(400, "bad_request", "'context' must be a JSON object")
    data = current_app.extensions["tryon"]["data"]
    event_id = data.add_event(g.storefront, shopper, item, kind, avatar and body["avatar"],
                              context)
    return jsonify(id=event_id), 201


@blueprint.get("/recommendations")
def recommendations():
    shopper = request.args.get("shopper", "")
    if not 0 < len(shopper) <= MAX_ID:
        raise fail(400, "bad_request", f"give ?shopper= (1-{MAX_ID} characters)")
    try:
        k = int(request.args.get("k", 5))
    except ValueError:
        raise fail(400, "bad_request", "k must be a whole number") from None
    if not 1 <= k <= MAX_K:
        raise fail(400, "bad_request", f"k must be between 1 and {MAX_K}")
    avatar_id = request.args.get("avatar")
    _avatar(avatar_id)  # 404 when it is not this storefront's
    state = current_app.extensions["tryon"]
    avatar_of = _avatar_lookup(state["data"], g.storefront)
    avatar = avatar_of(avatar_id)
    pseudonym = state["data"].pseudonym(g.storefront, shopper)
    mode = _policy_of(state["settings"].policy, pseudonym)
    recommender = state["recommenders"].get((g.storefront, mode))
    if recommender is None:
        recommender = state["recommenders"].setdefault(
            (g.storefront, mode), _new_policy(mode, state["settings"], g.storefront))
    with recommender.lock:
        recommender.learn(state["data"], avatar_of)
        items = recommender.recommend(avatar, k, pseudonym)
    state["data"].log_served(g.storefront, pseudonym, avatar_id if avatar else None,
                             recommender.name, items)
    return jsonify(policy=recommender.name, items=items)


def _new_policy(mode: str, settings: Settings, storefront: str):
    if mode == "sessions":
        return SessionRecommender(catalog(), storefront, session_gap_s=settings.session_gap_s)
    return StorefrontRecommender(catalog(), storefront)


def _policy_of(setting: str, pseudonym: str) -> str:
    """The policy that answers a shopper: the setting's, or in a split, half the shoppers'
    each (by their pseudonym, so a shopper keeps theirs)."""
    if setting != "split":
        return setting
    return "sessions" if int(pseudonym[:8], 16) % 2 else "bandit"


def _avatar(avatar_id) -> dict | None:
    """The storefront's avatar named in a request, if any; another's is not found."""
    if avatar_id is None:
        return None
    data = current_app.extensions["tryon"]["data"]
    avatar = data.avatar(g.storefront, avatar_id) if isinstance(avatar_id, str) else None
    if avatar is None:
        raise fail(404, "not_found", f"no avatar {avatar_id!r}")
    return avatar


def _avatar_lookup(data, storefront: str):
    """avatar id (or None) -> the storefront's avatar document with its drapes' fit scores
    (or None), each read once."""
    @functools.lru_cache(maxsize=None)
    def avatar_of(avatar_id: str | None) -> dict | None:
        avatar = None if avatar_id is None else data.avatar(storefront, avatar_id)
        return avatar and avatar | {"drape_fits": data.drape_fits(storefront, avatar_id)}
    return avatar_of
