"""Person keypoints and mask from mediapipe's BlazePose (runs offline, CPU).

Image frame: pixels, origin at the top-left, u to the right, v down. The photo stays in memory:
nothing here writes it anywhere.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neural.errors import InputError
from neural.files import sha256_file

# BlazePose landmark indices used for validation.
NOSE, LEFT_ANKLE, RIGHT_ANKLE, LEFT_HEEL, RIGHT_HEEL = 0, 27, 28, 29, 30
MIN_VISIBILITY = 0.5
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class PersonObservation:
    """What the detector saw of one person in a photo."""

    width: int
    height: int
    keypoints_px: np.ndarray  # (33, 2) BlazePose landmarks in pixels
    visibility: np.ndarray  # (33,) in [0, 1]
    mask: np.ndarray  # (height, width) float32 person probability in [0, 1]
    photo_sha256: str


def load_photo(path: str | os.PathLike) -> np.ndarray:
    """Read an image file as an RGB uint8 array (transparent pixels become black)."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    if not path.is_file():
        raise InputError(f"photo not found: {path}")
    try:
        with Image.open(path) as image:
            if image.width * image.height > MAX_PIXELS:
                raise InputError(f"photo is too large ({image.width}x{image.height}): {path}")
            if image.mode in ("RGBA", "LA", "P"):
                image = image.convert("RGBA")
                black = Image.new("RGBA", image.size, (0, 0, 0, 255))
                image = Image.alpha_composite(black, image)
            return np.asarray(image.convert("RGB"))
    except (UnidentifiedImageError, OSError) as error:
        raise InputError(f"not a readable image: {path}") from error


def detect_person(path: str | os.PathLike) -> PersonObservation:
    """Detect one standing person, whole from head to feet, in the photo at ``path``."""
    import mediapipe as mp

    rgb = load_photo(path)
    with mp.solutions.pose.Pose(
        static_image_mode=True, model_complexity=1, enable_segmentation=True
    ) as pose:
        result = pose.process(rgb)
    if result.pose_landmarks is None or result.segmentation_mask is None:
        raise InputError(f"no person found in the photo: {path}")
    height, width = rgb.shape[:2]
    landmarks = result.pose_landmarks.landmark
    keypoints = np.array([[lm.x * width, lm.y * height] for lm in landmarks], dtype=np.float64)
    visibility = np.array([lm.visibility for lm in landmarks], dtype=np.float64)
    _require_whole_body(keypoints, visibility, width, height, path)
    return PersonObservation(
        width=width,
        height=height,
        keypoints_px=keypoints,
        visibility=visibility,
        mask=np.asarray(result.segmentation_mask, dtype=np.float32),
        photo_sha256=sha256_file(path),
    )


def _require_whole_body(
    keypoints: np.ndarray, visibility: np.ndarray, width: int, height: int, path
) -> None:
    """Refuse photos where the head or the feet are not visible inside the frame."""
    if visibility[NOSE] < MIN_VISIBILITY:
        raise InputError(f"the person's face is not visible in the photo: {path}")
    for index in (LEFT_ANKLE, RIGHT_ANKLE, LEFT_HEEL, RIGHT_HEEL):
        u, v = keypoints[index]
        inside = 0 <= u < width and 0 <= v < height - 1
        if not inside or visibility[index] < MIN_VISIBILITY - 0.2:
            raise InputError(
                f"the person's feet are cut off or hidden; a full-body photo is needed: {path}"
            )
