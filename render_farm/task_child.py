"""Planned tasks of farm jobs in an engine process: ``tryon task`` (``render_farm.cli``), which a
farm worker (``render_farm.farm_worker``) starts through the engine-process runner
(``render_farm.engine_process``).

``tryon task --out OUT`` runs one task, its JSON (``PlannedTask.to_json``) on stdin. Like every
``tryon`` command it reports progress as JSON lines (``--progress jsonl``) and a failure as one
``tryon: error: ...`` line (exit 2 on bad input, 1 on any other error, after the traceback).

``tryon task --serve`` is a warm engine: it loads the heavy libraries and the body model once
(then prints ``tryon: engine ready``), then runs what it reads from stdin one after another, a
JSON line each: ``{"task": ..., "out": ..., "tag": ...}`` (a task, its job's output folder and
the attempt's staging tag) or ``{"fit": ...}`` (an avatar from uploaded photos sent in memory,
``_fit_uploaded``). It ends each as ``tryon task`` would (its result, or its error line, on
stdout here), then with one line ``tryon: task ended {"ok": ..., "result" | "error": ...}`` on
stdout, and stops at the end of its input. Everything else either prints is the log. The
process dies with the worker that started it (Linux ``PR_SET_PDEATHSIG``), so a killed worker
leaves no task running behind.
"""
from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import sys
import traceback
from typing import Callable, Iterable, Iterator

from render_farm.engine_process import ENGINE_READY, TASK_ENDED

PR_SET_PDEATHSIG = 1


class TaskFailed(Exception):
    """The task raised something other than bad input; its traceback is in the log."""


def run_planned_task(spec: str, out_dir: str, device: str, threads: int, parent: int,
                     progress_for: Callable[[str], Callable[[int, int], None]]) -> str:
    """Run the task of ``spec`` (JSON) into the job's ``out_dir``; its progress goes to
    ``progress_for(stage)``. Returns "done" or "already done"."""
    _die_with_parent(parent)
    return _run(json.loads(spec), out_dir, device, threads, progress_for)


def serve_planned_tasks(device: str, threads: int, parent: int,
                        progress_for: Callable[[str], Callable[[int, int], None]],
                        requests: Iterable[str] = sys.stdin) -> str:
    """Warm up, then run the task of each request line (JSON: ``task``, ``out``, ``tag``) and
    print its ``TASK_ENDED`` line; a task's failure ends that task only. Returns a summary."""
    from neural.errors import InputError
    from neural.files import STAGING_TAG_VARIABLE
    from render_farm.plan import warm_up

    _die_with_parent(parent)
    try:
        warm_up(device)
    except Exception as error:  # noqa: BLE001 - each task meets the problem and reports it
        print(f"warm-up: {type(error).__name__}: {error}", flush=True)
    print(ENGINE_READY, flush=True)
    served = 0
    for line in requests:
        if not line.strip():
            continue
        request = json.loads(line)
        os.environ[STAGING_TAG_VARIABLE] = request.get("tag", "")
        try:
            result = (_fit_uploaded(request["fit"], device, progress_for) if "fit" in request
                      else _run(request["task"], request["out"], device, threads, progress_for))
            print(result)
            ended = {"ok": True, "result": result}
        except (InputError, TaskFailed) as error:  # the line ``tryon task`` would end on
            print(f"tryon: error: {error}")
            ended = {"ok": False, "error": str(error), "bad_input": isinstance(error, InputError)}
        print(TASK_ENDED + json.dumps(ended), flush=True)
        served += 1
    return f"{served} task(s) served"


def _run(spec: dict, out_dir: str, device: str, threads: int,
         progress_for: Callable[[str], Callable[[int, int], None]]) -> str:
    from render_farm.plan import PlannedTask, run_task

    task = PlannedTask.from_json(spec)
    print(f"{task.stage} {task.label or task.key} in {out_dir} on pid {os.getpid()}", flush=True)
    with _task_failures():
        ran = run_task(task, out_dir, device, threads, progress_for(task.stage))
    return "done" if ran else "already done"


def _fit_uploaded(request: dict, device: str,
                  progress_for: Callable[[str], Callable[[int, int], None]]) -> str:
    """An avatar from uploaded photos sent in the request (base64, kept in memory only):
    ``{"photos": {"front": ..., "side": ...}, "height_cm": ..., "out": avatar folder}``."""
    import base64

    from neural.stages import fit_uploaded

    photos = {name: base64.b64decode(data) for name, data in request["photos"].items()}
    request["photos"].clear()
    with _task_failures():
        fit_uploaded(photos, float(request["height_cm"]), request["out"], device,
                     progress_for("fit"))
    return "done"


@contextlib.contextmanager
def _task_failures() -> Iterator[None]:
    """Bad input goes on as it is; anything else the task raised is printed (its log says
    why) and becomes ``TaskFailed``, so the worker, or the warm engine, goes on."""
    from neural.errors import InputError

    try:
        yield
    except InputError:
        raise
    except Exception as error:
        traceback.print_exc(file=sys.stdout)
        raise TaskFailed(f"{type(error).__name__}: {error}") from error


def _die_with_parent(parent: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the worker died before the line above
        os._exit(1)
