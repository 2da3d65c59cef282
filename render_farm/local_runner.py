"""Runs a job on this machine: its plan's tasks in order, skipping every one already done."""
from __future__ import annotations

import os
from pathlib import Path

from neural.files import write_json_atomic
from render_farm.plan import plan_job, run_task
from neural.stages import Progress


def run_job(job_file: str | os.PathLike, out_dir: str | os.PathLike | None = None,
            device: str = "auto", progress: Progress = None) -> dict:
    """Run every task of the job into ``out_dir`` (default: the job file's ``output:``);
    returns counts of tasks run and skipped, the image paths and the contact sheet, which
    ``<out_dir>/index.json`` also lists when the job is done. ``progress(done, total)``
    follows the tasks."""
    plan = plan_job(job_file)
    out_dir = plan.out_dir(out_dir)
    counts = {"ran": 0, "skipped": 0}
    for done, task in enumerate(plan.tasks, start=1):
        counts["ran" if run_task(task, out_dir, device) else "skipped"] += 1
        if progress is not None:
            progress(done, len(plan.tasks))
    sheet = plan.tasks[-1].folder(out_dir) / "contact_sheet.png"
    result = {"images": [str(p) for p in plan.images(out_dir)], "contact_sheet": str(sheet)}
    write_json_atomic(Path(out_dir) / "index.json",
                      {"schema": "tryon.job_index", "schema_version": 2, **result})
    return counts | result
