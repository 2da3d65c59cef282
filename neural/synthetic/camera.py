"""Pinhole cameras for synthetic photos, placed like a phone or camera held by another person.

World frame: Z-up, metres, the body at the origin facing -Y, soles on z = 0. Camera frame
(OpenCV): x right, y down, z forward. Image: pixels, origin top-left, principal point centred.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FULL_FRAME_DIAGONAL_MM = 43.27  # a 36 x 24 mm sensor: 35 mm-equivalent focal lengths
VIEW_AZIMUTH_DEG = {"front": 0.0, "side": 90.0}  # side: the camera sees the body's left


@dataclass(frozen=True)
class Camera:
    """Intrinsics in pixels and the camera's pose in the world."""

    width: int
    height: int
    focal_px: float
    position: tuple[float, float, float]
    target: tuple[float, float, float]

    def rotation(self) -> np.ndarray:
        """World-to-camera rotation (3, 3), rows = camera x, y, z axes in the world."""
        forward = np.subtract(self.target, self.position)
        forward /= np.linalg.norm(forward)
        right = np.cross(forward, [0.0, 0.0, 1.0])
        right /= np.linalg.norm(right)
        down = np.cross(forward, right)
        return np.stack([right, down, forward])

    def project(self, points: np.ndarray) -> np.ndarray:
        """(N, 3) world points -> (N, 2) pixel coordinates."""
        local = (np.asarray(points) - self.position) @ self.rotation().T
        uv = local[:, :2] / local[:, 2:3] * self.focal_px
        return uv + np.array([self.width / 2.0, self.height / 2.0])

    def opengl_pose(self) -> np.ndarray:
        """Camera-to-world (4, 4) in the OpenGL / Blender convention (looks down -Z, +Y up)."""
        pose = np.eye(4)
        rotation = self.rotation()
        pose[:3, 0], pose[:3, 1], pose[:3, 2] = rotation[0], -rotation[1], -rotation[2]
        pose[:3, 3] = self.position
        return pose

    def focal_mm_35(self) -> float:
        """The focal length as a 35 mm-equivalent, for reporting."""
        return self.focal_px * FULL_FRAME_DIAGONAL_MM / float(np.hypot(self.width, self.height))


def sample_camera(rng: np.random.Generator, view: str, stature: float, body_points: np.ndarray,
                  size: tuple[int, int] = (540, 720),
                  focal_mm: tuple[float, float] = (26.0, 55.0),
                  fill: tuple[float, float] = (0.55, 0.88)) -> Camera:
    """A camera for one view that frames the whole body, off-centre and tilted a little, with a
    35 mm-equivalent focal length drawn from ``focal_mm`` (uniform in its logarithm where the
    range spans more than 3:1: phone wide-angle to fashion telephoto), the body spanning a
    ``fill`` fraction of the image height.

    ``body_points`` (N, 3) are the posed body's vertices, used to keep it inside the frame.
    """
    width, height = size
    low, high = focal_mm
    focal = rng.uniform(low, high) if high <= 3 * low else float(
        np.exp(rng.uniform(np.log(low), np.log(high))))
    focal_px = focal / FULL_FRAME_DIAGONAL_MM * float(np.hypot(width, height))
    azimuth = np.radians(VIEW_AZIMUTH_DEG[view] + rng.uniform(-6.0, 6.0))
    for _ in range(20):
        spans = rng.uniform(*fill)  # fraction of the image height the body spans
        distance = focal_px * stature / (spans * height)
        camera_z = rng.uniform(0.8, 1.6)
        target = np.array([0.0, 0.0, stature * rng.uniform(0.45, 0.55)])
        direction = np.array([np.sin(azimuth), -np.cos(azimuth), 0.0])
        position = target + direction * distance
        position[2] = camera_z
        sideways = np.cross(direction, [0.0, 0.0, 1.0]) * distance * rng.uniform(-0.08, 0.08)
        camera = Camera(width, height, focal_px, tuple(position + sideways),
                        tuple(target + sideways * rng.uniform(0.0, 1.0)))
        uv = camera.project(body_points)
        margin = 0.03 * height
        if (uv.min(0) > margin).all() and (uv[:, 0].max() < width - margin
                                           and uv[:, 1].max() < height - margin):
            return camera
    raise RuntimeError("could not frame the body in 20 tries")
