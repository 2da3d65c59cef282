"""One planned task of a farm job in a process of its own: ``tryon task`` (``render_farm.cli``),
which a farm worker (``render_farm.farm_worker``) starts through the engine-process runner
(``render_farm.engine_process``) with the task's JSON (``PlannedTask.to_json``) on stdin.

Like every ``tryon`` command it reports progress as JSON lines (``--progress jsonl``) and a
failure as one ``tryon: error: ...`` line (exit 2 on bad input, 1 on any other error, after the
traceback); everything else it prints is the attempt's log. The process dies with the worker
that started it (Linux ``PR_SET_PDEATHSIG``), so a killed worker leaves no task running behind.
"""
from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
import traceback
from typing import Callable

PR_SET_PDEATHSIG = 1


class TaskFailed(Exception):
    """The task raised something other than bad input; its traceback is in the log."""


def run_planned_task(spec: str, out_dir: str, device: str, threads: int, parent: int,
                     progress_for: Callable[[str], Callable[[int, int], None]]) -> str:
    """Run the task of ``spec`` (JSON) into the job's ``out_dir``; its progress goes to
    ``progress_for(stage)``. Returns "done" or "already done"."""
    from neural.errors import InputError
    from render_farm.plan import PlannedTask, run_task

    _die_with_parent(parent)
    task = PlannedTask.from_json(json.loads(spec))
    print(f"{task.stage} {task.label or task.key} in {out_dir} on pid {os.getpid()}", flush=True)
    try:
        ran = run_task(task, out_dir, device, threads, progress_for(task.stage))
    except InputError:
        raise
    except Exception as error:  # the task failed: its log says why, the worker goes on
        traceback.print_exc(file=sys.stdout)
        raise TaskFailed(f"{type(error).__name__}: {error}") from error
    return "done" if ran else "already done"


def _die_with_parent(parent: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the worker died before the line above
        os._exit(1)
