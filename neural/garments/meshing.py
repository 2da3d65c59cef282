"""Triangulating pattern panels so that sewn edges get matching vertices.

Output frame: each panel keeps its 2D coordinates in metres (its rest shape and UVs).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neural.garments.pattern import Pattern, resample_polyline


@dataclass
class GarmentMesh:
    """All panels in one vertex array; panel ``i`` owns ``vertices[ranges[i][0]:ranges[i][1]]``."""

    uv: np.ndarray  # (V, 2) pattern coordinates, metres
    faces: np.ndarray  # (F, 3), counter-clockwise in the panel frame (outward normals)
    panel_names: list[str]
    ranges: list[tuple[int, int]]
    seam_pairs: np.ndarray  # (S, 2) vertex indices sewn together
    seam_ids: np.ndarray  # (S,) index of the seam each pair belongs to
    edge_vertices: dict[tuple[str, str], np.ndarray]  # (panel, edge) -> vertex indices in order


def mesh_pattern(pattern: Pattern, spacing_cm: float = 2.5) -> GarmentMesh:
    """Triangulate every panel with edge length about ``spacing_cm``; pair seam vertices."""
    counts = _edge_counts(pattern, spacing_cm)
    uv_parts, face_parts, ranges, edge_vertices = [], [], [], {}
    offset = 0
    for panel in pattern.panels:
        boundary, edge_slices = [], {}
        for edge in panel.edges:
            points = resample_polyline(edge.points, counts[(panel.name, edge.name)])
            start = len(boundary)
            boundary.extend(points[:-1])
            edge_slices[edge.name] = (start, len(points))
        boundary = np.asarray(boundary)
        points, faces = _triangulate(boundary, spacing_cm)
        n_boundary = len(boundary)
        for name, (start, count) in edge_slices.items():
            local = (start + np.arange(count)) % n_boundary
            edge_vertices[(panel.name, name)] = offset + local
        uv_parts.append(points / 100.0)
        face_parts.append(faces + offset)
        ranges.append((offset, offset + len(points)))
        offset += len(points)
    pairs, ids = [], []
    for seam_id, seam in enumerate(pattern.seams):
        a, b = edge_vertices[seam.a], edge_vertices[seam.b]
        b = b if seam.same_direction else b[::-1]
        pairs.append(np.stack([a, b], -1))
        ids.append(np.full(len(a), seam_id))
    return GarmentMesh(np.concatenate(uv_parts), np.concatenate(face_parts),
                       [p.name for p in pattern.panels], ranges, np.concatenate(pairs),
                       np.concatenate(ids), edge_vertices)


def _edge_counts(pattern: Pattern, spacing_cm: float) -> dict[tuple[str, str], int]:
    """Segments per edge; both edges of a seam get the same count."""
    counts = {(p.name, e.name): max(1, round(e.length / spacing_cm))
              for p in pattern.panels for e in p.edges}
    for seam in pattern.seams:
        shared = max(counts[seam.a], counts[seam.b])
        counts[seam.a] = counts[seam.b] = shared
    return counts


def _triangulate(boundary: np.ndarray, spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """Delaunay triangulation of the boundary plus a triangular lattice inside it.

    The boundary points come first in the returned points, in order.
    """
    from matplotlib.path import Path as PolygonPath
    from scipy.spatial import Delaunay, cKDTree

    polygon = PolygonPath(boundary)
    lo, hi = boundary.min(0), boundary.max(0)
    row_step = spacing * np.sqrt(3) / 2
    rows = []
    for i, y in enumerate(np.arange(lo[1] + row_step / 2, hi[1], row_step)):
        xs = np.arange(lo[0] + (spacing / 2 if i % 2 else 0.0), hi[0], spacing)
        rows.append(np.stack([xs, np.full_like(xs, y)], -1))
    lattice = np.concatenate(rows) if rows else np.zeros((0, 2))
    lattice = lattice[polygon.contains_points(lattice)]
    if len(lattice):
        near_edge = cKDTree(boundary).query(lattice)[0] < 0.6 * spacing
        lattice = lattice[~near_edge]
    points = np.concatenate([boundary, lattice])
    faces = Delaunay(points).simplices
    centroids = points[faces].mean(axis=1)
    faces = faces[polygon.contains_points(centroids)]
    a, b, c = (points[faces[:, i]] for i in range(3))
    cross = (b - a)[:, 0] * (c - a)[:, 1] - (b - a)[:, 1] * (c - a)[:, 0]
    faces = np.where((cross < 0)[:, None], faces[:, [0, 2, 1]], faces)
    return points, faces[np.abs(cross) > 1e-9]
