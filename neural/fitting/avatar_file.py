"""avatar.json + avatar.glb + skeleton.npz: the fit stage's output contract.

avatar.json holds parameters and measurements, never the photo (only its SHA-256).
avatar.glb holds the body in its rest A-pose, in glTF's frame (Y-up, metres, facing +Z).
skeleton.npz holds Anny's armature for that body and its skinning weights (Z-up, metres: the
frame of avatar.glb once imported Z-up), for tools that re-pose it (the Blender extension).
"""
from __future__ import annotations

import io
import json
import os
from pathlib import Path

import numpy as np

from neural.body.anny_body import (BodyParameters, anny_landmarks, anny_version, rest_body,
                                   rest_skeleton)
from neural.body.measurements import DEFINITIONS, measure_body
from neural.errors import InputError
from neural.files import write_bytes_atomic, write_json_atomic
from neural.fitting.fit_body import FitResult
from neural.fitting.measurement_confidence import clothing_seen, measurement_uncertainty
from neural.materials import SKIN
from neural.mesh_io import glb_bytes
from neural.photo.person_detector import PersonObservation
from neural.stage_files import checked

SCHEMA = "tryon.avatar"
SCHEMA_VERSION = 1
SKELETON_FILE = "skeleton.npz"


def write_avatar(out_dir: str | os.PathLike, fit: FitResult, height_cm: float,
                 photos: dict[str, PersonObservation | None]) -> dict:
    """Write avatar.json and avatar.glb into ``out_dir``; return the JSON document."""
    vertices, faces, joints = rest_body(fit.body, fit.device)
    measurements = measure_body(vertices, faces, joints, anny_landmarks())
    mode = "front+side" if photos.get("side") is not None else "front"
    confidence = measurement_uncertainty(measurements, fit.views, mode)
    document = _body_document(fit.body, height_cm, measurements) | {
        "measurement_confidence": confidence,
        "clothing_seen": clothing_seen(confidence, len(fit.views)),
        "diagnostics": {
            "silhouette_iou": fit.silhouette_iou,
            "keypoint_error_px": fit.keypoint_error_px,
            "views": {name: {"silhouette_iou": view.silhouette_iou,
                             "keypoint_error_px": view.keypoint_error_px}
                      for name, view in fit.views.items()},
            "confidence": fit.confidence,
            "mode": mode,
            "notes": [f"{view} photo: {note}" for view, person in photos.items()
                      if person is not None for note in person.notes],
            "initial_shape": fit.init,
            "iterations": fit.iterations,
            "seconds": fit.seconds,
            "network_seconds": fit.network_seconds,
            "device": fit.device,
        },
        "source_photos": [{"view": view, "sha256": person.photo_sha256, "width": person.width,
                           "height": person.height}
                          for view, person in photos.items() if person is not None],
    }
    return _write(out_dir, document, fit.body, vertices, faces, fit.device)


def write_body_avatar(out_dir: str | os.PathLike, body: BodyParameters, note: str) -> dict:
    """Write avatar.json and avatar.glb for a body given by its parameters (no photo: e.g. a
    body sampled for a benchmark); ``note`` says where it came from."""
    vertices, faces, joints = rest_body(body)
    measurements = measure_body(vertices, faces, joints, anny_landmarks())
    document = _body_document(body, measurements["stature"], measurements) | {
        "diagnostics": {"mode": "parameters", "notes": [note]},
        "source_photos": [],
    }
    return _write(out_dir, document, body, vertices, faces)


def _body_document(body: BodyParameters, height_cm: float, measurements: dict) -> dict:
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "body_model": {"name": "anny", "version": anny_version(), "rest_pose": "A-pose",
                       "frame": "Z-up, metres, facing -Y, wearer's left +X"},
        "height_cm": height_cm,
        "shape": {"phenotypes": body.phenotypes, "local_changes": body.local_changes,
                  "scale": body.scale},
        "pose": {"parameterization": "anny local-ref rotation vectors, radians",
                 "bones": body.pose},
        "measurements": measurements,
        "measurement_definitions": DEFINITIONS,
    }


def _write(out_dir: str | os.PathLike, document: dict, body: BodyParameters, vertices, faces,
           device: str = "cpu") -> dict:
    """avatar.glb (the rest-pose body), skeleton.npz (its armature: ``rest_skeleton``'s arrays,
    the same frame) and avatar.json."""
    out_dir = Path(out_dir)
    skeleton = rest_skeleton(body, device)
    write_bytes_atomic(out_dir / "avatar.glb", glb_bytes({"body": (vertices, faces, None)},
                                                               {"body": SKIN}))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **skeleton)
    write_bytes_atomic(out_dir / SKELETON_FILE, buffer.getvalue())
    document["skeleton"] = {"file": SKELETON_FILE, "bones": len(skeleton["names"]),
                            "influences_per_vertex": skeleton["vertex_bones"].shape[1],
                            "frame": "avatar.glb's rest pose: Z-up, metres"}
    write_json_atomic(out_dir / "avatar.json", checked("avatar.json", document))
    return document


def read_avatar(path: str | os.PathLike) -> tuple[dict, BodyParameters]:
    """Load avatar.json (or the folder holding it); refuse unknown or newer schemas."""
    path = Path(path)
    if path.is_dir():
        path = path / "avatar.json"
    if not path.is_file():
        raise InputError(f"avatar not found: {path}")
    try:
        document = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"avatar file is not valid JSON: {path}") from error
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise InputError(f"not a tryon avatar file: {path}")
    version = document.get("schema_version")
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise InputError(
            f"avatar schema version {version} is newer than this program reads ({SCHEMA_VERSION}): "
            f"{path}; update tryon"
        )
    shape = document["shape"]
    body = BodyParameters(
        phenotypes=dict(shape["phenotypes"]),
        local_changes=dict(shape.get("local_changes", {})),
        pose={k: list(v) for k, v in document["pose"]["bones"].items()},
        scale=float(shape["scale"]),
    )
    return document, body

