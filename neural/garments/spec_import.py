"""Sewing patterns made elsewhere: GarmentCode / Garment-Pattern-Generator JSON specifications.

The format (both projects): ``pattern.panels`` maps a name to ``vertices`` (2D), ``edges``
(``endpoints`` [i, j] around the outline, optional ``curvature``), ``translation`` and
``rotation`` (extrinsic x-y-z Euler angles, degrees) placing the panel around their body (Y-up,
front +Z); ``pattern.stitches`` pairs ``{panel, edge}`` sides; ``properties.units_in_meter``
gives the unit (100: cm, 300 in Garment-Pattern-Generator). Curvature is relative to the edge:
a point (t, s) lies at start + t * (end - start) + s * rot90(end - start). Garment-Pattern-
Generator writes one quadratic control point as a list; GarmentCode writes
``{"type": "quadratic" | "cubic", "params": [[t, s], ...]}`` or ``{"type": "circle",
"params": [radius, large_arc, right]}``.

The result is a ``Pattern`` whose panels carry their layout (see ``neural.garments.pattern``)
so that draping can wrap them around any body.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from neural.errors import InputError
from neural.garments.pattern import Edge, Panel, PanelLayout, Pattern, Seam

CURVE_SAMPLES = 24  # points per curved edge, before meshing resamples by arc length
# Spec frame (Y-up, front +Z) -> layout frame (Z-up, front -Y): a proper rotation.
SPEC_TO_LAYOUT = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
ARM_OFFSET_M = 0.2  # panels centred further than this from the midline, facing front or back,
#                     are sleeves


def read_pattern_spec(path: str | os.PathLike) -> Pattern:
    """A GarmentCode / Garment-Pattern-Generator specification file -> ``Pattern`` (cm)."""
    path = Path(path)
    try:
        spec = json.loads(path.read_text())
        panels_spec = spec["pattern"]["panels"]
        stitches = spec["pattern"]["stitches"]
        units_in_meter = float(spec.get("properties", {}).get("units_in_meter", 100))
    except FileNotFoundError as error:
        raise InputError(f"pattern file not found: {path}") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"pattern file is not valid JSON: {path}") from error
    except (KeyError, TypeError, ValueError) as error:
        raise InputError(f"not a GarmentCode pattern specification (no {error}): {path}") from error
    if not panels_spec or not stitches:
        raise InputError(f"pattern specification has no panels or no stitches: {path}")
    cm_per_unit = 100.0 / units_in_meter
    try:
        panels = [_panel(name, p, cm_per_unit) for name, p in panels_spec.items()]
        seams = [_seam(stitch) for stitch in stitches]
    except (KeyError, IndexError, TypeError, ValueError) as error:
        raise InputError(f"malformed pattern specification ({error!r}): {path}") from error
    pattern = Pattern(path.stem, "as designed", panels, seams)
    try:
        for seam in seams:
            pattern.seam_edges(seam)
    except StopIteration as error:
        raise InputError(f"a stitch names a panel or edge that does not exist: {path}") from error
    _classify_and_orient(pattern)
    _set_anchor(pattern)
    return pattern


def _panel(name: str, spec: dict, cm_per_unit: float) -> Panel:
    from scipy.spatial.transform import Rotation

    vertices = np.asarray(spec["vertices"], dtype=float) * cm_per_unit
    edges = []
    for i, edge in enumerate(spec["edges"]):
        start, end = vertices[edge["endpoints"][0]], vertices[edge["endpoints"][1]]
        edges.append(Edge(f"e{i}", _edge_points(start, end, edge.get("curvature"), cm_per_unit)))
    for previous, following in zip(edges, edges[1:] + edges[:1]):
        if np.linalg.norm(previous.points[-1] - following.points[0]) > 1e-6:
            raise ValueError(f"panel {name}: edges do not form a loop")
    spec_rotation = Rotation.from_euler("xyz", spec.get("rotation", [0, 0, 0]),
                                        degrees=True).as_matrix()
    translation = np.asarray(spec.get("translation", [0, 0, 0]), dtype=float) * cm_per_unit / 100
    layout = PanelLayout(SPEC_TO_LAYOUT @ spec_rotation, SPEC_TO_LAYOUT @ translation)
    return Panel(name, "layout", edges, layout=layout)


def _edge_points(start: np.ndarray, end: np.ndarray, curvature, cm_per_unit: float) -> np.ndarray:
    """Points (k, 2) cm from ``start`` to ``end`` along the edge's curve."""
    if curvature is None:
        return np.stack([start, end])
    chord = end - start
    normal = np.array([-chord[1], chord[0]])

    def absolute(relative) -> np.ndarray:
        t, s = relative
        return start + t * chord + s * normal

    if isinstance(curvature, list):  # Garment-Pattern-Generator: one quadratic control point
        return _bezier([start, absolute(curvature), end])
    kind, params = curvature["type"], curvature["params"]
    if kind == "quadratic":
        return _bezier([start, absolute(params[0]), end])
    if kind == "cubic":
        return _bezier([start, absolute(params[0]), absolute(params[1]), end])
    if kind == "circle":
        radius, large_arc, right = params
        return _arc(start, end, float(radius) * cm_per_unit, bool(large_arc), bool(right))
    raise ValueError(f"unknown curvature type {kind!r}")


def _bezier(control: list[np.ndarray]) -> np.ndarray:
    """``CURVE_SAMPLES`` + 1 points on the Bezier curve with these control points."""
    from math import comb

    t = np.linspace(0.0, 1.0, CURVE_SAMPLES + 1)[:, None]
    n = len(control) - 1
    return sum(comb(n, i) * t ** i * (1 - t) ** (n - i) * np.asarray(p) for i, p in
               enumerate(control))


def _arc(start: np.ndarray, end: np.ndarray, radius: float, large_arc: bool, right: bool
         ) -> np.ndarray:
    """Circular arc of ``radius`` from start to end, bulging to the right of start -> end when
    ``right``, the longer of the two arcs when ``large_arc``."""
    chord = end - start
    length = float(np.linalg.norm(chord))
    radius = max(radius, length / 2)
    left = np.array([-chord[1], chord[0]]) / length
    bulge = -left if right else left
    # the centre lies on the bulge's side for the long arc, the other side for the short one
    offset = np.sqrt(max(radius ** 2 - (length / 2) ** 2, 0.0))
    centre = (start + end) / 2 + (bulge if large_arc else -bulge) * offset
    a0 = np.arctan2(*(start - centre)[::-1])
    a1 = np.arctan2(*(end - centre)[::-1])
    sweep = (a1 - a0) % (2 * np.pi)
    middle = a0 + sweep / 2
    if np.dot([np.cos(middle), np.sin(middle)], bulge) < 0:
        sweep -= 2 * np.pi  # go round the other way, through the bulge
    angles = a0 + np.linspace(0.0, sweep, CURVE_SAMPLES + 1)
    points = centre + radius * np.stack([np.cos(angles), np.sin(angles)], -1)
    points[0], points[-1] = start, end
    return points


def _seam(stitch: list[dict]) -> Seam:
    a, b = stitch
    return Seam((a["panel"], f"e{int(a['edge'])}"), (b["panel"], f"e{int(b['edge'])}"))


def _classify_and_orient(pattern: Pattern) -> None:
    """Tag panels front / back / side / sleeve.L / sleeve.R from their layout; mirror panels seen
    from inside so every panel's outline is counter-clockwise seen from outside; pick each
    seam's direction from where its edges lie in the layout."""
    placed = {p.name: p.layout.place(p.outline()) for p in pattern.panels}
    normals = {p.name: p.layout.normal for p in pattern.panels}
    centres = {name: points.mean(0) for name, points in placed.items()}
    for panel in pattern.panels:
        c, n = centres[panel.name], normals[panel.name]
        if abs(c[0]) > ARM_OFFSET_M and abs(n[1]) > abs(n[0]):
            panel.placement = "sleeve.L" if c[0] > 0 else "sleeve.R"
    trunk = [p for p in pattern.panels if not p.placement.startswith("sleeve")]
    if not trunk:
        raise InputError("pattern has no body panels (only sleeves)")
    trunk_points = np.concatenate([placed[p.name] for p in trunk])
    centre_y = (trunk_points[:, 1].max() + trunk_points[:, 1].min()) / 2
    for panel in pattern.panels:
        c = centres[panel.name]
        if panel.placement.startswith("sleeve"):
            group = [centres[p.name] for p in pattern.panels if p.placement == panel.placement]
            outward = c - np.mean(group, axis=0)
        else:
            outward = np.array([c[0], c[1] - centre_y, 0.0])
            dy = c[1] - centre_y
            panel.placement = ("front" if dy < 0 else "back") if abs(dy) > abs(c[0]) else "side"
        if np.dot(normals[panel.name], outward) < 0:
            _mirror(panel)
    for i, seam in enumerate(pattern.seams):
        ea, eb = pattern.seam_edges(seam)
        pa = pattern.panel(seam.a[0]).layout.place(ea.points[[0, -1]])
        pb = pattern.panel(seam.b[0]).layout.place(eb.points[[0, -1]])
        crossed = np.linalg.norm(pa[0] - pb[1]) + np.linalg.norm(pa[1] - pb[0])
        straight = np.linalg.norm(pa[0] - pb[0]) + np.linalg.norm(pa[1] - pb[1])
        if straight < crossed:
            pattern.seams[i] = Seam(seam.a, seam.b, same_direction=True)


def _mirror(panel: Panel) -> None:
    """Mirror the panel's 2D frame (x -> -x), keeping where its points sit in the layout: a half
    turn about the panel's y axis, so the layout's third column becomes the outward normal."""
    flip = np.array([-1.0, 1.0])
    for edge in panel.edges:
        edge.points = edge.points * flip
    panel.grain = (-panel.grain[0], panel.grain[1])
    panel.layout = PanelLayout(panel.layout.rotation @ np.diag([-1.0, 1.0, -1.0]),
                               panel.layout.translation)


def _set_anchor(pattern: Pattern) -> None:
    """Hang the layout from the shoulders when front and back panels meet in a shoulder seam
    (a seam in the upper half that runs more across than down), else from the waist; shift the
    layout so that z = 0 is that level."""
    trunk = [p for p in pattern.panels if not p.placement.startswith("sleeve")]
    heights = np.concatenate([p.layout.place(p.outline())[:, 2] for p in trunk])
    middle = (heights.max() + heights.min()) / 2
    shoulder_tops = []
    for seam in pattern.seams:
        placements = {pattern.panel(seam.a[0]).placement, pattern.panel(seam.b[0]).placement}
        if placements != {"front", "back"}:
            continue
        edge = pattern.seam_edges(seam)[0]
        points = pattern.panel(seam.a[0]).layout.place(edge.points)
        rise = np.ptp(points[:, 2])
        run = np.linalg.norm(np.ptp(points[:, :2], axis=0))
        if rise < run and points[:, 2].min() > middle:
            shoulder_tops.append(points[:, 2].max())
    if shoulder_tops:
        pattern.anchor, level = "shoulders", max(shoulder_tops)
    else:
        pattern.anchor, level = "waist", heights.max()
    for panel in pattern.panels:
        panel.layout = PanelLayout(panel.layout.rotation,
                                   panel.layout.translation - np.array([0.0, 0.0, level]))
