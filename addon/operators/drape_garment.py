"""Make the chosen garment and drape it on the scene's avatar, in the engine; the draped
garment comes back as a mesh with its pattern UVs in the avatar's collection."""
from __future__ import annotations

from pathlib import Path

import bpy

from .. import jobs
from ..results import import_garment
from . import EngineOperator


class TRYON_OT_drape_garment(EngineOperator, bpy.types.Operator):
    bl_idname = "tryon.drape_garment"
    bl_label = "Drape"
    bl_description = "Make the garment and drape it on the avatar, outside Blender"

    def start(self, context: bpy.types.Context) -> None:
        settings = context.scene.tryon
        avatar = jobs.fitted_avatar(context)
        if avatar is None:
            raise ValueError("fit an avatar first")
        label, garment_args = _garment(settings)
        work = jobs.work_folder(context)
        garment_dir = work / "garments" / label.replace(" ", "_")
        drape_dir = work / "drapes" / f"{avatar.name}_{label.replace(' ', '_')}"
        drape_args = ["drape", str(avatar), str(garment_dir), "--out", str(drape_dir)]
        scene_name = context.scene.name

        def draped(task) -> None:
            if task.succeeded:
                import_garment(bpy.data.scenes[scene_name], drape_dir / "draped.glb",
                               avatar.name, label)
            jobs.tell(task, f"{label} draped on {avatar.name}")

        def made(task) -> None:
            if task.succeeded:
                jobs.start(bpy.context, "drape", drape_args, draped)
            else:
                jobs.tell(task, "")

        jobs.start(context, "garment", ["garment", *garment_args, "--out", str(garment_dir)],
                   made)

def _garment(settings) -> tuple[str, list[str]]:
    """The garment's label ("tshirt M cotton") and its ``tryon garment`` arguments."""
    fabric = ["--fabric", settings.fabric]
    if settings.garment_source == "BUILT_IN":
        kind, size = settings.garment_kind, settings.garment_size
        return f"{kind} {size} {settings.fabric}", [kind, "--size", size, *fabric]
    source = jobs.existing_file(settings.garment_file, "garment file")
    option = "--pattern" if settings.garment_source == "PATTERN" else "--mesh"
    return f"{Path(source).stem} {settings.fabric}", [option, source, *fabric]


register, unregister = bpy.utils.register_classes_factory((TRYON_OT_drape_garment,))
