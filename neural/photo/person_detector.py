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


def load_photo(path: str | os.PathLike) -> tuple[np.ndarray, str]:
    """Read an image file once: an upright RGB uint8 array (EXIF orientation applied;
    transparent pixels become black) and the hex SHA-256 of the file's bytes."""
    import hashlib
    import io

    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path)
    if not path.is_file():
        raise InputError(f"photo not found: {path}")
    payload = path.read_bytes()
    try:
        with Image.open(io.BytesIO(payload)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise InputError(f"photo is too large ({image.width}x{image.height}): {path}")
            image = ImageOps.exif_transpose(image)
            if image.mode in ("RGBA", "LA", "P"):
                image = image.convert("RGBA")
                black = Image.new("RGBA", image.size, (0, 0, 0, 255))
                image = Image.alpha_composite(black, image)
            return np.asarray(image.convert("RGB")), hashlib.sha256(payload).hexdigest()
    except (UnidentifiedImageError, OSError) as error:
        raise InputError(f"not a readable image: {path}") from error


def detect_person(path: str | os.PathLike) -> PersonObservation:
    """Detect one standing person, whole from head to feet, in the photo at ``path``."""
    rgb, sha256 = load_photo(path)
    with PersonDetector() as detector:
        return detector.observe(rgb, str(path), sha256)


class PersonDetector:
    """mediapipe BlazePose (model_complexity=1, with segmentation), loaded once for many images."""

    def __enter__(self) -> "PersonDetector":
        import mediapipe as mp

        self.pose = mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1,
                                           enable_segmentation=True)
        return self

    def __exit__(self, *exc) -> None:
        self.pose.close()

    def observe(self, rgb: np.ndarray, source: str, sha256: str = "") -> PersonObservation:
        """Keypoints and mask of the person in an RGB uint8 image; ``source`` names it in errors."""
        result = self.pose.process(rgb)
        if result.pose_landmarks is None or result.segmentation_mask is None:
            raise InputError(f"no person found in the photo: {source}")
        height, width = rgb.shape[:2]
        landmarks = result.pose_landmarks.landmark
        keypoints = np.array([[lm.x * width, lm.y * height] for lm in landmarks])
        visibility = np.array([lm.visibility for lm in landmarks])
        _require_whole_body(keypoints, visibility, width, height, source)
        return PersonObservation(
            width=width, height=height, keypoints_px=keypoints, visibility=visibility,
            mask=np.asarray(result.segmentation_mask, dtype=np.float32), photo_sha256=sha256)


def _require_whole_body(
    keypoints: np.ndarray, visibility: np.ndarray, width: int, height: int, source: str
) -> None:
    """Refuse photos where the head or the feet are not visible inside the frame."""
    if visibility[NOSE] < MIN_VISIBILITY:
        raise InputError(f"the person's face is not visible in the photo: {source}")
    feet = [LEFT_ANKLE, RIGHT_ANKLE, LEFT_HEEL, RIGHT_HEEL]
    u, v = keypoints[feet].T
    inside = (u >= 0) & (u < width) & (v >= 0) & (v < height - 1)
    # in a side view the far foot is hidden: one clearly seen foot is enough
    if not inside.all() or visibility[feet].max() < MIN_VISIBILITY:
        raise InputError(
            f"the person's feet are cut off or hidden; a full-body photo is needed: {source}"
        )
