"""Give the selected objects a fabric look (cotton, jersey, denim, silk, wool, knit) in a chosen
colour: a material made of that look's node group, which works on any mesh with UVs."""
from __future__ import annotations

import bpy

from ..scene.look import wear
from ..scene.materials import fabric_material
from .show_fitmap import FABRIC_KEY


class TRYON_OT_apply_fabric(bpy.types.Operator):
    bl_idname = "tryon.apply_fabric"
    bl_label = "Apply Fabric"
    bl_description = "Give the selected meshes the chosen fabric look and colour"
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return any(obj.type == "MESH" for obj in context.selected_objects)

    def execute(self, context: bpy.types.Context) -> set[str]:
        settings = context.scene.tryon
        meshes = [obj for obj in context.selected_objects if obj.type == "MESH"]
        material = fabric_material(settings.look_fabric, tuple(settings.look_color))
        for obj in meshes:
            wear(obj, material)
            obj.pop(FABRIC_KEY, None)  # a fit map that showed gives way to the new fabric
        self.report({"INFO"}, f"{settings.look_fabric} on {len(meshes)} object(s)")
        return {"FINISHED"}


register, unregister = bpy.utils.register_classes_factory((TRYON_OT_apply_fabric,))
