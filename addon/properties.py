"""The extension's state: per scene (saved with the .blend) what the user set up, and per
Blender session (on the window manager, not saved) what the engine is doing."""
from __future__ import annotations

import bpy

from .catalog import FABRICS, GARMENTS, SIZES


def _items(names: tuple[str, ...]) -> list[tuple[str, str, str]]:
    return [(name, name.replace("_", " "), "") for name in names]


class TryOnSession(bpy.types.PropertyGroup):
    engine_status: bpy.props.StringProperty(name="Engine", description="The last engine check")
    engine_ok: bpy.props.BoolProperty(name="Engine found")
    busy: bpy.props.BoolProperty(name="Busy", description="An engine task is running")
    stage: bpy.props.StringProperty(name="Stage")
    progress: bpy.props.FloatProperty(name="Progress", subtype="PERCENTAGE", min=0.0, max=100.0)
    message: bpy.props.StringProperty(name="Message", description="How the last task ended")
    message_is_error: bpy.props.BoolProperty()


class TryOnScene(bpy.types.PropertyGroup):
    work_folder: bpy.props.StringProperty(
        name="Work Folder", subtype="DIR_PATH", default="//tryon",
        description="Where avatars, garments and drapes are written (// is the .blend's folder)")
    front_photo: bpy.props.StringProperty(
        name="Front Photo", subtype="FILE_PATH",
        description="A whole-body photo from the front; read by the engine, never stored")
    side_photo: bpy.props.StringProperty(
        name="Side Photo", subtype="FILE_PATH", description="Optional profile photo")
    height_cm: bpy.props.FloatProperty(name="Height", description="Stature, cm", default=175.0,
                                       min=100.0, max=230.0)
    avatar_folder: bpy.props.StringProperty(name="Avatar", description="The fitted avatar's folder")
    measurements_json: bpy.props.StringProperty(
        description="The fitted avatar's measurements (cm) as avatar.json gives them")
    garment_source: bpy.props.EnumProperty(
        name="Garment", items=[("BUILT_IN", "Library", "A garment from the pattern library"),
                               ("PATTERN", "Pattern JSON", "A GarmentCode specification"),
                               ("MESH", "Pattern Mesh", "A mesh whose UV islands are its panels")])
    garment_kind: bpy.props.EnumProperty(name="Kind", items=_items(GARMENTS))
    garment_size: bpy.props.EnumProperty(name="Size", items=_items(SIZES), default="M")
    garment_file: bpy.props.StringProperty(name="File", subtype="FILE_PATH",
                                           description="The pattern JSON or pattern mesh")
    fabric: bpy.props.EnumProperty(name="Fabric", items=_items(FABRICS))


def register() -> None:
    for cls in (TryOnSession, TryOnScene):
        bpy.utils.register_class(cls)
    bpy.types.WindowManager.tryon = bpy.props.PointerProperty(type=TryOnSession)
    bpy.types.Scene.tryon = bpy.props.PointerProperty(type=TryOnScene)


def unregister() -> None:
    del bpy.types.Scene.tryon
    del bpy.types.WindowManager.tryon
    for cls in (TryOnScene, TryOnSession):
        bpy.utils.unregister_class(cls)
