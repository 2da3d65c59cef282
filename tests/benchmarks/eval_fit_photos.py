"""Fit every full-body photo in a folder and report silhouette IoU, keypoint error, stature and
whether the body is one real people have.

Usage: python tests/benchmarks/eval_fit_photos.py [PHOTO_DIR] [--height CM] [--people CSV]
                                                  [--weights PT] [--json OUT.json]
Defaults to ../shared/assets/photos (development photos, not shipped). Photos are read, never
written. These photos come without measurements, so the body is only checked against real
people: the percentile of its chest and hip girth among ANSUR II adults of the photo's sex and
within ``STATURE_BAND_CM`` of its height. A chest below the 1st percentile is a body no adult
has; waists are not compared (ANSUR measures them at the navel). ``--people`` gives each photo's
sex and height (a CSV of photo, sex, height_cm); a photo it does not list is fitted at
``--height`` and compared by the sex the fit read. ``--weights`` fits with other shape-network
weights (a candidate from ``make train-shape``) to screen them before they replace the shipped
ones.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}
DEV_PEOPLE = Path(__file__).parent / "dev_photos.csv"
STATURE_BAND_CM = 4.0
COMPARED = ("chest_girth", "hip_girth")


def ansur_percentile(sex: str, stature_cm: float, name: str, value_cm: float) -> float:
    """Percentile (0-100) of ``value_cm`` among ANSUR II adults of ``sex`` (male, female) within
    ``STATURE_BAND_CM`` of ``stature_cm`` in measurement ``name`` (one of
    ``body_sampler.MEASURED``, the columns of ``real_people``)."""
    import numpy as np

    from neural.synthetic.body_sampler import MEASURED, real_people

    people = real_people()[sex]
    near = people[np.abs(people[:, MEASURED.index("stature")] - stature_cm) <= STATURE_BAND_CM]
    return float(100.0 * np.mean(near[:, MEASURED.index(name)] < value_cm))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photo_dir", nargs="?", default="../shared/assets/photos")
    parser.add_argument("--height", type=float, default=175.0,
                        help="stature given to the fits of photos --people does not list, cm")
    parser.add_argument("--people", default=str(DEV_PEOPLE),
                        help="CSV of photo, sex (male, female), height_cm")
    parser.add_argument("--weights", help="shape network weights to fit with instead of the "
                                          "shipped ones")
    parser.add_argument("--json", default="tests/benchmarks/results/fit_photos.json")
    args = parser.parse_args(argv)
    if args.weights:
        import neural.shape_net.predict

        neural.shape_net.predict.WEIGHTS = Path(args.weights)

    from neural.errors import InputError
    from neural.files import write_json_atomic
    from neural.stages import fit_stage

    people = _read_people(args.people)
    photos = sorted(p for p in Path(args.photo_dir).iterdir()
                    if p.suffix.lower() in IMAGE_SUFFIXES and not p.stem.endswith("_mask"))
    if not photos:
        print(f"no photos in {args.photo_dir}", file=sys.stderr)
        return 2
    rows = []
    print(f"{'photo':40s} {'IoU':>6s} {'kp px':>6s} {'s':>5s} {'read':>6s} "
          f"{'chest':>6s} {'waist':>6s} {'hip':>6s}  ANSUR percentile chest, hip")
    for photo in photos:
        try:
            with tempfile.TemporaryDirectory() as folder:
                sex, height = people.get(photo.name, (None, args.height))
                avatar = fit_stage(photo, height, Path(folder) / "avatar", "cpu")
        except InputError as error:
            rows.append({"photo": photo.name, "rejected": str(error)})
            print(f"{photo.name[:40]:40s} rejected: {error}")
            continue
        found, measured = avatar["diagnostics"], avatar["measurements"]
        read = "male" if avatar["shape"]["phenotypes"]["gender"] < 0.5 else "female"
        sex = sex or read
        girths = {key: round(measured[key], 1) for key in ("chest_girth", "waist_girth",
                                                            "hip_girth")}
        percentiles = {name.split("_")[0]: round(ansur_percentile(sex, measured["stature"], name,
                                                                 measured[name]), 1)
                       for name in COMPARED}
        row = {"photo": photo.name, "silhouette_iou": found["silhouette_iou"],
               "keypoint_error_px": found["keypoint_error_px"], "stature_cm": measured["stature"],
               "seconds": found["seconds"], "sex": sex, "sex_read": read, "measurements_cm": girths,
               "ansur_percentile": percentiles}
        rows.append(row)
        print(f"{photo.name[:40]:40s} {row['silhouette_iou']:6.3f} {row['keypoint_error_px']:6.1f} "
              f"{row['seconds']:5.1f} {read:>6s} " + " ".join(f"{v:6.1f}" for v in girths.values())
              + "  " + ", ".join(f"{v:g}" for v in percentiles.values()))
    write_json_atomic(args.json, {"height_cm": args.height, "people": Path(args.people).name,
                                  "weights": args.weights,
                                  "stature_band_cm": STATURE_BAND_CM, "photos": rows})
    print(f"saved {args.json}")
    return 0


def _read_people(path: str) -> dict[str, tuple[str, float]]:
    """photo file name -> (sex, stature cm) from a CSV with a header (``#`` lines skipped);
    {} without the file."""
    import csv

    if not Path(path).is_file():
        return {}
    with open(path, encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {row["photo"]: (row["sex"], float(row["height_cm"])) for row in rows}


if __name__ == "__main__":
    sys.exit(main())
