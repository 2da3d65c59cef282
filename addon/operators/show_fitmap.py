"""Switch a draped garment between its fabric and its fit map (strain or ease per vertex, the
colour scales of ``tryon render --fitmap``)."""
from __future__ import annotations

import json
from pathlib import Path

import bpy

from ..scene.fitmap_scale import SCALES
from ..scene.materials import fitmap_material, point_colors

FABRIC_KEY = "tryon_fabric_material"  # the garment's own material while a fit map shows


class TRYON_OT_show_fitmap(bpy.types.Operator):
    bl_idname = "tryon.show_fitmap"
    bl_label = "Show Fit Map"
    bl_description = "Colour the active draped garment by its fit map, or give it its fabric back"
    bl_options = {"REGISTER", "UNDO"}

    show: bpy.props.EnumProperty(
        name="Show", items=[("strain", "Strain", "Stretch of the cloth, 0-10 %"),
                            ("ease", "Ease", "Distance from the body, 0-50 mm"),
                            ("fabric", "Fabric", "The garment's own material")])

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        garment = context.active_object
        return garment is not None and "tryon_fit_json" in garment

    def execute(self, context: bpy.types.Context) -> set[str]:
        garment = context.active_object
        mesh = garment.data
        if self.show == "fabric":
            material = bpy.data.materials.get(garment.get(FABRIC_KEY, ""))
            mesh.materials.clear()
            if material is not None:
                mesh.materials.append(material)
            garment.pop(FABRIC_KEY, None)
            return {"FINISHED"}
        fit_json = Path(garment["tryon_fit_json"])
        if not fit_json.is_file():
            self.report({"ERROR"}, f"fit map not found: {fit_json}")
            return {"CANCELLED"}
        scale = SCALES[self.show]
        values = json.loads(fit_json.read_text())["fit_map"][scale.key]
        if len(values) != len(mesh.vertices):
            self.report({"ERROR"}, f"{fit_json} is from another drape ({len(values)} values for "
                                   f"{len(mesh.vertices)} vertices)")
            return {"CANCELLED"}
        if FABRIC_KEY not in garment:
            garment[FABRIC_KEY] = mesh.materials[0].name if mesh.materials else ""
        material = fitmap_material(point_colors(mesh, scale.colors(values)))
        mesh.materials.clear()
        mesh.materials.append(material)
        self.report({"INFO"}, f"{scale.title}: {scale.low:g}-{scale.high:g} {scale.unit}, "
                              + ("blue to red" if not scale.reversed else "red to blue"))
        return {"FINISHED"}


register, unregister = bpy.utils.register_classes_factory((TRYON_OT_show_fitmap,))
