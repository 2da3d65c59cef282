"""A drape that moves: the rest-pose drape (draped.glb) skinned to its avatar's armature and
played through short motions (``neural.body.motions``: a walk, arms down, hands on hips, weight
on one leg, a turn) by the viewer itself, so a web page shows the garment following the body at
its own frame rate.

Each garment vertex takes the bone weights of the body near it (the ``NEIGHBOURS`` nearest rest
body vertices, nearer ones weighing more), so the cloth moves as the skin under it does: linear
blend skinning, not cloth simulation (no new folds; where arms come down beside a top, the sleeve
and the side of the top may pass into each other). Frames: Z-up metres in code, the GLB Y-up.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from neural.skinned_glb import INFLUENCES

NEIGHBOURS = 4  # body vertices each garment vertex takes its weights from
NEAR_M = 0.002  # distances below this count as this, so a vertex on the skin is not all one


def transfer_weights(vertices: np.ndarray, body_vertices: np.ndarray, vertex_bones: np.ndarray,
                     vertex_weights: np.ndarray, neighbours: int = NEIGHBOURS
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Skinning of points ``vertices`` (N, 3) from a body's (``body_vertices`` (V, 3) with its
    ``vertex_bones`` and ``vertex_weights`` (V, K)): the inverse-distance blend of their nearest
    body vertices' weights, kept to the ``INFLUENCES`` largest bones. Returns joints (N,
    INFLUENCES) int and weights (N, INFLUENCES), rows summing to 1."""
    from scipy.spatial import cKDTree

    distances, nearest = cKDTree(body_vertices).query(vertices, k=neighbours)
    distances, nearest = distances.reshape(len(vertices), -1), nearest.reshape(len(vertices), -1)
    share = 1.0 / np.maximum(distances, NEAR_M)
    share /= share.sum(1, keepdims=True)
    dense = np.zeros((len(vertices), int(vertex_bones.max()) + 1))
    rows = np.repeat(np.arange(len(vertices)), nearest.shape[1] * vertex_bones.shape[1])
    np.add.at(dense, (rows, vertex_bones[nearest].ravel()),
              (vertex_weights[nearest] * share[:, :, None]).ravel())
    joints = np.argsort(-dense, axis=1)[:, :INFLUENCES]
    weights = np.take_along_axis(dense, joints, 1)
    return joints, weights / weights.sum(1, keepdims=True)


def moving_glb(drape: str | os.PathLike, avatar: str | os.PathLike,
               motions: tuple[str, ...] | None = None, device: str = "cpu") -> bytes:
    """The drape folder's draped.glb (the body and every garment layer, in their materials)
    skinned to the avatar folder's armature (skeleton.npz), with ``motions`` (default all of
    ``MOTIONS``) as the GLB's animations."""
    from neural.body.motions import MOTIONS, joint_worlds, motion_frames
    from neural.fitting.avatar_file import SKELETON_FILE, read_avatar
    from neural.mesh_io import glb_materials, read_glb
    from neural.skinned_glb import Skeleton, SkinnedMesh, skinned_glb

    drape, avatar = Path(drape), Path(avatar)
    _, body = read_avatar(avatar / "avatar.json")
    with np.load(avatar / SKELETON_FILE) as arrays:
        skeleton = {name: arrays[name] for name in arrays.files}
    draped = read_glb(drape / "draped.glb")
    rest_body = draped["body"][0]  # the avatar's rest body, which the drape was made on
    materials = glb_materials(drape / "draped.glb")
    meshes = {}
    for name, (vertices, faces, _) in draped.items():
        joints, weights = transfer_weights(vertices, rest_body, skeleton["vertex_bones"],
                                           skeleton["vertex_weights"],
                                           1 if name == "body" else NEIGHBOURS)
        meshes[name] = SkinnedMesh(vertices, faces, joints, weights, materials.get(name, {}))
    frames = {name: motion_frames(name) for name in motions or tuple(MOTIONS)}
    bones = tuple(dict.fromkeys(bone for _, moved, _ in frames.values() for bone in moved))
    rotations = np.concatenate([  # every motion's frames as one batch over all their bones
        np.stack([values[:, moved.index(bone)] if bone in moved else np.zeros((len(times), 3))
                  for bone in bones], axis=1) for times, moved, values in frames.values()])
    rest_worlds, worlds = joint_worlds(body, rotations, bones, device)
    ends = np.cumsum([len(times) for times, _, _ in frames.values()])
    animations = {name: (times, part) for (name, (times, _, _)), part
                  in zip(frames.items(), np.split(worlds, ends[:-1]))}
    names = [str(name) for name in skeleton["names"]]
    return skinned_glb(meshes, Skeleton(names, skeleton["parents"], rest_worlds), animations)
