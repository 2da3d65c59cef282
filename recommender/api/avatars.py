"""Avatars from photos: POST /v1/avatars (multipart: ``front`` photo, optional ``side`` photo,
``height_cm``) answers at once (202) with an avatar that is fitting; its fit runs in the server's
fit engine (``recommender.avatar_fits``) and GET /v1/avatars/{id} says when it is ready (with
its measurements) or failed (with the reason); DELETE /v1/avatars/{id} erases the avatar and
every try-on, event and recommendation made with it. GET /v1/avatar-fits: how many fits wait,
for autoscalers. POST /v1/photo-checks (multipart: ``photo``, ``view``) says in about a second
whether a photo can be fitted (one person, whole body, head to feet), before the shopper goes
on.

Photos are read in memory (``uploads``), checked from their headers, and handed to the fit
engine in memory: never stored. Only the body (parameters, measurements and its mesh for the 3D
viewer, under the data folder) is kept.
"""
from __future__ import annotations

import shutil
import uuid

from flask import Blueprint, current_app, g, jsonify, request

from neural.errors import InputError
from recommender.api.auth import require_key
from recommender.api.errors import fail, request_catalog
from recommender.api.models import (Avatar, AvatarPhotos, Error, FitQueue, PhotoChecked,
                                    PhotoToCheck)
from recommender.api.openapi import API, answers
from recommender.avatar_fits import photo_error

blueprint = Blueprint("avatars", __name__)
blueprint.before_request(require_key)
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
SECOND_PERSON = 0.5  # someone at least this size of the largest person makes two people


@blueprint.post("/avatars")
@API.validate(form=AvatarPhotos, resp=answers(HTTP_202=Avatar, HTTP_413=Error, HTTP_415=Error),
              tags=["avatars"])
def create_avatar(form: AvatarPhotos):
    """Fit a measured avatar to photos, off the request: answered at once with the avatar,
    fitting (poll it); the photos are never stored. 413: request or photo too large; 415: not
    multipart, or not a photo; 400: not an image, or too small."""
    from neural.photo.person_detector import check_photo

    if request.mimetype != "multipart/form-data":
        raise fail(415, "unsupported_media_type",
                   "send multipart/form-data with a 'front' photo and 'height_cm'")
    photos = {name: _photo_bytes(name) for name in ("front", "side") if name in request.files}
    if "front" not in photos:
        raise fail(400, "bad_request", "a 'front' photo (whole body) is needed")
    try:
        for name, payload in photos.items():
            check_photo(payload, f"the {name} photo")
    except InputError as error:
        raise fail(*photo_error(str(error)), str(error)) from None
    avatar_id = uuid.uuid4().hex[:16]
    current_app.extensions["tryon"]["fits"].start(g.storefront, avatar_id, photos,
                                                  form.height_cm)
    answer = jsonify(id=avatar_id, state="fitting", height_cm=form.height_cm)
    answer.headers["Location"] = f"/v1/avatars/{avatar_id}"
    return answer, 202


@blueprint.get("/avatar-fits")
@API.validate(resp=answers(HTTP_200=FitQueue), tags=["avatars"])
def fit_queue():
    """How many avatars are still fitting (every storefront, every server process)."""
    return jsonify(fits_waiting=current_app.extensions["tryon"]["fits"].waiting())


@blueprint.post("/photo-checks")
@API.validate(form=PhotoToCheck, resp=answers(HTTP_200=PhotoChecked, HTTP_413=Error,
                                              HTTP_415=Error, HTTP_422=Error), tags=["avatars"])
def check_photo(form: PhotoToCheck):
    """Whether a photo can be fitted: one person, the whole body from head to feet. 422 with
    the reason when not; the photo is never stored."""
    from neural.photo.person_detector import PersonDetector, decode_photo

    if request.mimetype != "multipart/form-data":
        raise fail(415, "unsupported_media_type", "send multipart/form-data with a 'photo'")
    if "photo" not in request.files:
        raise fail(400, "bad_request", "a 'photo' to check is needed")
    source = f"the {form.view} photo"
    try:
        with PersonDetector() as detector:
            rgb, digest = decode_photo(_photo_bytes("photo", source), source)
            sizes = sorted((person.radius_px for person in detector.find_people(rgb)),
                           reverse=True)
            if len(sizes) > 1 and sizes[1] >= SECOND_PERSON * sizes[0]:
                raise InputError(f"more than one person in the photo: {source}")
            detector.observe(rgb, source, digest)
    except InputError as error:
        raise fail(*photo_error(str(error)), str(error)) from None
    return jsonify(usable=True)


@blueprint.get("/avatars/<avatar_id>")
@API.validate(resp=answers(HTTP_200=Avatar), tags=["avatars"])
def get_avatar(avatar_id: str):
    """An avatar: fitting, ready (with its measurements) or failed (with the reason)."""
    found = current_app.extensions["tryon"]["data"].avatar_state(g.storefront, avatar_id)
    if found is None:
        raise fail(404, "not_found", f"no avatar {avatar_id!r}")
    state, error, document = found
    if state == "ready":
        return jsonify(_public(avatar_id, document))
    return jsonify({"id": avatar_id, "state": state}
                   | ({"error": _translated(error)} if error else {}))


@blueprint.delete("/avatars/<avatar_id>")
@API.validate(resp=answers(HTTP_204=None), tags=["avatars"])
def delete_avatar(avatar_id: str):
    """Erase an avatar and all derived from it."""
    state = current_app.extensions["tryon"]
    if state["data"].avatar_state(g.storefront, avatar_id) is None:  # fitting and failed too
        raise fail(404, "not_found", f"no avatar {avatar_id!r}")
    state["tryons"].erase(g.storefront, avatar_id)
    if not state["data"].erase_avatar(g.storefront, avatar_id):
        raise fail(404, "not_found", f"no avatar {avatar_id!r}")
    shutil.rmtree(state["settings"].data_dir / "avatars" / g.storefront / avatar_id,
                  ignore_errors=True)
    return "", 204


def _public(avatar_id: str, document: dict) -> dict:
    return {"id": avatar_id, "state": "ready", "height_cm": document["height_cm"],
            "measurements_cm": document["measurements"],
            "measurement_confidence": document.get("measurement_confidence", {}),
            "notes": document.get("diagnostics", {}).get("notes", [])}


def _photo_bytes(field: str, source: str | None = None) -> bytes:
    """The bytes (in memory) of the photo uploaded as ``field`` (named ``source`` in errors,
    default "the FIELD photo"), once its type is one of PHOTO_TYPES."""
    upload = request.files[field]
    if upload.mimetype not in PHOTO_TYPES:
        raise fail(415, "unsupported_media_type", f"{source or f'the {field} photo'} must be "
                   f"JPEG, PNG or WebP, not {upload.mimetype or 'unknown'}")
    return upload.read()


def _translated(error: dict) -> dict:
    """A stored fit error in the request's language (the English kept as ``detail``)."""
    chosen = request_catalog()
    if chosen is None:
        return error
    message, detail = chosen.translate(error["message"], error["code"])
    return error | {"message": message} | ({"detail": detail} if detail else {})
