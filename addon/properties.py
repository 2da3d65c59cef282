"""State the sidebar shows: per Blender session (on the window manager, not saved with the
.blend), what the engine is doing."""
from __future__ import annotations

import bpy


class TryOnSession(bpy.types.PropertyGroup):
    engine_status: bpy.props.StringProperty(name="Engine", description="The last engine check")
    engine_ok: bpy.props.BoolProperty(name="Engine found")
    busy: bpy.props.BoolProperty(name="Busy", description="An engine task is running")
    stage: bpy.props.StringProperty(name="Stage")
    progress: bpy.props.FloatProperty(name="Progress", subtype="PERCENTAGE", min=0.0, max=100.0)


def register() -> None:
    bpy.utils.register_class(TryOnSession)
    bpy.types.WindowManager.tryon = bpy.props.PointerProperty(type=TryOnSession)


def unregister() -> None:
    del bpy.types.WindowManager.tryon
    bpy.utils.unregister_class(TryOnSession)
