"""The quick preview of a try-on, ready within a second or two while the Cycles render follows:
the garment's learned drape on the avatar's body (the bare body where the garment's kind has no
learned drape), seen from the front, rendered with pyrender (OpenGL through EGL; Mesa on the
CPU)."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

os.environ.setdefault("PYOPENGL_PLATFORM", "egl")

PREVIEW_SIZE = (256, 384)  # px, W x H
BODY_COLOR = (0.72, 0.62, 0.56, 1.0)
FIELD_OF_VIEW = np.radians(30.0)


class PreviewRenderer:
    """One offscreen OpenGL context kept for every preview of a server (``neural.gl_offscreen``). Use it from one thread only (EGL contexts are
    current to a thread)."""

    def __init__(self):
        from neural.gl_offscreen import Offscreen

        self.renderer = Offscreen(*PREVIEW_SIZE)

    def render(self, glb: str | os.PathLike, out_png: str | os.PathLike) -> Path:
        """A PNG of the body in ``glb`` (an avatar.glb, or a draped.glb with its garments in
        their own colours; glTF frame: Y-up, metres, facing +Z) from the front, framed head to
        toe on a light grey ground."""
        from PIL import Image

        rgb, _ = self.renderer.render(_scene(glb))
        out_png = Path(out_png)
        out_png.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rgb).save(out_png)
        return out_png


def _scene(glb: str | os.PathLike):
    """The body (and its garments, in the colours the file gives them) lit from the camera,
    which looks at it from the front (+Z)."""
    import pyrender
    import trimesh

    meshes = trimesh.load(glb, force="scene")
    low, high = meshes.geometry["body"].bounds
    centre, tall = (low + high) / 2, high[1] - low[1]
    distance = 0.6 * tall / np.tan(FIELD_OF_VIEW / 2)
    skin = pyrender.MetallicRoughnessMaterial(baseColorFactor=BODY_COLOR, roughnessFactor=0.7)
    scene = pyrender.Scene(bg_color=[0.93, 0.93, 0.93, 1.0], ambient_light=[0.35] * 3)
    for name, mesh in meshes.geometry.items():
        material = skin if name == "body" else pyrender.MetallicRoughnessMaterial(
            baseColorFactor=mesh.visual.material.baseColorFactor / 255.0, roughnessFactor=0.8)
        scene.add(pyrender.Mesh.from_trimesh(mesh, material=material, smooth=True))
    pose = np.eye(4)
    pose[:3, 3] = [centre[0], centre[1], high[2] + distance]  # on +Z, looking down -Z
    width, height = PREVIEW_SIZE
    scene.add(pyrender.PerspectiveCamera(FIELD_OF_VIEW, aspectRatio=width / height), pose=pose)
    scene.add(pyrender.DirectionalLight(intensity=3.0), pose=pose)
    return scene
