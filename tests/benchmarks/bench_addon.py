"""How long the Blender extension holds Blender's UI thread while it fits and drapes: prints a
table and saves JSON.

Usage: python tests/benchmarks/bench_addon.py [--repeats N] [--json OUT]
Through the bpy module, with the extension enabled from the repository and the engine set to
this Python, as in Blender's UI: the Fit Avatar and Drape operators start the engine and
return; this script then calls the extension's timer (``addon.jobs.poll``) every 0.1 s, as
Blender's event loop would, until the result is in the scene. Measured per operator: the
seconds until it returns, until the first progress shows, the longest single timer call (the
longest the UI is held while the task runs, the final import included) and the whole task.
Baseline, in the same process: the same operator waiting for its task (what an add-on that
runs the work in Blender's process, or waits on it, would do), whose whole time the UI is held.
"""
from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PHOTO = ROOT / "examples" / "pifu_ryota.png"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--json", default=str(ROOT / "tests/benchmarks/results/addon.json"))
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))  # the extension is enabled as the package "addon"

    import bpy  # first: it puts Blender's own modules (addon_utils) on the path
    import addon_utils

    from neural.files import write_json_atomic

    bpy.context.preferences.use_preferences_save = False
    addon_utils.enable("addon", default_set=True)
    from addon import jobs

    bpy.context.preferences.addons["addon"].preferences.engine_python = sys.executable
    operators = {"fit_avatar": bpy.ops.tryon.fit_avatar,
                 "drape_garment": bpy.ops.tryon.drape_garment}
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        settings = bpy.context.scene.tryon
        settings.work_folder, settings.front_photo, settings.height_cm = folder, str(PHOTO), 175.0
        for name, operator in operators.items():
            polled, waited = [], []
            for repeat in range(args.repeats):
                polled.append(_polled(operator, jobs))
                waited.append(_waited(operator, jobs))
                print(f"{name} {repeat + 1}/{args.repeats}: returned in "
                      f"{polled[-1]['return_s']:.3f} s; waiting held the UI "
                      f"{waited[-1]:.1f} s", file=sys.stderr, flush=True)
            row = {"operator": name}
            for key in polled[0]:
                row[key] = round(statistics.median(p[key] for p in polled), 3)
            row["baseline_held_s"] = round(statistics.median(waited), 2)
            row["held_vs_baseline"] = round(row["longest_tick_s"] / row["baseline_held_s"], 4)
            rows.append(row)
    addon_utils.disable("addon", default_set=True)

    print(f"{'operator':<15}{'returns s':>10}{'1st progress s':>16}{'longest tick s':>16}"
          f"{'task s':>8}{'baseline held s':>17}{'held/baseline':>15}")
    for r in rows:
        print(f"{r['operator']:<15}{r['return_s']:>10.3f}{r['first_progress_s']:>16.2f}"
              f"{r['longest_tick_s']:>16.3f}{r['task_s']:>8.1f}{r['baseline_held_s']:>17.1f}"
              f"{r['held_vs_baseline']:>15.4f}")
    write_json_atomic(args.json, {"machine": platform.processor() or platform.machine(),
                                  "cpus": _cpus(), "repeats": args.repeats, "rows": rows})
    print(f"saved {args.json}")
    return 0


def _polled(operator, jobs) -> dict[str, float]:
    """Run ``operator`` as in the UI, calling the timer as Blender would; the timings."""
    import bpy

    session = bpy.context.window_manager.tryon
    jobs.wait_in_background = False
    started = time.perf_counter()
    assert operator() == {"FINISHED"}
    returned = time.perf_counter() - started
    first_progress, longest = None, 0.0
    while True:
        tick = time.perf_counter()
        again = jobs.poll()
        longest = max(longest, time.perf_counter() - tick)
        if first_progress is None and session.progress > 0:
            first_progress = time.perf_counter() - started
        if again is None:
            break
        time.sleep(again)
    if session.message_is_error:
        raise RuntimeError(session.message)
    return {"return_s": returned, "first_progress_s": first_progress or float("nan"),
            "longest_tick_s": longest, "task_s": time.perf_counter() - started}


def _waited(operator, jobs) -> float:
    """Seconds ``operator`` holds the caller when it waits for its task."""
    jobs.wait_in_background = True
    started = time.perf_counter()
    assert operator() == {"FINISHED"}
    return time.perf_counter() - started


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    sys.exit(main())
