"""Runs a job on this machine, stage by stage, skipping every output that already exists."""
from __future__ import annotations

import os
from pathlib import Path

from tqdm import tqdm

from render_farm.job import Task, load_job
from render_farm.stages import drape_stage, fit_stage, garment_stage, render_stage


def run_job(job_file: str | os.PathLike, out_dir: str | os.PathLike,
            device: str = "auto") -> dict:
    """Run every task of the job; returns counts of stages run and skipped, and image paths."""
    tasks = load_job(job_file)
    out_dir = Path(out_dir)
    counts = {"ran": 0, "skipped": 0}
    images = []
    with tqdm(total=len(tasks) * 4, desc="try-ons", unit="stage") as bar:
        for task in tasks:
            images += _run_task(task, out_dir, device, counts, bar)
    return counts | {"images": [str(p) for p in images]}


def _run_task(task: Task, out: Path, device: str, counts: dict, bar) -> list[Path]:
    keys = task.keys()
    folders = {stage: out / f"{stage}s" / key for stage, key in keys.items()}
    steps = (
        ("avatar", lambda d: fit_stage(task.photo, task.height_cm, d, device,
                                       side_photo=task.side_photo)),
        ("garment", lambda d: garment_stage(task.kind, task.size, task.fabric, d)),
        ("drape", lambda d: drape_stage(folders["avatar"], folders["garment"], d, device)),
        ("render", lambda d: render_stage(folders["drape"], d, list(task.views), task.samples,
                                          task.resolution, task.template, device)),
    )
    for stage, run in steps:
        bar.set_postfix_str(f"{stage} {task.photo.name} {task.kind} {task.size}")
        if folders[stage].is_dir():
            counts["skipped"] += 1
        else:
            run(folders[stage])
            counts["ran"] += 1
        bar.update(1)
    return [folders["render"] / f"{view}.png" for view in task.views]
