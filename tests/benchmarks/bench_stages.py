"""Wall time of each pipeline stage on the demo inputs: prints a table and saves JSON.

Usage: python tests/benchmarks/bench_stages.py [--repeats N] [--device auto|cpu|cuda] [--json OUT]
Runs the real stages (fit, garment, drape, render) in one process on examples/pifu_ryota.png,
a t-shirt in size M, and the demo job's render settings. The first repeat includes warm-up
(model loading, Warp kernel compilation) and is reported separately from the steady state.
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
VIEWS = ["front", "back"]
SAMPLES, RESOLUTION = 16, (384, 576)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--json", default=str(ROOT / "tests/benchmarks/results/stages.json"))
    args = parser.parse_args(argv)

    from neural.device import resolve_device
    from neural.files import write_json_atomic
    from neural.stages import drape_stage, fit_stage, garment_stage
    from render_farm.render_stage import render_stage

    device = resolve_device(args.device)
    stages = {
        "fit": lambda d: fit_stage(PHOTO, 175.0, d / "avatar", device),
        "garment": lambda d: garment_stage("tshirt", "M", "cotton", d / "garment"),
        "drape": lambda d: drape_stage(d / "avatar", d / "garment", d / "drape", device),
        "render": lambda d: render_stage(d / "drape", d / "render", VIEWS, SAMPLES, RESOLUTION,
                                         "studio", device),
    }
    seconds: dict[str, list[float]] = {name: [] for name in stages}
    for repeat in range(args.repeats):
        with tempfile.TemporaryDirectory() as folder:
            for name, run in stages.items():
                started = time.perf_counter()
                run(Path(folder))
                seconds[name].append(time.perf_counter() - started)
                print(f"repeat {repeat + 1}/{args.repeats}: {name} {seconds[name][-1]:.1f} s",
                      file=sys.stderr, flush=True)

    rows = []
    for name, times in seconds.items():
        steady = times[1:] or times
        rows.append({"stage": name, "first_s": round(times[0], 2),
                     "steady_s": round(statistics.median(steady), 2)})
    total = sum(r["steady_s"] for r in rows)
    for row in rows:
        row["share_of_total"] = round(row["steady_s"] / total, 3)
    print(f"\n{'stage':10s} {'first run s':>12s} {'steady s':>9s} {'share':>6s}")
    for row in rows:
        print(f"{row['stage']:10s} {row['first_s']:12.1f} {row['steady_s']:9.1f} "
              f"{row['share_of_total']:6.0%}")
    print(f"{'total':10s} {sum(r['first_s'] for r in rows):12.1f} {total:9.1f}")
    write_json_atomic(args.json, {
        "inputs": {"photo": PHOTO.name, "height_cm": 175.0, "garment": "tshirt M cotton",
                   "views": VIEWS, "samples": SAMPLES, "resolution": list(RESOLUTION)},
        "device": device, "machine": f"{platform.machine()}, {_cpu_count()} CPUs",
        "repeats": args.repeats, "stages": rows,
    })
    print(f"saved {args.json}")
    return 0


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    sys.exit(main())
