"""Try-ons: POST /v1/tryons ``{"avatar": ID, "garment": ID, "size": "M" | "advise"}``, or an
outfit ``{"avatar": ID, "garments": [{"garment": ID, "size": "M" | "advise"}, ...]}``, answers at
once with the try-on's preview; GET /v1/tryons/{id} follows it (state, progress, then the
renders, the draped 3D model and the fit with a verdict per sizing girth); GET
/v1/tryons/{id}/files/{name} serves preview.png, front.png, back.png, draped.glb, fitmap.glb
(the garment coloured by its fit: red touching the body, blue hanging off) and moving.glb (the
drape skinned to the body, with motions to play: a walk, poses, a turn), those of the size
shown, and SIZE/front.png, SIZE/back.png, SIZE/draped.glb, SIZE/fitmap.glb and SIZE/moving.glb
of each size.
POST /v1/tryons/{id}/share ``{"days": 30}`` (opt-in) answers a link to a public page of a done
try-on (``shared``) and when it expires; DELETE on the same path ends every link to it."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, current_app, g, jsonify, request, send_file

from neural.errors import InputError
from recommender.api.auth import require_key
from recommender.api.errors import fail, json_body
from recommender.api.models import Error, OutfitItem, Share, ShareRequest, TryOn, TryOnRequest
from recommender.api.openapi import API, answers
from recommender.api.garments import catalog_item
from recommender.catalog import dressing_order

blueprint = Blueprint("tryons", __name__)
blueprint.before_request(require_key)
MEDIA_TYPES = {".png": "image/png", ".glb": "model/gltf-binary"}


@blueprint.post("/tryons")
@API.validate(json=TryOnRequest, resp=answers(HTTP_201=TryOn, HTTP_409=Error),
              tags=["try-ons"])
def create_tryon(json: TryOnRequest):
    """An avatar in a garment, in a size or 'advise', or in an outfit of garments; answered
    at once, with its preview. 409: the avatar is still fitting, or its fit failed."""
    asked = json_body(json, "{avatar, garment, size} or {avatar, garments}")
    if (asked.garment is None) == (asked.garments is None):
        raise fail(400, "bad_request", "give either garment (one) or garments (an outfit)")
    state = current_app.extensions["tryon"]
    found = state["data"].avatar_state(g.storefront, asked.avatar)
    if found is None:
        raise fail(404, "not_found", f"no avatar {asked.avatar!r}")
    if found[0] != "ready":
        raise fail(409, "avatar_not_ready", f"avatar {asked.avatar!r} is {found[0]}: try it on "
                                            "once it is ready")
    avatar = found[2]
    wanted = asked.garments or [OutfitItem(garment=asked.garment, size=asked.size)]
    sizes = {want.garment: want.size for want in wanted}
    if len(sizes) < len(wanted):
        raise fail(400, "bad_request", "an outfit wears each garment once")
    try:
        *under, item = dressing_order([catalog_item(garment) for garment in sizes])
    except ValueError as error:
        raise fail(400, "bad_request", str(error)) from None
    avatar_dir = state["settings"].data_dir / "avatars" / g.storefront / asked.avatar
    try:
        tryon_id = state["tryons"].start(g.storefront, asked.avatar, avatar, avatar_dir, item,
                                         sizes[item.id], [(i, sizes[i.id]) for i in under])
    except InputError as error:
        raise fail(400, "bad_request", str(error)) from None
    return jsonify(state["tryons"].status(g.storefront, tryon_id)), 201


@blueprint.get("/tryons/<tryon_id>")
@API.validate(resp=answers(HTTP_200=TryOn), tags=["try-ons"])
def get_tryon(tryon_id: str):
    """A try-on's state, progress, files and fit."""
    status = current_app.extensions["tryon"]["tryons"].status(g.storefront, tryon_id)
    if status is None:
        raise fail(404, "not_found", f"no try-on {tryon_id!r}")
    return jsonify(status)


@blueprint.get("/tryons/<tryon_id>/files/<path:name>")
@API.validate(resp=answers(HTTP_200=None), tags=["try-ons"])
def get_file(tryon_id: str, name: str):
    """preview.png; front.png, back.png, draped.glb, fitmap.glb or moving.glb (the drape with
    motions to play) of the size shown; the same under SIZE/ for any size draped."""
    path = current_app.extensions["tryon"]["tryons"].file(g.storefront, tryon_id, name)
    if path is None:
        raise fail(404, "not_found", f"no file {name!r} for try-on {tryon_id!r} (yet)")
    response = send_file(path, mimetype=MEDIA_TYPES[path.suffix], max_age=3600)
    response.direct_passthrough = False  # spectree reads the answer's body (a few MB at most)
    return response


@blueprint.post("/tryons/<tryon_id>/share")
@API.validate(json=ShareRequest, resp=answers(HTTP_201=Share), tags=["try-ons"])
def share_tryon(tryon_id: str, json: ShareRequest):
    """A link to a page showing a done try-on (pictures and 3D model) to whoever has it,
    until it expires (``days``, default 30) or is revoked or the avatar is erased."""
    state = current_app.extensions["tryon"]
    status = state["tryons"].status(g.storefront, tryon_id)
    if status is None:
        raise fail(404, "not_found", f"no try-on {tryon_id!r}")
    if status["state"] != "done" or status.get("no_picture"):
        raise fail(409, "not_ready", f"try-on {tryon_id!r} has no pictures to share (yet)")
    days = (json or ShareRequest()).days  # no body: the default
    token, expires = state["data"].share_tryon(g.storefront, tryon_id, days)
    return jsonify(url=f"{request.host_url}s/{token}",
                   expires_at=datetime.fromtimestamp(expires, timezone.utc).isoformat(
                       timespec="seconds")), 201


@blueprint.delete("/tryons/<tryon_id>/share")
@API.validate(resp=answers(HTTP_204=None), tags=["try-ons"])
def revoke_shares(tryon_id: str):
    """End every link to the try-on."""
    if not current_app.extensions["tryon"]["data"].revoke_shares(g.storefront, tryon_id):
        raise fail(404, "not_found", f"no try-on {tryon_id!r}")
    return "", 204
