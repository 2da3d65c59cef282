"""Fit every full-body photo in a folder and report silhouette IoU, keypoint error and stature.

Usage: python tests/benchmarks/eval_fit_photos.py [PHOTO_DIR] [--height CM] [--json OUT.json]
Defaults to ../shared/assets/photos (development photos, not shipped). Photos are read, never written.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photo_dir", nargs="?", default="../shared/assets/photos")
    parser.add_argument("--height", type=float, default=175.0, help="stature given to every fit, cm")
    parser.add_argument("--json", default="tests/benchmarks/results/fit_photos.json")
    args = parser.parse_args(argv)

    from neural.body.anny_body import rest_body
    from neural.body.measurements import measure_body
    from neural.errors import InputError
    from neural.files import write_json_atomic
    from neural.fitting.fit_body import fit_body
    from neural.photo.person_detector import detect_person

    photos = sorted(p for p in Path(args.photo_dir).iterdir()
                    if p.suffix.lower() in IMAGE_SUFFIXES and not p.stem.endswith("_mask"))
    if not photos:
        print(f"no photos in {args.photo_dir}", file=sys.stderr)
        return 2
    rows = []
    print(f"{'photo':48s} {'IoU':>6s} {'kp px':>7s} {'stature':>8s} {'s':>6s}")
    for photo in photos:
        try:
            person = detect_person(photo)
        except InputError as error:
            rows.append({"photo": photo.name, "rejected": str(error)})
            print(f"{photo.name[:48]:48s} rejected: {error}")
            continue
        result = fit_body(person, args.height)
        stature = measure_body(*rest_body(result.body))["stature"]
        row = {"photo": photo.name, "silhouette_iou": result.silhouette_iou,
               "keypoint_error_px": result.keypoint_error_px, "stature_cm": stature,
               "seconds": result.seconds}
        rows.append(row)
        print(f"{photo.name[:48]:48s} {row['silhouette_iou']:6.3f} {row['keypoint_error_px']:7.1f} "
              f"{stature:8.1f} {row['seconds']:6.1f}")
    write_json_atomic(args.json, {"height_cm": args.height, "photos": rows})
    print(f"saved {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
