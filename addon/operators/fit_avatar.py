"""Fit an avatar from the scene's photos and height, in the engine; the body comes back as a
mesh in a collection named after the avatar."""
from __future__ import annotations

from pathlib import Path

import bpy

from .. import jobs
from ..engine import EngineError
from ..results import import_avatar


class TRYON_OT_fit_avatar(bpy.types.Operator):
    bl_idname = "tryon.fit_avatar"
    bl_label = "Fit Avatar"
    bl_description = ("Fit a measured body to the front (and side) photo and height, outside "
                      "Blender; the photos are read, never stored")

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return not context.window_manager.tryon.busy

    def execute(self, context: bpy.types.Context) -> set[str]:
        settings = context.scene.tryon
        try:
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
        except (ValueError, EngineError) as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        if error := jobs.background_error(context):
            self.report({"ERROR"}, error)
            return {"CANCELLED"}
        return {"FINISHED"}


register, unregister = bpy.utils.register_classes_factory((TRYON_OT_fit_avatar,))
