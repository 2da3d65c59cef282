"""Label a detected person's pixels with the trained segmenter (weights ship in the
repository; none: no labels, and the fit treats the whole outline as the body's edge)."""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from neural.photo.person_detector import PersonObservation

WEIGHTS = Path(__file__).parent / "weights" / "segmenter.pt"


@functools.lru_cache(maxsize=2)
def load_segmenter(device: str = "cpu"):
    """The trained network in eval mode, or None when no weights have been trained yet."""
    import torch

    from neural.segmenter.model import ClothingSegmenter

    if not WEIGHTS.is_file():
        return None
    model = ClothingSegmenter()
    model.load_state_dict(torch.load(WEIGHTS, map_location=device, weights_only=True))
    return model.to(device).eval()


def segment_person(rgb: np.ndarray, person: PersonObservation,
                   device: str = "cpu") -> np.ndarray | None:
    """(H, W) uint8 labels (``pixel_labels.LABELS``) of the photo ``rgb`` (H, W, 3 uint8) where
    ``person`` was detected; background outside the person's crop. None without weights."""
    import torch

    from neural.segmenter.dataset import network_input
    from neural.segmenter.model import CROP_SIZE
    from neural.shape_net.features import crop, person_box, uncrop

    model = load_segmenter(device)
    if model is None:
        return None
    size = (person.width, person.height)
    box = person_box(person.keypoints_px, person.mask, size)
    if box is None:
        return np.zeros((person.height, person.width), np.uint8)
    image = network_input(crop(rgb, box, CROP_SIZE), person.mask, person.keypoints_px, size)
    with torch.no_grad():
        logits = model(torch.as_tensor(image[None], device=device))
    return uncrop(logits[0].argmax(0).to(torch.uint8).cpu().numpy(), box, size, nearest=True)
