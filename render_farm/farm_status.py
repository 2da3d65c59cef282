"""The operators' view of the farm: a snapshot of jobs, tasks and workers from the job store
(the JSON of ``tryon farm status --json`` and of the status endpoint), drawn as text with
progress bars, and followed live until the jobs finish."""
from __future__ import annotations

import sys
import time
from collections import Counter
from typing import TextIO

from render_farm.farm_worker import LOST_AFTER_S
from render_farm.plan import FOLDERS
from render_farm.stages import Progress
from render_farm.store import FINISHED, JobStore

BAR_WIDTH = 24
STAGES = ("fit", "garment", "drape", "render", "sheet")


def snapshot(store: JobStore, job_id: str | None = None) -> dict:
    """``JobStore.status`` with each job's progress (0-1) and contact sheet, and each
    worker's state (alive: not stopped, and a heartbeat within ``LOST_AFTER_S``)."""
    now = time.time()
    status = store.status(job_id)
    for job in status["jobs"]:
        tasks = job["tasks"]
        job["progress"] = round(sum(t["progress"] if t["state"] == "running" else
                                    t["state"] in FINISHED
                                    for t in tasks) / max(len(tasks), 1), 4)
        sheet = next((t for t in tasks if t["stage"] == "sheet" and t["state"] == "done"), None)
        job["contact_sheet"] = (f"{job['out_dir']}/{FOLDERS['sheet']}/{sheet['key']}/"
                                "contact_sheet.png") if sheet else None
    for worker in status["workers"]:
        worker["seconds_since_heartbeat"] = round(now - worker["last_heartbeat"], 1)
        worker["alive"] = (not worker["stopped"]
                           and worker["seconds_since_heartbeat"] < LOST_AFTER_S)
    status["time"] = now
    return status


def bar(fraction: float, width: int = BAR_WIDTH) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "[" + "#" * filled + "-" * (width - filled) + "]"


def draw(status: dict) -> str:
    """The snapshot as text: per job a bar and counts, a bar per stage, the running and failed
    tasks; then the workers."""
    lines = []
    for job in status["jobs"]:
        counts = " ".join(f"{state} {n}" for state, n in sorted(job["counts"].items()))
        lines.append(f"job {job['id']} {job['name']!r} {job['state']} (priority "
                     f"{job['priority']}) {bar(job['progress'])} {job['progress']:4.0%}  {counts}")
        by_stage = Counter(t["stage"] for t in job["tasks"])
        finished = Counter(t["stage"] for t in job["tasks"] if t["state"] == "done")
        for stage in STAGES:
            if by_stage[stage]:
                lines.append(f"  {stage:<8}{bar(finished[stage] / by_stage[stage], 12)} "
                             f"{finished[stage]}/{by_stage[stage]}")
        for task in job["tasks"]:
            if task["state"] == "running":
                lines.append(f"    {task['stage']} {task['label']}: {bar(task['progress'], 12)} "
                             f"{task['progress']:4.0%} on {task['worker']} (try {task['tries']})")
            elif task["state"] == "failed":
                lines.append(f"    {task['stage']} {task['label']}: FAILED after "
                             f"{task['tries']} tries (tryon farm logs {job['id']} {task['key']})")
        if job["contact_sheet"]:
            lines.append(f"  contact sheet: {job['contact_sheet']}")
    if not status["jobs"]:
        lines.append("no jobs")
    for worker in status["workers"]:
        doing = f"running {worker['task']}" if worker["task"] else "idle"
        state = "stopped" if worker["stopped"] else "alive" if worker["alive"] else "silent"
        lines.append(f"worker {worker['name']} ({','.join(worker['queues'])}): {state}, "
                     f"heartbeat {worker['seconds_since_heartbeat']:.0f} s ago, {doing}")
    return "\n".join(lines)


def watch(store: JobStore, job_id: str | None, interval_s: float = 1.0,
          stream: TextIO = sys.stdout, progress: Progress = None) -> dict:
    """Every ``interval_s`` until every job shown has finished, redraw the status on
    ``stream`` (on a terminal in place, else a block whenever it changed), or, given
    ``progress``, call it with the finished and all tasks instead; returns the last
    snapshot."""
    shown = None
    while True:
        status = snapshot(store, job_id)
        if progress is not None:
            tasks = [t for job in status["jobs"] for t in job["tasks"]]
            progress(sum(t["state"] in FINISHED for t in tasks), len(tasks))
        else:
            text = draw(status)
            if stream.isatty():
                stream.write("\x1b[H\x1b[J" + text + "\n")
            elif text != shown:
                stream.write(text + "\n\n")
            stream.flush()
            shown = text
        if all(job["state"] != "active" for job in status["jobs"]):
            return status
        time.sleep(interval_s)
