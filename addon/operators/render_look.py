"""Render the avatar and its garments in the chosen template, one image per chosen view, as
``tryon render`` does (the same look code, so the same picture)."""
from __future__ import annotations

import bpy

from .. import jobs, renders
from ..scene.look import frame_views
from . import LookOperator


class TRYON_OT_render_look(LookOperator, bpy.types.Operator):
    bl_idname = "tryon.render_look"
    bl_label = "Render"
    bl_description = ("Render the avatar and its garments in the template, one image per view, "
                      "into the work folder's renders")

    def start(self, context: bpy.types.Context) -> None:
        settings = context.scene.tryon
        views = self.views_in_order(settings)
        if not views:
            raise ValueError("choose at least one view")
        name, subject = self.subject(context)
        out = jobs.work_folder(context) / "renders" / name
        scene = self.look(context, f"Look {name}", subject, views)
        renders.render(scene, out, frame_views(scene), self.done(f"rendered {name} into {out}"))


register, unregister = bpy.utils.register_classes_factory((TRYON_OT_render_look,))
