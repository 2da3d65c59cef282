"""Engine results brought into the scene as ordinary Blender objects (glTF is Y-up; Blender's
importer turns it Z-up, metres)."""
from __future__ import annotations

import json
from pathlib import Path

import bpy

from .catalog import FABRIC_COLORS
from .scene.armature import add_armature, follow_armature, read_skeleton
from .scene.look import wear
from .scene.materials import fabric_material, skin_material


def import_avatar(scene: bpy.types.Scene, folder: str | Path, name: str) -> bpy.types.Collection:
    """avatar.glb into a collection "Avatar <name>" (replacing an earlier one of that name),
    the body in the skin material, skinned to an armature "<name> rig" where the avatar has
    its skeleton.npz; the avatar's measurements go to the scene's Try-On state."""
    folder = Path(folder)
    collection = _fresh_collection(scene, f"Avatar {name}")
    for obj in _import_glb(folder / "avatar.glb"):
        _move(obj, collection)
        obj.name = f"{name} body" if obj.type == "MESH" else f"{name} {obj.name}"
        if obj.type == "MESH":
            wear(obj, skin_material())
            if (folder / "skeleton.npz").is_file():
                add_armature(obj, read_skeleton(folder / "skeleton.npz"), f"{name} rig")
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


def import_garment(scene: bpy.types.Scene, draped_glb: str | Path, avatar: str,
                   label: str) -> bpy.types.Object:
    """The garment of a finished drape (draped.glb also holds the body, already in the scene)
    into the avatar's collection as "<avatar> <label>", a mesh with its pattern UVs in its
    fabric's material (fit.json names the fabric), following the avatar's armature where it
    has one; an earlier one of that name is replaced."""
    collection = bpy.data.collections.get(f"Avatar {avatar}")
    if collection is None:
        collection = bpy.data.collections.new(f"Avatar {avatar}")
        scene.collection.children.link(collection)
    name = f"{avatar} {label}"
    if name in bpy.data.objects:
        bpy.data.objects.remove(bpy.data.objects[name])
    garment = None
    for obj in _import_glb(draped_glb):
        if obj.type == "MESH" and obj.name.startswith("garment") and garment is None:
            garment = obj
        else:
            bpy.data.objects.remove(obj)
    if garment is None:
        raise ValueError(f"no garment in {draped_glb}")
    _move(garment, collection)
    garment.name = name
    fit_json = Path(draped_glb).with_name("fit.json")
    fit = json.loads(fit_json.read_text())
    wear(garment, fabric_material(fit["fabric"], tuple(fit.get("color") or
                                                       FABRIC_COLORS[fit["fabric"]])))
    garment["tryon_fit_json"] = str(fit_json)  # for the fit map
    body, rig = (bpy.data.objects.get(f"{avatar} {part}") for part in ("body", "rig"))
    if body is not None and rig is not None:
        follow_armature(garment, body, rig)
    return garment


def _import_glb(path: str | Path) -> list[bpy.types.Object]:
    """Import a .glb; return the objects it added."""
    before = set(bpy.data.objects)
    bpy.ops.import_scene.gltf(filepath=str(path))
    return list(set(bpy.data.objects) - before)


def _move(obj: bpy.types.Object, collection: bpy.types.Collection) -> None:
    """Make ``collection`` the object's only collection."""
    for owner in list(obj.users_collection):
        owner.objects.unlink(obj)
    collection.objects.link(obj)
