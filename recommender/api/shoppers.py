"""Shoppers' behaviour and what to show them: POST /v1/events, GET /v1/recommendations.

An event is ``{"shopper": ID, "item": GARMENT, "type": view|tryon|add_to_outfit|add_to_cart|
purchase|return, "avatar": AVATAR (optional), "context": {...} (optional)}``; shopper ids are
stored only as keyed hashes. A recommendation answer lists items with the propensity the
policy gave each, and is logged with them for offline evaluation. Which policy answers a
shopper is set by ``Settings.policy``: one for all, or an A/B split of shoppers by pseudonym.
"""
from __future__ import annotations

import functools

from flask import Blueprint, current_app, g, jsonify

from recommender.api.auth import require_key
from recommender.api.config import SPLIT, Settings
from recommender.api.errors import fail, json_body
from recommender.api.models import Event, RecommendationQuery, Recommendations, Recorded
from recommender.api.openapi import API, answers
from recommender.catalog import catalog
from recommender.storefront_policy import StorefrontRecommender
from recommender.storefront_sessions import SessionRecommender

blueprint = Blueprint("shoppers", __name__)
blueprint.before_request(require_key)


@blueprint.post("/events")
@API.validate(json=Event, resp=answers(HTTP_201=Recorded), tags=["shoppers"])
def post_event(json: Event):
    """A shopper's event on an item."""
    event = json_body(json, "the event")
    if event.item not in {i.id for i in catalog()}:
        raise fail(404, "not_found", f"no garment {event.item!r} in the catalog")
    _avatar(event.avatar)  # 404 when it is not this storefront's
    data = current_app.extensions["tryon"]["data"]
    event_id = data.add_event(g.storefront, event.shopper, event.item, event.type,
                              event.avatar, event.context)
    return jsonify(id=event_id), 201


@blueprint.get("/recommendations")
@API.validate(query=RecommendationQuery, resp=answers(HTTP_200=Recommendations),
              tags=["shoppers"])
def recommendations(query: RecommendationQuery):
    """Items for a shopper, with the policy's propensities. Items the shopper's session has
    added to its outfit or cart, or bought, are left out by the session policy. An avatar
    still fitting, or whose fit failed, is answered as a shopper without one."""
    shopper, k, avatar_id = query.shopper, query.k, query.avatar
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
    state["data"].log_served(g.storefront, pseudonym, avatar_id,
                             recommender.name, items)
    return jsonify(policy=recommender.name, items=items)


def _new_policy(mode: str, settings: Settings, storefront: str):
    if mode in ("sessions", "gradient"):
        return SessionRecommender(catalog(), storefront, session_gap_s=settings.session_gap_s,
                                  gradient=mode == "gradient")
    return StorefrontRecommender(catalog(), storefront)


def _policy_of(setting: str, pseudonym: str) -> str:
    """The policy that answers a shopper: the setting's, or in a split, a third of the
    shoppers' each (by their pseudonym, so a shopper keeps theirs)."""
    if setting != "split":
        return setting
    return SPLIT[int(pseudonym[:8], 16) % len(SPLIT)]


def _avatar(avatar_id: str | None) -> None:
    """404 when a request names an avatar that is not this storefront's (fitting, ready or
    failed)."""
    if avatar_id is not None and current_app.extensions["tryon"]["data"].avatar_state(
            g.storefront, avatar_id) is None:
        raise fail(404, "not_found", f"no avatar {avatar_id!r}")


def _avatar_lookup(data, storefront: str):
    """avatar id (or None) -> the storefront's avatar document with its drapes' fit scores
    (or None), each read once."""
    @functools.lru_cache(maxsize=None)
    def avatar_of(avatar_id: str | None) -> dict | None:
        avatar = None if avatar_id is None else data.avatar(storefront, avatar_id)
        return avatar and avatar | {"drape_fits": data.drape_fits(storefront, avatar_id)}
    return avatar_of
