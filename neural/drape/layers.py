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


SEAM_WELD_M = 0.002  # a draped garment's seams are closed to 1 mm (fit_metrics' seam gate)


def sheets(layers: list[Layer]) -> list[tuple[np.ndarray, np.ndarray]]:
    """The lower garments as collision surfaces (vertices (V, 3), faces (F, 3)), one each: open
    surfaces whose normals face away from the body, each panel's edges welded to the edges
    sewn to them, so that the surface's rim is only where the garment ends (hems, neckline,
    cuffs, a jacket's opening)."""
    return [weld_seams(layer.vertices, layer.faces) for layer in layers]


def weld_seams(vertices: np.ndarray, faces: np.ndarray, within: float = SEAM_WELD_M
               ) -> tuple[np.ndarray, np.ndarray]:
    """One surface from panels sewn edge to edge: the vertices on their open edges that lie
    ``within`` (m) of one another become one (at their mean); faces that collapse are
    dropped, unused vertices too."""
    average, welded_faces = seam_welding(vertices, faces, within)
    return average @ vertices, welded_faces


def seam_welding(vertices: np.ndarray, faces: np.ndarray, within: float = SEAM_WELD_M):
    """How ``weld_seams`` joins this garment's panels, to apply to any of its poses: a sparse
    (W, V) matrix whose product with vertices (V, 3) gives the welded ones, and the faces
    (F', 3) over them."""
    from scipy.sparse import coo_matrix, csr_matrix
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial import cKDTree

    from neural.drape.fit_metrics import face_edges

    unique, count = np.unique(face_edges(faces), axis=0, return_counts=True)
    rim = np.unique(unique[count == 1])
    pairs = cKDTree(vertices[rim]).query_pairs(within, output_type="ndarray")
    n = len(vertices)
    graph = coo_matrix((np.ones(len(pairs)), (rim[pairs[:, 0]], rim[pairs[:, 1]])) if len(pairs)
                       else (np.zeros(0), (np.zeros(0, int), np.zeros(0, int))), shape=(n, n))
    _, group = connected_components(graph, directed=False)
    merged = group[faces]
    merged = merged[(merged[:, 0] != merged[:, 1]) & (merged[:, 1] != merged[:, 2])
                    & (merged[:, 2] != merged[:, 0])]
    used, compact = np.unique(merged, return_inverse=True)
    keep = np.isin(group, used)
    rows = np.searchsorted(used, group[keep])
    weights = 1.0 / np.bincount(group)[group[keep]]
    average = csr_matrix((weights, (rows, np.flatnonzero(keep))), shape=(len(used), n))
    return average, compact.reshape(-1, 3)


def glb_nodes(layers: list[Layer]) -> tuple[dict[str, tuple], dict[str, Surface]]:
    """draped.glb nodes for the lower garments, and their materials."""
    names = [f"{UNDER}{i}" for i in range(len(layers))]
    return ({name: (layer.vertices, layer.faces, layer.uv) for name, layer in zip(names, layers)},
            {name: layer.surface for name, layer in zip(names, layers)})
