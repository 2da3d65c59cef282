"""The "Try-On" tab in the 3D view's sidebar (engine, avatar, garments, look, farm), and the
engine task's progress in the status bar."""
from __future__ import annotations

import json

import bpy

from ..preferences import preferences


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
            row = layout.row(align=True)
            row.progress(factor=session.progress / 100.0, text=session.stage)
            row.operator("tryon.cancel_task", text="", icon="CANCEL")
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
        row = layout.row(align=True)
        row.operator("tryon.drape_garment", icon="MOD_CLOTH")
        row.operator("tryon.advise_size", icon="FULLSCREEN_ENTER")
        if settings.size_advice_json:
            advice = json.loads(settings.size_advice_json)
            box = layout.box()
            box.label(text=f"{advice['garment']}: size {advice['size']}", icon="CHECKMARK")
            for line in _wrapped(advice["reason"], 40):
                box.label(text=line)
        garment = context.active_object
        if garment is not None and "tryon_fit_json" in garment:
            layout.label(text=f"Fit map of {garment.name}:")
            row = layout.row(align=True)
            for show, label in (("strain", "Strain %"), ("ease", "Ease mm"), ("fabric", "Fabric")):
                row.operator("tryon.show_fitmap", text=label).show = show


class TRYON_PT_look(_TryOnPanel, bpy.types.Panel):
    bl_idname = "TRYON_PT_look"
    bl_label = "Look"

    def draw(self, context: bpy.types.Context) -> None:
        settings, layout = context.scene.tryon, self.layout
        layout.prop(settings, "look_template")
        layout.prop(settings, "look_views")
        column = layout.column(align=True)
        column.prop(settings, "render_samples")
        row = column.row(align=True)
        row.prop(settings, "render_width")
        row.prop(settings, "render_height")
        layout.operator("tryon.render_look", icon="RENDER_STILL")
        row = layout.row(align=True)
        row.prop(settings, "turntable_frames")
        row.operator("tryon.render_turntable", icon="RENDER_ANIMATION")
        layout.separator()
        layout.label(text="Fabric of the selected objects:")
        row = layout.row(align=True)
        row.prop(settings, "look_fabric", text="")
        row.prop(settings, "look_color", text="")
        layout.operator("tryon.apply_fabric", icon="MATERIAL")
        node = _look_node(context.active_object)
        if node is not None:
            box = layout.box()
            box.label(text=f"{context.active_object.name}: {node.node_tree.name}")
            for socket in node.inputs:
                box.prop(socket, "default_value", text=socket.name)


class TRYON_PT_farm(_TryOnPanel, bpy.types.Panel):
    bl_idname = "TRYON_PT_farm"
    bl_label = "Farm"

    def draw(self, context: bpy.types.Context) -> None:
        settings, layout = context.scene.tryon, self.layout
        layout.label(text="Lookbook: the avatar x garment sizes, in the look's views")
        layout.prop(settings, "lookbook_sizes")
        layout.operator("tryon.run_lookbook", icon="RENDERLAYERS")
        broker = preferences(context).farm_broker
        layout.label(text=f"On the farm at {broker}" if broker else "On this machine",
                     icon="NETWORK_DRIVE" if broker else "DESKTOP")
        if settings.farm_job:
            layout.label(text=f"Farm job {settings.farm_job}", icon="SEQUENCE")
        if settings.lookbook_folder:
            layout.label(text=settings.lookbook_folder, icon="FILE_FOLDER")


def status_bar_progress(self, context: bpy.types.Context) -> None:
    """The engine task's progress, drawn in the status bar while one runs."""
    session = context.window_manager.tryon
    if session.busy:
        self.layout.progress(factor=session.progress / 100.0, text=f"Try-On: {session.stage}")


def _look_node(obj):
    """The Try-On node group of the object's material, whose inputs the Look panel shows."""
    from ..scene.materials import look_node

    if obj is None or obj.type != "MESH" or not obj.data.materials:
        return None
    return look_node(obj.data.materials[0])


def _wrapped(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width)


_register, _unregister = bpy.utils.register_classes_factory(
    (TRYON_PT_engine, TRYON_PT_avatar, TRYON_PT_garments, TRYON_PT_look, TRYON_PT_farm))


def register() -> None:
    _register()
    bpy.types.STATUSBAR_HT_header.append(status_bar_progress)


def unregister() -> None:
    bpy.types.STATUSBAR_HT_header.remove(status_bar_progress)
    _unregister()
