"""GLB reading and writing. Files are glTF's frame (Y-up, metres); code works Z-up.

Z-up (x, y, z) maps to glTF Y-up as (x, z, -y), so a body facing -Y faces +Z in the file,
glTF's "front". Blender's glTF importer maps it back to Z-up.
"""
from __future__ import annotations

import io
import json
import os
import struct
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from neural.materials import Surface

Z_UP_TO_Y_UP = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])

MeshData = tuple[np.ndarray, np.ndarray, np.ndarray | None]  # vertices, faces, uv (or None)


def glb_bytes(meshes: dict[str, MeshData], surfaces: dict[str, Surface] | None = None,
              colors: dict[str, np.ndarray] | None = None) -> bytes:
    """A GLB holding one named node per mesh; vertices Z-up metres, UVs optional; each mesh
    named in ``surfaces`` wears that material, and each named in ``colors`` (V, 3) linear RGB
    0-1 vertex colours (COLOR_0, multiplying the material's base colour) instead of its UVs."""
    import trimesh

    scene = trimesh.Scene()
    colors = colors or {}
    for name, (vertices, faces, uv) in meshes.items():
        visual = trimesh.visual.TextureVisuals(uv=uv) if uv is not None else None
        if name in colors:
            rgb = np.clip(np.round(np.asarray(colors[name]) * 255), 0, 255).astype(np.uint8)
            visual = trimesh.visual.ColorVisuals(vertex_colors=np.column_stack([
                rgb, np.full(len(rgb), 255, np.uint8)]))
        mesh = trimesh.Trimesh(vertices @ Z_UP_TO_Y_UP.T, faces, visual=visual, process=False)
        scene.add_geometry(mesh, node_name=name, geom_name=name)
    buffer = io.BytesIO()
    scene.export(buffer, file_type="glb")
    return _with_materials(buffer.getvalue(), surfaces) if surfaces else buffer.getvalue()


def _with_materials(glb: bytes, surfaces: dict[str, Surface]) -> bytes:
    """``glb`` with its materials replaced by ``surfaces`` (by node name; other meshes wear
    none) and the extensions they use declared."""
    (json_length,) = struct.unpack_from("<I", glb, 12)
    document = json.loads(glb[20:20 + json_length])
    binary = glb[20 + json_length:]
    names = list(surfaces)
    document["materials"] = [surfaces[name].gltf() for name in names]
    for node in document["nodes"]:
        if "mesh" not in node:
            continue
        for primitive in document["meshes"][node["mesh"]]["primitives"]:
            primitive.pop("material", None)
            if node.get("name") in surfaces:
                primitive["material"] = names.index(node["name"])
    used = sorted({e for m in document["materials"] for e in m.get("extensions", {})})
    if used:
        document["extensionsUsed"] = sorted(set(document.get("extensionsUsed", [])) | set(used))
    text = json.dumps(document, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 4)
    chunk = struct.pack("<I4s", len(text), b"JSON") + text
    return struct.pack("<4sII", b"glTF", 2, 12 + len(chunk) + len(binary)) + chunk + binary


def glb_materials(path: str | os.PathLike) -> dict[str, dict]:
    """The glTF material object of each named mesh node of a GLB (those that wear one)."""
    data = open(path, "rb").read()
    (json_length,) = struct.unpack_from("<I", data, 12)
    document = json.loads(data[20:20 + json_length])
    materials = {}
    for node in document.get("nodes", []):
        if "mesh" in node:
            primitive = document["meshes"][node["mesh"]]["primitives"][0]
            if "material" in primitive:
                materials[node.get("name", "")] = document["materials"][primitive["material"]]
    return materials


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
