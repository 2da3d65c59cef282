"""Runs a job on this machine, stage by stage, skipping every output that already exists."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from neural.files import write_json_atomic
from render_farm.job import Task, load_job
from render_farm.stages import Progress, drape_stage, fit_stage, garment_stage, render_stage

STAGES_PER_TASK = 4


def run_job(job_file: str | os.PathLike, out_dir: str | os.PathLike,
            device: str = "auto", progress: Progress = None) -> dict:
    """Run every task of the job; returns counts of stages run and skipped, and image paths,
    which ``<out_dir>/index.json`` also lists when the job is done. ``progress(done, total)``
    follows the stages (four per try-on)."""
    tasks = load_job(job_file)
    out_dir = Path(out_dir)
    counts = {"ran": 0, "skipped": 0}
    images = []

    def stage_done() -> None:
        if progress is not None:
            progress(counts["ran"] + counts["skipped"], len(tasks) * STAGES_PER_TASK)

    for task in tasks:
        images += _run_task(task, out_dir, device, counts, stage_done)
    write_json_atomic(out_dir / "index.json", {"schema": "tryon.job_index", "schema_version": 1,
                                               "images": [str(p) for p in images]})
    return counts | {"images": [str(p) for p in images]}


def _run_task(task: Task, out: Path, device: str, counts: dict,
              stage_done: Callable[[], None]) -> list[Path]:
    keys = task.keys()
    folders = {stage: out / f"{stage}s" / key for stage, key in keys.items()}
    if task.avatar_dir is not None:
        folders["avatar"] = task.avatar_dir
    steps = (
        ("avatar", lambda d: fit_stage(task.photo, task.height_cm, d, device,
                                       side_photo=task.side_photo)),
        ("garment", lambda d: garment_stage(task.kind, task.size, task.fabric, d)),
        ("drape", lambda d: drape_stage(folders["avatar"], folders["garment"], d, device)),
        ("render", lambda d: render_stage(folders["drape"], d, list(task.views), task.samples,
                                          task.resolution, task.template, device)),
    )
    for stage, run in steps:
        if folders[stage].is_dir():
            counts["skipped"] += 1
        else:
            run(folders[stage])
            counts["ran"] += 1
        stage_done()
    return [folders["render"] / f"{view}.png" for view in task.views]
