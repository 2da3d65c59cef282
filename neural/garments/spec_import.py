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
from neural.garments.layout import Y_UP_TO_LAYOUT, finish_layout, orient_seams
from neural.garments.pattern import Edge, Panel, PanelLayout, Pattern, Seam

CURVE_SAMPLES = 24  # points per curved edge, before meshing resamples by arc length


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
    return orient_seams(finish_layout(pattern))


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
    layout = PanelLayout(Y_UP_TO_LAYOUT @ spec_rotation, Y_UP_TO_LAYOUT @ translation)
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


def _seam(stitch: list) -> Seam:
    """A stitch: two {panel, edge} ends, then GarmentCode's optional "right_wrong" flag."""
    a, b, *flags = stitch
    return Seam((a["panel"], f"e{int(a['edge'])}"), (b["panel"], f"e{int(b['edge'])}"),
                right_to_wrong="right_wrong" in flags)
