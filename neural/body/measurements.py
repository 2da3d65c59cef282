"""Body measurements on a rest-pose (A-pose) mesh, after ISO 8559-1:2017 definitions.

Input mesh: Z-up, metres, feet on z = 0, facing -Y, wearer's left towards +X.
Outputs are centimetres. Girths follow a tape held horizontally: the convex hull of the
torso's horizontal cross-section (a tape bridges hollows such as between the breasts).
"""
from __future__ import annotations

import numpy as np

DEFINITIONS = {
    "stature": "ISO 8559-1 5.1.1 stature: vertical distance from the standing surface to the "
    "highest point of the head (vertex).",
    "chest_girth": "ISO 8559-1 5.3.4 chest girth: horizontal girth of the torso at the level of "
    "the most prominent point of the chest, under the armpits (maximum girth between armpit "
    "and 70 % of the armpit-to-waist drop).",
    "waist_girth": "ISO 8559-1 5.3.10 waist girth: horizontal girth at the natural waistline "
    "between the lowest ribs and the top of the hip bones (minimum torso girth between 52 % "
    "and 68 % of stature).",
    "hip_girth": "ISO 8559-1 5.3.13 hip girth: horizontal girth at the level of the greatest "
    "buttock prominence (maximum girth between the crotch and 55 % of stature).",
    "inseam": "ISO 8559-1 5.1.15 inside leg length: vertical distance from the crotch to the "
    "standing surface.",
    "shoulder_width": "ISO 8559-1 5.4.2 biacromial shoulder width: horizontal distance between "
    "the left and right acromion points (the highest point of each shoulder above the "
    "shoulder joint).",
}
ORDER = tuple(DEFINITIONS)


def measure_body(vertices: np.ndarray, faces: np.ndarray) -> dict[str, float]:
    """All measurements (cm, one decimal) of a rest-pose body mesh."""
    stature = float(vertices[:, 2].max() - vertices[:, 2].min())
    crotch_z = _crotch_height(vertices, stature)
    armpit_z = _armpit_height(vertices, faces, stature)
    waist_levels = np.linspace(0.52, 0.68, 17) * stature
    waist_levels = waist_levels[waist_levels < armpit_z - 0.05]
    waist_girths = [_torso_girth(vertices, faces, z) for z in waist_levels]
    waist = min(waist_girths)
    waist_z = waist_levels[int(np.argmin(waist_girths))]
    chest_levels = np.linspace(armpit_z - 0.7 * (armpit_z - waist_z), armpit_z - 0.01, 12)
    chest = max(_torso_girth(vertices, faces, z) for z in chest_levels)
    hip_levels = np.linspace(crotch_z + 0.03, 0.55 * stature, 14)
    hip = max(_torso_girth(vertices, faces, z) for z in hip_levels)
    values = {
        "stature": stature,
        "chest_girth": chest,
        "waist_girth": waist,
        "hip_girth": hip,
        "inseam": crotch_z,
        "shoulder_width": _biacromial_width(vertices, stature),
    }
    return {name: round(values[name] * 100.0, 1) for name in ORDER}


def _crotch_height(vertices: np.ndarray, stature: float) -> float:
    """Height of the crotch: the lowest point of the body on its mid-sagittal line."""
    midline = vertices[(np.abs(vertices[:, 0]) < 0.01) & (vertices[:, 2] < 0.6 * stature)]
    return float(midline[:, 2].min())


def _armpit_height(vertices: np.ndarray, faces: np.ndarray, stature: float) -> float:
    """Highest level at which the torso's cross-section is still separate from the arms."""
    for z in np.linspace(0.80 * stature, 0.62 * stature, 37):
        loops = _section_loops(vertices, faces, z)
        if len(loops) >= 3 and _torso_loop(loops) is not None:
            return float(z)
    return 0.72 * stature


def _torso_girth(vertices: np.ndarray, faces: np.ndarray, z: float) -> float:
    """Convex-hull perimeter (m) of the cross-section loop at height ``z`` around the midline."""
    loop = _torso_loop(_section_loops(vertices, faces, z))
    return 0.0 if loop is None else _hull_perimeter(loop)


def _section_loops(vertices: np.ndarray, faces: np.ndarray, z: float) -> list[np.ndarray]:
    """Closed 2D (x, y) polylines where the plane at height ``z`` cuts the mesh."""
    import trimesh

    mesh = trimesh.Trimesh(vertices, faces, process=False)
    section = mesh.section(plane_origin=[0.0, 0.0, z], plane_normal=[0.0, 0.0, 1.0])
    if section is None:
        return []
    return [np.asarray(path)[:, :2] for path in section.discrete if len(path) >= 3]


def _torso_loop(loops: list[np.ndarray]) -> np.ndarray | None:
    """The loop that encloses the body's vertical axis (x = 0), i.e. the torso, not a limb."""
    best = None
    for loop in loops:
        if loop[:, 0].min() < 0.0 < loop[:, 0].max() and _contains_midline(loop):
            if best is None or len(loop) > len(best):
                best = loop
    return best


def _contains_midline(loop: np.ndarray) -> bool:
    """Whether the loop's centroid-x line crosses it twice around x = 0 (ray test at y mean)."""
    y_mid = loop[:, 1].mean()
    x0, y0 = loop[:, 0], loop[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    crosses = (y0 > y_mid) != (y1 > y_mid)
    x_cross = x0[crosses] + (y_mid - y0[crosses]) * (x1[crosses] - x0[crosses]) / (
        y1[crosses] - y0[crosses]
    )
    return bool(np.sum(x_cross > 0.0) % 2 == 1)


def _hull_perimeter(points: np.ndarray) -> float:
    from scipy.spatial import ConvexHull

    hull = points[ConvexHull(points).vertices]
    return float(np.linalg.norm(hull - np.roll(hull, 1, axis=0), axis=1).sum())


def _biacromial_width(vertices: np.ndarray, stature: float) -> float:
    """Distance between the acromions: per side, the highest vertex above the shoulder joint.

    The shoulder joint's lateral position is taken where the torso is widest at 80-82 % of
    stature; the acromion is the top of the shoulder within 2 cm inside of that.
    """
    band = vertices[(vertices[:, 2] > 0.79 * stature) & (vertices[:, 2] < 0.83 * stature)]
    widths = []
    for side in (1.0, -1.0):
        lateral = (band[:, 0] * side).max()
        near = band[(band[:, 0] * side) > lateral - 0.04]
        widths.append(abs(near[np.argmax(near[:, 2]), 0]))
    return float(sum(widths))
