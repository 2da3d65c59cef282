"""How soon a shopper sees a body, and a garment on it, after uploading photos (make bench-instant).

Runs the real stages in one warm process (models loaded and the photo detector kept, as in a
warm engine) on held-out synthetic people (``--split``, Cycles photos with their truth) and
prints, median over the people, per photo set (front; front + side):
- ``detect``: mediapipe on the decoded photos (and the clothing segmenter);
- ``fit``: the shape network and the fit (``fit_body``), the figure issue 27's targets name;
- ``avatar``: detect + fit + measuring and writing avatar.json / avatar.glb;
- ``first garment on body``: avatar + garment (``--garment``, the chart's size for the body)
  + the physics drape (Newton), i.e. from the upload's bytes to a draped model.
A learned drape and posing are not built yet, so their rows are absent.
Saves JSON (default tests/benchmarks/results/instant.json).

Usage: python tests/benchmarks/bench_instant.py [--data data/synthetic] [--split dressed_test]
       [--limit N] [--drapes N] [--garment KIND] [--device D] [--json OUT]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_avatar import device_name  # noqa: E402 - the scripts' folder is on the path

ROOT = Path(__file__).resolve().parents[2]
MODES = ("front", "front+side")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT / "data/synthetic"))
    parser.add_argument("--split", default="dressed_test")
    parser.add_argument("--limit", type=int, default=12, help="people (the split's first N)")
    parser.add_argument("--drapes", type=int, default=3, help="people also draped")
    parser.add_argument("--garment", default="tshirt")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--json", default=str(ROOT / "tests/benchmarks/results/instant.json"))
    args = parser.parse_args(argv)

    from tqdm import tqdm

    from neural.device import resolve_device
    from neural.errors import InputError
    from neural.files import write_json_atomic
    from neural.photo.person_detector import keep_detector

    device = resolve_device(args.device)
    people = [(sample, _meta(sample))
              for sample in sorted((Path(args.data) / args.split).glob("[0-9]*.npz"))
              if sample.with_name(f"{sample.stem}_side.png").is_file()][: args.limit]
    if not people:
        print(f"no test people under {args.data}/{args.split}: run `make bench-data` first",
              file=sys.stderr)
        return 2
    keep_detector()
    _avatar(people[0][0], people[0][1], True, device)  # warm-up: first calls, kernels
    _first_garment(people[0], args.garment, device)
    timings = {mode: {"detect": [], "fit": [], "avatar": []} for mode in MODES}
    refused = {mode: 0 for mode in MODES}  # photo sets the fit refuses (a side photo unlike
    first_garment = []  # its front one, feet hidden): counted, not timed
    for index, (sample, meta) in enumerate(tqdm(people, desc="people", unit="person")):
        for mode in MODES:
            try:
                for name, seconds in _avatar(sample, meta, mode == "front+side", device).items():
                    timings[mode][name].append(seconds)
            except InputError:
                refused[mode] += 1
        if index < args.drapes:
            first_garment.append(_first_garment((sample, meta), args.garment, device))

    table = {mode: {name: round(statistics.median(values), 3) for name, values in rows.items()}
             for mode, rows in timings.items()}
    table["front"]["first garment on body"] = round(statistics.median(first_garment), 3)
    _print(table, device)
    write_json_atomic(args.json, {"device": device_name(device), "split": args.split,
                                  "people": len(people), "refused": refused,
                                  "drapes": len(first_garment),
                                  "garment": args.garment, "median_seconds": table})
    print(f"saved {args.json}")
    return 0


def _meta(sample: Path) -> dict:
    """A test person's record (its truth among it)."""
    with np.load(sample) as data:
        return json.loads(str(data["meta"]))


def _avatar(sample: Path, meta: dict, with_side: bool, device: str,
            out: Path | None = None) -> dict[str, float]:
    """Seconds of detect, fit and the whole avatar for one person's photos (held in memory, as
    uploads are); the avatar is written into ``out`` (else a folder thrown away)."""
    from neural.photo.person_detector import decode_photo, open_detector
    from neural.stages import fit_observed

    photos = {view: sample.with_name(f"{sample.stem}_{view}.png").read_bytes()
              for view in (("front", "side") if with_side else ("front",))}
    height = meta["measurements_cm"]["stature"]
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        with open_detector() as detector:
            seen = {}
            for view, payload in photos.items():
                rgb, digest = decode_photo(payload, f"the {view} photo")
                seen[view] = detector.observe(rgb, f"the {view} photo", digest)
        detected = time.perf_counter()
        avatar = fit_observed(seen["front"], seen.get("side"), height,
                              out or Path(folder) / "avatar", device)
        ended = time.perf_counter()
    diagnostics = avatar["diagnostics"]
    return {"detect": detected - started,
            "fit": diagnostics["network_seconds"] + diagnostics["seconds"],
            "avatar": ended - started}


def _first_garment(person: tuple[Path, dict], kind: str, device: str) -> float:
    """Seconds from the front photo's bytes to the garment draped on the fitted body: the
    avatar, the garment in the size its chart gives the body, the physics drape."""
    from neural.garments.garment_file import SIZE_CHARTS
    from neural.garments.size_charts import fitted_size
    from neural.stages import drape_stage, garment_stage

    sample, meta = person
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        started = time.perf_counter()
        _avatar(sample, meta, False, device, folder / "avatar")
        avatar = json.loads((folder / "avatar" / "avatar.json").read_text())
        size = fitted_size(SIZE_CHARTS[kind], avatar["measurements"])
        garment_stage(kind, size, "cotton", folder / "garment")
        drape_stage(folder / "avatar", folder / "garment", folder / "drape", device)
        return time.perf_counter() - started


def _print(table: dict, device: str) -> None:
    print(f"\nmedian seconds after an upload, warm ({device_name(device)})")
    print(f"{'':26s}" + "".join(f"{mode:>14s}" for mode in MODES))
    for name in ("detect", "fit", "avatar", "first garment on body"):
        print(f"{name:26s}" + "".join(
            f"{table[mode][name]:14.2f}" if name in table[mode] else f"{'':14s}"
            for mode in MODES))


if __name__ == "__main__":
    sys.exit(main())
