"""Initial 3D placement of pattern panels around a rest-pose (A-pose) body.

Body frame: Z-up, metres, feet on z = 0, facing -Y, wearer's left +X. Body panels wrap
elliptic cylinders around the trunk; sleeves wrap a cone around each arm's axis. Built-in
garments say where each panel goes by tag (front, back, sleeve.L/R); imported patterns carry a
layout (``neural.garments.pattern.PanelLayout``) that is wrapped onto this body by arc length.
Seams start open; the solver's seam springs close them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neural.garments.meshing import GarmentMesh
from neural.garments.pattern import Pattern

CLEARANCE_M = 0.03  # body panels start this far out from the body, at least
SLEEVE_EASE_M = 0.02  # a sleeve starts on a circle this much wider in radius than itself (and
#                       by as much more as the clearance is over ``CLEARANCE_M``)
ELBOW_BEND_M = 0.1  # an imported sleeve's axis turns from upper arm to forearm over 2 x this


@dataclass(frozen=True)
class BodyLandmarks:
    """Points of the rest-pose body that placement needs (metres)."""

    shoulder_l: np.ndarray  # shoulder joint, wearer's left
    elbow_l: np.ndarray
    wrist_l: np.ndarray
    neck_top_z: float  # height of the shoulder line beside the neck
    waist_z: float  # height of the natural waist
    crotch_z: float  # lowest point of the trunk on the midline, between the legs
    torso_half_width: float
    torso_half_depth: float
    torso_centre_y: float
    trunk: np.ndarray  # (n, 3) body vertices that are not on the arms or hands
    upper_arm_radius: float  # the upper arm's surface from its axis (90th percentile)


def body_landmarks(vertices: np.ndarray, keypoints: dict[str, np.ndarray], waist_z: float,
                   arm_vertices: np.ndarray) -> BodyLandmarks:
    """Landmarks from the rest mesh, its COCO keypoints (same frame), the waist height and a
    (V,) mask of the arms' and hands' vertices."""
    shoulder, elbow = keypoints["left_shoulder"], keypoints["left_elbow"]
    half_shoulders = abs(shoulder[0])
    band = vertices[(vertices[:, 2] > keypoints["left_hip"][2] + 0.1)
                    & (vertices[:, 2] < shoulder[2] - 0.08)
                    & (np.abs(vertices[:, 0]) < 0.8 * half_shoulders)]
    near_neck = vertices[(np.abs(np.abs(vertices[:, 0]) - 0.4 * half_shoulders) < 0.01)
                         & (vertices[:, 2] < keypoints["nose"][2] - 0.12)]
    trunk = vertices[~arm_vertices]
    midline = trunk[(np.abs(trunk[:, 0]) < 0.01) & (trunk[:, 2] < waist_z)]
    return BodyLandmarks(
        shoulder_l=shoulder,
        elbow_l=elbow,
        wrist_l=keypoints["left_wrist"],
        neck_top_z=float(near_neck[:, 2].max()),
        waist_z=float(waist_z),
        crotch_z=float(midline[:, 2].min()),
        torso_half_width=float(np.abs(band[:, 0]).max()),
        torso_half_depth=float((band[:, 1].max() - band[:, 1].min()) / 2),
        torso_centre_y=float((band[:, 1].max() + band[:, 1].min()) / 2),
        trunk=trunk,
        upper_arm_radius=_upper_arm_radius(vertices[arm_vertices], shoulder, elbow),
    )


def _upper_arm_radius(arm: np.ndarray, shoulder: np.ndarray, elbow: np.ndarray) -> float:
    """The left upper arm's radius (m): 90th percentile of its vertices' distances from the
    shoulder-elbow axis over the lower half of the upper arm (nearer the shoulder the deltoid
    and armpit lie far from the joints' axis)."""
    axis = elbow - shoulder
    t = (arm - shoulder) @ axis / (axis @ axis)
    upper = (arm[:, 0] > 0) & (t > 0.4) & (t < 0.8)
    offsets = arm[upper] - shoulder - t[upper, None] * axis
    return float(np.percentile(np.linalg.norm(offsets, axis=1), 90))


def place_panels(pattern: Pattern, mesh: GarmentMesh, body: BodyLandmarks,
                 clearance: float = CLEARANCE_M) -> np.ndarray:
    """3D start positions (V, 3) for every garment vertex, body panels at least ``clearance``
    (m) out from the body."""
    if all(panel.layout is not None for panel in pattern.panels):
        return place_by_layout(pattern, mesh, body, clearance)
    positions = np.zeros((len(mesh.uv), 3))
    width = pattern.measurements["width"] / 100.0
    a = body.torso_half_width + clearance
    b = body.torso_half_depth + clearance
    grow = max(1.0, width / _half_ellipse_perimeter(a, b))
    a, b = a * grow, b * grow
    top = pattern.measurements["length"] / 100.0
    for panel, (start, end) in zip(pattern.panels, mesh.ranges):
        uv = mesh.uv[start:end]
        if panel.placement in ("front", "back", "front.L", "front.R"):
            front = panel.placement.startswith("front")
            outer = 0.01 if panel.placement == "front.L" else 0.0  # it laps over the right
            xy = _ellipse_arc(a + outer, b + outer, uv[:, 0] * (1.0 if front else -1.0), front)
            xy[:, 1] += body.torso_centre_y
            z = body.neck_top_z + 0.015 - (top - uv[:, 1])
            positions[start:end] = np.column_stack([xy, z])
        elif panel.placement == "collar":
            positions[start:end] = _collar_positions(uv, body)
        elif panel.placement == "hood":
            positions[start:end] = _hood_positions(uv, body)
        else:
            positions[start:end] = _sleeve_positions(panel.placement, uv, pattern, body, a,
                                                     _sleeve_ease(clearance))
    return positions


def push_out_of_body(positions: np.ndarray, body_vertices: np.ndarray, body_faces: np.ndarray,
                     clearance: float = 0.005) -> np.ndarray:
    """Start positions with every point that lies inside the body (or closer than
    ``clearance`` to it, metres) moved out along the nearest surface's normal: the solver's
    collisions push cloth out of the body only from outside. Each point moves by its own
    depth, so points whose nearest surface point is one body vertex or edge stay apart (placing
    them all on that point collapsed cloth triangles to zero area)."""
    from neural.drape.fit_metrics import nearest_surface

    moved, todo = positions.copy(), np.arange(len(positions))
    for _ in range(4):  # at a body edge or corner one move can land inside a neighbouring face
        _, distance, normals, inside = nearest_surface(moved[todo], body_vertices, body_faces)
        height = np.where(inside, -distance, distance)  # signed, along the normal
        near = inside | (distance < clearance * 0.99)
        todo = todo[near]  # only the points just moved are checked again
        if not len(todo):
            break
        moved[todo] += normals[near] * (clearance - height[near])[:, None]
    return moved


def _half_ellipse_perimeter(a: float, b: float) -> float:
    """Half the perimeter of an ellipse (Ramanujan's approximation)."""
    h = ((a - b) / (a + b)) ** 2
    return np.pi * (a + b) * (1 + 3 * h / (10 + np.sqrt(4 - 3 * h))) / 2


def _ellipse_arc(a: float, b: float, arc: np.ndarray, front: bool) -> np.ndarray:
    """Points at signed arc length ``arc`` (towards +X) from the front (-Y) or back (+Y) pole."""
    angles = np.linspace(-np.pi, np.pi, 2049)
    pole = -np.pi / 2 if front else np.pi / 2
    theta = pole + (angles if front else -angles)
    pts = np.stack([a * np.cos(theta), b * np.sin(theta)], -1)
    lengths = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(pts, axis=0), axis=1))])
    lengths -= lengths[len(angles) // 2]
    return np.stack([np.interp(arc, lengths, pts[:, 0]), np.interp(arc, lengths, pts[:, 1])], -1)


def _sleeve_ease(clearance: float) -> float:
    return SLEEVE_EASE_M + clearance - CLEARANCE_M


def _sleeve_positions(placement: str, uv: np.ndarray, pattern: Pattern, body: BodyLandmarks,
                      torso_a: float, ease: float) -> np.ndarray:
    """Wrap a sleeve around its arm: cap at the torso's side, the cap's middle on top; past the
    elbow a long sleeve follows the forearm."""
    m = pattern.measurements
    cap_half, hem_half, length = m["armhole"] / 100, m["sleeve_hem"] / 100, m["sleeve_length"] / 100
    along = (length - uv[:, 1])  # distance from the cap
    half_width = cap_half + (hem_half - cap_half) * (1 - uv[:, 1] / length)
    radius = 2 * half_width / (2 * np.pi) + ease
    return _round_the_arm(body, placement[-1], torso_a, along, np.pi * uv[:, 0] / half_width,
                          radius)


def _round_the_arm(body: BodyLandmarks, side: str, trunk_half_width: float, along: np.ndarray,
                   phi: np.ndarray, radius: np.ndarray | float, bend_m: float = 0.0
                   ) -> np.ndarray:
    """Points (n, 3) round the arm of ``side`` ("L"/"R"): ``along`` (m) the arm from where it
    leaves a trunk of that half width, ``phi`` (rad) round it from the top (towards +Y on the
    left arm, -Y on the right), ``radius`` (m) from its axis. The axis is the upper arm's up to
    the elbow and the forearm's past it, turning over ``bend_m`` either side of the elbow (0: a
    sharp turn, whose inside folds a wide sleeve over itself)."""
    start, axis, up, lateral = _arm_frame(body, body.elbow_l, side, trunk_half_width)
    _, fore, fore_up, fore_lateral = _arm_frame(body, body.wrist_l, side, trunk_half_width,
                                                start_l=body.elbow_l)
    elbow = body.elbow_l * np.array([1.0 if side == "L" else -1.0, 1.0, 1.0])
    to_elbow = float((elbow - start) @ axis)
    into = np.clip(along - (to_elbow - bend_m), 0.0, 2 * bend_m)  # how far into the turn
    turned = into / (2 * bend_m) if bend_m > 0 else (along > to_elbow).astype(float)
    centre = (start + (np.minimum(along, to_elbow - bend_m) + into)[:, None] * axis
              + np.maximum(along - to_elbow - bend_m, 0.0)[:, None] * fore)
    if bend_m > 0:  # the axis direction turns linearly with the distance into the turn
        centre += (into ** 2 / (4 * bend_m))[:, None] * (fore - axis)

    def blend(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        mixed = (1 - turned)[:, None] * a + turned[:, None] * b
        return mixed / np.linalg.norm(mixed, axis=1, keepdims=True)

    ring = np.cos(phi)[:, None] * blend(up, fore_up) + np.sin(phi)[:, None] * blend(lateral,
                                                                                    fore_lateral)
    return centre + np.broadcast_to(radius, along.shape)[:, None] * ring


def _collar_positions(uv: np.ndarray, body: BodyLandmarks) -> np.ndarray:
    """A band collar stood round the neck, its lower edge at the shoulder line beside the neck,
    starting at the centre front (-Y) and going round the wearer's left (+X) first."""
    base = body.neck_top_z + 0.015
    trunk = body.trunk
    neck = trunk[(np.abs(trunk[:, 2] - (base + 0.03)) < 0.015) & (np.abs(trunk[:, 0]) < 0.1)]
    return _round_the_back(uv[:, 0], 0.0, uv[:, 0].max(), neck[:, :2], 0.01, base + uv[:, 1])


def _hood_positions(uv: np.ndarray, body: BodyLandmarks, clearance: float = 0.02) -> np.ndarray:
    """A hood stood up round the neck and head: each row of the flat panel round the back (its
    middle at the back, its slanted sides towards the centre front), clear of the head, from the
    shoulder line beside the neck up."""
    base = body.neck_top_z + 0.015
    trunk = body.trunk
    head = trunk[(trunk[:, 2] > base) & (np.abs(trunk[:, 0]) < 0.12)]
    positions = np.empty((len(uv), 3))
    rows = np.round(uv[:, 1] / 0.01).astype(int)
    for row in np.unique(rows):
        mine = rows == row
        z = base + uv[mine, 1]
        near = head[np.abs(head[:, 2] - min(z.mean(), head[:, 2].max() - 0.02)) < 0.015]
        low, high = uv[mine, 0].min(), uv[mine, 0].max()
        if np.sum(np.abs(rows - row) <= 1) > np.sum(mine):  # the row's full width from neighbours
            wide = uv[np.abs(rows - row) <= 1, 0]
            low, high = wide.min(), wide.max()
        positions[mine] = _round_the_back(uv[mine, 0], low, high, near[:, :2], clearance, z)
    return positions


def _round_the_back(u: np.ndarray, low: float, high: float, section: np.ndarray,
                    clearance: float, z: np.ndarray) -> np.ndarray:
    """Points at pattern coordinate ``u`` (m) of a row running from ``low`` to ``high`` laid
    unstretched on a circle round a body ``section`` ((n, 2) XY points, m), its middle at the
    back (+Y): the circle is clear of the section by ``clearance``, or larger so the row goes
    once round; a row shorter than the circle leaves a gap at the front. Returns (n, 3)."""
    centre = section.mean(0)
    width = max(high - low, 1e-3)
    radius = max(width / (2 * np.pi),
                 np.linalg.norm(section - centre, axis=1).max() + clearance)
    theta = np.pi / 2 + (u - (low + high) / 2) / radius
    return np.column_stack([centre[0] + radius * np.cos(theta),
                            centre[1] + radius * np.sin(theta), z])


def _arm_frame(body: BodyLandmarks, end_l: np.ndarray, side: str, trunk_half_width: float,
               start_l: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A sleeve's frame on the arm of ``side`` ("L"/"R"): where it starts (the axis from
    ``start_l``, the shoulder unless given, to ``end_l`` leaving a trunk of that half width),
    the axis, and the unit vectors across it: ``up`` (towards +Z) and ``lateral`` (across the
    axis and ``up``, towards +Y on the left arm and -Y on the right). ``start_l`` and ``end_l``
    are points of the left arm (shoulder, elbow or wrist), mirrored for the right."""
    mirror = np.array([1.0 if side == "L" else -1.0, 1.0, 1.0])
    shoulder = (body.shoulder_l if start_l is None else start_l) * mirror
    end = end_l * mirror
    axis = (end - shoulder) / np.linalg.norm(end - shoulder)
    up = np.array([0.0, 0.0, 1.0]) - axis * axis[2]
    up /= np.linalg.norm(up)
    start = shoulder + axis * max(0.0, (trunk_half_width - abs(shoulder[0]))
                                  / max(abs(axis[0]), 1e-3))
    lateral = np.cross(axis, up)
    return start, axis, up, lateral if lateral[1] * mirror[0] >= 0 else -lateral


def place_by_layout(pattern: Pattern, mesh: GarmentMesh, body: BodyLandmarks,
                    clearance: float = CLEARANCE_M) -> np.ndarray:
    """3D start positions (V, 3) from the panels' layouts, fitted to this body.

    The layout's z = 0 goes to the body's shoulder line (or waist). Body panels keep their
    heights and are wrapped by arc length around ellipses that enclose the trunk at each height
    (grown where the garment is wider than the body), starting from the pole the panel faces;
    below the crotch, trouser legs wrap their own leg the same way.
    Sleeves keep their length along the arm and are wrapped around it, top edge on top.
    """
    level = body.neck_top_z + 0.015 if pattern.anchor == "shoulders" else body.waist_z
    layout = {}
    for panel, (start, end) in zip(pattern.panels, mesh.ranges):
        points = panel.layout.place(mesh.uv[start:end] * 100.0)
        points[:, 2] += level
        layout[panel.name] = (points, slice(start, end))
    positions = np.zeros((len(mesh.uv), 3))
    trunk_panels = [p for p in pattern.panels if not p.placement.startswith("sleeve")]
    rings = _Rings(body.trunk, [(layout[p.name][0], p.layout.normal) for p in trunk_panels],
                   clearance)
    trunk_y = np.concatenate([layout[p.name][0][:, 1] for p in trunk_panels])
    garment_centre = np.array([0.0, (trunk_y.max() + trunk_y.min()) / 2])
    for panel in trunk_panels:
        points, where = layout[panel.name]
        positions[where] = rings.wrap(points, panel.layout.normal, garment_centre)
    _wrap_legs(pattern, trunk_panels, layout, positions, body, clearance)
    in_trunk = _vertices_of(trunk_panels, layout, len(mesh.uv))
    for side in ("L", "R"):
        sleeves = [p for p in pattern.panels if p.placement == f"sleeve.{side}"]
        if sleeves:
            cap = _sewn_to_trunk(pattern, sleeves, mesh, layout)
            if not len(cap):  # a sleeve sewn to nothing: start from its point nearest the body
                group = np.concatenate([layout[p.name][0] for p in sleeves])
                cap = group[[np.argmin(np.abs(group[:, 0]))]]
            pairs = mesh.seam_pairs
            to_trunk = pairs[_vertices_of(sleeves, layout, len(mesh.uv))[pairs].any(1)
                             & in_trunk[pairs].any(1)]
            # the way round that lands the cap nearest the armhole it is sewn to (a tube's
            # flat panel does not say which of its halves is the front)
            tries = []
            for turn in (1.0, -1.0):
                trial = positions.copy()
                for panel, placed in _wrap_sleeves(sleeves, layout, cap, body, rings, turn,
                                                   _sleeve_ease(clearance)):
                    trial[layout[panel.name][1]] = placed
                gaps = np.linalg.norm(trial[to_trunk[:, 0]] - trial[to_trunk[:, 1]], axis=1)
                tries.append((gaps.mean() if len(gaps) else 0.0, -turn, trial))
            positions = min(tries, key=lambda t: t[:2])[2]
    return positions


def _vertices_of(panels, layout: dict, count: int) -> np.ndarray:
    """(count,) bool: the mesh vertices of ``panels``."""
    mask = np.zeros(count, dtype=bool)
    for panel in panels:
        mask[layout[panel.name][1]] = True
    return mask


class _Rings:
    """Per-height ellipses (metres) around part of the body, grown to the garment's own girth:
    the trunk, centred on the midline, or one leg below the crotch, centred on that leg."""

    STEP = 0.01

    def __init__(self, enclosed: np.ndarray, panels: list[tuple[np.ndarray, np.ndarray]],
                 clearance: float, on_midline: bool = True):
        heights = np.concatenate([points[:, 2] for points, _ in panels])
        self.z0 = heights.min()
        self.zs = np.arange(self.z0, heights.max() + self.STEP, self.STEP)
        low, high = enclosed[:, 2].min() + 0.02, enclosed[:, 2].max() - 0.02
        self.half_axes, self.centres = [], []
        girths = self._garment_girths(panels)
        for z, girth in zip(self.zs, girths):
            band = enclosed[np.abs(enclosed[:, 2] - np.clip(z, low, high)) < 0.03]
            if on_midline:
                centre_x, a = 0.0, np.abs(band[:, 0]).max() + clearance
            else:
                centre_x, a = (band[:, 0].max() + band[:, 0].min()) / 2, np.ptp(band[:, 0]) / 2 + clearance
            b = np.ptp(band[:, 1]) / 2 + clearance
            grow = max(1.0, girth / (2 * _half_ellipse_perimeter(a, b)))
            self.half_axes.append((a * grow, b * grow))
            self.centres.append((centre_x, (band[:, 1].max() + band[:, 1].min()) / 2))

    def _garment_girths(self, panels) -> np.ndarray:
        """Around-the-body width of the garment at each height: panel widths summed."""
        girths = np.zeros(len(self.zs))
        for points, normal in panels:
            across = points @ _across(normal)
            rows = np.round((points[:, 2] - self.z0) / self.STEP).astype(int)
            for row in np.unique(rows):
                near = np.abs(rows - row) <= 1
                girths[row] += np.ptp(across[near])
        return girths

    def half_width(self, z: float) -> float:
        row = int(np.clip(np.round((z - self.z0) / self.STEP), 0, len(self.zs) - 1))
        return self.half_axes[row][0]

    def wrap(self, points: np.ndarray, normal: np.ndarray, garment_centre: np.ndarray
             ) -> np.ndarray:
        """Layout points of one panel facing ``normal`` -> points on the rings; arc length is
        measured from where the ray from the garment's centre axis (x, y) along ``normal``
        meets the panel's plane."""
        facing = np.arctan2(normal[1], normal[0])
        horizontal = _horizontal(normal)
        pole_point = garment_centre + horizontal * np.dot(points[:, :2].mean(0) - garment_centre,
                                                          horizontal)
        arc = (points[:, :2] - pole_point) @ _across(normal)[:2]
        rows = np.clip(np.round((points[:, 2] - self.z0) / self.STEP).astype(int), 0,
                       len(self.zs) - 1)
        out = np.empty_like(points)
        out[:, 2] = points[:, 2]
        for row in np.unique(rows):
            mine = rows == row
            a, b = self.half_axes[row]
            angles = np.linspace(facing - np.pi, facing + np.pi, 1025)
            ring = np.stack([a * np.cos(angles), b * np.sin(angles)], -1)
            lengths = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(ring, axis=0),
                                                                      axis=1))])
            lengths -= lengths[512]
            theta = np.interp(arc[mine], lengths, angles)
            out[mine, 0] = a * np.cos(theta) + self.centres[row][0]
            out[mine, 1] = b * np.sin(theta) + self.centres[row][1]
        return out


def _leg_sides(pattern: Pattern, panels, layout: dict, crotch_z: float) -> dict[str, str]:
    """Panel name -> "L" / "R" for the panels of a trouser leg: their points below the crotch
    lie, in the median, more than 4 cm to one side of the midline, and they are not sewn to a
    panel that reaches below the crotch without being on a side (a skirt's gores straddle the
    midline or are sewn, gore by gore, to one that does)."""
    sides, reaches_below = {}, set()
    for panel in panels:
        points = layout[panel.name][0]
        below = points[points[:, 2] < crotch_z, 0]
        if len(below):
            reaches_below.add(panel.name)
        for side, sign in (("L", 1.0), ("R", -1.0)):
            if len(below) and np.median(below * sign) > 0.04:
                sides[panel.name] = side
    joined = [(seam.a[0], seam.b[0]) for seam in pattern.seams]
    changed = True
    while changed:
        changed = False
        for pair in joined:
            for mine, other in (pair, pair[::-1]):
                if mine in sides and other in reaches_below and other not in sides:
                    del sides[mine]
                    changed = True
    return sides


def _wrap_legs(pattern: Pattern, panels, layout: dict, positions: np.ndarray,
               body: BodyLandmarks, clearance: float) -> None:
    """Re-place, in ``positions``, the parts of trouser-leg panels below the crotch around
    their own leg (rings centred on the leg, arc length from the leg's own centre line)."""
    sides = _leg_sides(pattern, panels, layout, body.crotch_z)
    for side, sign in (("L", 1.0), ("R", -1.0)):
        legs = [p for p in panels if sides.get(p.name) == side]
        if not legs:
            continue
        trunk = body.trunk
        enclosed = trunk[(trunk[:, 0] * sign > 0) & (trunk[:, 2] < body.crotch_z)]
        below = {p.name: layout[p.name][0][:, 2] < body.crotch_z for p in legs}
        parts = [(layout[p.name][0][below[p.name]], p.layout.normal) for p in legs]
        rings = _Rings(enclosed, parts, clearance, on_midline=False)
        xy = np.concatenate([points[:, :2] for points, _ in parts])
        centre = (xy.max(0) + xy.min(0)) / 2
        for panel, (points, normal) in zip(legs, parts):
            where = np.arange(len(positions))[layout[panel.name][1]][below[panel.name]]
            positions[where] = rings.wrap(points, normal, centre)


def _horizontal(normal: np.ndarray) -> np.ndarray:
    """The unit horizontal (x, y) direction a panel with this normal faces."""
    flat = np.asarray(normal[:2], dtype=float)
    return flat / max(np.linalg.norm(flat), 1e-9)


def _across(normal: np.ndarray) -> np.ndarray:
    """Unit horizontal direction in the panel's plane, counter-clockwise seen from above."""
    h = _horizontal(normal)
    return np.array([-h[1], h[0], 0.0])


def _sewn_to_trunk(pattern: Pattern, sleeves, mesh: GarmentMesh, layout: dict) -> np.ndarray:
    """Layout points (n, 3) of the sleeve panels' vertices on seams with body panels."""
    names = {p.name for p in sleeves}
    trunk = {p.name for p in pattern.panels} - names
    sewn = [layout[mine[0]][0][mesh.edge_vertices[mine] - layout[mine[0]][1].start]
            for seam in pattern.seams for mine, other in ((seam.a, seam.b), (seam.b, seam.a))
            if mine[0] in names and other[0] in trunk]
    return np.concatenate(sewn) if sewn else np.zeros((0, 3))


def _wrap_sleeves(sleeves, layout: dict, cap: np.ndarray, body: BodyLandmarks, rings: _Rings,
                  turn: float, ease: float):
    """Yield (panel, positions) for the panels of one sleeve, wrapped around that arm as the
    built-in sleeves are (``ease`` round their own girth, at least that far from the upper
    arm): two halves each from the top line round their side, or one tube centred on top;
    ``turn`` -1 wraps them the other way round (front and back halves swapped).

    ``cap`` holds the layout points of the sleeve's edges sewn to body panels: the sleeve runs
    from their centre towards the centre of its panels.
    """
    group = np.concatenate([layout[p.name][0] for p in sleeves])
    design_axis = group.mean(0) - cap.mean(0)  # down the sleeve's middle, however it tapers
    design_axis /= np.linalg.norm(design_axis)
    t_min = (cap @ design_axis).min()
    side = "L" if group[:, 0].mean() > 0 else "R"
    trunk_half_width = rings.half_width(body.shoulder_l[2])
    lateral = _arm_frame(body, body.elbow_l, side, trunk_half_width)[3]
    widths, crosses = [], []
    for panel in sleeves:
        normal = panel.layout.normal
        cross = np.cross(normal, design_axis)
        cross = cross / np.linalg.norm(cross) * (np.sign(cross[2]) or 1.0)
        u = layout[panel.name][0] @ cross
        crosses.append((u, u.max()))
        widths.append(np.ptp(u))
    radius = max(body.upper_arm_radius, sum(widths) / (2 * np.pi)) + ease
    tube = len(sleeves) == 1  # one panel sewn to itself: its middle goes on top
    for panel, (u, u_top) in zip(sleeves, crosses):
        facing = np.sign(np.dot(panel.layout.normal, lateral)) or 1.0
        along = layout[panel.name][0] @ design_axis - t_min
        phi = ((u_top + u.min()) / 2 - u if tube else u_top - u) / radius
        yield panel, _round_the_arm(body, side, trunk_half_width, along, turn * facing * phi,
                                    radius, bend_m=ELBOW_BEND_M)
