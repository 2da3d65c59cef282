"""The "Try-On" tab in the 3D view's sidebar."""
from __future__ import annotations

import bpy


class TRYON_PT_engine(bpy.types.Panel):
    bl_idname = "TRYON_PT_engine"
    bl_label = "Engine"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Try-On"

    def draw(self, context: bpy.types.Context) -> None:
        session = context.window_manager.tryon
        layout = self.layout
        layout.operator("tryon.check_engine", icon="CHECKMARK")
        if session.engine_status:
            layout.label(text=session.engine_status, icon="INFO" if session.engine_ok else "ERROR")
        if session.busy:
            layout.progress(factor=session.progress / 100.0, text=session.stage)


register, unregister = bpy.utils.register_classes_factory((TRYON_PT_engine,))
