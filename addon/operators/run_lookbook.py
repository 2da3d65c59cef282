"""Run the current set-up as a lookbook job: the fitted avatar (or, before one is fitted, the
photos and height) x the library garment in every chosen size, rendered in the look's template
and views. The job file is the one ``tryon run`` reads; the engine runs it, resuming where an
earlier run stopped, or, when the preferences name a farm, submits it to the farm and follows
it (``tryon farm status JOB --watch``) with its progress in the status bar. The images come
back into the .blend."""
from __future__ import annotations

import json
import os
from pathlib import Path

import bpy

from .. import jobs, renders
from ..catalog import SIZES
from ..preferences import preferences
from . import EngineOperator, LookOperator


class TRYON_OT_run_lookbook(EngineOperator, bpy.types.Operator):
    bl_idname = "tryon.run_lookbook"
    bl_label = "Run Lookbook"
    bl_description = ("Write the set-up as a job file and run it in the engine: every chosen "
                      "size of the garment on the avatar, rendered in every chosen view")

    def start(self, context: bpy.types.Context) -> None:
        settings = context.scene.tryon
        if settings.garment_source != "BUILT_IN":
            raise ValueError("a lookbook shows library garments, in graded sizes")
        sizes = [size for size in SIZES if size in settings.lookbook_sizes]
        views = LookOperator.views_in_order(settings)
        if not sizes or not views:
            raise ValueError("choose at least one size and one view")
        name, avatar = _avatar(context)
        job = {"avatars": [avatar],
               "garments": [{"kind": settings.garment_kind, "sizes": sizes,
                             "fabric": settings.fabric}],
               "render": {"template": settings.look_template, "views": views,
                          "samples": settings.render_samples,
                          "resolution": [settings.render_width, settings.render_height]}}
        out = jobs.work_folder(context) / "lookbooks" / name
        out.mkdir(parents=True, exist_ok=True)
        job_file, partial = out / "job.yaml", out / ".job.yaml.partial"
        partial.write_text(json.dumps(job, indent=1))  # JSON is YAML
        os.replace(partial, job_file)
        scene_name, prefs = context.scene.name, preferences(context)
        told = f"lookbook of {len(sizes) * len(views)} images in {out}"

        def done(task) -> None:
            if task.succeeded:
                index = json.loads((out / "index.json").read_text())
                renders.show([Path(image) for image in index["images"]])
                bpy.data.scenes[scene_name].tryon.lookbook_folder = str(out)
            jobs.tell(task, told)

        def submitted(task) -> None:
            if not task.succeeded:
                return jobs.tell(task, "")
            job_id = task.output.split()[0]
            bpy.data.scenes[scene_name].tryon.farm_job = job_id
            jobs.start(bpy.context, "lookbook", ["farm", "status", job_id, "--watch", "--json",
                                                 *prefs.farm_store_option()], followed)

        def followed(task) -> None:
            sheet = json.loads(task.output)["jobs"][0]["contact_sheet"] if task.output else None
            if sheet:  # a job with failed renders still has its sheet of the others
                index = json.loads((Path(sheet).parent / "index.json").read_text())
                renders.show([out / e["image"] for e in index["images"] if not e["missing"]])
                bpy.data.scenes[scene_name].tryon.lookbook_folder = str(out)
            jobs.tell(task, told + " (farm job)")

        if prefs.farm_broker:
            jobs.start(context, "lookbook", ["farm", "submit", str(job_file), "--out", str(out),
                                             "--broker", prefs.farm_broker,
                                             *prefs.farm_store_option()], submitted)
        else:
            jobs.start(context, "lookbook", ["run", str(job_file), "--out", str(out)], done)


def _avatar(context: bpy.types.Context) -> tuple[str, dict]:
    """The lookbook's avatar as the job file names it, and its name."""
    settings, fitted = context.scene.tryon, jobs.fitted_avatar(context)
    if fitted is not None:
        return fitted.name, {"avatar": str(fitted)}
    front = jobs.existing_file(settings.front_photo, "front photo")
    avatar = {"photo": front, "height_cm": settings.height_cm}
    if settings.side_photo:
        avatar["side_photo"] = jobs.existing_file(settings.side_photo, "side photo")
    return Path(front).stem, avatar


register, unregister = bpy.utils.register_classes_factory((TRYON_OT_run_lookbook,))
