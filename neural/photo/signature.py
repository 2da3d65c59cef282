"""A few numbers that tell one person from another across a front and a side photo.

A front and a side photo taken in one session show the same clothes and the same body: the
median colour (CIELAB) of the torso, thighs and shins inside the person mask, and where the
shoulders, hips and knees sit between the nose and the ankles, agree between the views.
No pixels are kept.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neural.errors import InputError

# BlazePose landmarks: (start pair, end pair) of each body region's centre line
NOSE = 0
SHOULDERS, HIPS, KNEES, ANKLES = (11, 12), (23, 24), (25, 26), (27, 28)
REGIONS = {"torso": (SHOULDERS, HIPS), "thighs": (HIPS, KNEES), "shins": (KNEES, ANKLES)}
REGION_RADIUS = 0.06  # of the nose-to-ankle span: how far from a centre line pixels are taken
MAX_COLOUR_DIFFERENCE = 25.0  # CIE76 delta E, median over regions (same person: <= 19 seen)
MAX_PROPORTION_DIFFERENCE = 0.12  # of the nose-to-ankle span (same person: <= 0.08 seen)


@dataclass(frozen=True)
class PersonSignature:
    """Median CIELAB colour per region (torso, thighs, shins; NaN where none was seen) and the
    heights of the shoulders, hips and knees as fractions of the nose-to-ankle span
    (0 at the nose, 1 at the ankles)."""

    colours_lab: np.ndarray  # (3, 3)
    proportions: np.ndarray  # (3,)


def person_signature(rgb: np.ndarray, keypoints_px: np.ndarray, mask: np.ndarray
                     ) -> PersonSignature:
    """The signature of the person at ``keypoints_px`` (33 BlazePose landmarks, pixels) with
    person probability ``mask`` (H, W) in the RGB uint8 photo ``rgb``."""
    import cv2

    middle = {pair: keypoints_px[list(pair)].mean(0) for pair in (SHOULDERS, HIPS, KNEES, ANKLES)}
    top, bottom = keypoints_px[NOSE, 1], middle[ANKLES][1]
    span = max(bottom - top, 1.0)
    proportions = np.array([(middle[p][1] - top) / span for p in (SHOULDERS, HIPS, KNEES)])
    # work on a reduced copy: a signature needs no more than ~300 px of height
    zoom = min(1.0, 300.0 / span)
    small = cv2.resize(rgb, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_AREA)
    small_mask = cv2.resize(mask, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_AREA)
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB).astype(np.float32)
    lab = lab * [100.0 / 255.0, 1.0, 1.0] - [0.0, 128.0, 128.0]  # OpenCV's 8-bit scaling undone
    rows, cols = np.nonzero(small_mask >= 0.5)
    pixels = np.c_[cols, rows].astype(np.float32) / zoom
    colours = np.full((len(REGIONS), 3), np.nan)
    for index, (start, end) in enumerate(REGIONS.values()):
        near = _distance_to_segment(pixels, middle[start], middle[end]) <= REGION_RADIUS * span
        if near.sum() >= 20:
            colours[index] = np.median(lab[rows[near], cols[near]], axis=0)
    return PersonSignature(colours_lab=colours, proportions=proportions)


def require_same_person(front: PersonSignature | None, side: PersonSignature | None,
                        side_source: str) -> None:
    """Raise InputError when the side photo evidently shows someone else (other clothes or
    other body proportions than the front photo)."""
    if front is None or side is None:
        return
    colour = colour_difference(front, side)
    proportion = float(np.abs(front.proportions - side.proportions).max())
    if colour > MAX_COLOUR_DIFFERENCE or proportion > MAX_PROPORTION_DIFFERENCE:
        raise InputError(
            f"the side photo seems to show a different person than the front photo (clothing "
            f"colour difference {colour:.0f} dE, proportion difference {proportion:.2f}); take "
            f"both photos of the same person in the same clothes: {side_source}")


def colour_difference(a: PersonSignature, b: PersonSignature) -> float:
    """Median over the regions seen in both of the CIE76 colour difference (delta E)."""
    differences = np.linalg.norm(a.colours_lab - b.colours_lab, axis=1)
    seen = differences[np.isfinite(differences)]
    return float(np.median(seen)) if len(seen) else 0.0


def _distance_to_segment(points: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    direction = end - start
    t = np.clip((points - start) @ direction / max(float(direction @ direction), 1e-9), 0, 1)
    return np.linalg.norm(points - (start + t[:, None] * direction), axis=1)
