"""Garments already draped on the avatar, worn under the one being draped (layering).

A lower layer is a finished drape folder (draped.glb + fit.json). Its garments stay where they
settled and become part of the collider, with the body, for the next garment: a top over
trousers, a jacket over a shirt. In draped.glb the lower garments are the nodes
``garment_under_<i>`` (lowest first) and the newest garment is ``garment``. Z-up metres.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neural.errors import InputError
from neural.materials import Color, Surface, fabric_surface
from neural.mesh_io import read_glb

UNDER = "garment_under_"
SAME_BODY_M = 1e-4  # the lower drape's body must be this avatar's rest body, to within this


@dataclass
class Layer:
    """One lower garment: its draped vertices (V, 3), faces, UVs, and what it is."""

    vertices: np.ndarray
    faces: np.ndarray
    uv: np.ndarray | None
    garment: str
    fabric: str
    color: Color | None = None  # linear RGB; None: the fabric's own

    @property
    def surface(self) -> Surface:
        return fabric_surface({"name": self.fabric}, self.color)


def read_layers(draped_dir: str | os.PathLike, body_vertices: np.ndarray) -> list[Layer]:
    """The garments of a finished drape (its lower layers first, then its own garment), checked
    to have been draped on the body with these rest-pose vertices."""
    folder = Path(draped_dir)
    glb, fit_json = folder / "draped.glb", folder / "fit.json"
    if not glb.is_file() or not fit_json.is_file():
        raise InputError(f"not a finished drape (draped.glb and fit.json): {folder}")
    meshes, fit = read_glb(glb), json.loads(fit_json.read_text())
    body = meshes.get("body")
    if body is None or body[0].shape != body_vertices.shape or np.abs(
            body[0] - body_vertices).max() > SAME_BODY_M:
        raise InputError(f"{folder} was draped on another avatar")
    below = fit.get("layers_under", [])
    names = [f"{UNDER}{i}" for i in range(len(below))] + ["garment"]
    kinds = below + [{"garment": fit["garment"], "fabric": fit["fabric"],
                      "color": fit.get("color")}]
    return [Layer(*meshes[name], kind["garment"], kind["fabric"],
                  tuple(kind["color"]) if kind.get("color") else None)
            for name, kind in zip(names, kinds)]


def collider(body_vertices: np.ndarray, body_faces: np.ndarray, layers: list[Layer]
             ) -> tuple[np.ndarray, np.ndarray]:
    """One triangle mesh of the body and the lower garments (vertices (V, 3), faces (F, 3))."""
    vertices, faces, offset = [body_vertices], [body_faces], len(body_vertices)
    for layer in layers:
        vertices.append(layer.vertices)
        faces.append(layer.faces + offset)
        offset += len(layer.vertices)
    return np.concatenate(vertices), np.concatenate(faces)


def glb_nodes(layers: list[Layer]) -> tuple[dict[str, tuple], dict[str, Surface]]:
    """draped.glb nodes for the lower garments, and their materials."""
    names = [f"{UNDER}{i}" for i in range(len(layers))]
    return ({name: (layer.vertices, layer.faces, layer.uv) for name, layer in zip(names, layers)},
            {name: layer.surface for name, layer in zip(names, layers)})
