"""This project's cloth against Blender's cloth modifier: the same garments on the same bodies.

Usage: python tests/benchmarks/bench_drape.py [--garments tshirt,trousers,dress]
                                              [--sizes XS,M,XL] [--work DIR] [--json OUT]
For each garment, one sampled Anny body (``neural.synthetic.body_sampler``, seeds from
``FIRST_SEED``) per listed size, the first whose chart size that is: a slim, an average and a
heavy body. Both simulators start from the same placed garment (``prepare_drape``), sew it
without gravity for half a second and settle it under gravity until the same settled test
passes: ours on the CPU (Warp), Blender's (``blender_cloth.py``, bpy) in a child process, not at
the same time. Blender's cloth keeps the placed shape as its rest shape (it has no flat-pattern
rest shape that works with sewing), so its strain against the pattern keeps what placement
stretched (``start_strain_p95``). Both are judged by ``fit_report``: penetration into
the body, strain p95 against the flat pattern, the widest seam gap. Prints a table with the speed
ratio (Blender's simulation seconds over ours, both on this machine in this run) and saves JSON.
Resumable: avatars, garments and each side's result are kept under --work (a garment that
has changed since is draped again by both).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
FIRST_SEED = 6_000_000
MAX_TRIES = 3000
MEASURES = ("max_penetration_mm", "strain_p95", "seam_gap_max_mm", "moving_fraction",
            "self_intersecting_edges")


def pick_bodies(garment: str, sizes: list[str], measured: dict) -> dict[str, int]:
    """The first sampled body (seed) whose chart size is each of ``sizes``."""
    from neural.body.anny_body import measure_rest_body
    from neural.garments.garment_file import SIZE_CHARTS
    from neural.garments.size_charts import chart_size
    from neural.synthetic.body_sampler import sample_body

    sys.path.insert(0, str(HERE))
    from bench_gates import inside_chart

    chart, found = SIZE_CHARTS[garment], {}
    for seed in range(FIRST_SEED, FIRST_SEED + MAX_TRIES):
        if len(found) == len(sizes):
            break
        if str(seed) not in measured:
            measured[str(seed)] = measure_rest_body(sample_body(seed))
        if inside_chart(chart, measured[str(seed)]):
            size = chart_size(chart, measured[str(seed)])
            if size in sizes and size not in found:
                found[size] = seed
    return found


def ours(avatar: Path, garment: Path) -> dict:
    """Simulate with this project's cloth (CPU); the fit_report numbers and simulation seconds."""
    from neural.drape.cloth_sim import ClothSettings, simulate_cloth
    from neural.drape.drape_garment import prepare_drape
    from neural.drape.fit_metrics import fit_report

    setup = prepare_drape(avatar, garment)
    mesh, worn = setup.mesh, setup.collider()
    started = time.perf_counter()
    result = simulate_cloth(setup.start_positions, mesh.faces, mesh.uv, mesh.seam_pairs, *worn,
                            setup.fabric)
    seconds = time.perf_counter() - started
    report = fit_report(result.positions, mesh.uv, mesh.faces, mesh.seam_pairs, *worn,
                        result.speeds)
    return {**report, "frames": result.substeps // ClothSettings().substeps,
            "sim_seconds": round(seconds, 2)}


def warm_up(avatar: Path, garment: Path) -> None:
    """Compile (or load) Warp's kernels before anything is timed."""
    from neural.drape.cloth_sim import ClothSettings, simulate_cloth
    from neural.drape.drape_garment import prepare_drape

    setup = prepare_drape(avatar, garment)
    mesh = setup.mesh
    simulate_cloth(setup.start_positions, mesh.faces, mesh.uv, mesh.seam_pairs,
                   *setup.collider(), setup.fabric,
                   settings=ClothSettings(sew_frames=1, settle_frames=1, max_frames=2))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--garments", default="tshirt,trousers,dress")
    parser.add_argument("--sizes", default="XS,M,XL", help="one body for each of these sizes")
    parser.add_argument("--work", default=str(ROOT / "out" / "bench_drape"))
    parser.add_argument("--json", default=str(ROOT / "tests/benchmarks/results/drape.json"))
    args = parser.parse_args(argv)

    from neural.files import write_json_atomic
    from neural.fitting.avatar_file import write_body_avatar
    from neural.synthetic.body_sampler import sample_body
    from neural.stages import remake_garment

    work, sizes = Path(args.work), args.sizes.split(",")
    measured_json = work / "measurements.json"
    measured = json.loads(measured_json.read_text()) if measured_json.is_file() else {}
    cases = [(g, size, seed) for g in args.garments.split(",")
             for size, seed in sorted(pick_bodies(g, sizes, measured).items(),
                                      key=lambda item: sizes.index(item[0]))]
    write_json_atomic(measured_json, measured)
    warmed, rows = False, []
    for garment, size, seed in cases:
        avatar, case = work / f"avatar_{seed}", work / f"{garment}_{size}_{seed}"
        if not (avatar / "avatar.json").is_file():
            write_body_avatar(avatar, sample_body(seed), f"body_sampler seed {seed}")
        if remake_garment(garment, size, "cotton", case / "garment"):
            for side in ("ours", "blender"):  # drapes of an earlier garment
                (case / f"{side}.json").unlink(missing_ok=True)
        if not (case / "ours.json").is_file():
            if not warmed:
                warm_up(avatar, case / "garment")
                warmed = True
            write_json_atomic(case / "ours.json", ours(avatar, case / "garment"))
        if not (case / "blender.json").is_file():
            subprocess.run([sys.executable, str(HERE / "blender_cloth.py"), str(avatar),
                            str(case / "garment"), str(case / "blender.json")], check=True)
        mine, theirs = (json.loads((case / f"{side}.json").read_text())
                        for side in ("ours", "blender"))
        rows.append({"garment": garment, "size": size, "seed": seed,
                     "speedup": round(theirs["sim_seconds"] / mine["sim_seconds"], 2),
                     "ours": mine, "blender": theirs})
        print(f"{garment} {size} seed {seed}: ours {mine['sim_seconds']} s, "
              f"Blender {theirs['sim_seconds']} s", file=sys.stderr, flush=True)

    print(f"{'garment':9} {'size':4} {'ours s':>7} {'Blender s':>9} {'speedup':>7}  "
          f"{'pen mm':>13} {'strain p95':>13} {'seam gap mm':>13} {'moving':>13} "
          f"{'self-crossing':>13}")
    for r in rows:
        pairs = "  ".join(f"{r['ours'][m]:>6g}/{r['blender'][m]:<6g}" for m in MEASURES)
        print(f"{r['garment']:9} {r['size']:4} {r['ours']['sim_seconds']:>7} "
              f"{r['blender']['sim_seconds']:>9} {r['speedup']:>6}x  {pairs}")
    print("(each measure: ours/Blender)")
    speedups = [r["speedup"] for r in rows]
    summary = {
        "speedup_min": min(speedups), "speedup_median": sorted(speedups)[len(speedups) // 2],
        "penetration_no_worse": sum(r["ours"]["max_penetration_mm"]
                                    <= r["blender"]["max_penetration_mm"] for r in rows),
        "strain_no_worse": sum(r["ours"]["strain_p95"] <= r["blender"]["strain_p95"]
                               for r in rows),
        "drapes": len(rows),
    }
    print(f"speedup min {summary['speedup_min']}x, median {summary['speedup_median']}x; "
          f"penetration no worse in {summary['penetration_no_worse']}/{len(rows)}, "
          f"strain p95 no worse in {summary['strain_no_worse']}/{len(rows)}")
    write_json_atomic(args.json, {"benchmark": "this project's cloth vs Blender's cloth modifier",
                                  "device": "cpu", "summary": summary, "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
