"""Runs one planned task in a process of its own, for a farm worker (``render_farm.farm_worker``).

The task's JSON (``PlannedTask.to_json``) comes on stdin; progress goes to stdout as lines
``PROGRESS_PREFIX <fraction 0-1>``, everything else the stages print is the task's log. Exit 0
when done, 2 on bad input, 1 on any other error, with ``error: ...`` as the last line. The
process dies with the worker that started it (Linux ``PR_SET_PDEATHSIG``), so a killed worker
leaves no task running behind it.
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import sys
import traceback

PROGRESS_PREFIX = "@progress "
PR_SET_PDEATHSIG = 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m render_farm.task_child")
    parser.add_argument("--out", required=True, help="the job's output folder (shared)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--parent", type=int, required=True, help="the worker's process id")
    args = parser.parse_args(argv)
    _die_with_parent(args.parent)

    from neural.errors import InputError
    from render_farm.plan import PlannedTask, run_task

    task = PlannedTask.from_json(json.load(sys.stdin))
    print(f"{task.stage} {task.label or task.key} in {args.out} on pid {os.getpid()}", flush=True)
    try:
        ran = run_task(task, args.out, args.device, args.threads, _report)
    except InputError as error:
        print(f"error: {error}", flush=True)
        return 2
    except Exception as error:  # the task failed: its log says why, the worker goes on
        traceback.print_exc(file=sys.stdout)
        print(f"error: {type(error).__name__}: {error}", flush=True)
        return 1
    print("done" if ran else "already done", flush=True)
    return 0


def _report(done: int, total: int) -> None:
    print(f"{PROGRESS_PREFIX}{done / max(total, 1):.4f}", flush=True)


def _die_with_parent(parent: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the worker died before the line above
        os._exit(1)


if __name__ == "__main__":
    sys.exit(main())
