"""The extension's preferences: where the engine (the project's own Python) is, and the render
farm that runs lookbooks, if any."""
from __future__ import annotations

import bpy

# the extension's package: "addon" from the repository, "bl_ext.user_default.tryon" installed
ROOT = __package__


class TryOnPreferences(bpy.types.AddonPreferences):
    bl_idname = ROOT

    engine_python: bpy.props.StringProperty(
        name="Engine Python",
        description="The Python of the project's environment (its .venv/bin/python), which runs "
                    "fitting, draping and rendering outside Blender",
        subtype="FILE_PATH",
    )

    farm_broker: bpy.props.StringProperty(
        name="Farm Broker",
        description="The render farm's Redis (redis://HOST:PORT/DB): lookbooks are submitted to "
                    "its workers. Empty: they run on this machine",
    )
    farm_store: bpy.props.StringProperty(
        name="Farm Store",
        description="The farm's job store (sqlite:///PATH or postgresql+psycopg://...); empty: "
                    "the engine's default",
    )

    def draw(self, context: bpy.types.Context) -> None:
        row = self.layout.row(align=True)
        row.prop(self, "engine_python")
        row.operator("tryon.check_engine", text="", icon="CHECKMARK")
        status = context.window_manager.tryon.engine_status
        if status:
            self.layout.label(text=status, icon="INFO")
        self.layout.prop(self, "farm_broker")
        self.layout.prop(self, "farm_store")

    def farm_store_option(self) -> list[str]:
        """The ``tryon farm`` option naming the farm's job store, if one is set."""
        return ["--store", self.farm_store] if self.farm_store else []


def preferences(context: bpy.types.Context) -> TryOnPreferences:
    return context.preferences.addons[ROOT].preferences


register, unregister = bpy.utils.register_classes_factory((TryOnPreferences,))
