"""Initial 3D placement of pattern panels around a rest-pose (A-pose) body.

Body frame: Z-up, metres, feet on z = 0, facing -Y, wearer's left +X. Front and back panels
wrap an elliptic cylinder around the torso; sleeves wrap a cone around each arm's axis.
Seams start open; the solver's seam springs close them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neural.garments.meshing import GarmentMesh
from neural.garments.pattern import Pattern


@dataclass(frozen=True)
class BodyLandmarks:
    """Points of the rest-pose body that placement needs (metres)."""

    shoulder_l: np.ndarray  # shoulder joint, wearer's left
    elbow_l: np.ndarray
    neck_top_z: float  # height of the shoulder line beside the neck
    torso_half_width: float
    torso_half_depth: float
    torso_centre_y: float


def body_landmarks(vertices: np.ndarray, keypoints: dict[str, np.ndarray]) -> BodyLandmarks:
    """Landmarks from the rest mesh and its COCO keypoints (same frame)."""
    shoulder, elbow = keypoints["left_shoulder"], keypoints["left_elbow"]
    half_shoulders = abs(shoulder[0])
    band = vertices[(vertices[:, 2] > keypoints["left_hip"][2] + 0.1)
                    & (vertices[:, 2] < shoulder[2] - 0.08)
                    & (np.abs(vertices[:, 0]) < 0.8 * half_shoulders)]
    near_neck = vertices[(np.abs(np.abs(vertices[:, 0]) - 0.4 * half_shoulders) < 0.01)
                         & (vertices[:, 2] < keypoints["nose"][2] - 0.12)]
    return BodyLandmarks(
        shoulder_l=shoulder,
        elbow_l=elbow,
        neck_top_z=float(near_neck[:, 2].max()),
        torso_half_width=float(np.abs(band[:, 0]).max()),
        torso_half_depth=float((band[:, 1].max() - band[:, 1].min()) / 2),
        torso_centre_y=float((band[:, 1].max() + band[:, 1].min()) / 2),
    )


def place_panels(pattern: Pattern, mesh: GarmentMesh, body: BodyLandmarks,
                 clearance: float = 0.03) -> np.ndarray:
    """3D start positions (V, 3) for every garment vertex."""
    positions = np.zeros((len(mesh.uv), 3))
    width = pattern.measurements["width"] / 100.0
    a = body.torso_half_width + clearance
    b = body.torso_half_depth + clearance
    grow = max(1.0, width / _half_ellipse_perimeter(a, b))
    a, b = a * grow, b * grow
    top = pattern.measurements["length"] / 100.0
    for panel, (start, end) in zip(pattern.panels, mesh.ranges):
        uv = mesh.uv[start:end]
        if panel.placement in ("front", "back"):
            direction = 1.0 if panel.placement == "front" else -1.0
            xy = _ellipse_arc(a, b, uv[:, 0] * direction, front=panel.placement == "front")
            xy[:, 1] += body.torso_centre_y
            z = body.neck_top_z + 0.015 - (top - uv[:, 1])
            positions[start:end] = np.column_stack([xy, z])
        else:
            positions[start:end] = _sleeve_positions(panel.placement, uv, pattern, body, a)
    return positions


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


def _sleeve_positions(placement: str, uv: np.ndarray, pattern: Pattern, body: BodyLandmarks,
                      torso_a: float) -> np.ndarray:
    """Wrap a sleeve around its arm: cap at the torso's side, the cap's middle on top."""
    side = 1.0 if placement.endswith("L") else -1.0
    mirror = np.array([side, 1.0, 1.0])
    shoulder, elbow = body.shoulder_l * mirror, body.elbow_l * mirror
    axis = (elbow - shoulder) / np.linalg.norm(elbow - shoulder)
    up = np.array([0.0, 0.0, 1.0]) - axis * axis[2]
    up /= np.linalg.norm(up)
    lateral = np.cross(axis, up)  # completes the frame; flip so the front half faces -Y
    if lateral[1] * side < 0:
        lateral = -lateral
    m = pattern.measurements
    cap_half, hem_half, length = m["armhole"] / 100, m["sleeve_hem"] / 100, m["sleeve_length"] / 100
    along = (length - uv[:, 1])  # distance from the cap
    half_width = cap_half + (hem_half - cap_half) * (1 - uv[:, 1] / length)
    radius = 2 * half_width / (2 * np.pi) + 0.02
    phi = np.pi * uv[:, 0] / half_width
    start = shoulder + axis * max(0.0, (torso_a - abs(shoulder[0])) / max(abs(axis[0]), 1e-3))
    return (start + along[:, None] * axis + radius[:, None]
            * (np.cos(phi)[:, None] * up + np.sin(phi)[:, None] * lateral))
