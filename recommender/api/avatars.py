"""Avatars from photos: POST /v1/avatars (multipart: ``front`` photo, optional ``side`` photo,
``height_cm``) fits a measured body; GET /v1/avatars/{id}; DELETE /v1/avatars/{id} erases the
avatar and every try-on, event and recommendation made with it. POST /v1/photo-checks
(multipart: ``photo``, ``view``) says in about a second whether a photo can be fitted (one
person, whole body, head to feet), before the shopper goes on.

Photos are decoded and read in memory (``uploads``) and dropped when the fit is done: only the
body (parameters, measurements and its mesh for the 3D viewer, under the data folder) is kept.
"""
from __future__ import annotations

import shutil
import uuid

from flask import Blueprint, current_app, g, jsonify, request

from neural.errors import InputError
from recommender.api.auth import require_key
from recommender.api.errors import fail
from recommender.api.models import Avatar, AvatarPhotos, Error, PhotoChecked, PhotoToCheck
from recommender.api.openapi import API, answers

blueprint = Blueprint("avatars", __name__)
blueprint.before_request(require_key)
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
SECOND_PERSON = 0.5  # someone at least this size of the largest person makes two people


@blueprint.post("/avatars")
@API.validate(form=AvatarPhotos, resp=answers(HTTP_201=Avatar, HTTP_413=Error, HTTP_415=Error,
                                               HTTP_422=Error), tags=["avatars"])
def create_avatar(form: AvatarPhotos):
    """Fit a measured avatar to photos; the photos are never stored. 413: request or photo too
    large; 415: not multipart, or not a photo; 422: no usable person in the photo."""
    from neural.photo.person_detector import PersonDetector, decode_photo
    from neural.stages import fit_observed

    if request.mimetype != "multipart/form-data":
        raise fail(415, "unsupported_media_type",
                   "send multipart/form-data with a 'front' photo and 'height_cm'")
    photos = {name: _photo_bytes(name) for name in ("front", "side") if name in request.files}
    if "front" not in photos:
        raise fail(400, "bad_request", "a 'front' photo (whole body) is needed")
    state = current_app.extensions["tryon"]
    avatar_id = uuid.uuid4().hex[:16]
    folder = state["settings"].data_dir / "avatars" / g.storefront / avatar_id
    try:
        with PersonDetector() as detector:
            seen = {}
            for name, payload in photos.items():
                rgb, digest = decode_photo(payload, f"the {name} photo")
                seen[name] = detector.observe(rgb, f"the {name} photo", digest)
        photos.clear()
        document = fit_observed(seen["front"], seen.get("side"), form.height_cm, folder,
                                state["settings"].device)
    except InputError as error:
        raise _photo_error(str(error)) from None
    state["data"].add_avatar(g.storefront, avatar_id, document)
    return jsonify(_public(avatar_id, document)), 201


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
        raise _photo_error(str(error)) from None
    return jsonify(usable=True)


@blueprint.get("/avatars/<avatar_id>")
@API.validate(resp=answers(HTTP_200=Avatar), tags=["avatars"])
def get_avatar(avatar_id: str):
    """An avatar."""
    document = current_app.extensions["tryon"]["data"].avatar(g.storefront, avatar_id)
    if document is None:
        raise fail(404, "not_found", f"no avatar {avatar_id!r}")
    return jsonify(_public(avatar_id, document))


@blueprint.delete("/avatars/<avatar_id>")
@API.validate(resp=answers(HTTP_204=None), tags=["avatars"])
def delete_avatar(avatar_id: str):
    """Erase an avatar and all derived from it."""
    state = current_app.extensions["tryon"]
    if state["data"].avatar(g.storefront, avatar_id) is None:
        raise fail(404, "not_found", f"no avatar {avatar_id!r}")
    state["tryons"].erase(g.storefront, avatar_id)
    if not state["data"].erase_avatar(g.storefront, avatar_id):
        raise fail(404, "not_found", f"no avatar {avatar_id!r}")
    shutil.rmtree(state["settings"].data_dir / "avatars" / g.storefront / avatar_id,
                  ignore_errors=True)
    return "", 204


def _public(avatar_id: str, document: dict) -> dict:
    return {"id": avatar_id, "height_cm": document["height_cm"],
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


def _photo_error(message: str):
    """A photo the fit cannot use: too large (413), not an image or too small (400), or no
    usable person in it (422)."""
    if message.startswith("photo is too large"):
        return fail(413, "photo_too_large", message)
    if message.startswith(("not a readable image", "photo is too small")):
        return fail(400, "not_an_image", message)
    return fail(422, "unusable_photo", message)
