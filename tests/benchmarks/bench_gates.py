"""Quality-gate pass rate of the built-in garments: every size on bodies made for it.

Usage: python tests/benchmarks/bench_gates.py [--bodies N] [--garments tshirt,skirt,...]
                                              [--fabric cotton] [--workers N] [--seeds N]
                                              [--work DIR] [--json OUT]
Samples adult Anny bodies (``neural.synthetic.body_sampler``, --seeds of them from
``FIRST_SEED``), sorts them into each garment's sizes (and lengths) by the size chart's own rule
(bodies beyond the chart's smallest or largest size by more than half a grading step are left
out), and drapes every size on the first N bodies made for it (real drapes, CPU), every size's
first body, then every size's second, and so on, in --workers processes (Warp's CPU kernels use
one core each).
Rare sizes (a dress XS: 3 bodies in 800) may get fewer than N. Prints a table of pass rates per
garment and size with the failing gates and saves JSON. Resumable: measurements and drapes are
kept under --work, and a drape whose garment has changed since is draped again.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIRST_SEED = 6_000_000
MEASURE_BATCH = 100  # seeds measured at once, in the worker processes


def inside_chart(chart: str, measurements: dict[str, float]) -> bool:
    """Every sizing girth no more than half a step below the smallest size's or above the
    largest size's body girth."""
    from neural.garments.size_charts import fit_rules, load_chart, neighbour_steps

    sizes = list(load_chart(chart).items())
    for rule in fit_rules(chart).values():
        (first, low), (last, high) = sizes[0], sizes[-1]
        value = measurements[rule.measurement]
        if not (low[rule.body_column] - neighbour_steps(chart, rule, first)[0] / 2 <= value
                <= high[rule.body_column] + neighbour_steps(chart, rule, last)[1] / 2):
            return False
    return True


def measure_seed(seed: int) -> dict[str, float]:
    """The rest-pose measurements (cm) of the sampled body ``seed``."""
    from neural.body.anny_body import measure_rest_body
    from neural.synthetic.body_sampler import sample_body

    return measure_rest_body(sample_body(seed))


def write_avatar(seed: int, folder: Path) -> None:
    """The sampled body ``seed`` as an avatar in ``folder``, unless it is there already."""
    from neural.fitting.avatar_file import write_body_avatar
    from neural.synthetic.body_sampler import sample_body

    if not (folder / "avatar.json").is_file():
        write_body_avatar(folder, sample_body(seed), f"body_sampler seed {seed}")


def drape_once(garment: str, size: str, fabric: str, avatar: Path, out: Path) -> None:
    """Make the garment and drape it on the avatar unless ``out`` already holds the drape of
    this very garment (a garment changed since is draped again)."""
    from neural.stages import drape_stage, remake_garment

    changed = remake_garment(garment, size, fabric, out / "garment")
    finished = (out / "drape" / "fit.json").is_file() or (out / "error.txt").is_file()
    if finished and not changed:
        return
    shutil.rmtree(out / "drape", ignore_errors=True)
    (out / "error.txt").unlink(missing_ok=True)
    started = time.perf_counter()
    try:
        drape_stage(avatar, out / "garment", out / "drape", "cpu")
    except Exception as error:  # a crashed drape is a failed one; the sweep goes on
        (out / "error.txt").write_text(f"{type(error).__name__}: {error}\n")
    print(f"{garment} {size} {out.name}: {time.perf_counter() - started:.0f} s",
          file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=int, default=20, help="bodies per garment and size")
    parser.add_argument("--garments", default="tshirt,shirt,jacket,hoodie,skirt,trousers,jeans,dress")
    parser.add_argument("--fabric", default="cotton")
    parser.add_argument("--workers", type=int, default=1, help="drapes run at once")
    parser.add_argument("--seeds", type=int, default=3000,
                        help="sampled bodies to sort into sizes, at most (rare sizes may get fewer)")
    parser.add_argument("--work", default=str(ROOT / "out" / "bench_gates"))
    parser.add_argument("--json", default=str(ROOT / "tests/benchmarks/results/gates.json"))
    args = parser.parse_args(argv)

    from neural.files import write_json_atomic
    from neural.garments.garment_file import SIZE_CHARTS
    from neural.garments.size_charts import fitted_size, load_chart, split_length

    garments, work = args.garments.split(","), Path(args.work)
    wanted = {(g, s): [] for g in garments for s in load_chart(SIZE_CHARTS[g])}
    measured_json = work / "measurements.json"  # seed -> measurements, kept between runs
    measured = json.loads(measured_json.read_text()) if measured_json.is_file() else {}
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(args.workers, mp_context=spawn) as pool:
        for first in range(FIRST_SEED, FIRST_SEED + args.seeds, MEASURE_BATCH):
            if all(len(seeds) >= args.bodies for seeds in wanted.values()):
                break
            batch = range(first, min(first + MEASURE_BATCH, FIRST_SEED + args.seeds))
            missing = [seed for seed in batch if str(seed) not in measured]
            measured |= dict(zip(map(str, missing), pool.map(measure_seed, missing)))
            write_json_atomic(measured_json, measured)
            for seed in batch:
                for garment in garments:
                    chart = SIZE_CHARTS[garment]
                    if inside_chart(chart, measured[str(seed)]):
                        fitted = fitted_size(chart, measured[str(seed)])  # "M", "M-L30"
                        seeds = wanted[(garment, split_length(fitted)[0])]
                        if len(seeds) < args.bodies:
                            seeds.append((seed, fitted))

        jobs = []  # every size's first body, then every size's second, ...
        for index in range(args.bodies):
            for (garment, _), seeds in wanted.items():
                if index < len(seeds):
                    seed, fitted = seeds[index]
                    jobs.append((garment, fitted, seed))
        seeds = sorted({seed for _, _, seed in jobs})
        list(pool.map(write_avatar, seeds, [work / f"avatar_{seed}" for seed in seeds]))
        done = [pool.submit(drape_once, garment, size, args.fabric, work / f"avatar_{seed}",
                            work / f"{garment}_{size}_{seed}") for garment, size, seed in jobs]
        for future in done:
            future.result()
    rows = []
    for garment, size, seed in jobs:
        out = work / f"{garment}_{size}_{seed}"
        if (out / "error.txt").is_file():
            rows.append({"garment": garment, "size": size, "seed": seed, "failed": ["error"],
                         "error": (out / "error.txt").read_text().strip()})
            continue
        fit = json.loads((out / "drape" / "fit.json").read_text())
        rows.append({"garment": garment, "size": size, "seed": seed,
                     "failed": [n for n, g in fit["gates"].items() if not g["pass"]],
                     **{n: g["value"] for n, g in fit["gates"].items()}})

    summary = {}
    print(f"{'garment':9} {'size':4} {'drapes':>6} {'pass':>5}  failing gates")
    for (garment, size), seeds in wanted.items():
        mine = [r for r in rows
                if r["garment"] == garment and split_length(r["size"])[0] == size]
        failing = sorted({n for r in mine for n in r["failed"]})
        passed = sum(not r["failed"] for r in mine)
        print(f"{garment:9} {size:4} {len(mine):>6} {passed:>5}  {', '.join(failing)}")
    for garment in garments:
        mine = [r for r in rows if r["garment"] == garment]
        passed = sum(not r["failed"] for r in mine)
        summary[garment] = {"drapes": len(mine), "passed": passed,
                            "pass_rate": round(passed / max(len(mine), 1), 3)}
        print(f"{garment}: {passed} of {len(mine)} drapes pass every gate")
    write_json_atomic(args.json, {"benchmark": "quality gates, every size on bodies made for it",
                                  "fabric": args.fabric, "device": "cpu",
                                  "bodies_per_size": args.bodies, "seeds": args.seeds,
                                  "summary": summary,
                                  "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
