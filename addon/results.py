"""Engine results brought into the scene as ordinary Blender objects (glTF is Y-up; Blender's
importer turns it Z-up, metres)."""
from __future__ import annotations

import json
from pathlib import Path

import bpy


def import_avatar(scene: bpy.types.Scene, folder: str | Path, name: str) -> bpy.types.Collection:
    """avatar.glb into a collection "Avatar <name>" (replacing an earlier one of that name);
    the avatar's measurements go to the scene's Try-On state."""
    folder = Path(folder)
    collection = _fresh_collection(scene, f"Avatar {name}")
    before = set(bpy.data.objects)
    bpy.ops.import_scene.gltf(filepath=str(folder / "avatar.glb"))
    for obj in set(bpy.data.objects) - before:
        for owner in list(obj.users_collection):
            owner.objects.unlink(obj)
        collection.objects.link(obj)
        obj.name = f"{name} body" if obj.type == "MESH" else f"{name} {obj.name}"
    avatar = json.loads((folder / "avatar.json").read_text())
    scene.tryon.avatar_folder = str(folder)
    scene.tryon.measurements_json = json.dumps(avatar["measurements"])
    return collection


def _fresh_collection(scene: bpy.types.Scene, name: str) -> bpy.types.Collection:
    old = bpy.data.collections.get(name)
    if old is not None:
        for obj in list(old.objects):
            bpy.data.objects.remove(obj)
        bpy.data.collections.remove(old)
    collection = bpy.data.collections.new(name)
    scene.collection.children.link(collection)
    return collection
