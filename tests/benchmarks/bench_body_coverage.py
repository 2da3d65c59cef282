"""How well the synthetic body sampler covers real adults (make bench-bodies).

Samples bodies as the synthetic people generator does (``neural.synthetic.body_sampler``:
``--sampler real``, the dressed splits' bodies shaped like measured adults, or ``anny``, Anny's
own distribution as the tight splits use), measures them (cm), and compares them by sex
(Anny's gender phenotype below / above 0.5) with ANSUR II's 6,068 measured adults
(``../shared/data/ansur2``, public domain): percentiles of stature, chest, waist and hip, and
the share of real people with a sampled body near them in all four at once (within ``--near-cm``, Euclidean). Also counts the sampled bodies at both
ends that size advice must handle: fashion models (waist 56-60 cm at 175-185 cm) and hips of
140-150 cm. ANSUR's waist is taken at the navel, this project's at the natural (smallest)
waist, so the waist comparison is indicative. Prints a table and saves JSON.

Usage: python tests/benchmarks/bench_body_coverage.py [--sampler real|anny] [--bodies N]
       [--near-cm D]
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
ANSUR = ROOT.parent / "shared" / "data" / "ansur2"
KEYS = ("stature", "chest_girth", "waist_girth", "hip_girth")
ANSUR_COLUMNS = ("stature", "chestcircumference", "waistcircumference", "buttockcircumference")
PERCENTILES = (1, 5, 50, 95, 99)
FIRST_SEED = 3_000_000  # the dressed train split's seeds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sampler", choices=("real", "anny"), default="real")
    parser.add_argument("--bodies", type=int, default=1000)
    parser.add_argument("--near-cm", type=float, default=5.0)
    parser.add_argument("--json", help="default tests/benchmarks/results/"
                        "body_coverage_<sampler>.json")
    args = parser.parse_args(argv)
    args.json = args.json or str(
        ROOT / f"tests/benchmarks/results/body_coverage_{args.sampler}.json")
    if not ANSUR.is_dir():
        print(f"tryon: error: ANSUR II is not at {ANSUR}", file=sys.stderr)
        return 2
    from neural.files import write_json_atomic

    real = {sex: _ansur(ANSUR / f"ANSUR_II_{sex.upper()}_Public.csv") for sex in ("male", "female")}
    sampled = _sampled(args.sampler, args.bodies)
    report = {"sampler": args.sampler, "bodies": args.bodies, "near_cm": args.near_cm,
              "by_sex": {}}
    for sex in ("male", "female"):
        ours, theirs = sampled[sex], real[sex]
        report["by_sex"][sex] = {
            "sampled": len(ours), "ansur": len(theirs),
            "percentiles_cm": {key: {"ansur": _percentiles(theirs[:, i]),
                                     "sampled": _percentiles(ours[:, i])}
                               for i, key in enumerate(KEYS)},
            "ansur_covered": round(_covered(theirs, ours, args.near_cm), 3),
        }
    everyone = np.vstack([sampled["male"], sampled["female"]])
    report["extremes"] = {
        "fashion_model_waist_56_60_at_175_185": int(np.sum(
            (everyone[:, 0] >= 175) & (everyone[:, 0] <= 185) & (everyone[:, 2] <= 60))),
        "hip_140_150": int(np.sum((everyone[:, 3] >= 140) & (everyone[:, 3] <= 150))),
    }
    _print(report)
    write_json_atomic(args.json, report)
    print(f"saved {args.json}")
    return 0


def _ansur(path: Path) -> np.ndarray:
    """(N, 4) stature, chest, waist, hip in cm."""
    with path.open(encoding="latin-1") as handle:
        rows = list(csv.DictReader(handle))
    return np.array([[float(row[column]) / 10.0 for column in ANSUR_COLUMNS] for row in rows])


def _sampled(sampler: str, count: int) -> dict[str, np.ndarray]:
    """Measurements (N, 4) in cm of ``count`` bodies from ``sampler``, by sex."""
    from tqdm import tqdm

    from neural.body.anny_body import measure_rest_body
    from neural.synthetic.body_sampler import sample_body, sample_real_body

    sample = sample_real_body if sampler == "real" else sample_body
    found = {"male": [], "female": []}
    for index in tqdm(range(count), desc="bodies", unit="body"):
        body = sample(FIRST_SEED + index)
        measured = measure_rest_body(body)
        sex = "female" if body.phenotypes["gender"] >= 0.5 else "male"
        found[sex].append([measured[key] for key in KEYS])
    return {sex: np.array(rows).reshape(-1, len(KEYS)) for sex, rows in found.items()}


def _percentiles(values: np.ndarray) -> list[float]:
    return np.round(np.percentile(values, PERCENTILES), 1).tolist() if len(values) else []


def _covered(real: np.ndarray, sampled: np.ndarray, near_cm: float) -> float:
    """Share of ``real`` people with a sampled body within ``near_cm`` in all four at once."""
    from scipy.spatial import cKDTree

    if not len(sampled):
        return 0.0
    distances, _ = cKDTree(sampled).query(real)
    return float(np.mean(distances <= near_cm))


def _print(report: dict) -> None:
    print(f"\n{report['sampler']} bodies against ANSUR II (percentiles {PERCENTILES}, cm)")
    for sex, found in report["by_sex"].items():
        print(f"{sex}: {found['sampled']} sampled, {found['ansur']} measured; "
              f"{found['ansur_covered']:.0%} of ANSUR within {report['near_cm']:g} cm of a sample")
        for key, both in found["percentiles_cm"].items():
            print(f"  {key:12s} ANSUR {both['ansur']}  sampled {both['sampled']}")
    print(f"extremes among the sampled: {report['extremes']}")


if __name__ == "__main__":
    sys.exit(main())
