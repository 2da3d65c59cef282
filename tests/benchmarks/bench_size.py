"""Size advice against the size chart's own rule on sampled bodies: prints a table, saves JSON.

Usage: python tests/benchmarks/bench_size.py [--bodies N] [--garments tshirt,skirt]
                                             [--work DIR] [--json OUT]
Samples adult Anny bodies (``neural.synthetic.body_sampler``, seeds from ``FIRST_SEED``) and
keeps, for each garment, the first N that sit clearly inside one size: every sizing girth within
a quarter of the step to either neighbouring size from that size's body girth. Each gets
``size_stage`` (real drapes, CPU); the advice should be the chart's own pick. Resumable: avatars
and drapes are kept under --work.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIRST_SEED = 5_000_000
MAX_TRIES = 1500


def clearly_inside(chart: str, measurements: dict[str, float]) -> bool:
    """Every sizing girth within a quarter of the step to either neighbour from one and the same
    size's body girth."""
    from neural.garments.size_charts import fit_rules, load_chart, neighbour_steps

    rules = fit_rules(chart).values()
    return any(all(abs(row[rule.body_column] - measurements[rule.measurement])
                   <= min(neighbour_steps(chart, rule, size)) / 4 for rule in rules)
               for size, row in load_chart(chart).items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=int, default=6, help="bodies per garment")
    parser.add_argument("--garments", default="tshirt,skirt,trousers,dress")
    parser.add_argument("--work", default=str(ROOT / "out" / "bench_size"))
    parser.add_argument("--json", default=str(ROOT / "tests/benchmarks/results/size_advice.json"))
    args = parser.parse_args(argv)

    from neural.body.anny_body import measure_rest_body
    from neural.files import write_json_atomic
    from neural.fitting.avatar_file import write_body_avatar
    from neural.garments.garment_file import SIZE_CHARTS
    from neural.synthetic.body_sampler import sample_body
    from neural.stages import size_stage

    work, rows, measured = Path(args.work), [], {}
    for garment in args.garments.split(","):
        chart, found = SIZE_CHARTS[garment], 0
        for seed in range(FIRST_SEED, FIRST_SEED + MAX_TRIES):
            if found == args.bodies:
                break
            if seed not in measured:
                measured[seed] = measure_rest_body(sample_body(seed))
            measurements = measured[seed]
            if not clearly_inside(chart, measurements):
                continue
            found += 1
            avatar = work / f"avatar_{seed}"
            if not (avatar / "avatar.json").is_file():
                write_body_avatar(avatar, sample_body(seed), f"body_sampler seed {seed}")
            started = time.perf_counter()
            advice = size_stage(avatar, garment, "cotton", work / f"{garment}_{seed}", "cpu")
            rows.append({"garment": garment, "seed": seed,
                         "girths_cm": {k: measurements[k] for k in
                                       ("chest_girth", "waist_girth", "hip_girth")},
                         "chart_size": advice["chart_size"], "advice": advice["size"],
                         "agrees": advice["size"] == advice["chart_size"],
                         "sizes_draped": list(advice["sizes"]),
                         "seconds": round(time.perf_counter() - started, 1),
                         "reason": advice["reason"]})
            print(f"{garment} seed {seed}: chart {advice['chart_size']}, advice {advice['reason']}",
                  file=sys.stderr, flush=True)

    print(f"{'garment':8} {'seed':>8} {'chest':>6} {'waist':>6} {'hip':>6} {'chart':>5} "
          f"{'advice':>6} {'drapes':>6}  reason")
    for r in rows:
        g = r["girths_cm"]
        print(f"{r['garment']:8} {r['seed']:>8} {g['chest_girth']:6.1f} {g['waist_girth']:6.1f} "
              f"{g['hip_girth']:6.1f} {r['chart_size']:>5} {r['advice']:>6} "
              f"{len(r['sizes_draped']):>6}  {r['reason']}")
    summary = {}
    for garment in args.garments.split(","):
        mine = [r for r in rows if r["garment"] == garment]
        summary[garment] = {"bodies": len(mine), "agree": sum(r["agrees"] for r in mine)}
        print(f"{garment}: advice = chart's rule for {summary[garment]['agree']} of "
              f"{summary[garment]['bodies']} bodies clearly inside one size")
    write_json_atomic(args.json, {"benchmark": "size advice vs size chart", "device": "cpu",
                                  "summary": summary, "rows": rows})
    return 0


if __name__ == "__main__":
    sys.exit(main())
