"""Calibrate avatar.json's 90 % intervals on the held-out synthetic splits (make bench-avatar).

Reads the per-person rows (signed errors and outline mismatch per measurement) that
``bench_avatar.py`` saved for every split in ``tests/benchmarks/results`` (close-fitting clothes
in the A-pose and in stances, dressed people, dressed pairs), fits each mode's calibration on
all of them pooled (``neural.fitting.measurement_confidence.fit_calibration``: front from the
"front, network + fit" rows, front + side from "front+side, network + fit"), writes
``neural/fitting/data/measurement_uncertainty.json``, and rewrites every results file's interval
coverage and mean interval width (cm) to what avatar.json now gives. Also reports, per split,
the coverage when the other splits alone calibrate (``held_out_split_coverage`` in the
calibration file): what photos unlike every calibration split would see.

Usage: python tests/benchmarks/calibrate_intervals.py [--results DIR]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from bench_avatar import RESULTS  # this script's folder leads sys.path

ROOT = Path(__file__).resolve().parents[2]

MODES = {"front": "front, network + fit", "front+side": "front+side, network + fit"}
REPORTED = ("chest_girth", "waist_girth", "hip_girth")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default=str(ROOT / "tests/benchmarks/results"))
    args = parser.parse_args(argv)

    from neural.files import write_json_atomic
    from neural.fitting.measurement_confidence import CALIBRATION

    paths = {split: Path(args.results) / name for split, name in RESULTS.items()
             if (Path(args.results) / name).is_file()}
    documents = {split: json.loads(path.read_text()) for split, path in paths.items()}
    rows = {mode: {split: doc["configs"][config]["per_person"]
                   for split, doc in documents.items() if config in doc["configs"]}
            for mode, config in MODES.items()}
    stale = sorted({split for by_split in rows.values() for split, split_rows in by_split.items()
                    if any("outline_mismatch_cm" not in row for row in split_rows)})
    if stale or not rows["front"]:
        print(f"re-run bench_avatar.py on {', '.join(stale) or 'a split'}: no per-person "
              "outline mismatch to calibrate on", file=sys.stderr)
        return 2
    modes = {mode: _fit([row for split_rows in by_split.values() for row in split_rows])
             for mode, by_split in rows.items()}
    held_out = {mode: {split: _summary(_coverage(split_rows, _fit(
        [row for other, other_rows in by_split.items() if other != split
         for row in other_rows]))[0]) for split, split_rows in by_split.items()}
        for mode, by_split in rows.items()}
    write_json_atomic(CALIBRATION, {
        "source": "tests/benchmarks/calibrate_intervals.py on make bench-avatar's results",
        "splits": {split: len(split_rows) for split, split_rows in rows["front"].items()},
        "modes": modes, "held_out_split_coverage": held_out})
    print(f"saved {CALIBRATION}")
    print(f"\n{'split':15s}{'mode':12s}{'coverage mean / lowest':>26s}"
          f"{'held out':>16s}{'width chest/waist/hip cm':>28s}")
    for split, doc in documents.items():
        for config, table in doc["configs"].items():
            mode = "front+side" if config.startswith("front+side") else "front"
            coverage, width = _coverage(table["per_person"], modes[mode])
            table["interval_coverage"], table["interval_width_cm"] = coverage, width
            if config == MODES[mode]:
                mean, lowest = _summary(coverage).values()
                held = held_out[mode][split]
                print(f"{split:15s}{mode:12s}{mean:>17.2f} / {lowest:.2f}"
                      f"{held['mean']:>9.2f} / {held['lowest']:.2f}"
                      f"{' / '.join(f'{width[k]:.1f}' for k in REPORTED):>28s}")
        write_json_atomic(paths[split], doc)
    return 0


def _fit(rows: list[dict]) -> dict:
    """``fit_calibration`` on bench rows, every measurement but stature (the given height)."""
    from neural.fitting.measurement_confidence import fit_calibration

    names = [name for name in rows[0]["error_cm"] if name != "stature"]
    return fit_calibration({name: np.array([row["error_cm"][name] for row in rows])
                            for name in names},
                           [row["outline_mismatch_cm"] for row in rows])


def _coverage(rows: list[dict], table: dict) -> tuple[dict, dict]:
    """Share of ``rows`` whose error lies inside the interval ``table`` gives, and the mean
    interval width (cm), per measurement."""
    from neural.fitting.measurement_confidence import error_bounds, hidden_cm

    coverage, width = {}, {}
    for name, model in table["measurements"].items():
        bounds = np.array([error_bounds(model, min(hidden_cm(row["outline_mismatch_cm"]),
                                                    table["hidden_cap_cm"])) for row in rows])
        errors = np.array([row["error_cm"][name] for row in rows])
        coverage[name] = round(float(np.mean((errors >= bounds[:, 0])
                                             & (errors <= bounds[:, 1]))), 3)
        width[name] = round(float(np.mean(bounds[:, 1] - bounds[:, 0])), 2)
    return coverage, width


def _summary(coverage: dict[str, float]) -> dict[str, float]:
    return {"mean": round(float(np.mean(list(coverage.values()))), 3),
            "lowest": round(float(min(coverage.values())), 3)}


if __name__ == "__main__":
    sys.exit(main())
