"""Fit every full-body photo in a folder and report silhouette IoU, keypoint error and stature.

Usage: python tests/benchmarks/eval_fit_photos.py [PHOTO_DIR] [--height CM] [--json OUT.json]
Defaults to ../shared/assets/photos (development photos, not shipped). Photos are read, never written.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photo_dir", nargs="?", default="../shared/assets/photos")
    parser.add_argument("--height", type=float, default=175.0, help="stature given to every fit, cm")
    parser.add_argument("--json", default="tests/benchmarks/results/fit_photos.json")
    args = parser.parse_args(argv)

    from neural.errors import InputError
    from neural.files import write_json_atomic
    from render_farm.stages import fit_stage

    photos = sorted(p for p in Path(args.photo_dir).iterdir()
                    if p.suffix.lower() in IMAGE_SUFFIXES and not p.stem.endswith("_mask"))
    if not photos:
        print(f"no photos in {args.photo_dir}", file=sys.stderr)
        return 2
    rows = []
    print(f"{'photo':48s} {'IoU':>6s} {'kp px':>7s} {'stature':>8s} {'s':>6s}")
    for photo in photos:
        try:
            with tempfile.TemporaryDirectory() as folder:
                avatar = fit_stage(photo, args.height, Path(folder) / "avatar", "cpu")
        except InputError as error:
            rows.append({"photo": photo.name, "rejected": str(error)})
            print(f"{photo.name[:48]:48s} rejected: {error}")
            continue
        found = avatar["diagnostics"]
        stature = avatar["measurements"]["stature"]
        row = {"photo": photo.name, "silhouette_iou": found["silhouette_iou"],
               "keypoint_error_px": found["keypoint_error_px"], "stature_cm": stature,
               "seconds": found["seconds"]}
        rows.append(row)
        print(f"{photo.name[:48]:48s} {row['silhouette_iou']:6.3f} {row['keypoint_error_px']:7.1f} "
              f"{stature:8.1f} {row['seconds']:6.1f}")
    write_json_atomic(args.json, {"height_cm": args.height, "photos": rows})
    print(f"saved {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
