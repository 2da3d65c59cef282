"""The drape stage: avatar + garment files in, draped.glb + fit.json out."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np

from neural.body.anny_body import WAIST_VERTICES, anny_landmarks, rest_body, rest_keypoints
from neural.device import warp_device
from neural.drape.cloth_sim import ClothSettings, Fabric, simulate_cloth
from neural.drape.fit_map import BodyShape, fit_map
from neural.drape.fit_metrics import fit_report
from neural.drape.layers import Layer, collider, glb_nodes, read_layers
from neural.drape.placement import body_landmarks, place_panels, push_out_of_body
from neural.files import write_bytes_atomic, write_json_atomic
from neural.fitting.avatar_file import read_avatar
from neural.garments.garment_file import garment_mesh, read_garment
from neural.garments.meshing import GarmentMesh
from neural.garments.pattern import Pattern
from neural.mesh_io import glb_bytes
from neural.stage_files import checked


@dataclass
class DrapeSetup:
    """A drape before simulation: the avatar's rest-pose body and the garment placed round it
    (Z-up metres), with its pattern, mesh (rest UVs, faces, seam pairs) and fabric."""

    avatar: dict
    garment: dict
    body: BodyShape
    pattern: Pattern
    mesh: GarmentMesh
    start_positions: np.ndarray
    fabric: Fabric
    layers: list[Layer] = field(default_factory=list)  # garments worn under this one

    def collider(self) -> tuple[np.ndarray, np.ndarray]:
        """The body and the lower garments as one mesh: vertices (V, 3) m, faces (F, 3)."""
        return collider(self.body.vertices, self.body.faces, self.layers)


def prepare_drape(avatar_path: str | os.PathLike, garment_path: str | os.PathLike,
                  over: str | os.PathLike | None = None) -> DrapeSetup:
    """Read the avatar and garment files and place the garment's panels around the body (and
    around the garments of the finished drape ``over``, worn under this one)."""
    avatar, params = read_avatar(avatar_path)
    garment, mesh, fabric = garment_cloth(garment_path)
    body_vertices, body_faces, joints = rest_body(params)
    layers = read_layers(over, body_vertices) if over is not None else []
    pattern = Pattern.from_dict(garment["pattern"], garment["size_chart_row"])
    template = anny_landmarks()
    arm_vertices = np.zeros(len(body_vertices), dtype=bool)
    arm_vertices[body_faces[template.arm_faces].ravel()] = True
    landmarks = body_landmarks(body_vertices, rest_keypoints(params),
                               body_vertices[list(WAIST_VERTICES), 2].mean(), arm_vertices)
    if layers:  # wrap round the lower garments too
        landmarks = replace(landmarks, trunk=np.vstack([landmarks.trunk,
                                                        *(layer.vertices for layer in layers)]))
    worn = collider(body_vertices, body_faces, layers)
    start = push_out_of_body(place_panels(pattern, mesh, landmarks), *worn)
    return DrapeSetup(avatar, garment, BodyShape(body_vertices, body_faces, joints, template),
                      pattern, mesh, start, fabric, layers)


def garment_cloth(garment_path: str | os.PathLike) -> tuple[dict, GarmentMesh, Fabric]:
    """A garment file's document, its simulation mesh (rest UVs, faces, seam pairs) and its
    fabric."""
    garment, rest_uv, faces, _ = read_garment(garment_path)
    fab = garment["fabric"]
    return (garment, garment_mesh(garment, rest_uv, faces),
            Fabric(fab["density"], fab["stretch"], fab["shear"], fab["bend"], fab["friction"]))


def drape(avatar_path: str | os.PathLike, garment_path: str | os.PathLike,
          out_dir: str | os.PathLike, device: str = "cpu",
          settings: ClothSettings | None = None,
          progress: Callable[[int, int], None] | None = None,
          over: str | os.PathLike | None = None) -> dict:
    """Place, sew and settle the garment on the avatar (over the garments of the finished drape
    ``over``); write draped.glb and fit.json (quality gates, fit-map regions and per-vertex
    strain and ease). Penetration is measured into the body and the lower garments."""
    started = time.perf_counter()
    setup = prepare_drape(avatar_path, garment_path, over)
    body, mesh = setup.body, setup.mesh
    worn = setup.collider()
    simulated = simulate_cloth(setup.start_positions, mesh.faces, mesh.uv, mesh.seam_pairs,
                               *worn, setup.fabric, warp_device(device), settings, progress)
    positions = simulated.positions
    report = fit_report(positions, mesh.uv, mesh.faces, mesh.seam_pairs, *worn, simulated.speeds)
    fitted = fit_map(positions, mesh.uv, mesh.faces, mesh.seam_pairs, *panel_masks(setup), body)
    document = {
        "schema": "tryon.fit",
        "schema_version": 1,
        "avatar_photo_sha256": (setup.avatar.get("source_photos") or [{}])[0].get("sha256"),
        "garment": setup.garment["garment"],
        "size": setup.garment["size"],
        "fabric": setup.garment["fabric"]["name"],
        **report,
        "layers_under": [{"garment": layer.garment, "fabric": layer.fabric}
                         for layer in setup.layers],
        "simulated_steps": simulated.substeps,
        "wall_time_s": round(time.perf_counter() - started, 2),
        "device": device,
        **fitted.to_json(),
    }
    out_dir = Path(out_dir)
    write_bytes_atomic(out_dir / "draped.glb", glb_bytes({
        "body": (body.vertices, body.faces, None),
        **glb_nodes(setup.layers),
        "garment": (positions, mesh.faces, mesh.uv),
    }))
    write_json_atomic(out_dir / "fit.json", checked("fit.json", document))
    return document


def panel_masks(setup: DrapeSetup) -> tuple[np.ndarray, np.ndarray]:
    """Each garment vertex's panel index (V,) and whether it is on a sleeve (V,) bool."""
    panel_of = np.zeros(len(setup.mesh.uv), dtype=np.int64)
    sleeves = np.zeros(len(setup.mesh.uv), dtype=bool)
    for index, (panel, (first, end)) in enumerate(zip(setup.mesh.panel_names,
                                                       setup.mesh.ranges)):
        panel_of[first:end] = index
        sleeves[first:end] = setup.pattern.panel(panel).placement.startswith("sleeve")
    return panel_of, sleeves
