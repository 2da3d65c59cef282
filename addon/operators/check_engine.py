"""Check that the engine set in the preferences runs: it answers with its version."""
from __future__ import annotations

import bpy

from .. import jobs
from ..engine import EngineError


class TRYON_OT_check_engine(bpy.types.Operator):
    bl_idname = "tryon.check_engine"
    bl_label = "Check Engine"
    bl_description = "Run the engine set in the preferences and show its version"

    def execute(self, context: bpy.types.Context) -> set[str]:
        session = context.window_manager.tryon

        def done(task) -> None:
            session.engine_ok = task.succeeded
            session.engine_status = (f"{task.output} ready" if task.succeeded
                                     else f"engine failed: {task.error}")

        try:
            jobs.start(context, "check_engine", ["--version"], done)
        except (jobs.EngineNotSet, EngineError) as error:
            session.engine_ok, session.engine_status = False, str(error)
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        return {"FINISHED"}


register, unregister = bpy.utils.register_classes_factory((TRYON_OT_check_engine,))
