"""Advise a size of the chosen library garment for the avatar, in the engine: it drapes sizes
from the one the size chart gives until the smallest that is not tight."""
from __future__ import annotations

import json

import bpy

from .. import jobs
from . import EngineOperator


class TRYON_OT_advise_size(EngineOperator, bpy.types.Operator):
    bl_idname = "tryon.advise_size"
    bl_label = "Advise Size"
    bl_description = ("Drape sizes of the library garment on the avatar, outside Blender, and "
                      "advise the smallest that is not tight")

    def start(self, context: bpy.types.Context) -> None:
        settings = context.scene.tryon
        avatar = jobs.fitted_avatar(context)
        if avatar is None:
            raise ValueError("fit an avatar first")
        if settings.garment_source != "BUILT_IN":
            raise ValueError("size advice is for library garments, whose sizes are graded")
        kind, fabric = settings.garment_kind, settings.fabric
        out = jobs.work_folder(context) / "sizes" / f"{avatar.name}_{kind}_{fabric}"
        scene_name = context.scene.name

        def done(task) -> None:
            if task.succeeded:
                advice = json.loads((out / "size_advice.json").read_text())
                bpy.data.scenes[scene_name].tryon.size_advice_json = json.dumps(advice)
            jobs.tell(task, f"{kind} for {avatar.name}: size advised")

        settings.size_advice_json = ""
        jobs.start(context, "size", ["size", str(avatar), kind, "--fabric", fabric,
                                     "--out", str(out)], done)


register, unregister = bpy.utils.register_classes_factory((TRYON_OT_advise_size,))
