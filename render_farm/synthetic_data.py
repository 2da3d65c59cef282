"""Generate the synthetic people benchmark: `python -m render_farm.synthetic_data --split train`.

Each sample is a sampled adult Anny body photographed from the front and the side. The real
detector (mediapipe) runs on every image, and what it saw is stored with the ground truth:
``<out>/<split>/<index>.npz`` (keypoints, visibility, a half-resolution person mask and the
camera per view; body parameters and measurements in cm). The train split uses the fast raster
renderer; the held-out test split uses Cycles and also keeps its images as PNGs so the whole
photo-to-avatar path can be benchmarked. Seeds never overlap between splits. Re-running resumes:
finished samples are kept.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

from neural.shape_net.features import MASK_STRIDE  # stored masks are 1/2 of the resolution

SPLITS = {  # name -> (first seed, renderer)
    "train": (1_000_000, "raster"),
    "test": (2_000_000, "cycles"),
}
IMAGE_SIZE = (540, 720)  # W, H in pixels (3:4 portrait)
FORMAT_VERSION = 2

_worker_state: dict = {}


def generate(split: str, count: int, out_dir: str | os.PathLike, workers: int = 1) -> dict:
    """Make samples 0..count-1 of ``split`` that are not there yet; returns counts."""
    from neural.files import write_json_atomic

    first_seed, renderer = SPLITS[split]
    folder = Path(out_dir) / split
    folder.mkdir(parents=True, exist_ok=True)
    write_json_atomic(folder / "manifest.json", {
        "format_version": FORMAT_VERSION, "split": split, "count": count,
        "first_seed": first_seed, "renderer": renderer, "image_size": list(IMAGE_SIZE),
        "mask_stride": MASK_STRIDE, "views": ["front", "side"],
    })
    todo = [i for i in range(count) if not (folder / f"{i:05d}.npz").exists()]
    jobs = [(split, i, str(folder)) for i in todo]
    from tqdm import tqdm

    detected = 0
    if workers > 1:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            for ok in tqdm(pool.imap_unordered(_make_one, jobs), total=len(jobs),
                           desc=f"{split} samples", unit="sample"):
                detected += ok
    else:
        for job in tqdm(jobs, desc=f"{split} samples", unit="sample"):
            detected += _make_one(job)
    return {"split": split, "made": len(jobs), "already_there": count - len(jobs),
            "views_detected": detected}


def _make_one(job: tuple[str, int, str]) -> int:
    """Render, detect and save one sample; returns how many of its views the detector found."""
    from neural.errors import InputError
    from neural.files import write_bytes_atomic
    from neural.synthetic.appearance import background_image, composite
    from neural.synthetic.scene import VIEWS, make_person

    split, index, folder = job
    first_seed, renderer = SPLITS[split]
    person = make_person(first_seed + index, IMAGE_SIZE)
    detector = _detector()
    arrays, detected = {}, 0
    for view in VIEWS:
        camera = person.cameras[view]
        rgba = _render(renderer, person, camera)
        photo = composite(rgba, background_image(person.look.background,
                                                 person.look.background_seed,
                                                 IMAGE_SIZE))
        if split == "test":
            write_bytes_atomic(Path(folder) / f"{index:05d}_{view}.png", _png(photo))
        try:
            seen = detector.observe(photo, f"{split} sample {index} {view}")
        except InputError:
            seen = None
        detected += seen is not None
        arrays |= _view_arrays(view, seen, camera, rgba)
    meta = {
        "seed": person.seed, "index": index, "split": split,
        "measurements_cm": person.measurements,
        "phenotypes": person.body.phenotypes, "local_changes": person.body.local_changes,
        "pose": person.body.pose, "look": person.look.__dict__,
    }
    _save_npz(Path(folder) / f"{index:05d}.npz", meta=np.array(json.dumps(meta)), **arrays)
    return detected


def _view_arrays(view: str, seen, camera, rgba: np.ndarray) -> dict[str, np.ndarray]:
    import cv2

    small = (IMAGE_SIZE[0] // MASK_STRIDE, IMAGE_SIZE[1] // MASK_STRIDE)
    truth = cv2.resize(rgba[..., 3], small, interpolation=cv2.INTER_AREA)
    arrays = {
        f"{view}_camera": np.array([camera.width, camera.height, camera.focal_px,
                                    *camera.position, *camera.target]),
        f"{view}_true_mask": (truth * 255).round().astype(np.uint8),
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


def _render(renderer: str, person, camera) -> np.ndarray:
    if renderer == "cycles":
        from addon.scene.synthetic_photo import render_cycles

        return render_cycles(person.vertices, person.faces, person.colours, camera, person.look)
    if "raster" not in _worker_state:
        from neural.synthetic.render_raster import RasterRenderer

        _worker_state["raster"] = RasterRenderer(IMAGE_SIZE)
    return _worker_state["raster"].render(person.vertices, person.faces, person.colours, camera,
                                          person.look)


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
    args = parser.parse_args(argv)
    print(json.dumps(generate(args.split, args.count, args.out, args.workers)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
