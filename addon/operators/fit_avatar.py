"""Fit an avatar from the scene's photos and height, in the engine; the body comes back as a
mesh in a collection named after the avatar."""
from __future__ import annotations

from pathlib import Path

import bpy

from .. import jobs
from ..results import import_avatar
from . import EngineOperator


class TRYON_OT_fit_avatar(EngineOperator, bpy.types.Operator):
    bl_idname = "tryon.fit_avatar"
    bl_label = "Fit Avatar"
    bl_description = ("Fit a measured body to the front (and side) photo and height, outside "
                      "Blender; the photos are read, never stored")

    def start(self, context: bpy.types.Context) -> None:
        settings = context.scene.tryon
        front = jobs.existing_file(settings.front_photo, "front photo")
        side = settings.side_photo and jobs.existing_file(settings.side_photo, "side photo")
        name = Path(front).stem
        out = jobs.work_folder(context) / "avatars" / name
        args = ["fit", front, "--height", f"{settings.height_cm:g}", "--out", str(out)]
        scene_name = context.scene.name

        def done(task) -> None:
            if task.succeeded:
                import_avatar(bpy.data.scenes[scene_name], out, name)
            jobs.tell(task, f"avatar {name} fitted")

        jobs.start(context, "fit", args + (["--side", side] if side else []), done)

register, unregister = bpy.utils.register_classes_factory((TRYON_OT_fit_avatar,))
