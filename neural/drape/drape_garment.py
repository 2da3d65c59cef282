"""The drape stage: avatar + garment files in, draped.glb + fit.json out."""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

import numpy as np

from neural.body.anny_body import WAIST_VERTICES, anny_landmarks, rest_body, rest_keypoints
from neural.device import warp_device
from neural.drape.cloth_sim import ClothSettings, Fabric, simulate_cloth
from neural.drape.fit_map import BodyShape, fit_map
from neural.drape.fit_metrics import fit_report
from neural.drape.placement import body_landmarks, place_panels, push_out_of_body
from neural.files import write_bytes_atomic, write_json_atomic
from neural.fitting.avatar_file import read_avatar
from neural.garments.garment_file import garment_mesh, read_garment
from neural.garments.pattern import Pattern
from neural.mesh_io import glb_bytes


def drape(avatar_path: str | os.PathLike, garment_path: str | os.PathLike,
          out_dir: str | os.PathLike, device: str = "cpu",
          settings: ClothSettings | None = None,
          progress: Callable[[int, int], None] | None = None) -> dict:
    """Place, sew and settle the garment on the avatar; write draped.glb and fit.json (quality
    gates, fit-map regions and per-vertex strain and ease)."""
    started = time.perf_counter()
    avatar, body = read_avatar(avatar_path)
    garment, rest_uv, faces, seam_pairs = read_garment(garment_path)
    body_vertices, body_faces, joints = rest_body(body)
    pattern = Pattern.from_dict(garment["pattern"], garment["size_chart_row"])
    mesh = garment_mesh(garment, rest_uv, faces)
    template = anny_landmarks()
    arm_vertices = np.zeros(len(body_vertices), dtype=bool)
    arm_vertices[body_faces[template.arm_faces].ravel()] = True
    landmarks = body_landmarks(body_vertices, rest_keypoints(body),
                               body_vertices[list(WAIST_VERTICES), 2].mean(), arm_vertices)
    start_positions = push_out_of_body(place_panels(pattern, mesh, landmarks), body_vertices,
                                       body_faces)
    fab = garment["fabric"]
    fabric = Fabric(fab["density"], fab["stretch"], fab["shear"], fab["bend"], fab["friction"])
    simulated = simulate_cloth(start_positions, faces, rest_uv, seam_pairs, body_vertices,
                               body_faces, fabric, warp_device(device), settings, progress)
    positions, steps = simulated.positions, simulated.substeps
    report = fit_report(positions, rest_uv, faces, seam_pairs, body_vertices, body_faces,
                        simulated.speeds)
    panel_of = np.zeros(len(rest_uv), dtype=np.int64)
    sleeves = np.zeros(len(rest_uv), dtype=bool)
    for index, (panel, (first, end)) in enumerate(zip(mesh.panel_names, mesh.ranges)):
        panel_of[first:end] = index
        sleeves[first:end] = pattern.panel(panel).placement.startswith("sleeve")
    fitted = fit_map(positions, rest_uv, faces, seam_pairs, panel_of, sleeves,
                     BodyShape(body_vertices, body_faces, joints, template))
    document = {
        "schema": "tryon.fit",
        "schema_version": 1,
        "avatar_photo_sha256": (avatar.get("source_photos") or [{}])[0].get("sha256"),
        "garment": garment["garment"],
        "size": garment["size"],
        "fabric": fab["name"],
        **report,
        "simulated_steps": steps,
        "wall_time_s": round(time.perf_counter() - started, 2),
        "device": device,
        **fitted.to_json(),
    }
    out_dir = Path(out_dir)
    write_bytes_atomic(out_dir / "draped.glb", glb_bytes({
        "body": (body_vertices, body_faces, None),
        "garment": (positions, faces, rest_uv),
    }))
    write_json_atomic(out_dir / "fit.json", document)
    return document
