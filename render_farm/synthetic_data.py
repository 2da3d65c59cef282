"""Generate the synthetic people benchmark: `python -m render_farm.synthetic_data --split train`.

Each sample is a sampled adult Anny body photographed from the front and the side. The real
detector (mediapipe) runs on every image, and what it saw is stored with the ground truth:
``<out>/<split>/<index>.npz`` (keypoints, visibility, a half-resolution person mask, pixel
labels (``neural.synthetic.scene.LABELS``: skin, garment, hair, accessory) and the camera per
view; body parameters, measurements in cm and, when dressed, the outfit). The ``train`` and
``test`` splits wear close-fitting painted clothes (``standing_test`` too, in the dressed people's
stances); ``dressed_train`` and ``dressed_test`` wear
the project's garments draped by its cloth solver (``neural.synthetic.dressing``);
``dressed_pairs`` holds each body twice, in fitted clothes (even index) and in loose ones (the
next index), the same camera and look, for the consistency of the fit. A split with
``STAGINGS`` photographs each dressed person several times (``<index>.npz``, then
``<index>s<k>.npz``): one drape, other stances, looks and cameras. Train splits
use the fast raster renderer; the held-out test splits use Cycles and also keep their images as
PNGs so the whole photo-to-avatar path can be benchmarked. Seeds never overlap between splits.
Re-running resumes:
finished samples are kept, and those measured by an older ``MEASUREMENT_VERSION`` are measured
again from their stored body parameters (no re-rendering).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

from neural.body.measurements import MEASUREMENT_VERSION
from neural.shape_net.features import MASK_STRIDE  # stored masks are 1/2 of the resolution

SPLITS = {  # name -> (first seed, renderer, dressed)
    "train": (1_000_000, "raster", False),
    "test": (2_000_000, "cycles", False),
    "dressed_train": (3_000_000, "raster", True),
    "dressed_test": (4_000_000, "cycles", True),
    "dressed_pairs": (5_000_000, "cycles", True),
    "standing_test": (6_000_000, "cycles", False),
}
PAIRED = {"dressed_pairs": ("fitted", "loose")}  # split -> looseness of each of a body's samples
# close-fitting splits whose people stand as the dressed ones do (arms hanging, hands on hips, ...);
# the close-fitting test split keeps the A-pose its published errors were measured in
STANDING = {"train", "standing_test"}
STAGINGS = {"dressed_train": 3}  # split -> photo sessions per person (a drape costs ~10x a photo)
IMAGE_SIZE = (540, 720)  # W, H in pixels (3:4 portrait)
PHOTO_CROP_SIZE = (128, 256)  # W, H of the stored photo and label crops round the person
FORMAT_VERSION = 2

_worker_state: dict = {}


def generate(split: str, count: int, out_dir: str | os.PathLike, workers: int = 1,
             device: str = "cpu") -> dict:
    """Make people 0..count-1 of ``split`` (each with its ``STAGINGS``) whose samples are not
    all there yet (dressed splits drape on ``device``); returns counts of samples."""
    from neural.files import write_json_atomic

    first_seed, renderer, dressed = SPLITS[split]
    folder = Path(out_dir) / split
    folder.mkdir(parents=True, exist_ok=True)
    write_json_atomic(folder / "manifest.json", {
        "format_version": FORMAT_VERSION, "split": split, "count": count,
        "first_seed": first_seed, "renderer": renderer, "image_size": list(IMAGE_SIZE),
        "mask_stride": MASK_STRIDE, "views": ["front", "side"], "dressed": dressed,
        "stagings": STAGINGS.get(split, 1),
    })
    paths = {i: _sample_paths(folder, split, i) for i in range(count)}
    missing = {i: sum(not path.exists() for path in own) for i, own in paths.items()}
    jobs = [(split, i, str(folder), device)  # people with nothing yet first
            for i in sorted((i for i in missing if missing[i]), key=lambda i: -missing[i])]
    stale = [str(path) for own in paths.values() for path in own
             if path.exists() and _measured_with(path) < MEASUREMENT_VERSION]
    made = _run(_make_one, jobs, workers, f"{split} people")
    _run(_remeasure_one, stale, workers, f"{split} re-measured")
    total = sum(len(own) for own in paths.values())
    return {"split": split, "made": sum(n for n, _ in made),
            "already_there": total - sum(missing.values()),
            "views_detected": sum(d for _, d in made), "re_measured": len(stale)}


def _sample_paths(folder: Path, split: str, index: int) -> list[Path]:
    """The files of person ``index``: its own photo session, then its other stagings."""
    return [folder / f"{index:05d}.npz", *(folder / f"{index:05d}s{k}.npz"
                                           for k in range(1, STAGINGS.get(split, 1)))]


def _run(function, jobs: list, workers: int, description: str) -> list:
    """``function`` over ``jobs`` with a progress bar, in ``workers`` processes if more than 1."""
    from tqdm import tqdm

    if workers > 1 and len(jobs) > 1:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            return list(tqdm(pool.imap_unordered(function, jobs), total=len(jobs),
                             desc=description, unit="sample"))
    return [function(job) for job in tqdm(jobs, desc=description, unit="sample")]


def _measured_with(path: Path) -> int:
    """The ``MEASUREMENT_VERSION`` a stored sample's ground truth was measured with."""
    with np.load(path) as data:
        return int(json.loads(str(data["meta"])).get("measurement_version", 1))


def _remeasure_one(path: str) -> None:
    """Measure a stored sample's body again with today's definitions; rewrite it in place."""
    from neural.body.anny_body import BodyParameters, measure_rest_body

    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    meta = json.loads(str(arrays["meta"]))
    body = BodyParameters(phenotypes=meta["phenotypes"], local_changes=meta["local_changes"])
    meta["measurements_cm"] = measure_rest_body(body)
    meta["measurement_version"] = MEASUREMENT_VERSION
    arrays["meta"] = np.array(json.dumps(meta))
    _save_npz(Path(path), **arrays)


def _make_one(job: tuple[str, int, str, str]) -> tuple[int, int]:
    """Render, detect and save person ``index``'s missing samples; returns how many samples
    were made and how many of their views the detector found."""
    from neural.synthetic.scene import make_people

    split, index, folder, device = job
    first_seed, _, dressed = SPLITS[split]
    paths = _sample_paths(Path(folder), split, index)
    if split in PAIRED:
        kinds = PAIRED[split]
        people = make_people(first_seed + index // len(kinds), IMAGE_SIZE, dressed, device,
                             looseness=kinds[index % len(kinds)])
    else:
        people = make_people(first_seed + index, IMAGE_SIZE, dressed, device, stagings=len(paths),
                             standing=split in STANDING)
    made = [_save_sample(split, index, staging, person, path)
            for staging, (person, path) in enumerate(zip(people, paths)) if not path.exists()]
    return len(made), sum(made)


def _save_sample(split: str, index: int, staging: int, person, path: Path) -> int:
    """Render, detect and save one photo session; returns how many of its views the detector
    found."""
    from neural.errors import InputError
    from neural.files import write_bytes_atomic
    from neural.synthetic.appearance import background_image, composite
    from neural.synthetic.scene import VIEWS

    renderer = SPLITS[split][1]
    detector = _detector()
    arrays, detected = {}, 0
    for view in VIEWS:
        camera = person.cameras[view]
        rgba = _render(renderer, person, camera)
        labels = _raster().render_labels(person.vertices, person.faces, person.labels, camera)
        photo = composite(rgba, background_image(person.look.background,
                                                 person.look.background_seed,
                                                 IMAGE_SIZE))
        if renderer == "cycles":
            write_bytes_atomic(path.with_name(f"{path.stem}_{view}.png"), _png(photo))
        try:
            seen = detector.observe(photo, f"{split} sample {path.stem} {view}")
        except InputError:
            seen = None
        detected += seen is not None
        arrays |= _view_arrays(view, seen, camera, rgba, labels) | _crops(view, seen, photo,
                                                                         labels)
    meta = {
        "seed": person.seed, "index": index, "staging": staging, "split": split,
        "measurements_cm": person.measurements, "measurement_version": MEASUREMENT_VERSION,
        "phenotypes": person.body.phenotypes, "local_changes": person.body.local_changes,
        "pose": person.body.pose, "look": person.look.__dict__, "outfit": person.outfit,
    }
    _save_npz(path, meta=np.array(json.dumps(meta)), **arrays)
    return detected


def _view_arrays(view: str, seen, camera, rgba: np.ndarray,
                 labels: np.ndarray) -> dict[str, np.ndarray]:
    import cv2

    small = (IMAGE_SIZE[0] // MASK_STRIDE, IMAGE_SIZE[1] // MASK_STRIDE)
    truth = cv2.resize(rgba[..., 3], small, interpolation=cv2.INTER_AREA)
    arrays = {
        f"{view}_camera": np.array([camera.width, camera.height, camera.focal_px,
                                    *camera.position, *camera.target]),
        f"{view}_true_mask": (truth * 255).round().astype(np.uint8),
        f"{view}_labels": cv2.resize(labels, small, interpolation=cv2.INTER_NEAREST),
        f"{view}_detected": np.array(seen is not None),
    }
    if seen is None:
        return arrays | {f"{view}_keypoints": np.zeros((33, 2), np.float32),
                         f"{view}_visibility": np.zeros(33, np.float32),
                         f"{view}_mask": np.zeros(small[::-1], np.uint8)}
    mask = cv2.resize(seen.mask, small, interpolation=cv2.INTER_AREA)
    return arrays | {f"{view}_keypoints": seen.keypoints_px.astype(np.float32),
                     f"{view}_visibility": seen.visibility.astype(np.float32),
                     f"{view}_mask": (mask * 255).round().astype(np.uint8)}


def _crops(view: str, seen, photo: np.ndarray, labels: np.ndarray) -> dict[str, np.ndarray]:
    """The photo and its labels inside the box the detection gives (``person_box``), at
    ``PHOTO_CROP_SIZE``: what a network that looks at the image learns from."""
    from neural.shape_net.features import crop, person_box

    box = person_box(seen.keypoints_px, seen.mask, IMAGE_SIZE) if seen is not None else None
    if box is None:
        return {}
    return {f"{view}_photo_crop": crop(photo, box, PHOTO_CROP_SIZE),
            f"{view}_label_crop": crop(labels, box, PHOTO_CROP_SIZE, nearest=True)}


def _render(renderer: str, person, camera) -> np.ndarray:
    if renderer == "cycles":
        from render_farm.synthetic_photo import render_cycles

        return render_cycles(person.vertices, person.faces, person.colours, camera, person.look)
    return _raster().render(person.vertices, person.faces, person.colours, camera, person.look)


def _raster():
    """This process's raster renderer (photos of the train splits, every split's labels)."""
    if "raster" not in _worker_state:
        from neural.synthetic.render_raster import RasterRenderer

        _worker_state["raster"] = RasterRenderer(IMAGE_SIZE)
    return _worker_state["raster"]


def _detector():
    if "detector" not in _worker_state:
        from neural.photo.person_detector import PersonDetector

        _worker_state["detector"] = PersonDetector().__enter__()
    return _worker_state["detector"]


def _png(rgb: np.ndarray) -> bytes:
    import cv2

    ok, encoded = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    return encoded.tobytes()


def _save_npz(path: Path, **arrays) -> None:
    import io

    from neural.files import write_bytes_atomic

    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    write_bytes_atomic(path, buffer.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=SPLITS, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--out", default="data/synthetic")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--device", default="auto", help="where dressed splits drape: auto, "
                        "cpu or cuda (auto: the GPU when there is one)")
    args = parser.parse_args(argv)
    from neural.device import resolve_device

    print(json.dumps(generate(args.split, args.count, args.out, args.workers,
                              resolve_device(args.device))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
