"""Measurement accuracy of avatars on a held-out synthetic test split (make bench-avatar).

``--split test`` (default) holds people in close-fitting clothes in the A-pose, ``--split
standing_test`` the same clothes in the dressed people's stances (arms hanging, hands on hips,
weight on one leg, turned); ``--split dressed_test`` holds
people in the project's draped garments, reported also by how loose they are (fitted, loose,
outerwear; ``neural.synthetic.dressing.Outfit.looseness``); every split is also reported by how
far the front photo's arms stand out (``ARM_GROUPS``); ``--split dressed_pairs`` holds each
body twice, fitted then loose, and also reports how far apart the two readings of one body are
(the consistency). For each test sample (Cycles-rendered
photos, never seen in training) the whole photo-to-avatar
path runs (decode, detect, shape network, fit, measure, write avatar.json) in four
configurations: front only / front + side, each started from the shape network or from the mean
body (optimisation alone, the baseline). Prints MAE and 90th-percentile absolute error per
measurement (cm), how often the truth lies inside avatar.json's 90 % interval, and the time per
avatar; saves JSON.

The per-person rows keep each photo's signed errors and outline mismatch:
``calibrate_intervals.py`` (the last step of ``make bench-avatar``) fits avatar.json's 90 %
intervals on them.

Usage: python tests/benchmarks/bench_avatar.py [--data data/synthetic] [--split S] [--limit N]
       [--device D] [--no-baseline] [--true-labels]
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = {  # name -> (use the side photo, start from the shape network, true pixel labels)
    "front, network + fit": (False, True, False),
    "front, fit alone": (False, False, False),
    "front+side, network + fit": (True, True, False),
    "front+side, fit alone": (True, False, False),
}
RESULTS = {"test": "avatar.json", "standing_test": "avatar_standing.json",
           "dressed_test": "avatar_dressed.json",
           "dressed_pairs": "avatar_dressed_pairs.json"}
TRUE_LABELS = {  # with --true-labels: the fit told by the renderer which pixels are skin
    "front, true labels": (False, True, True),
    "front+side, true labels": (True, True, True),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT / "data/synthetic"))
    parser.add_argument("--split", default="test",
                        choices=tuple(RESULTS))
    parser.add_argument("--limit", type=int, default=40, help="test samples to use (first N)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--json", help="default tests/benchmarks/results/avatar.json, or "
                        "avatar_dressed.json for the dressed split")
    parser.add_argument("--no-baseline", action="store_true",
                        help="only the network + fit configurations (quicker, for development)")
    parser.add_argument("--true-labels", action="store_true",
                        help="also fit with the renderer's pixel labels (skin, garment, ...): "
                             "what a perfect clothing segmentation would give the fit")
    args = parser.parse_args(argv)
    configs = {name: how for name, how in CONFIGS.items() if how[1] or not args.no_baseline}
    if args.true_labels:
        configs |= TRUE_LABELS
    args.json = args.json or str(ROOT / "tests/benchmarks/results" / RESULTS[args.split])

    from tqdm import tqdm

    from neural.body.measurements import ORDER
    from neural.device import resolve_device
    from neural.files import write_json_atomic

    device = resolve_device(args.device)
    samples = sorted((Path(args.data) / args.split).glob("[0-9]*.npz"))[: args.limit]
    if not samples:
        print(f"no test samples under {args.data}/{args.split}: run `make bench-data` first",
              file=sys.stderr)
        return 2
    errors = {name: [] for name in configs}
    rows = {name: [] for name in configs}  # per person: signed errors (cm), for digging
    mismatch = {name: [] for name in configs}
    inside = {name: [] for name in configs}  # per person: truth inside the 90 % interval
    spans = {name: [] for name in configs}  # per person: the interval's width (cm)
    seconds = {name: [] for name in configs}
    failures = {name: 0 for name in configs}
    _fit(samples[0], 170.0, True, True, False, device)  # warm-up: loads and first-call set-up
    for sample in tqdm(samples, desc="avatars", unit="sample"):
        with np.load(sample) as data:
            meta = json.loads(str(data["meta"]))
            arms = _arms(data["front_keypoints"], data["front_visibility"])
        truth = meta["measurements_cm"]
        group = (meta.get("outfit") or {}).get("looseness", "tight")
        for name, (use_side, use_network, true_labels) in configs.items():
            result = _fit(sample, truth["stature"], use_side, use_network, true_labels, device)
            if result is None:
                failures[name] += 1
                continue
            avatar, elapsed = result
            errors[name].append([avatar["measurements"][k] - truth[k] for k in ORDER])
            signed = dict(zip(ORDER, np.round(errors[name][-1], 2).tolist()))
            confidence = avatar["measurement_confidence"]
            mismatch[name].append([confidence[k]["outline_mismatch_cm"] for k in ORDER])
            rows[name].append({"sample": sample.stem, "looseness": group, "arms": arms,
                               "error_cm": signed,
                               "outline_mismatch_cm": dict(zip(ORDER, mismatch[name][-1]))})
            inside[name].append([_inside(confidence[k]["interval_cm"], truth[k]) for k in ORDER])
            spans[name].append([np.diff(confidence[k]["interval_cm"] or [np.nan, np.nan])[0]
                                for k in ORDER])
            seconds[name].append(elapsed)

    table = {}
    for name in configs:
        diffs = np.abs(np.array(errors[name])) if errors[name] else np.full((1, len(ORDER)), np.nan)
        table[name] = {
            "samples": len(errors[name]), "failures": failures[name],
            "seconds_per_avatar": round(float(np.mean(seconds[name] or [np.nan])), 2),
            "seconds_median": round(float(np.median(seconds[name] or [np.nan])), 2),
            "mae_cm": dict(zip(ORDER, np.round(diffs.mean(0), 2).tolist())),
            "p90_cm": dict(zip(ORDER, np.round(np.percentile(diffs, 90, axis=0), 2).tolist())),
            "median_outline_mismatch_cm": dict(zip(ORDER, np.round(
                np.median(mismatch[name] or np.full((1, len(ORDER)), np.nan), axis=0), 2).tolist())),
            "interval_coverage": dict(zip(ORDER, np.round(np.mean(
                inside[name] or np.full((1, len(ORDER)), np.nan), axis=0), 3).tolist())),
            "interval_width_cm": dict(zip(ORDER, np.round(np.mean(
                spans[name] or np.full((1, len(ORDER)), np.nan), axis=0), 2).tolist())),
            "by_looseness": _by_group(rows[name], "looseness"),
            "by_arms": _by_group(rows[name], "arms"),
            "fitted_vs_loose_cm": (_consistency(rows[name]) if args.split == "dressed_pairs"
                                   else None),
            "per_person": rows[name],
        }
    device_label = device_name(device)
    _print(table, ORDER, device_label)
    write_json_atomic(args.json, {"device": device_label, "split": args.split,
                                  "test_samples": len(samples), "data": str(args.data),
                                  "configs": table})
    print(f"saved {args.json}")
    return 0


GIRTHS = ("chest_girth", "waist_girth", "hip_girth")


# how far the front photo's arms stand out: the mean angle (degrees) from the shoulder keypoint
# to the wrist keypoint, off the vertical; arms hanging along the sides read 0-7 on real photos
ARM_GROUPS = ((12.0, "arms hanging"), (25.0, "arms a little out"), (180.0, "arms out"))


def _arms(keypoints: np.ndarray, visibility: np.ndarray) -> str:
    """The ``ARM_GROUPS`` name of a view's BlazePose keypoints (px), "arms unseen" when a
    shoulder or wrist was not detected."""
    angles = []
    for shoulder, wrist, outwards in ((11, 15, 1.0), (12, 16, -1.0)):
        if min(visibility[shoulder], visibility[wrist]) < 0.5:
            return "arms unseen"
        du, dv = keypoints[wrist] - keypoints[shoulder]
        angles.append(abs(np.degrees(np.arctan2(outwards * du, dv))))
    return next(name for limit, name in ARM_GROUPS if np.mean(angles) < limit)


def _by_group(rows: list[dict], key: str) -> dict:
    """MAE, 90th-percentile absolute error and mean signed error (cm) of the torso girths per
    value of the rows' ``key`` (looseness, arms)."""
    groups = {}
    for row in rows:
        groups.setdefault(row[key], []).append([row["error_cm"][k] for k in GIRTHS])

    def per_girth(values: np.ndarray) -> dict[str, float]:
        return dict(zip(GIRTHS, np.round(values, 2).tolist()))

    return {group: {"samples": len(errors), "mae_cm": per_girth(np.abs(errors).mean(0)),
                    "p90_cm": per_girth(np.percentile(np.abs(errors), 90, axis=0)),
                    "bias_cm": per_girth(np.mean(errors, 0))}
            for group, errors in sorted(groups.items())}


def _inside(interval: list[float] | None, value: float) -> float:
    """1 where ``value`` lies in ``interval``, 0 where not, NaN without an interval."""
    return float("nan") if interval is None else float(interval[0] <= value <= interval[1])


def _consistency(rows: list[dict]) -> dict:
    """Mean |difference| (cm) between the torso girths read from one body in fitted clothes
    and in loose ones (samples 2k and 2k + 1 of ``dressed_pairs``), over the pairs both read."""
    errors = {int(row["sample"]): row["error_cm"] for row in rows}
    pairs = [(errors[i], errors[i + 1]) for i in errors if i % 2 == 0 and i + 1 in errors]
    if not pairs:
        return {"pairs": 0}
    return {"pairs": len(pairs)} | {
        key: round(float(np.mean([abs(a[key] - b[key]) for a, b in pairs])), 2) for key in GIRTHS}


def _fit(sample: Path, height_cm: float, use_side: bool, use_network: bool, true_labels: bool,
         device: str):
    """Run the fit stage on one sample's photos (with ``true_labels``: the detections told the
    renderer's pixel labels); (avatar document, seconds) or None if refused."""
    from neural.errors import InputError
    from neural.photo.person_detector import PersonDetector, load_photo
    from neural.stages import fit_observed, fit_stage

    front = sample.with_name(f"{sample.stem}_front.png")
    side = sample.with_name(f"{sample.stem}_side.png") if use_side else None
    try:
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            if not true_labels:
                avatar = fit_stage(front, height_cm, Path(folder) / "avatar", device,
                                   side_photo=side, shape_network=use_network)
                return avatar, time.perf_counter() - started
            seen = {}
            with PersonDetector() as detector, np.load(sample) as data:
                for view, photo in (("front", front), ("side", side)):
                    if photo is not None:
                        seen[view] = dataclasses.replace(
                            detector.observe(*_named(load_photo(photo), photo)),
                            labels=data[f"{view}_labels"])
            avatar = fit_observed(seen["front"], seen.get("side"), height_cm,
                                  Path(folder) / "avatar", device, shape_network=use_network)
            return avatar, time.perf_counter() - started
    except InputError:
        return None


def _named(loaded: tuple, photo: Path) -> tuple:
    """``load_photo``'s (rgb, sha256) as ``observe``'s arguments (rgb, source, sha256)."""
    rgb, sha256 = loaded
    return rgb, str(photo), sha256


def device_name(device: str) -> str:
    """The torch device with the GPU's model, or the CPU's core count."""
    import os

    import torch

    if device == "cuda":
        return f"cuda ({torch.cuda.get_device_name()})"
    return f"cpu ({os.cpu_count()} cores, {torch.get_num_threads()} torch threads)"


def _print(table: dict, order, device: str) -> None:
    names = list(table)
    print(f"\nMAE / p90 absolute error in cm on the held-out test split (device {device})")
    print(f"{'measurement':18s}" + "".join(f"{n:>28s}" for n in names))
    for key in order:
        print(f"{key:18s}" + "".join(
            f"{table[n]['mae_cm'][key]:>19.2f} / {table[n]['p90_cm'][key]:5.2f}" for n in names))
    print(f"{'s per avatar':18s}" + "".join(f"{table[n]['seconds_per_avatar']:>28.2f}"
                                            for n in names))
    print(f"{'samples (failed)':18s}" + "".join(
        f"{table[n]['samples']:>24d} ({table[n]['failures']})" for n in names))
    print("\nshare of people whose truth lies inside the 90 % interval")
    for key in GIRTHS:
        print(f"{key:18s}" + "".join(f"{table[n]['interval_coverage'][key]:>28.2f}"
                                     for n in names))
    if all(table[n]["fitted_vs_loose_cm"] for n in names):
        print("\none body fitted vs loose: mean |difference| in cm (chest / waist / hip)")
        print(f"{'':18s}" + "".join(
            f"{' / '.join(str(table[n]['fitted_vs_loose_cm'].get(k, '-')) for k in GIRTHS):>28s}"
            for n in names))
    for key, what in (("by_looseness", "how loose the clothes are"),
                      ("by_arms", "how far the arms stand out (front photo)")):
        print(f"\nchest / waist / hip MAE, p90 and (mean signed error) in cm, by {what}")
        for group in sorted({g for n in names for g in table[n][key]}):
            cells = []
            for n in names:
                found = table[n][key].get(group)
                cells.append(" / ".join(f"{found['mae_cm'][k]:.1f} {found['p90_cm'][k]:.1f} "
                                        f"({found['bias_cm'][k]:+.1f})" for k in GIRTHS)
                             if found else "-")
            print(f"{group:18s}" + "".join(f"{c:>52s}" for c in cells))


if __name__ == "__main__":
    sys.exit(main())
