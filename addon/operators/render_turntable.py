"""Render the avatar and its garments turning once round in the chosen template's light: an
image sequence (0001.png, ...) to play as a turntable."""
from __future__ import annotations

import bpy

from .. import jobs, renders
from ..scene.look import add_turntable
from . import LookOperator


class TRYON_OT_render_turntable(LookOperator, bpy.types.Operator):
    bl_idname = "tryon.render_turntable"
    bl_label = "Render Turntable"
    bl_description = ("Render one turn round the avatar, seen from the front camera of the "
                      "template, into the work folder's renders")

    def start(self, context: bpy.types.Context) -> None:
        settings = context.scene.tryon
        name, subject = self.subject(context)
        out = jobs.work_folder(context) / "renders" / f"{name}_turntable"
        scene = self.look(context, f"Turntable {name}", subject, ["front"])
        add_turntable(scene, settings.turntable_frames)
        message = f"turntable of {name}: {settings.turntable_frames} frames in {out}"
        renders.render(scene, out, None, self.done(message))


register, unregister = bpy.utils.register_classes_factory((TRYON_OT_render_turntable,))
