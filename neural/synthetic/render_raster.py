"""Fast synthetic photos with pyrender (OpenGL through EGL; Mesa on CPU): for training data.

Frames as in ``neural.synthetic.camera``. Returns float RGBA in [0, 1], nothing is written.
"""
from __future__ import annotations

import os

import numpy as np

from neural.synthetic.appearance import Appearance
from neural.synthetic.camera import Camera

os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
LABEL_STEP = 40  # grey level per label in the label pass


class RasterRenderer:
    """One offscreen OpenGL context, reused for every image of one size."""

    def __init__(self, size: tuple[int, int]):
        from neural.gl_offscreen import Offscreen

        self.size = size
        self.renderer = Offscreen(*size)

    def render(self, vertices: np.ndarray, faces: np.ndarray, colours: np.ndarray,
               camera: Camera, look: Appearance) -> np.ndarray:
        """(H, W, 4) float RGBA of the coloured mesh seen by ``camera``, lit by ``look``."""
        import pyrender
        import trimesh

        mesh = trimesh.Trimesh(vertices, faces, process=False)
        mesh.visual.vertex_colors = np.c_[(colours * 255).round(), np.full(len(colours), 255)
                                          ].astype(np.uint8)
        scene = pyrender.Scene(bg_color=[0.0, 0.0, 0.0, 0.0],
                               ambient_light=[look.ambient * look.light_strength] * 3)
        scene.add(pyrender.Mesh.from_trimesh(mesh, smooth=True))
        scene.add(pyrender.IntrinsicsCamera(
            fx=camera.focal_px, fy=camera.focal_px, cx=camera.width / 2, cy=camera.height / 2,
            znear=0.05, zfar=50.0), pose=camera.opengl_pose())
        scene.add(pyrender.DirectionalLight(intensity=3.0 * look.light_strength),
                  pose=_light_pose(np.asarray(look.light_direction)))
        rgba, _ = self.renderer.render(scene, flags=pyrender.RenderFlags.RGBA)
        return rgba.astype(np.float32) / 255.0

    def render_labels(self, vertices: np.ndarray, faces: np.ndarray, labels: np.ndarray,
                      camera: Camera) -> np.ndarray:
        """(H, W) uint8 map of what each pixel shows: each face takes its first vertex's label
        (``labels`` (V,), small integers; 0 is nothing), unlit and without antialiasing."""
        import pyrender
        import trimesh

        mesh = trimesh.Trimesh(vertices, faces, process=False)
        code = np.asarray(labels, np.int64)[faces[:, 0]] * LABEL_STEP
        mesh.visual.face_colors = np.c_[code, code, code, np.full(len(faces), 255)].astype(
            np.uint8)
        scene = pyrender.Scene(bg_color=[0.0, 0.0, 0.0, 0.0], ambient_light=[1.0, 1.0, 1.0])
        scene.add(pyrender.Mesh.from_trimesh(mesh, smooth=False))
        scene.add(pyrender.IntrinsicsCamera(
            fx=camera.focal_px, fy=camera.focal_px, cx=camera.width / 2, cy=camera.height / 2,
            znear=0.05, zfar=50.0), pose=camera.opengl_pose())
        rgb, _ = self.renderer.render(scene, flags=pyrender.RenderFlags.FLAT)
        return np.round(rgb[..., 0] / LABEL_STEP).astype(np.uint8)

    def close(self) -> None:
        """Free the context (``Offscreen.delete``)."""
        self.renderer.delete()


def _light_pose(toward_light: np.ndarray) -> np.ndarray:
    """A directional light's pose: its -Z axis points away from ``toward_light``."""
    back = toward_light / np.linalg.norm(toward_light)
    side = np.cross([0.0, 0.0, 1.0], back)
    side = side / np.linalg.norm(side) if np.linalg.norm(side) > 1e-6 else np.array([1.0, 0, 0])
    pose = np.eye(4)
    pose[:3, 0], pose[:3, 1], pose[:3, 2] = side, np.cross(back, side), back
    return pose
