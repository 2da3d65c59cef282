"""A GLB of meshes skinned to one skeleton, with named animations, for viewers that play them on
their own GPU (three.js, model-viewer) at the display's frame rate.

The file is glTF's frame (Y-up, metres): the skeleton and the meshes stay Z-up (``mesh_io``'s
frame) under one root node that turns them (Z-up (x, y, z) shows as (x, z, -y)). Each vertex
follows at most ``INFLUENCES`` joints (what web viewers skin with). Joints animate by rotation
and translation keyframes, linear (slerp) between them.
"""
from __future__ import annotations

import json
import struct
from dataclasses import dataclass

import numpy as np

INFLUENCES = 4
# the root node's rotation, Z-up to Y-up: -90 degrees about X, quaternion (x, y, z, w)
Z_UP_TO_Y_UP_QUATERNION = [-np.sqrt(0.5), 0.0, 0.0, np.sqrt(0.5)]
FLOAT, UNSIGNED_BYTE, UNSIGNED_INT = 5126, 5121, 5125


@dataclass
class SkinnedMesh:
    """A mesh (Z-up metres) skinned to the skeleton: per vertex ``INFLUENCES`` joint indices
    and weights (rows sum to 1), and its glTF material."""

    vertices: np.ndarray  # (V, 3)
    faces: np.ndarray  # (F, 3)
    joints: np.ndarray  # (V, INFLUENCES) int
    weights: np.ndarray  # (V, INFLUENCES)
    material: dict


@dataclass
class Skeleton:
    """Joint names, parents (-1 for a root; parents before children) and rest world
    transforms (J, 4, 4), rigid, Z-up metres."""

    names: list[str]
    parents: np.ndarray
    rest_worlds: np.ndarray


def skinned_glb(meshes: dict[str, SkinnedMesh], skeleton: Skeleton,
                animations: dict[str, tuple[np.ndarray, np.ndarray]]) -> bytes:
    """The GLB: ``meshes`` by name, skinned to ``skeleton``, and ``animations`` by name, each
    (times (F,) seconds, joint world transforms (F, J, 4, 4) Z-up)."""
    buffer = _Buffer()
    joint_count = len(skeleton.names)
    rest_translations, rest_rotations = _trs(_locals(skeleton.rest_worlds[None],
                                                     skeleton.parents)[0])
    nodes = [{"name": "avatar", "rotation": Z_UP_TO_Y_UP_QUATERNION, "children": []}]
    for index, name in enumerate(skeleton.names):
        nodes.append({"name": str(name), "translation": rest_translations[index].tolist(),
                      "rotation": rest_rotations[index].tolist()})
        parent = int(skeleton.parents[index])
        (nodes[0] if parent < 0 else nodes[1 + parent]).setdefault("children", []).append(
            1 + index)
    inverse_binds = np.linalg.inv(skeleton.rest_worlds).transpose(0, 2, 1)  # column-major
    skin = {"joints": list(range(1, 1 + joint_count)),
            "inverseBindMatrices": buffer.add(inverse_binds, "MAT4"),
            "skeleton": 1 + int(np.flatnonzero(skeleton.parents < 0)[0])}
    document_meshes, materials = [], []
    for name, mesh in meshes.items():
        attributes = {
            "POSITION": buffer.add(mesh.vertices, "VEC3", bounds=True),
            "NORMAL": buffer.add(vertex_normals(mesh.vertices, mesh.faces), "VEC3"),
            "JOINTS_0": buffer.add(mesh.joints, "VEC4", UNSIGNED_BYTE if joint_count < 256
                                   else UNSIGNED_INT),
            "WEIGHTS_0": buffer.add(mesh.weights, "VEC4"),
        }
        document_meshes.append({"name": name, "primitives": [{
            "attributes": attributes, "indices": buffer.add(mesh.faces.ravel(), "SCALAR",
                                                            UNSIGNED_INT, target=34963),
            "material": len(materials)}]})
        materials.append(mesh.material)
        nodes[0]["children"].append(len(nodes))
        nodes.append({"name": name, "mesh": len(document_meshes) - 1, "skin": 0})
    document = {
        "asset": {"version": "2.0", "generator": "tryon skinned_glb"},
        "scene": 0, "scenes": [{"nodes": [0]}], "nodes": nodes, "meshes": document_meshes,
        "materials": materials, "skins": [skin],
        "animations": [_animation(name, times, worlds, skeleton, buffer)
                       for name, (times, worlds) in animations.items()],
    }
    used = sorted({key for material in materials for key in material.get("extensions", {})})
    if used:
        document["extensionsUsed"] = used
    return buffer.glb(document)


def vertex_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Area-weighted unit vertex normals (V, 3)."""
    corners = vertices[faces]
    face_normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    normals = np.stack([np.bincount(faces.ravel(), np.repeat(face_normals[:, axis], 3),
                                    len(vertices)) for axis in range(3)], axis=1)
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    return np.where(length > 0, normals / np.maximum(length, 1e-12), [0.0, 0.0, 1.0])


def _animation(name: str, times: np.ndarray, worlds: np.ndarray, skeleton: Skeleton,
               buffer: _Buffer) -> dict:
    """One glTF animation: a rotation and a translation channel for each joint whose local
    transform changes over the frames."""
    local = _locals(worlds, skeleton.parents)
    translations, rotations = _trs(local)
    time_accessor = buffer.add(times, "SCALAR", bounds=True)
    samplers, channels = [], []
    for joint in range(len(skeleton.names)):
        for path, values in (("translation", translations[:, joint]),
                             ("rotation", _continuous(rotations[:, joint]))):
            if np.ptp(values, axis=0).max() < 1e-6:
                continue
            samplers.append({"input": time_accessor, "interpolation": "LINEAR",
                             "output": buffer.add(values, "VEC3" if path == "translation"
                                                  else "VEC4")})
            channels.append({"sampler": len(samplers) - 1,
                             "target": {"node": 1 + joint, "path": path}})
    return {"name": name, "samplers": samplers, "channels": channels}


def _locals(worlds: np.ndarray, parents: np.ndarray) -> np.ndarray:
    """Joint transforms (F, J, 4, 4) relative to their parents (roots: to the root node)."""
    local = worlds.copy()
    has_parent = parents >= 0
    local[:, has_parent] = np.linalg.inv(worlds[:, parents[has_parent]]) @ worlds[:, has_parent]
    return local


def _trs(matrices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Translations (..., 3) and unit quaternions (..., 4; x, y, z, w) of rigid transforms
    (..., 4, 4)."""
    from scipy.spatial.transform import Rotation

    rotations = Rotation.from_matrix(matrices[..., :3, :3].reshape(-1, 3, 3)).as_quat()
    return matrices[..., :3, 3].copy(), rotations.reshape(*matrices.shape[:-2], 4)


def _continuous(quaternions: np.ndarray) -> np.ndarray:
    """Quaternions (F, 4) with signs flipped so each is on the near side of the one before
    (slerp between keys then takes the short way)."""
    out = quaternions.copy()
    for frame in range(1, len(out)):
        if out[frame] @ out[frame - 1] < 0:
            out[frame] = -out[frame]
    return out


class _Buffer:
    """The GLB's binary chunk and its buffer views and accessors."""

    SIZES = {"SCALAR": 1, "VEC3": 3, "VEC4": 4, "MAT4": 16}

    def __init__(self):
        self.chunks, self.length, self.views, self.accessors = [], 0, [], []

    def add(self, array: np.ndarray, kind: str, component: int = FLOAT, bounds: bool = False,
            target: int | None = None) -> int:
        """Append ``array`` as one accessor of ``kind``; returns the accessor's index."""
        dtype = {FLOAT: np.float32, UNSIGNED_BYTE: np.uint8, UNSIGNED_INT: np.uint32}[component]
        data = np.ascontiguousarray(array, dtype=dtype).reshape(-1, self.SIZES[kind])
        raw = data.tobytes()
        view = {"buffer": 0, "byteOffset": self.length, "byteLength": len(raw)}
        if target is not None:
            view["target"] = target
        self.chunks.append(raw + b"\0" * (-len(raw) % 4))
        self.length += len(self.chunks[-1])
        self.views.append(view)
        accessor = {"bufferView": len(self.views) - 1, "componentType": component,
                    "count": len(data), "type": kind}
        if bounds:
            accessor |= {"min": data.min(0).tolist(), "max": data.max(0).tolist()}
        self.accessors.append(accessor)
        return len(self.accessors) - 1

    def glb(self, document: dict) -> bytes:
        binary = b"".join(self.chunks)
        document |= {"buffers": [{"byteLength": len(binary)}], "bufferViews": self.views,
                     "accessors": self.accessors}
        text = json.dumps(document, separators=(",", ":")).encode()
        text += b" " * (-len(text) % 4)
        chunks = (struct.pack("<I4s", len(text), b"JSON") + text
                  + struct.pack("<I4s", len(binary), b"BIN\0") + binary)
        return struct.pack("<4sII", b"glTF", 2, 12 + len(chunks)) + chunks
