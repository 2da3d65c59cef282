"""Cancel the engine task that runs (fitting, draping, size advice or a lookbook): the engine
stops cleanly, keeping what it finished, so that running it again resumes."""
from __future__ import annotations

import threading

import bpy

from .. import jobs


class TRYON_OT_cancel_task(bpy.types.Operator):
    bl_idname = "tryon.cancel_task"
    bl_label = "Cancel"
    bl_description = "Stop the running engine task; finished steps are kept"

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return context.window_manager.tryon.busy

    def execute(self, context: bpy.types.Context) -> set[str]:
        # the engine may take seconds to stop: do not wait for it here
        threading.Thread(target=jobs.cancel_all, daemon=True).start()
        self.report({"INFO"}, "cancelling")
        return {"FINISHED"}


register, unregister = bpy.utils.register_classes_factory((TRYON_OT_cancel_task,))
