"""GLB reading and writing. Files are glTF's frame (Y-up, metres); code works Z-up.

Z-up (x, y, z) maps to glTF Y-up as (x, z, -y), so a body facing -Y faces +Z in the file,
glTF's "front". Blender's glTF importer maps it back to Z-up.
"""
from __future__ import annotations

import io
import os

import numpy as np

Z_UP_TO_Y_UP = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])

MeshData = tuple[np.ndarray, np.ndarray, np.ndarray | None]  # vertices, faces, uv (or None)


def glb_bytes(meshes: dict[str, MeshData]) -> bytes:
    """A GLB holding one named node per mesh; vertices Z-up metres, UVs optional."""
    import trimesh

    scene = trimesh.Scene()
    for name, (vertices, faces, uv) in meshes.items():
        visual = trimesh.visual.TextureVisuals(uv=uv) if uv is not None else None
        mesh = trimesh.Trimesh(vertices @ Z_UP_TO_Y_UP.T, faces, visual=visual, process=False)
        scene.add_geometry(mesh, node_name=name, geom_name=name)
    buffer = io.BytesIO()
    scene.export(buffer, file_type="glb")
    return buffer.getvalue()


def read_glb(path: str | os.PathLike) -> dict[str, MeshData]:
    """Meshes of a GLB by node name, converted to Z-up metres."""
    import trimesh

    scene = trimesh.load(path, force="scene", process=False)
    meshes = {}
    for name, geometry in scene.geometry.items():
        uv = getattr(geometry.visual, "uv", None)
        vertices = np.asarray(geometry.vertices, dtype=np.float64) @ Z_UP_TO_Y_UP
        meshes[name] = (vertices, np.asarray(geometry.faces, dtype=np.int64),
                        None if uv is None else np.asarray(uv, dtype=np.float64))
    return meshes
