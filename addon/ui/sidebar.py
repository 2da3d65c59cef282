"""The "Try-On" tab in the 3D view's sidebar: the engine, the avatar, the garments."""
from __future__ import annotations

import json

import bpy


class _TryOnPanel:
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Try-On"


class TRYON_PT_engine(_TryOnPanel, bpy.types.Panel):
    bl_idname = "TRYON_PT_engine"
    bl_label = "Engine"

    def draw(self, context: bpy.types.Context) -> None:
        session = context.window_manager.tryon
        layout = self.layout
        layout.operator("tryon.check_engine", icon="CHECKMARK")
        if session.engine_status:
            layout.label(text=session.engine_status, icon="INFO" if session.engine_ok else "ERROR")
        if session.busy:
            layout.progress(factor=session.progress / 100.0, text=session.stage)
        elif session.message:
            layout.label(text=session.message, icon="ERROR" if session.message_is_error else "INFO")


class TRYON_PT_avatar(_TryOnPanel, bpy.types.Panel):
    bl_idname = "TRYON_PT_avatar"
    bl_label = "Avatar"

    def draw(self, context: bpy.types.Context) -> None:
        settings, layout = context.scene.tryon, self.layout
        layout.prop(settings, "work_folder")
        layout.prop(settings, "front_photo")
        layout.prop(settings, "side_photo")
        layout.prop(settings, "height_cm")
        layout.operator("tryon.fit_avatar", icon="ARMATURE_DATA")
        if settings.measurements_json:
            column = layout.column(align=True)
            for key, value in json.loads(settings.measurements_json).items():
                column.label(text=f"{key.replace('_', ' ')}: {value:.1f} cm")


class TRYON_PT_garments(_TryOnPanel, bpy.types.Panel):
    bl_idname = "TRYON_PT_garments"
    bl_label = "Garments"

    def draw(self, context: bpy.types.Context) -> None:
        settings, layout = context.scene.tryon, self.layout
        layout.prop(settings, "garment_source", expand=True)
        if settings.garment_source == "BUILT_IN":
            row = layout.row(align=True)
            row.prop(settings, "garment_kind", text="")
            row.prop(settings, "garment_size", text="")
        else:
            layout.prop(settings, "garment_file")
        layout.prop(settings, "fabric")
        layout.operator("tryon.drape_garment", icon="MOD_CLOTH")
        garment = context.active_object
        if garment is not None and "tryon_fit_json" in garment:
            layout.label(text=f"Fit map of {garment.name}:")
            row = layout.row(align=True)
            for show, label in (("strain", "Strain %"), ("ease", "Ease mm"), ("fabric", "Fabric")):
                row.operator("tryon.show_fitmap", text=label).show = show


register, unregister = bpy.utils.register_classes_factory(
    (TRYON_PT_engine, TRYON_PT_avatar, TRYON_PT_garments))
