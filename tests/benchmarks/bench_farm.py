"""The render farm's throughput with 1 and 2 workers and its scheduling overhead: prints a table
and saves JSON.

Usage: python tests/benchmarks/bench_farm.py [--sizes S,M,L,XL] [--samples N] [--json OUT]
A real Redis on a free port and real ``tryon farm worker`` processes (``tests/farm_harness``),
each worker on its own half of the cores (``--cpus``; a worker per group of cores, as a GPU
farm runs a worker per GPU), or with ``--no-pin`` on every core with one thread per task.
The lookbook: Anny's average man and woman in the t-shirt in each size, two views a render
(8 renders, 16 images at the default sizes). The drapes are made first, untimed; then the same
renders (views in another order, so that nothing is reused) run on 1 worker and then on 2.
Throughput: renders per minute from the job's submission to its end. Scaling efficiency:
2-worker throughput / (2 x 1-worker throughput). Scheduling overhead per task: from the moment
it could start (it became ready, or its worker became free, whichever was later) to its start
on a worker, through the store, the broker and the worker.

Warm engines: a smaller lookbook (``--engine-sizes``, the whole job: garments, drapes, renders,
into an output folder of its own each time) on one worker that starts a process per task
(``--cold``, the baseline) and then on one that keeps its engine warm (started, as a farm's
workers are, before the job: the job is sent once the engine is ready): wall time and mean
seconds per task of each stage, and the ratio.
"""
from __future__ import annotations

import argparse
import os
import platform
import signal
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="S,M,L,XL")
    parser.add_argument("--samples", type=int, default=16)
    parser.add_argument("--resolution", default="256x384")
    parser.add_argument("--engine-sizes", default="M,L",
                        help="sizes of the lookbook run with cold and with warm engines")
    parser.add_argument("--no-pin", dest="pin", action="store_false",
                        help="run the workers on every core, one thread per task, instead of "
                             "each on its half of the cores")
    parser.add_argument("--json", default=str(ROOT / "tests/benchmarks/results/farm.json"))
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))

    from neural.files import write_json_atomic
    from render_farm.farm_client import submit
    from tests.conftest import write_average_avatar
    from tests.farm_harness import LocalFarm, wait_for

    sizes = args.sizes.split(",")
    width, height = args.resolution.split("x")
    with tempfile.TemporaryDirectory() as folder:
        farm = LocalFarm(Path(folder), lost_after_s=30)
        try:
            for name, gender in (("man", 0.0), ("woman", 1.0)):
                write_average_avatar(farm.root / name, gender)

            def lookbook(name: str, views: str, samples: int, worn: list[str] = sizes,
                         output: str = "out") -> dict:
                job = farm.root / f"{name}.yaml"
                job.write_text(
                    "avatars:\n  - {avatar: man}\n  - {avatar: woman}\n"
                    f"garments:\n  - {{kind: tshirt, sizes: [{', '.join(worn)}]}}\n"
                    f"render: {{views: [{views}], samples: {samples}, "
                    f"resolution: [{width}, {height}]}}\noutput: {output}\n")
                job_id = submit(job, farm.broker, farm.store_url)
                status = farm.wait(job_id, timeout_s=3600)
                if status["state"] != "done":
                    raise RuntimeError(f"job {name} ended {status['state']}: {status['counts']}")
                print(f"{name}: {status['finished_at'] - status['created_at']:.1f} s",
                      file=sys.stderr, flush=True)
                return status

            options = _worker_options(args.pin)
            farm.start_worker("w1", *options[0])
            farm.start_worker("w2", *options[1])
            lookbook("drapes", "front", 1)  # untimed: the drapes, on both workers
            farm.kill_worker("w2", signal.SIGTERM)
            runs = [_measure(farm, lookbook("one_worker", "front, back", args.samples), 1)]
            farm.start_worker("w2", *options[1])
            runs.append(_measure(farm, lookbook("two_workers", "back, front", args.samples), 2))
            for name in ("w1", "w2"):
                farm.kill_worker(name, signal.SIGTERM)
            engines = {}
            for mode in ("cold", "warm"):
                name = f"{mode}1"
                farm.start_worker(name, *options[0], *(("--cold",) if mode == "cold" else ()))
                if mode == "warm":  # started long before its jobs, as a farm's workers are
                    log = farm.root / f"{name}.log"
                    wait_for(lambda: b"engine ready" in log.read_bytes(), 120, "the engine")
                job = lookbook(f"engine_{mode}", "front, back", args.samples,
                               args.engine_sizes.split(","), f"out_{mode}")
                engines[mode] = _stage_seconds(farm, job)
                farm.kill_worker(name, signal.SIGTERM)
        finally:
            farm.close()

    one, two = runs
    speedup = two["renders_per_min"] / one["renders_per_min"]
    delays = one["overheads_ms"] + two["overheads_ms"]
    result = {
        "machine": f"{platform.machine()}, {_cores()} cores, {platform.python_version()}",
        "workers": "each on its half of the cores (--cpus)" if args.pin else
                   "on every core, one thread per task (--threads 1)",
        "lookbook": {"avatars": 2, "garment": "tshirt", "sizes": sizes, "views": 2,
                     "samples": args.samples, "resolution": [int(width), int(height)],
                     "renders": one["renders"], "tasks": one["tasks"]},
        "runs": [{k: v for k, v in run.items() if k != "overheads_ms"} for run in runs],
        "speedup_2_vs_1": round(speedup, 3),
        "scaling_efficiency": round(speedup / 2, 3),
        "scheduling_overhead_ms": {
            "tasks": len(delays), "mean": round(statistics.mean(delays), 1),
            "p50": round(statistics.median(delays), 1),
            "p95": round(sorted(delays)[int(0.95 * (len(delays) - 1))], 1),
            "max": round(max(delays), 1)},
        "engines": {"sizes": args.engine_sizes.split(","), **engines,
                    "warm_vs_cold_wall": round(engines["cold"]["wall_s"]
                                               / engines["warm"]["wall_s"], 2)},
    }
    _print_table(result)
    write_json_atomic(args.json, result)
    print(f"saved {args.json}")
    return 0


def _worker_options(pin: bool) -> list[tuple[str, ...]]:
    """Each worker's ``tryon farm worker`` options: its half of the cores (``--cpus``), or
    unpinned with one thread per task."""
    if not pin:
        return [("--threads", "1")] * 2
    cores = sorted(os.sched_getaffinity(0))
    half = len(cores) // 2
    return [("--cpus", ",".join(map(str, part))) for part in (cores[:half], cores[half:2 * half])]


def _measure(farm, job: dict, workers: int) -> dict:
    """Throughput and per-task scheduling overheads of a finished job."""
    attempts = farm.store.attempts(job["id"])
    renders = [a for a in attempts if a["key"] in {t["key"] for t in job["tasks"]
                                                   if t["stage"] == "render"}]
    wall = job["finished_at"] - job["created_at"]
    render_span = max(a["finished_at"] for a in renders) - min(a["started_at"] for a in renders)
    free_at: dict[str, float] = {}
    overheads = []
    for attempt in sorted(attempts, key=lambda a: a["started_at"]):
        could_start = max(attempt["ready_at"], free_at.get(attempt["worker"], 0.0))
        overheads.append(1000 * (attempt["started_at"] - could_start))
        free_at[attempt["worker"]] = attempt["finished_at"]
    return {"workers": workers, "tasks": len(attempts), "renders": len(renders),
            "wall_s": round(wall, 2), "render_span_s": round(render_span, 2),
            "renders_per_min": round(60 * len(renders) / wall, 3),
            "mean_render_s": round(statistics.mean(a["seconds"] for a in renders), 2),
            "overheads_ms": overheads}


def _stage_seconds(farm, job: dict) -> dict:
    """A finished job's wall time and mean seconds per task of each stage."""
    stages = {task["key"]: task["stage"] for task in job["tasks"]}
    seconds: dict[str, list[float]] = {}
    for attempt in farm.store.attempts(job["id"]):
        seconds.setdefault(stages[attempt["key"]], []).append(attempt["seconds"])
    return {"wall_s": round(job["finished_at"] - job["created_at"], 2),
            "mean_task_s": {stage: round(statistics.mean(values), 2)
                            for stage, values in seconds.items()}}


def _print_table(result: dict) -> None:
    print(f"\nrender farm on {result['machine']}: {result['lookbook']['renders']} renders of "
          f"{result['lookbook']['views']} views, {result['lookbook']['samples']} samples; "
          f"workers {result['workers']}")
    print(f"{'workers':>8} {'tasks':>6} {'wall s':>8} {'renders/min':>12} {'s/render':>9}")
    for run in result["runs"]:
        print(f"{run['workers']:>8} {run['tasks']:>6} {run['wall_s']:>8.1f} "
              f"{run['renders_per_min']:>12.2f} {run['mean_render_s']:>9.2f}")
    overhead = result["scheduling_overhead_ms"]
    print(f"2 workers vs 1: {result['speedup_2_vs_1']:.2f}x throughput, scaling efficiency "
          f"{result['scaling_efficiency']:.0%}")
    print(f"scheduling overhead per task ({overhead['tasks']} tasks): mean {overhead['mean']} ms, "
          f"p50 {overhead['p50']} ms, p95 {overhead['p95']} ms, max {overhead['max']} ms")
    engines = result["engines"]
    stages = list(engines["cold"]["mean_task_s"])
    print(f"\none worker, the lookbook in sizes {','.join(engines['sizes'])}: a process per task "
          f"(cold) vs one warm engine")
    print(f"{'engine':>7} {'wall s':>8} " + " ".join(f"{stage + ' s':>9}" for stage in stages))
    for mode in ("cold", "warm"):
        means = engines[mode]["mean_task_s"]
        print(f"{mode:>7} {engines[mode]['wall_s']:>8.1f} "
              + " ".join(f"{means.get(stage, 0):>9.2f}" for stage in stages))
    print(f"warm vs cold: {engines['warm_vs_cold_wall']:.2f}x faster end to end")


def _cores() -> int:
    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    sys.exit(main())
