"""A job's plan: its try-ons turned into a graph of tasks, each run once however many try-ons
share it. Fit per avatar, garment per (pattern, size, fabric), drape per (avatar, garment),
render per drape (one Blender scene load renders all its views), one contact sheet per job.

A task's output folder is ``<out>/<FOLDERS[stage]>/<key>``, its key a hash of everything that
determines it (its inputs' keys included), so the same task in two jobs is one task; a task
whose folder exists is done. Stages write into a staging folder renamed into place when
complete, so a folder is either whole or absent. Plain data: a worker on another machine runs a
task from its JSON form (``PlannedTask.to_json``) with ``run_task``.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from neural.errors import InputError
from render_farm.job import TryOn, content_key, job_try_ons, read_job
from neural.stages import Progress

GPU_STAGES = ("fit", "drape", "render")  # stages that use a GPU when the worker has one
FOLDERS = {"fit": "avatars", "garment": "garments", "drape": "drapes", "render": "renders",
           "sheet": "sheets"}


@dataclass(frozen=True)
class PlannedTask:
    """One unit of work: ``stage`` with its ``args`` (JSON-able), after the tasks ``needs``.
    A ``partial`` task (the contact sheet) still runs when some of what it needs failed, over
    what did not."""

    key: str
    stage: str
    args: dict
    needs: tuple[str, ...] = ()
    label: str = ""
    partial: bool = False

    @property
    def queue(self) -> str:
        """The queue its workers take it from: gpu or cpu."""
        return "gpu" if self.stage in GPU_STAGES else "cpu"

    def folder(self, out_dir: str | os.PathLike) -> Path:
        return Path(out_dir) / FOLDERS[self.stage] / self.key

    def to_json(self) -> dict:
        return asdict(self) | {"needs": list(self.needs)}

    @classmethod
    def from_json(cls, data: dict) -> "PlannedTask":
        return cls(data["key"], data["stage"], data["args"], tuple(data["needs"]),
                   data.get("label", ""), data.get("partial", False))


@dataclass
class JobPlan:
    """The tasks of a job in an order that runs every task after those it needs."""

    tasks: list[PlannedTask] = field(default_factory=list)
    priority: int = 0
    output: Path | None = None  # the job file's ``output:`` folder, if it names one

    def out_dir(self, given: str | os.PathLike | None) -> Path:
        """``given``, else the job file's ``output:``; absolute."""
        if given is None and self.output is None:
            raise InputError("no output folder: give --out or 'output:' in the job file")
        return Path(given if given is not None else self.output).resolve()

    def images(self, out_dir: str | os.PathLike) -> list[Path]:
        """Every render's images, in plan order."""
        return [task.folder(out_dir) / f"{view}.png" for task in self.tasks
                if task.stage == "render" for view in task.args["views"]]


def plan_job(job_file: str | os.PathLike) -> JobPlan:
    """Read a job file (``render_farm.job.load_job``) and plan it; its ``output:`` folder is
    relative to the job file."""
    job = read_job(job_file)
    try_ons = job_try_ons(job, Path(job_file))
    priority = job.priority
    output = (Path(job_file).parent / job.output).resolve() if job.output else None
    tasks: dict[str, PlannedTask] = {}
    renders = []
    for try_on in try_ons:
        renders.append(_plan_try_on(try_on, tasks))
    sheet_key = content_key("sheet", *sorted(r.key for r in renders))
    tasks[sheet_key] = PlannedTask(sheet_key, "sheet", {"renders": [
        {"key": r.key, "label": r.label, "views": r.args["views"]} for r in renders]},
        tuple(dict.fromkeys(r.key for r in renders)), "contact sheet", partial=True)
    return JobPlan(list(tasks.values()), priority, output)


def _plan_try_on(try_on: TryOn, tasks: dict[str, PlannedTask]) -> PlannedTask:
    """Add one try-on's fit, garments, drapes (each garment worn under it first, in dressing
    order, the next draped over it) and render to ``tasks`` (kept once each)."""
    keys = try_on.keys()
    avatar_name = try_on.avatar_dir.name if try_on.avatar_dir else try_on.photo.stem
    garment_label = " + ".join(worn.label for worn in (*try_on.under, try_on.worn))
    planned = []
    if try_on.avatar_dir is None:
        planned.append(PlannedTask(keys["avatar"], "fit", {
            "photo": str(try_on.photo), "height_cm": try_on.height_cm,
            "side_photo": str(try_on.side_photo) if try_on.side_photo else None}, (), avatar_name))
        avatar_ref = {"task": keys["avatar"]}
    else:
        avatar_ref = {"path": str(try_on.avatar_dir)}
    below = None
    for worn, (garment_key, drape_key) in zip((*try_on.under, try_on.worn),
                                              (*keys["under"], (keys["garment"], keys["drape"]))):
        planned.append(PlannedTask(garment_key, "garment", {
            "kind": worn.kind, "size": worn.size, "fabric": worn.fabric,
            "color": list(worn.color) if worn.color else None}, (), worn.label))
        needs = tuple(k for k in (avatar_ref.get("task"), garment_key, below) if k)
        planned.append(PlannedTask(drape_key, "drape", {
            "avatar": avatar_ref, "garment": {"task": garment_key},
            **({"over": {"task": below}} if below else {})}, needs,
            f"{avatar_name} / {worn.label}"))
        below = drape_key
    render = PlannedTask(keys["render"], "render", {
        "drape": {"task": keys["drape"]}, "views": list(try_on.views), "samples": try_on.samples,
        "resolution": list(try_on.resolution), "template": try_on.template,
        "body": try_on.body}, (keys["drape"],),
        f"{avatar_name} / {garment_label}")
    planned.append(render)
    for step in planned:
        tasks.setdefault(step.key, step)
    return render


def warm_up(device: str = "auto") -> None:
    """Load what every task would otherwise load on its own, once: the heavy libraries (torch,
    Warp, Newton, Blender's bpy), the body model and the photo detector, so that a warm
    engine's tasks (``task_child.serve_planned_tasks``) pay for their compute, not for
    start-up."""
    import bpy  # noqa: F401 - Blender, for the renders
    import newton  # noqa: F401 - the cloth solver, for the drapes

    from neural.body.anny_body import load_anny
    from neural.device import resolve_device
    from neural.photo.person_detector import keep_detector

    load_anny(resolve_device(device))
    keep_detector()


def run_task(task: PlannedTask, out_dir: str | os.PathLike, device: str = "auto",
             threads: int = 0, progress: Progress = None) -> bool:
    """Run ``task`` unless its output folder exists; True when it ran. Its inputs' folders must
    exist (the tasks it needs are done). ``threads``: CPU threads for Cycles (0: one per core);
    ``progress(done, total)`` follows fits and drapes."""
    from neural import stages
    from render_farm import render_stage
    from render_farm.contact_sheet import write_contact_sheet

    folder = task.folder(out_dir)
    if folder.is_dir():
        return False
    args = task.args

    def path(ref: dict, stage: str) -> Path:
        return Path(ref["path"]) if "path" in ref else Path(out_dir) / FOLDERS[stage] / ref["task"]

    if task.stage == "fit" and "dropped" in args:
        _fit_dropped(args, folder, device, progress)
    elif task.stage == "fit":
        stages.fit_stage(args["photo"], args["height_cm"], folder, device, progress,
                         side_photo=args["side_photo"])
    elif task.stage == "garment":
        stages.garment_stage(args["kind"], args["size"], args["fabric"], folder,
                             args.get("color"))
    elif task.stage == "drape":
        over = path(args["over"], "drape") if "over" in args else None
        stages.drape_stage(path(args["avatar"], "fit"), path(args["garment"], "garment"), folder,
                           device, progress, over=over, keep_failed=True)
    elif task.stage == "render":
        failure = render_stage.failed_drape(path(args["drape"], "drape"))
        if failure:  # done, without pictures: the job's contact sheet says why
            render_stage.record_not_rendered(folder, f"drape failed: {failure}")
        else:
            render_stage.render_stage(path(args["drape"], "drape"), folder, args["views"],
                                      args["samples"], tuple(args["resolution"]),
                                      args["template"], device, threads=threads,
                                      body=args.get("body", "realistic"))
    elif task.stage == "sheet":
        write_contact_sheet(out_dir, args["renders"], folder)
    else:
        raise ValueError(f"unknown stage {task.stage!r}")
    return True


REFUSED_FILE = "refused.json"  # in a fit's folder: the uploaded photos could not be fitted


def _fit_dropped(args: dict, folder: Path, device: str, progress: Progress) -> None:
    """A fit of uploaded photos left in the broker's Redis (``photo_drop``). Photos that cannot
    be fitted (no person in them, gone, ...) are its outcome, not a failure to try again
    elsewhere: the folder then holds ``REFUSED_FILE`` with the reason."""
    from neural import stages
    from neural.device import resolve_device
    from neural.files import staged_output_dir, write_json_atomic
    from render_farm.farm_app import broker_url
    from render_farm.photo_drop import take

    device = resolve_device(device)  # this worker's own problem: another may try
    try:
        photos = {view: take(broker_url(), reference, f"the {view} photo")
                  for view, reference in args["dropped"].items()}
        stages.fit_uploaded(photos, args["height_cm"], folder, device, progress)
    except InputError as refusal:
        with staged_output_dir(folder) as stage:
            write_json_atomic(stage / REFUSED_FILE, {"reason": str(refusal)})
