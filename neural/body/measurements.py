"""Body measurements on a rest-pose mesh, after the ISO 8559-1:2017 definitions size charts use.

Input: the mesh (Z-up, metres, feet on z = 0, facing -Y, wearer's left towards +X) and joint
centres (see ``JOINTS``) in the same frame. Outputs are centimetres, one decimal.
Girths follow a tape: the convex hull of a section loop (``neural.body.tape``). Horizontal levels
that are placed by proportion of stature are scaled from a 1.70 m reference body.

A mesh from a body template (Anny) can bring ``TemplateLandmarks``: which faces are the arms, so
the torso's tape never takes in an arm resting against it and the armpit is where the arm's
surface meets the torso's, and vertices marking the lower edge of the breasts, the natural waist
and the buttocks, near which the under-bust, waist and hip levels are taken. Plain meshes go
without: those levels are then searched for over wider ranges of horizontal sections.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from neural.body.tape import Tape, densify, polyline_length

# Joint centres the measurements use as landmarks (names; ".L" / ".R" for both sides).
JOINTS = ("neck_base", "head_base", "shoulder", "elbow", "wrist", "hip", "knee", "ankle")
SIDES = ("L", "R")

DEFINITIONS = {
    "stature": "Stature: vertical distance from the standing surface to the top of the head.",
    "neck_girth": "Neck girth: girth of the neck, perpendicular to its axis, one third of the "
    "way from the neck base (7th cervical vertebra level) to the skull base.",
    "chest_girth": "Chest/bust girth: horizontal girth of the torso at the most prominent point "
    "of the chest or bust, under the armpits (largest torso girth, arms left out, from the "
    "armpit down 70 % of the way to the waist).",
    "underbust_girth": "Under-bust girth: horizontal girth of the torso just below the breasts "
    "(at the body template's landmark on the lower edge of the breasts; on a mesh without a "
    "template, the level 2-12 cm under the bust where the front of the torso lies furthest back).",
    "waist_girth": "Waist girth: horizontal girth at the natural waistline between the lowest "
    "ribs and the top of the hip bones (smallest torso girth within 4 cm of the body template's "
    "waist landmark; between 52 % and 68 % of stature on a mesh without a template).",
    "hip_girth": "Hip girth: horizontal girth at the level of the greatest buttock prominence "
    "(largest torso girth within 5 cm of the body template's buttock landmark, at least 3 cm "
    "above the crotch; from 3 cm above the crotch to 55 % of stature on a mesh without a "
    "template).",
    "shoulder_width": "Shoulder width (biacromial): horizontal distance between the left and right "
    "acromion points (the top of each shoulder above the shoulder joint).",
    "arm_length": "Arm length: from the acromion over the elbow to the wrist (mean of both arms).",
    "upper_arm_girth": "Upper-arm girth: girth of the upper arm perpendicular to its axis, "
    "midway between the shoulder joint and the elbow (mean of both arms).",
    "inseam": "Inside leg length: vertical distance from the crotch to the standing surface.",
    "thigh_girth": "Thigh girth: horizontal girth of the thigh at its highest level, just below "
    "the gluteal fold (2 cm under the crotch; mean of both legs).",
    "calf_girth": "Calf girth: largest horizontal girth of the lower leg between 10 % and 60 % "
    "of the way from knee to ankle (mean of both legs).",
    "back_length": "Back waist length: from the cervicale (back of the neck base) down the "
    "spine's surface contour to the waist level (the body template's waist landmark, which "
    "moves with the spine, not with where the belly makes the torso narrowest).",
}
ORDER = tuple(DEFINITIONS)
# Bumped whenever a definition changes, so stored ground truth is measured again (bench-data).
MEASUREMENT_VERSION = 2
REFERENCE_STATURE = 1.70  # m; fixed offsets below are for a body of this height
WAIST_REACH = 0.04  # m: the waist is the smallest girth this far from the template's waist
HIP_REACH = 0.05  # m: the hip is the largest girth this far from the template's buttocks
UP = np.array([0.0, 0.0, 1.0])


@dataclass(frozen=True)
class TemplateLandmarks:
    """What a body template's fixed topology tells the tape about any body made from it."""

    arm_faces: np.ndarray  # (F,) bool: faces of the arms and hands
    seam_vertices: np.ndarray  # vertices shared by arm faces and the rest: the arms' seams
    underbust_vertices: tuple[int, ...]  # vertices on the lower edge of the breasts
    waist_vertices: tuple[int, ...]  # vertices at the natural waist of the average body
    buttock_vertices: tuple[int, ...]  # the buttocks' most prominent points on the average body


@dataclass
class Levels:
    """Heights (m) of the horizontal landmarks found on the body, and two girths (m)."""

    stature: float
    crotch: float
    waist: float
    waist_mark: float  # the template's waist landmark (``waist`` on a mesh without a template)
    chest: float
    underbust: float
    hip: float
    waist_girth: float  # at ``waist``
    chest_girth: float  # at ``chest``


def measure_body(vertices: np.ndarray, faces: np.ndarray, joints: dict[str, np.ndarray],
                 landmarks: TemplateLandmarks | None = None) -> dict[str, float]:
    """All measurements (cm, one decimal) of a rest-pose body mesh with its joint centres."""
    tape = Tape(vertices, faces)
    armless = armless_tape(vertices, faces, landmarks)
    levels = torso_levels(armless, joints, landmarks)
    unit = levels.stature / REFERENCE_STATURE
    acromions = {side: _acromion(tape, joints[f"shoulder.{side}"], unit) for side in SIDES}
    values = {
        "stature": levels.stature,
        "neck_girth": tape.girth(*_neck_plane(joints)),
        "chest_girth": levels.chest_girth,
        "underbust_girth": torso_girth(armless, joints, levels.underbust),
        "waist_girth": levels.waist_girth,
        "hip_girth": torso_girth(armless, joints, levels.hip),
        "shoulder_width": abs(acromions["L"][0] - acromions["R"][0]),
        "arm_length": np.mean([_arm_length(acromions[s], joints, s) for s in SIDES]),
        "upper_arm_girth": np.mean([_upper_arm_girth(tape, joints, s) for s in SIDES]),
        "inseam": levels.crotch,
        "thigh_girth": np.mean([armless.girth(*_thigh_plane(joints, levels, unit, s))
                                for s in SIDES]),
        "calf_girth": np.mean([_calf_girth(tape, joints, s) for s in SIDES]),
        "back_length": _back_length(tape, joints, levels, unit),
    }
    return {name: round(float(values[name]) * 100.0, 1) for name in ORDER}


def girth_touches(vertices: np.ndarray, faces: np.ndarray, joints: dict[str, np.ndarray],
                  landmarks: TemplateLandmarks | None = None
                  ) -> dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray] | None]]:
    """Where ``measure_body``'s tape touches this body for the chest, under-bust, waist, hip and
    thigh girths: per plane of the measurement (both legs for the thigh, whose girth is their
    mean), the cut edges and t of ``Tape.tape_edges`` and the plane's normal; None where the
    plane finds no section."""
    armless = armless_tape(vertices, faces, landmarks)
    levels = torso_levels(armless, joints, landmarks)
    unit = levels.stature / REFERENCE_STATURE
    heights = {"chest_girth": levels.chest, "waist_girth": levels.waist,
               "underbust_girth": levels.underbust, "hip_girth": levels.hip}
    planes = {name: [(_torso_axis(joints, z), UP)] for name, z in heights.items()}
    planes["thigh_girth"] = [_thigh_plane(joints, levels, unit, side) for side in SIDES]
    return {name: [_touching(armless, point, normal) for point, normal in each]
            for name, each in planes.items()}


def _touching(tape: Tape, point: np.ndarray, normal: np.ndarray):
    found = tape.tape_edges(point, normal)
    return None if found is None else (*found, normal)


def torso_levels(armless: Tape, joints: dict[str, np.ndarray],
                 landmarks: TemplateLandmarks | None = None) -> Levels:
    """The torso's horizontal levels (m) found on the body of ``armless`` (see ``armless_tape``)."""
    vertices = armless.vertices
    stature = float(vertices[:, 2].max() - vertices[:, 2].min())
    return _levels(armless, vertices, joints, stature, stature / REFERENCE_STATURE, landmarks)


def armless_tape(vertices: np.ndarray, faces: np.ndarray,
                  landmarks: TemplateLandmarks | None) -> Tape:
    """The tape for torso and thigh girths: all faces but the arms' when the template says which
    (an arm resting against the body is not under the tape)."""
    return Tape(vertices, faces if landmarks is None else faces[~landmarks.arm_faces])


def _levels(tape: Tape, vertices: np.ndarray, joints: dict, stature: float, unit: float,
            landmarks: TemplateLandmarks | None) -> Levels:
    """The torso's levels, on ``tape`` (sections without the arms where the template allows)."""
    midline = vertices[(np.abs(vertices[:, 0]) < 0.01 * unit) & (vertices[:, 2] < 0.6 * stature)]
    crotch = float(midline[:, 2].min())
    girth = functools.partial(torso_girth, tape, joints)
    if landmarks is None:
        armpit = _armpit_level(tape, joints, unit)
        waist_levels = np.linspace(0.52, 0.68, 17) * stature
        hip_levels = np.linspace(crotch + 0.03 * unit, 0.55 * stature, 14)
    else:
        armpit = _seam_armpit_level(vertices[landmarks.seam_vertices])
        waist_mark = float(vertices[list(landmarks.waist_vertices), 2].mean())
        waist_levels = waist_mark + np.linspace(-WAIST_REACH, WAIST_REACH, 9) * unit
        hip_levels = vertices[list(landmarks.buttock_vertices), 2].mean() + np.linspace(
            -HIP_REACH, HIP_REACH, 9) * unit
        hip_levels = hip_levels[hip_levels >= crotch + 0.03 * unit]
    waist = min(waist_levels[waist_levels < armpit - 0.05 * unit], key=girth)
    chest = max(np.linspace(armpit - 0.7 * (armpit - waist), armpit - 0.01 * unit, 12),
                key=girth)
    if landmarks is None:
        underbust = _underbust_search(tape, joints, chest, waist, unit)
        waist_mark = waist
    else:
        underbust = min(max(vertices[list(landmarks.underbust_vertices), 2].mean(), waist), chest)
    return Levels(stature, crotch, float(waist), float(waist_mark), float(chest),
                  float(underbust), float(max(hip_levels, key=girth)), girth(waist),
                  girth(chest))


def _at_height(a: np.ndarray, b: np.ndarray, z: float) -> np.ndarray:
    """The point at height ``z`` on the line through points ``a`` and ``b``."""
    return a + (z - a[2]) / (b[2] - a[2]) * (b - a)


def _torso_axis(joints: dict, z: float) -> np.ndarray:
    """The point at height ``z`` on the line from the mid-hip joint centre to the neck base."""
    return _at_height((joints["hip.L"] + joints["hip.R"]) / 2, joints["neck_base"], z)


def torso_girth(tape: Tape, joints: dict, z: float) -> float:
    """Horizontal tape girth (m) around the torso's axis at height ``z``."""
    return tape.girth(_torso_axis(joints, z), UP)


def _armpit_level(tape: Tape, joints: dict, unit: float) -> float:
    """Highest level under the shoulders where the torso's section no longer takes in the arms
    (its half-width is less than the shoulder joints' distance from the midline)."""
    shoulder_z = min(joints["shoulder.L"][2], joints["shoulder.R"][2])
    reach = min(abs(joints["shoulder.L"][0]), abs(joints["shoulder.R"][0]))
    for z in np.arange(shoulder_z, shoulder_z - 0.25 * unit, -0.005 * unit):
        loop = tape.loop_around(_torso_axis(joints, z), UP)
        if loop is not None and np.abs(loop[:, 0]).max() < reach:
            return float(z)
    return float(shoulder_z - 0.12 * unit)


def _seam_armpit_level(points: np.ndarray) -> float:
    """Mean over both arms of the lowest point of the seam (points) where the arm meets the
    torso."""
    return float(np.mean([points[side, 2].min() for side in (points[:, 0] > 0, points[:, 0] < 0)]))


def _underbust_search(tape: Tape, joints: dict, chest: float, waist: float,
                      unit: float) -> float:
    """Height, 2-12 cm under the bust level, where the front of the torso lies furthest back."""
    best_z, best_front = chest, -np.inf
    for z in np.linspace(chest - 0.02 * unit, chest - 0.12 * unit, 21):
        if z <= waist:
            break
        loop = tape.loop_around(_torso_axis(joints, z), UP)
        if loop is not None:
            front = _front_extent(loop)
            if front > best_front:
                best_z, best_front = z, front
    return float(best_z)


def _front_extent(loop: np.ndarray) -> float:
    """Y of the front (-Y side) of a horizontal loop (plane coordinates x, y)."""
    return float(loop[:, 1].min())


def _neck_plane(joints: dict) -> tuple[np.ndarray, np.ndarray]:
    base, top = joints["neck_base"], joints["head_base"]
    return base + (top - base) / 3.0, top - base


def _acromion(tape: Tape, shoulder: np.ndarray, unit: float) -> np.ndarray:
    """The lateral end of the shoulder's top, on the frontal section through the shoulder joint.

    The section's upper outline is traced outwards in 5 mm steps from the joint; the acromion is
    the last step still within 1.5 cm of the height above the joint, before the outline drops
    down the arm.
    """
    outline = np.concatenate([densify(loop, 0.002 * unit)
                              for loop in tape.loops(shoulder, np.array([0.0, 1.0, 0.0]))])
    outline = outline[outline[:, 2] > shoulder[2]]
    lateral = (outline[:, 0] - shoulder[0]) * np.sign(shoulder[0])
    step = 0.005 * unit
    acromion, top_at_joint = shoulder, None
    for offset in np.arange(0.0, 0.10 * unit, step):
        column = outline[(lateral >= offset) & (lateral < offset + step)]
        if not len(column):
            break
        top = column[np.argmax(column[:, 2])]
        top_at_joint = top[2] if top_at_joint is None else top_at_joint
        if top[2] < top_at_joint - 0.015 * unit:
            break
        acromion = top
    return acromion


def _arm_length(acromion: np.ndarray, joints: dict, side: str) -> float:
    elbow, wrist = joints[f"elbow.{side}"], joints[f"wrist.{side}"]
    return float(np.linalg.norm(elbow - acromion) + np.linalg.norm(wrist - elbow))


def _upper_arm_girth(tape: Tape, joints: dict, side: str) -> float:
    shoulder, elbow = joints[f"shoulder.{side}"], joints[f"elbow.{side}"]
    return tape.girth((shoulder + elbow) / 2, elbow - shoulder)


def _thigh_plane(joints: dict, levels: Levels, unit: float, side: str
                 ) -> tuple[np.ndarray, np.ndarray]:
    z = levels.crotch - 0.02 * unit
    return _at_height(joints[f"hip.{side}"], joints[f"knee.{side}"], z), UP


def _calf_girth(tape: Tape, joints: dict, side: str) -> float:
    knee, ankle = joints[f"knee.{side}"], joints[f"ankle.{side}"]
    girths = [tape.girth(knee + t * (ankle - knee), UP) for t in np.linspace(0.1, 0.6, 11)]
    return max(girths)


def _back_length(tape: Tape, joints: dict, levels: Levels, unit: float) -> float:
    """Arc length of the back's midline contour from the neck base (cervicale level) down to
    the waist landmark's level."""
    points = []
    for z in np.linspace(joints["neck_base"][2], levels.waist_mark, 40):
        axis = _torso_axis(joints, z)
        loop = tape.loop_around(axis, UP)
        if loop is None:
            continue
        back = loop[np.abs(loop[:, 0]) < 0.01 * unit]  # near the midline
        if len(back):
            points.append((axis[1] + back[:, 1].max(), z))
    return polyline_length(np.array(points)) if len(points) > 1 else 0.0
