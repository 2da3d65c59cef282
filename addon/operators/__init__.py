"""The extension's operators, one per module."""
from __future__ import annotations

from pathlib import Path

import bpy

from .. import jobs, renders
from ..catalog import VIEWS
from ..scene.look import build_look, configure_cycles
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


class LookOperator:
    """An operator that renders the scene's avatar (its "Avatar <name>" collection: body and
    garments) in a look scene of its own; the user's errors come back as Blender reports."""

    def execute(self, context: bpy.types.Context) -> set[str]:
        try:
            self.start(context)
        except ValueError as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        return {"FINISHED"}

    def start(self, context: bpy.types.Context) -> None:
        raise NotImplementedError

    @staticmethod
    def subject(context: bpy.types.Context) -> tuple[str, bpy.types.Collection]:
        """The avatar's name and collection."""
        folder = context.scene.tryon.avatar_folder
        name = Path(folder).name if folder else ""
        collection = bpy.data.collections.get(f"Avatar {name}")
        if not name or collection is None:
            raise ValueError("fit an avatar first")
        return name, collection

    @staticmethod
    def look(context: bpy.types.Context, name: str, subject: bpy.types.Collection,
             views: list[str]) -> bpy.types.Scene:
        """A look scene ``name`` of ``subject`` in the chosen template and render settings."""
        settings = context.scene.tryon
        scene = build_look(name, subject, settings.look_template, views)
        configure_cycles(scene, settings.render_samples,
                         (settings.render_width, settings.render_height), "auto")
        return scene

    @staticmethod
    def views_in_order(settings) -> list[str]:
        """The chosen views in the menu's order."""
        return [view for view in VIEWS if view in settings.look_views]

    @staticmethod
    def done(message: str):
        """What a finished render does: show its images and say where they are."""
        def finished(images: list[Path]) -> None:
            renders.show(images)
            session = bpy.context.window_manager.tryon
            session.message, session.message_is_error = message, False
        return finished
