"""How well a draped garment fits: strain, penetration, seam gaps, self-intersections, and
pass/fail gates.

Inputs in metres; reported lengths in mm, strain as a fraction (0.05 = 5 %), shear in degrees.

Strain is the woven fabric's own: the stretch of each triangle along the pattern's two axes (the
weft across, the warp along the grain line), from the triangle's deformation gradient, as the
cloth solver's anisotropic stretch stiffness sees it. Shear (the change of the angle between the
two) is reported on its own: cloth shears freely over a curved body, and lengths measured along
mesh edges at a slant to the weave would count that shear as stretch.
"""
from __future__ import annotations

import numpy as np

SETTLED_SPEED = 0.01  # m/s: a vertex moving faster than this over the last frame is not settled
SETTLED_FRACTION = 0.015  # settled: at most this share of the vertices still moving
GATES = {  # name -> (threshold, comparison)
    "max_penetration_mm": (2.0, "<="),
    "strain_p95": (0.05, "<="),
    "seam_gap_max_mm": (1.0, "<="),
    "moving_fraction": (SETTLED_FRACTION, "<="),
    "self_intersecting_edges": (0, "<="),
}
# The gates a drape must pass to be shown at all; strain is how tight the garment is on this
# body, a fit verdict (``neural.drape.size_advice``), never a failure of the simulation.
SIMULATION_GATES = ("max_penetration_mm", "seam_gap_max_mm", "moving_fraction",
                    "self_intersecting_edges")
TOO_SMALL_STRAIN = 0.15  # strain p95 past which a failed drape's reason blames the garment's size


def deformation_gradients(positions: np.ndarray, rest_uv: np.ndarray,
                          faces: np.ndarray) -> np.ndarray:
    """Each triangle's deformation gradient (F, 3, 2): 3D positions per unit of flat pattern,
    its columns the images of the pattern's x (weft) and y (warp) directions."""
    rest = np.stack([rest_uv[faces[:, 1]] - rest_uv[faces[:, 0]],
                     rest_uv[faces[:, 2]] - rest_uv[faces[:, 0]]], -1)
    now = np.stack([positions[faces[:, 1]] - positions[faces[:, 0]],
                    positions[faces[:, 2]] - positions[faces[:, 0]]], -1)
    return now @ _inverse_2x2(rest)


def _inverse_2x2(matrices: np.ndarray) -> np.ndarray:
    """Inverses of (N, 2, 2) matrices in closed form: about 10x quicker than batched
    ``np.linalg.inv``, and it starts no BLAS threads to fight busy neighbours for the cores."""
    a, b = matrices[:, 0, 0], matrices[:, 0, 1]
    c, d = matrices[:, 1, 0], matrices[:, 1, 1]
    adjugate = np.stack([np.stack([d, -b], -1), np.stack([-c, a], -1)], -2)
    return adjugate / (a * d - b * c)[:, None, None]


def yarn_strain(positions: np.ndarray, rest_uv: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Tensile strain of each triangle (F,): the larger stretch along weft or warp,
    max(0, |F x| - 1, |F y| - 1). Compression is left out: cloth buckles into folds instead."""
    stretch = np.linalg.norm(deformation_gradients(positions, rest_uv, faces), axis=1) - 1.0
    return np.maximum(stretch.max(1), 0.0)


def shear_degrees(positions: np.ndarray, rest_uv: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """How far (degrees) each triangle's weft and warp are from square (F,)."""
    gradient = deformation_gradients(positions, rest_uv, faces)
    weft, warp = gradient[:, :, 0], gradient[:, :, 1]
    cosine = np.einsum("ij,ij->i", weft, warp) / np.maximum(
        np.linalg.norm(weft, axis=1) * np.linalg.norm(warp, axis=1), 1e-12)
    return np.abs(90.0 - np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0))))


def nearest_surface(points: np.ndarray, body_vertices: np.ndarray, body_faces: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For each point: the closest body surface point, the distance (m), the surface normal
    there (vertex normals interpolated, so creases such as the armpit get the average of their
    two sides) and whether the point is inside (behind that normal)."""
    closest, distance, normals, inside, _, _ = _nearest(points, body_vertices, body_faces)
    return closest, distance, normals, inside


def _nearest(points: np.ndarray, vertices: np.ndarray, faces: np.ndarray):
    """``nearest_surface``'s four, and the closest point's triangle (n,) and its barycentric
    weights there (n, 3)."""
    import trimesh

    body = trimesh.Trimesh(vertices, faces, process=False)
    closest, distance, triangle = trimesh.proximity.closest_point(body, points)
    corners = faces[triangle]
    weights = trimesh.triangles.points_to_barycentric(vertices[corners], closest)
    normals = np.einsum("ij,ijk->ik", weights, body.vertex_normals[corners])
    normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)
    inside = np.einsum("ij,ij->i", points - closest, normals) < 0.0
    return closest, distance, normals, inside, triangle, weights


def penetration_depths(points: np.ndarray, body_vertices: np.ndarray,
                       body_faces: np.ndarray) -> np.ndarray:
    """Depth (m) of each point inside the body surface; 0 for points outside."""
    _, distance, _, inside = nearest_surface(points, body_vertices, body_faces)
    return np.where(inside, distance, 0.0)


RIM_WEIGHT = 1e-5  # a closest point with a barycentric weight this small lies on the far edge


def face_edges(faces: np.ndarray) -> np.ndarray:
    """(3F, 2) vertex pairs, smaller first: row 3f + i is the edge of face f opposite its
    vertex i (an edge shared by two faces appears twice)."""
    return np.sort(faces[:, [[1, 2], [2, 0], [0, 1]]], axis=2).reshape(-1, 2)


def rim_flags(faces: np.ndarray) -> np.ndarray:
    """Per face (F,) uint8, where an open surface's rim (its edges with one face) runs: bit i
    marks the edge opposite the face's vertex i, bit 3 + i the vertex i itself."""
    edges = face_edges(faces)
    _, slot, count = np.unique(edges, axis=0, return_inverse=True, return_counts=True)
    open_edge = (count[slot.ravel()] == 1).reshape(-1, 3)
    open_vertex = np.zeros(int(faces.max()) + 1 if len(faces) else 0, dtype=bool)
    open_vertex[edges[open_edge.ravel()].ravel()] = True
    return (open_edge @ np.array([1, 2, 4]) + open_vertex[faces] @ np.array([8, 16, 32])
            ).astype(np.uint8)


def on_rim(flags: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Whether closest points, given by their faces' ``rim_flags`` (n,) and barycentric
    ``weights`` (n, 3), lie on the rim: on an open edge, or on a vertex of one."""
    zero = weights <= RIM_WEIGHT
    edge = zero.sum(1) == 1
    vertex = zero.sum(1) == 2
    edge_bit = np.left_shift(1, np.argmax(zero, axis=1))
    vertex_bit = np.left_shift(8, np.argmax(~zero, axis=1))
    flags = flags.astype(np.int64)
    return (edge & ((flags & edge_bit) != 0)) | (vertex & ((flags & vertex_bit) != 0))


def sheet_depths(points: np.ndarray, vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Depth (m) of each point behind an open surface (a garment worn under: its normals face
    away from the body); 0 for points in front of it, and for points whose closest point is
    on its rim (past a hem the surface's plane does not say which side is in). Which side is
    judged as the cloth simulator's contacts judge it, by the pseudo-normal at the closest
    point (the face's own normal inside a face; across an edge or round a vertex, its faces'
    normals summed, weighted by angle): a crumpled sheet's interpolated vertex normals can
    point against a face of a fold."""
    import trimesh

    sheet = trimesh.Trimesh(vertices, faces, process=False)
    _, distance, _, _, triangle, weights = _nearest(points, vertices, faces)
    closest = np.einsum("ij,ijk->ik", weights, vertices[faces[triangle]])
    face_normals = sheet.face_normals
    zero = weights <= RIM_WEIGHT
    normals = face_normals[triangle].copy()
    edge, vertex = zero.sum(1) == 1, zero.sum(1) == 2
    if edge.any():  # the edge opposite the zero weight: both its faces
        unique, slot = np.unique(face_edges(faces), axis=0, return_inverse=True)
        summed = np.zeros((len(unique), 3))
        np.add.at(summed, slot.ravel(), np.repeat(face_normals, 3, axis=0))
        mine = slot.reshape(-1, 3)[triangle[edge], np.argmax(zero[edge], axis=1)]
        normals[edge] = summed[mine]
    if vertex.any():
        around = np.zeros((len(vertices), 3))
        np.add.at(around, faces.ravel(),
                  (sheet.face_angles[:, :, None] * face_normals[:, None]).reshape(-1, 3))
        normals[vertex] = around[faces[triangle[vertex], np.argmax(~zero[vertex], axis=1)]]
    inside = np.einsum("ij,ij->i", points - closest, normals) < 0.0
    rim = on_rim(rim_flags(faces)[triangle], weights)
    return np.where(inside & ~rim, distance, 0.0)


def self_intersecting_edges(positions: np.ndarray, faces: np.ndarray,
                            seam_pairs: np.ndarray) -> int:
    """How many of the garment's mesh edges pass through one of its own triangles (triangles
    that share a vertex with the edge left out; vertices sewn together count as one). Each edge
    is tested as a segment against the triangles near it only (Moller-Trumbore)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    count = len(positions)
    sewn = coo_matrix((np.ones(len(seam_pairs)), (seam_pairs[:, 0], seam_pairs[:, 1])),
                      shape=(count, count))
    root = connected_components(sewn, directed=False)[1]  # one label per sewn-together group
    edges = np.unique(np.sort(np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]],
                                              faces[:, [2, 0]]]), 1), axis=0)
    edge, triangle = _segments_near_triangles(positions, edges, faces)
    corners, ends = root[faces[triangle]], root[edges[edge]]
    keep = ~(corners[:, :, None] == ends[:, None, :]).any((1, 2))
    edge, triangle = edge[keep], triangle[keep]
    crossing = _segments_cross_triangles(positions[edges[edge, 0]], positions[edges[edge, 1]],
                                         positions[faces[triangle]])
    return int(len(np.unique(edge[crossing])))


def _segments_near_triangles(positions: np.ndarray, edges: np.ndarray,
                             faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Candidate (edge, triangle) index pairs: those whose bounding spheres overlap."""
    from scipy.spatial import cKDTree

    middles = positions[edges].mean(1)
    half_lengths = np.linalg.norm(positions[edges[:, 1]] - positions[edges[:, 0]], axis=1) / 2
    centroids = positions[faces].mean(1)
    radii = np.linalg.norm(positions[faces] - centroids[:, None], axis=2).max(1)
    reach = float(half_lengths.max() + radii.max()) if len(faces) else 0.0
    pairs = cKDTree(middles).query_ball_tree(cKDTree(centroids), reach)
    sizes = np.fromiter(map(len, pairs), dtype=np.int64, count=len(pairs))
    edge = np.repeat(np.arange(len(edges)), sizes)
    triangle = np.fromiter((t for near in pairs for t in near), dtype=np.int64,
                           count=int(sizes.sum()))
    return edge, triangle


def _segments_cross_triangles(starts: np.ndarray, ends: np.ndarray,
                              corners: np.ndarray) -> np.ndarray:
    """Whether each segment (N, 3) -> (N, 3) passes through the inside of its triangle
    (N, 3, 3); touching at either end (within 1 um) does not count."""
    direction = ends - starts
    length = np.linalg.norm(direction, axis=1)
    side1, side2 = corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0]
    h = np.cross(direction, side2)
    det = np.einsum("ij,ij->i", side1, h)
    usable = np.abs(det) > 1e-18
    inverse = np.where(usable, 1.0 / np.where(usable, det, 1.0), 0.0)
    s = starts - corners[:, 0]
    u = inverse * np.einsum("ij,ij->i", s, h)
    q = np.cross(s, side1)
    v = inverse * np.einsum("ij,ij->i", direction, q)
    along = inverse * np.einsum("ij,ij->i", side2, q) * length  # metres from the start
    return (usable & (u >= 0) & (v >= 0) & (u + v <= 1)
            & (along > 1e-6) & (along < length - 1e-6))


def fit_report(positions, rest_uv, faces, seam_pairs, body_vertices, body_faces,
               speeds: np.ndarray | None = None,
               sheets: list[tuple[np.ndarray, np.ndarray]] = ()) -> dict:
    """The numbers and gates that go into fit.json; ``speeds`` (V,) m/s over the last frame
    give ``moving_fraction``, the share of vertices faster than ``SETTLED_SPEED``. Penetration
    is the deepest into the body or behind any of ``sheets`` (the garments worn under, open
    surfaces: ``sheet_depths``), each measured on its own."""
    strain = yarn_strain(positions, rest_uv, faces)
    depth = penetration_depths(positions, body_vertices, body_faces)
    for sheet_vertices, sheet_faces in sheets:
        depth = np.maximum(depth, sheet_depths(positions, sheet_vertices, sheet_faces))
    gaps = np.linalg.norm(positions[seam_pairs[:, 0]] - positions[seam_pairs[:, 1]], axis=1)
    values = {
        "strain_p50": round(float(np.percentile(strain, 50)), 4),
        "strain_p95": round(float(np.percentile(strain, 95)), 4),
        "strain_max": round(float(strain.max()), 4),
        "shear_p95_deg": round(float(np.percentile(shear_degrees(positions, rest_uv, faces), 95)),
                               1),
        "vertices_inside_body": int((depth > 0).sum()),
        "max_penetration_mm": round(float(depth.max() * 1000), 2),
        "seam_gap_max_mm": round(float(gaps.max() * 1000), 2),
        "self_intersecting_edges": self_intersecting_edges(positions, faces, seam_pairs),
    }
    if speeds is not None:
        values["moving_fraction"] = round(float((speeds > SETTLED_SPEED).mean()), 4)
    gates = {}
    for name, (threshold, op) in GATES.items():
        if name not in values:
            continue
        value = values[name]
        gates[name] = {"threshold": threshold, "value": value,
                       "pass": bool(value <= threshold if op == "<=" else value >= threshold)}
    return values | {"gates": gates}


def failed_simulation_gates(report: dict) -> list[str]:
    """The simulation gates (``SIMULATION_GATES``) that a ``fit_report`` (or fit.json) fails."""
    gates = report["gates"]
    return [name for name in SIMULATION_GATES if name in gates and not gates[name]["pass"]]


def failure_reason(report: dict) -> str:
    """What is wrong with a drape, in words, from the simulation gates it fails ("" if none):
    "12 vertices inside the body (deepest 29.6 mm, 2 mm allowed); ...", and, where the cloth
    is stretched past ``TOO_SMALL_STRAIN`` but neither deep in the body (5 mm) nor through
    itself, that the garment looks too small for the body (a garment that cannot go round it
    presses on it and does not come to rest; a badly placed one is torn through it instead)."""
    gates, parts = report["gates"], []
    for name in failed_simulation_gates(report):
        value, limit = gates[name]["value"], gates[name]["threshold"]
        if name == "max_penetration_mm":
            parts.append(f"{report['vertices_inside_body']} vertices inside the body (deepest "
                         f"{value:g} mm, {limit:g} mm allowed)")
        elif name == "seam_gap_max_mm":
            parts.append(f"seams open by up to {value:g} mm ({limit:g} mm allowed)")
        elif name == "moving_fraction":
            parts.append(f"{value * 100:.1f} % of the cloth still moving "
                         f"({limit * 100:g} % allowed)")
        else:
            parts.append(f"{value} edges through the garment itself")
    pressed = report["self_intersecting_edges"] == 0 and report["max_penetration_mm"] <= 5.0
    if parts and pressed and report["strain_p95"] > TOO_SMALL_STRAIN:
        parts.append(f"stretched {report['strain_p95'] * 100:.0f} % (p95): the garment looks "
                     f"too small for this body")
    return "; ".join(parts)


def drape_failure(fit: dict) -> str | None:
    """Why a drape (fit.json's document) must not be shown as a try-on, or None when it may:
    its ``simulation`` verdict or, in a fit.json written before there was one, its gates."""
    if "simulation" in fit:
        return None if fit["simulation"]["passed"] else fit["simulation"]["reason"]
    return failure_reason(fit) or None
