"""Body measurements on a rest-pose mesh, after the ISO 8559-1:2017 definitions size charts use.

Input: the mesh (Z-up, metres, feet on z = 0, facing -Y, wearer's left towards +X) and joint
centres (see ``JOINTS``) in the same frame. Outputs are centimetres, one decimal.
Girths follow a tape: the convex hull of a section loop (``neural.body.tape``). Horizontal levels
that are placed by proportion of stature are scaled from a 1.70 m reference body.
"""
from __future__ import annotations

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
    "of the chest or bust, under the armpits (largest torso girth from the armpit down 70 % of "
    "the way to the waist).",
    "underbust_girth": "Under-bust girth: horizontal girth of the torso just below the breasts "
    "(the level, 2-12 cm under the bust level, where the front of the torso lies furthest back).",
    "waist_girth": "Waist girth: horizontal girth at the natural waistline between the lowest "
    "ribs and the top of the hip bones (smallest torso girth between 52 % and 68 % of stature).",
    "hip_girth": "Hip girth: horizontal girth at the level of the greatest buttock prominence "
    "(largest torso girth from 3 cm above the crotch to 55 % of stature).",
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
    "spine's surface contour to the waist level.",
}
ORDER = tuple(DEFINITIONS)
REFERENCE_STATURE = 1.70  # m; fixed offsets below are for a body of this height
UP = np.array([0.0, 0.0, 1.0])


@dataclass
class Levels:
    """Heights (m) of the horizontal landmarks found on the body."""

    stature: float
    crotch: float
    waist: float
    chest: float
    waist_girth: float  # m, the torso girth at ``waist``
    chest_girth: float  # m, the torso girth at ``chest``


def measure_body(vertices: np.ndarray, faces: np.ndarray,
                 joints: dict[str, np.ndarray]) -> dict[str, float]:
    """All measurements (cm, one decimal) of a rest-pose body mesh with its joint centres."""
    tape = Tape(vertices, faces)
    stature = float(vertices[:, 2].max() - vertices[:, 2].min())
    unit = stature / REFERENCE_STATURE
    levels = _levels(tape, vertices, joints, stature, unit)
    acromions = {side: _acromion(tape, joints[f"shoulder.{side}"], unit) for side in SIDES}
    values = {
        "stature": levels.stature,
        "neck_girth": tape.girth(*_neck_plane(joints)),
        "chest_girth": levels.chest_girth,
        "underbust_girth": _torso_girth(tape, joints, _underbust_level(tape, joints, levels, unit)),
        "waist_girth": levels.waist_girth,
        "hip_girth": _torso_girth(tape, joints, _hip_level(levels, lambda z: _torso_girth(
            tape, joints, z), unit)),
        "shoulder_width": abs(acromions["L"][0] - acromions["R"][0]),
        "arm_length": np.mean([_arm_length(acromions[s], joints, s) for s in SIDES]),
        "upper_arm_girth": np.mean([_upper_arm_girth(tape, joints, s) for s in SIDES]),
        "inseam": levels.crotch,
        "thigh_girth": np.mean([tape.girth(*_thigh_plane(joints, levels, unit, s)) for s in SIDES]),
        "calf_girth": np.mean([_calf_girth(tape, joints, s) for s in SIDES]),
        "back_length": _back_length(tape, joints, levels, unit),
    }
    return {name: round(float(values[name]) * 100.0, 1) for name in ORDER}


def girth_planes(vertices: np.ndarray, faces: np.ndarray, joints: dict[str, np.ndarray]
                 ) -> dict[str, list[tuple[np.ndarray, np.ndarray]]]:
    """The planes (a point on the body part's axis, the normal) where ``measure_body`` takes the
    chest, under-bust, waist, hip and thigh girths of this body; the measurement is the mean of
    the girths in its planes (both legs for the thigh)."""
    tape = Tape(vertices, faces)
    stature = float(vertices[:, 2].max() - vertices[:, 2].min())
    unit = stature / REFERENCE_STATURE
    levels = _levels(tape, vertices, joints, stature, unit)
    torso = {"chest_girth": levels.chest, "waist_girth": levels.waist,
             "underbust_girth": _underbust_level(tape, joints, levels, unit),
             "hip_girth": _hip_level(levels, lambda z: _torso_girth(tape, joints, z), unit)}
    planes = {name: [(_torso_axis(joints, z), UP)] for name, z in torso.items()}
    planes["thigh_girth"] = [_thigh_plane(joints, levels, unit, side) for side in SIDES]
    return planes


def _levels(tape: Tape, vertices: np.ndarray, joints: dict, stature: float,
            unit: float) -> Levels:
    midline = vertices[(np.abs(vertices[:, 0]) < 0.01 * unit) & (vertices[:, 2] < 0.6 * stature)]
    crotch = float(midline[:, 2].min())
    armpit = _armpit_level(tape, joints, unit)
    waist_levels = np.linspace(0.52, 0.68, 17) * stature
    waist_levels = waist_levels[waist_levels < armpit - 0.05 * unit]
    waist_girths = [_torso_girth(tape, joints, z) for z in waist_levels]
    waist_index = int(np.argmin(waist_girths))
    waist = float(waist_levels[waist_index])
    chest_levels = np.linspace(armpit - 0.7 * (armpit - waist), armpit - 0.01 * unit, 12)
    chest_girths = [_torso_girth(tape, joints, z) for z in chest_levels]
    chest_index = int(np.argmax(chest_girths))
    return Levels(stature, crotch, waist, float(chest_levels[chest_index]),
                  waist_girths[waist_index], chest_girths[chest_index])


def _at_height(a: np.ndarray, b: np.ndarray, z: float) -> np.ndarray:
    """The point at height ``z`` on the line through points ``a`` and ``b``."""
    return a + (z - a[2]) / (b[2] - a[2]) * (b - a)


def _torso_axis(joints: dict, z: float) -> np.ndarray:
    """The point at height ``z`` on the line from the mid-hip joint centre to the neck base."""
    return _at_height((joints["hip.L"] + joints["hip.R"]) / 2, joints["neck_base"], z)


def _torso_girth(tape: Tape, joints: dict, z: float) -> float:
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


def _underbust_level(tape: Tape, joints: dict, levels: Levels, unit: float) -> float:
    """Height where the front of the torso lies furthest back, 2-12 cm under the bust level."""
    best_z, best_front = levels.chest, -np.inf
    for z in np.linspace(levels.chest - 0.02 * unit, levels.chest - 0.12 * unit, 21):
        if z <= levels.waist:
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


def _hip_level(levels: Levels, torso_girth, unit: float) -> float:
    """Height of the largest torso girth from 3 cm above the crotch to 55 % of stature."""
    levels_z = np.linspace(levels.crotch + 0.03 * unit, 0.55 * levels.stature, 14)
    return float(max(levels_z, key=torso_girth))


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
    the waist level."""
    points = []
    for z in np.linspace(joints["neck_base"][2], levels.waist, 40):
        axis = _torso_axis(joints, z)
        loop = tape.loop_around(axis, UP)
        if loop is None:
            continue
        back = loop[np.abs(loop[:, 0]) < 0.01 * unit]  # near the midline
        if len(back):
            points.append((axis[1] + back[:, 1].max(), z))
    return polyline_length(np.array(points)) if len(points) > 1 else 0.0
