"""The operators' view of the farm: a snapshot of jobs, tasks and workers from the job store
(the JSON of ``tryon farm status --json`` and of the status endpoint), drawn as text with
progress bars, and followed live until the jobs finish (on a terminal redrawn in place by rich,
elsewhere a text block whenever it changed)."""
from __future__ import annotations

import contextlib
import sys
import time
from collections import Counter
from typing import TextIO

from render_farm.farm_worker import LOST_AFTER_S
from render_farm.plan import FOLDERS
from neural.stages import Progress
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


def rows(status: dict) -> list[tuple[str, float | None, int, str]]:
    """The snapshot as rows of (text before a bar, the bar's fraction or None for none, the
    bar's width, text after it): per job its bar and counts, a bar per stage, the running and
    failed tasks; then the workers."""
    out = []
    for job in status["jobs"]:
        counts = " ".join(f"{state} {n}" for state, n in sorted(job["counts"].items()))
        out.append((f"job {job['id']} {job['name']!r} {job['state']} (priority "
                    f"{job['priority']})", job["progress"], BAR_WIDTH,
                    f"{job['progress']:4.0%}  {counts}"))
        by_stage = Counter(t["stage"] for t in job["tasks"])
        finished = Counter(t["stage"] for t in job["tasks"] if t["state"] == "done")
        for stage in STAGES:
            if by_stage[stage]:
                out.append((f"  {stage:<7}", finished[stage] / by_stage[stage], 12,
                            f"{finished[stage]}/{by_stage[stage]}"))
        for task in job["tasks"]:
            if task["state"] == "running":
                out.append((f"    {task['stage']} {task['label']}:", task["progress"], 12,
                            f"{task['progress']:4.0%} on {task['worker']} (try {task['tries']})"))
            elif task["state"] == "failed":
                out.append((f"    {task['stage']} {task['label']}: FAILED after {task['tries']} "
                            f"tries (tryon farm logs {job['id']} {task['key']})", None, 0, ""))
        if job["contact_sheet"]:
            out.append((f"  contact sheet: {job['contact_sheet']}", None, 0, ""))
    if not status["jobs"]:
        out.append(("no jobs", None, 0, ""))
    for worker in status["workers"]:
        doing = f"running {worker['task']}" if worker["task"] else "idle"
        state = "stopped" if worker["stopped"] else "alive" if worker["alive"] else "silent"
        out.append((f"worker {worker['name']} ({','.join(worker['queues'])}): {state}, "
                    f"heartbeat {worker['seconds_since_heartbeat']:.0f} s ago, {doing}",
                    None, 0, ""))
    return out


def draw(status: dict) -> str:
    """The snapshot as plain text, its bars drawn in ASCII (``rows``)."""
    return "\n".join(" ".join(part for part in (before, bar(fraction, width) if fraction
                                                 is not None else "", after) if part)
                     for before, fraction, width, after in rows(status))


def view(status: dict):
    """The snapshot for a terminal: ``rows`` with rich's progress bars."""
    from rich.console import Group
    from rich.progress_bar import ProgressBar
    from rich.table import Table
    from rich.text import Text

    lines = []
    for before, fraction, width, after in rows(status):
        if fraction is None:
            lines.append(Text(before))
            continue
        line = Table.grid(padding=(0, 1))
        line.add_row(Text(before), ProgressBar(total=1.0, completed=fraction, width=width,
                                               finished_style="green"), Text(after))
        lines.append(line)
    return Group(*lines)


def watch(store: JobStore, job_id: str | None, interval_s: float = 1.0,
          stream: TextIO = sys.stdout, progress: Progress = None) -> dict:
    """Every ``interval_s`` until every job shown has finished, redraw the status on
    ``stream`` (on a terminal in place, else a block whenever it changed), or, given
    ``progress``, call it with the finished and all tasks instead; returns the last
    snapshot."""
    from rich.console import Console
    from rich.live import Live

    live = Live(console=Console(file=stream, highlight=False), auto_refresh=False) if (
        progress is None and stream.isatty()) else None
    shown = None
    with live or contextlib.nullcontext():
        while True:
            status = snapshot(store, job_id)
            if progress is not None:
                tasks = [t for job in status["jobs"] for t in job["tasks"]]
                progress(sum(t["state"] in FINISHED for t in tasks), len(tasks))
            elif live is not None:
                live.update(view(status), refresh=True)
            elif (text := draw(status)) != shown:
                stream.write(text + "\n\n")
                stream.flush()
                shown = text
            if all(job["state"] != "active" for job in status["jobs"]):
                return status
            time.sleep(interval_s)
