"""Synthetic samples (``render_farm.synthetic_data``) as segmenter inputs and targets: per
detected view with a stored photo crop, the crop (RGB), the detector's mask cropped by the same
box, and the renderer's labels."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from neural.segmenter.model import CROP_SIZE
from neural.shape_net.features import crop, person_box

VIEWS = ("front", "side")


def load_crops(folder: str | os.PathLike) -> dict[str, np.ndarray]:
    """``image`` (N, 4, H, W) float32 (RGB, mask) and ``labels`` (N, H, W) int64."""
    from tqdm import tqdm

    images, labels = [], []
    for path in tqdm(sorted(Path(folder).glob("[0-9]*.npz")), desc=f"loading {Path(folder).name}",
                     unit="sample", leave=False):
        with np.load(path) as sample:
            for view in VIEWS:
                if f"{view}_photo_crop" not in sample.files:
                    continue
                size = tuple(int(x) for x in sample[f"{view}_camera"][:2])
                images.append(network_input(sample[f"{view}_photo_crop"], sample[f"{view}_mask"],
                                            sample[f"{view}_keypoints"], size))
                labels.append(sample[f"{view}_label_crop"].astype(np.int64))
    return {"image": np.stack(images), "labels": np.stack(labels)}


def network_input(photo_crop: np.ndarray, mask: np.ndarray, keypoints_px: np.ndarray,
                  image_size: tuple[int, int]) -> np.ndarray:
    """(4, H, W) float32: the photo crop (uint8 RGB at ``CROP_SIZE``) and the person ``mask``
    (any resolution of the photo of ``image_size`` = W, H; uint8 or float) cropped alike."""
    box = person_box(keypoints_px, mask, image_size)
    scale = mask.shape[1] / image_size[0]
    mask = mask.astype(np.float32) / (255.0 if mask.dtype == np.uint8 else 1.0)
    mask_crop = crop(mask, tuple(x * scale for x in box), CROP_SIZE)
    return np.concatenate([photo_crop.astype(np.float32).transpose(2, 0, 1) / 255.0,
                           mask_crop[None]]).astype(np.float32)
