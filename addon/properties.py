"""The extension's state: per scene (saved with the .blend) what the user set up, and per
Blender session (on the window manager, not saved) what the engine is doing."""
from __future__ import annotations

import bpy

from .catalog import FABRIC_COLORS, FABRICS, GARMENTS, SIZES, TEMPLATES, VIEWS


def _items(names: tuple[str, ...]) -> list[tuple[str, str, str]]:
    return [(name, name.replace("_", " "), "") for name in names]


def _flags(names: tuple[str, ...]) -> list[tuple[str, str, str, int]]:
    """Items of an enum that takes several values at once (ENUM_FLAG)."""
    return [(name, name.replace("_", " "), "", 1 << i) for i, name in enumerate(names)]


def _fabric_chosen(settings: "TryOnScene", _context) -> None:
    """Choosing a fabric look starts from that fabric's own colour."""
    settings.look_color = FABRIC_COLORS[settings.look_fabric]


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
    size_advice_json: bpy.props.StringProperty(
        description="The last size advice (size_advice.json) for the avatar and garment")
    look_template: bpy.props.EnumProperty(name="Template", items=_items(TEMPLATES))
    look_views: bpy.props.EnumProperty(name="Views", items=_flags(VIEWS), options={"ENUM_FLAG"},
                                       default={"front"})
    render_samples: bpy.props.IntProperty(name="Samples", default=64, min=1, max=4096,
                                          description="Cycles samples per pixel (denoised)")
    render_width: bpy.props.IntProperty(name="Width", default=768, min=16, max=8192,
                                        subtype="PIXEL")
    render_height: bpy.props.IntProperty(name="Height", default=1152, min=16, max=8192,
                                         subtype="PIXEL")
    turntable_frames: bpy.props.IntProperty(name="Frames", default=36, min=2, max=720,
                                            description="Frames in one turn of the turntable")
    look_fabric: bpy.props.EnumProperty(name="Look", items=_items(FABRICS), update=_fabric_chosen,
                                        description="The fabric look to give selected objects")
    look_color: bpy.props.FloatVectorProperty(name="Colour", subtype="COLOR", min=0.0, max=1.0,
                                              default=FABRIC_COLORS[FABRICS[0]])
    lookbook_sizes: bpy.props.EnumProperty(
        name="Sizes", items=_flags(SIZES), options={"ENUM_FLAG"}, default={"M"},
        description="The sizes of the library garment the lookbook shows")
    lookbook_folder: bpy.props.StringProperty(name="Lookbook",
                                              description="The last lookbook's folder")
    farm_job: bpy.props.StringProperty(name="Farm Job",
                                       description="The last lookbook's job on the render farm")


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
