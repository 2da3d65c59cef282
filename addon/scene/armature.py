"""The avatar's armature: Anny's skeleton (the fit stage's skeleton.npz) as a Blender armature
with the body skinned to it, so artists can re-pose the body. Blender frame: Z-up, metres, the
frame of avatar.glb once imported."""
from __future__ import annotations

import os

import numpy as np


def read_skeleton(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """skeleton.npz's arrays (see ``neural.body.anny_body.rest_skeleton``)."""
    with np.load(path, allow_pickle=False) as arrays:
        return {name: arrays[name] for name in arrays.files}


def add_armature(body, skeleton: dict[str, np.ndarray], name: str):
    """An armature object ``name`` in the body's collections, built in the rest pose from
    ``skeleton``; the body becomes its child with an Armature modifier and one vertex group per
    bone holding Anny's skinning weights. Returns the armature object."""
    import bpy

    rig = bpy.data.objects.new(name, bpy.data.armatures.new(name))
    for collection in body.users_collection:
        collection.objects.link(rig)
    _add_bones(rig, skeleton)
    groups = [body.vertex_groups.new(name=str(bone)) for bone in skeleton["names"]]
    for vertex, (bones, weights) in enumerate(zip(skeleton["vertex_bones"],
                                                  skeleton["vertex_weights"])):
        for bone, weight in zip(bones, weights):
            if weight > 0.0:
                groups[bone].add([vertex], float(weight), "ADD")
    modifier = body.modifiers.new("Armature", "ARMATURE")
    modifier.object = rig
    body.parent = rig
    return rig


def _add_bones(rig, skeleton: dict[str, np.ndarray]) -> None:
    """Edit bones of ``skeleton`` (parents come before their children) in ``rig``'s armature;
    needs edit mode, entered and left here, with the active object restored."""
    import bpy

    view_layer = bpy.context.view_layer
    active = view_layer.objects.active
    view_layer.objects.active = rig
    bpy.ops.object.mode_set(mode="EDIT")
    try:
        bones = rig.data.edit_bones
        for index, bone_name in enumerate(skeleton["names"]):
            bone = bones.new(str(bone_name))
            bone.head, bone.tail = skeleton["heads"][index], skeleton["tails"][index]
            bone.align_roll(skeleton["z_axes"][index])
            parent = int(skeleton["parents"][index])
            if parent >= 0:
                bone.parent = bones[parent]
    finally:
        bpy.ops.object.mode_set(mode="OBJECT")
        view_layer.objects.active = active


def follow_armature(obj, body, rig) -> None:
    """Make ``obj`` (a garment draped on ``body``) follow ``rig`` as the body does: each of its
    vertices takes the bone weights of the nearest body vertex (rest pose, world frame)."""
    from mathutils.kdtree import KDTree

    to_body = body.matrix_world.inverted() @ obj.matrix_world
    tree = KDTree(len(body.data.vertices))
    for vertex in body.data.vertices:
        tree.insert(vertex.co, vertex.index)
    tree.balance()
    names = [group.name for group in body.vertex_groups]
    groups = {name: obj.vertex_groups.get(name) or obj.vertex_groups.new(name=name)
              for name in names}
    for vertex in obj.data.vertices:
        nearest = body.data.vertices[tree.find(to_body @ vertex.co)[1]]
        for element in nearest.groups:
            groups[names[element.group]].add([vertex.index], element.weight, "REPLACE")
    modifier = obj.modifiers.new("Armature", "ARMATURE")
    modifier.object = rig
    obj.parent = rig
