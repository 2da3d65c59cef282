"""Tape-measure geometry on triangle meshes: plane sections, the loop around a point, girths.

Lengths are in the mesh's units (metres in this project). A girth is the perimeter of the convex
hull of a section loop, as a tape laid around the body bridges hollows (between the breasts, along
the spine).
"""
from __future__ import annotations

import numpy as np


class Tape:
    """Plane sections of one triangle mesh (vertices (V, 3), faces (F, 3))."""

    def __init__(self, vertices: np.ndarray, faces: np.ndarray):
        self.vertices = np.asarray(vertices, float)
        self.faces = np.asarray(faces, np.int64)

    def loops(self, origin: np.ndarray, normal: np.ndarray) -> list[np.ndarray]:
        """Polylines (N, 3) where the plane through ``origin`` cuts the mesh, each a closed loop
        on a closed surface (an open chain, where the surface has a hole, is closed straight)."""
        return [self.section_points(edges, t) for edges, t in self.section_edges(origin, normal)]

    def section_edges(self, origin: np.ndarray, normal: np.ndarray
                      ) -> list[tuple[np.ndarray, np.ndarray]]:
        """The plane's section loops as cut mesh edges: per loop, vertex pairs (N, 2) and where
        along each edge the plane cuts it, t (N,) in [0, 1] from the first vertex."""
        height = (self.vertices - origin) @ (np.asarray(normal, float) / np.linalg.norm(normal))
        above = height[self.faces] > 0.0
        crossing = above.any(1) & ~above.all(1)
        faces, above = self.faces[crossing], above[crossing]
        corners = ((0, 1), (1, 2), (2, 0))
        cut = np.stack([above[:, a] != above[:, b] for a, b in corners], 1)  # two per face
        ends = np.stack([np.sort(faces[:, [a, b]], 1) for a, b in corners], 1)[cut].reshape(-1, 2, 2)
        count = len(self.vertices)
        loops = []
        for keys in _chain(ends[..., 0] * count + ends[..., 1]):  # edge keys of each segment
            edges = np.stack([keys // count, keys % count], 1)
            loops.append((edges, height[edges[:, 0]] / (height[edges[:, 0]] - height[edges[:, 1]])))
        return loops

    def section_points(self, edges: np.ndarray, t: np.ndarray) -> np.ndarray:
        """(N, 3) points at fraction ``t`` along the mesh edges ``edges`` (N, 2)."""
        start, end = self.vertices[edges[:, 0]], self.vertices[edges[:, 1]]
        return start + t[:, None] * (end - start)

    def outer_section(self, point: np.ndarray, normal: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray] | None:
        """Cut edges and t (see ``section_edges``) of the outermost section loop, in the plane
        through ``point``, that encloses ``point`` (a tape goes around the outside where
        overlapping parts nest); None if no loop encloses it."""
        axes = plane_axes(normal)
        best, best_area = None, -1.0
        for edges, t in self.section_edges(point, normal):
            flat = (self.section_points(edges, t) - point) @ axes.T
            if encloses(flat, np.zeros(2)) and polygon_area(flat) > best_area:
                best, best_area = (edges, t), polygon_area(flat)
        return best

    def loop_around(self, point: np.ndarray, normal: np.ndarray) -> np.ndarray | None:
        """The ``outer_section`` loop in the plane's 2D coordinates (N, 2), centred on ``point``."""
        section = self.outer_section(point, normal)
        if section is None:
            return None
        return (self.section_points(*section) - point) @ plane_axes(normal).T

    def girth(self, point: np.ndarray, normal: np.ndarray) -> float:
        """Tape girth of the body part around ``point`` in the plane with ``normal``; 0 if none."""
        loop = self.loop_around(np.asarray(point, float), np.asarray(normal, float))
        return 0.0 if loop is None else hull_perimeter(loop)

    def tape_edges(self, point: np.ndarray, normal: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray] | None:
        """Where the tape of ``girth`` touches the body, as cut edges (N, 2) and t (N,), in
        order around the convex hull: the girth is the closed polyline through these points,
        which follows the mesh when its vertices move (a differentiable stand-in)."""
        from scipy.spatial import ConvexHull

        point, normal = np.asarray(point, float), np.asarray(normal, float)
        section = self.outer_section(point, normal)
        if section is None:
            return None
        flat = (self.section_points(*section) - point) @ plane_axes(normal).T
        order = ConvexHull(flat).vertices
        return section[0][order], section[1][order]


def plane_axes(normal: np.ndarray) -> np.ndarray:
    """Two orthonormal in-plane axes (2, 3): +X projected into the plane (or +Y when the normal
    is close to X), then normal x first. A horizontal plane's axes are +X and +Y."""
    normal = np.asarray(normal, float) / np.linalg.norm(normal)
    reference = np.array([1.0, 0.0, 0.0]) if abs(normal[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    first = reference - np.dot(reference, normal) * normal
    first /= np.linalg.norm(first)
    return np.stack([first, np.cross(normal, first)])


def encloses(polygon: np.ndarray, point: np.ndarray) -> bool:
    """Even-odd rule: does the closed 2D ``polygon`` (N, 2) contain ``point``?"""
    x0, y0 = polygon[:, 0], polygon[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    crosses = (y0 > point[1]) != (y1 > point[1])
    x_at = x0[crosses] + (point[1] - y0[crosses]) * (x1[crosses] - x0[crosses]) / (
        y1[crosses] - y0[crosses])
    return bool(np.sum(x_at > point[0]) % 2 == 1)


def polygon_area(polygon: np.ndarray) -> float:
    """Unsigned area of a closed 2D polygon (shoelace formula)."""
    x, y = polygon[:, 0], polygon[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def hull_perimeter(points: np.ndarray) -> float:
    """Perimeter of the convex hull of 2D points."""
    from scipy.spatial import ConvexHull

    hull = points[ConvexHull(points).vertices]
    return float(np.linalg.norm(hull - np.roll(hull, 1, axis=0), axis=1).sum())


def polyline_length(points: np.ndarray) -> float:
    """Length of an open polyline (N, D)."""
    return float(np.linalg.norm(np.diff(points, axis=0), axis=1).sum())


def densify(loop: np.ndarray, spacing: float) -> np.ndarray:
    """Points along the closed polyline ``loop`` (N, D), no two consecutive ones further apart
    than ``spacing``."""
    following = np.roll(loop, -1, axis=0)
    counts = np.maximum(1, np.ceil(np.linalg.norm(following - loop, axis=1) / spacing)).astype(int)
    return np.concatenate([a + np.linspace(0.0, 1.0, n, endpoint=False)[:, None] * (b - a)
                           for a, b, n in zip(loop, following, counts)])


def _chain(keys: np.ndarray) -> list[np.ndarray]:
    """Join segments that share a cut edge (``keys`` (S, 2): the two cut edges of each
    segment) into chains of edge keys."""
    neighbours: dict[int, list[int]] = {}
    for a, b in keys.tolist():
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    unvisited = set(neighbours)
    chains = []
    for start in sorted(neighbours, key=lambda k: len(neighbours[k])):  # open ends first
        if start not in unvisited:
            continue
        chain, current = [start], start
        unvisited.discard(start)
        while True:
            following = [n for n in neighbours[current] if n in unvisited]
            if not following:
                break
            current = following[0]
            unvisited.discard(current)
            chain.append(current)
        if len(chain) >= 3:
            chains.append(np.array(chain))
    return chains
