"""Brand insights: GET /v1/insights/sizes?garment=ID&epsilon=1 answers the storefront's
distribution of advised sizes, fit verdicts per sizing girth and returns by size for one
garment, released with differential privacy (``recommender.insights``); each answer spends
``epsilon`` of the storefront's privacy budget (``TRYON_PRIVACY_BUDGET``) and, once it is
spent, the route answers 403 ``privacy_budget_spent``."""
from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify

from recommender.api.auth import require_key
from recommender.api.errors import fail
from recommender.api.models import InsightsQuery, SizeInsights
from recommender.api.openapi import API, answers
from recommender.catalog import catalog
from recommender.insights import size_insights

blueprint = Blueprint("insights", __name__)
blueprint.before_request(require_key)


@blueprint.get("/insights/sizes")
@API.validate(query=InsightsQuery, resp=answers(HTTP_200=SizeInsights), tags=["insights"])
def sizes(query: InsightsQuery):
    """Advised sizes, fit verdicts and returns of a garment, with differential privacy."""
    state = current_app.extensions["tryon"]
    item = next((i for i in catalog() if i.id == query.garment), None)
    if item is None:
        raise fail(404, "not_found", f"no garment {query.garment!r} in the catalog")
    answer = size_insights(state["tryons"], state["data"], g.storefront, item, query.epsilon,
                           state["settings"].privacy_budget)
    if answer is None:
        raise fail(403, "privacy_budget_spent",
                   f"this storefront's privacy budget has less than epsilon {query.epsilon} "
                   "left: no more insights can be released")
    return jsonify(answer)
