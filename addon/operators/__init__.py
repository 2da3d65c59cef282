"""The extension's operators, one per module."""
from __future__ import annotations

import bpy

from .. import jobs
from ..engine import EngineError


class EngineOperator:
    """An operator that starts engine tasks (``start``): not while one runs; the user's errors,
    and in background mode a failed task, come back as Blender error reports."""

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        return not context.window_manager.tryon.busy

    def execute(self, context: bpy.types.Context) -> set[str]:
        try:
            self.start(context)
        except (ValueError, EngineError) as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        if error := jobs.background_error(context):
            self.report({"ERROR"}, error)
            return {"CANCELLED"}
        return {"FINISHED"}

    def start(self, context: bpy.types.Context) -> None:
        raise NotImplementedError
