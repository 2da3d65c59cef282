"""A few numbers that tell one person from another across a front and a side photo.

A front and a side photo taken in one session show the same clothes and the same body: the
colours (CIELAB) of the torso, thighs and shins inside the person mask, and where the
shoulders, hips and knees sit between the nose and the ankles, agree between the views. Each
region keeps a small palette (its main colours and their shares), not one median: an open
jacket shows the shirt from the front and the jacket from the side, and both views still share
the jacket's colour. No pixels are kept.
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
MAX_COLOUR_DIFFERENCE = 20.0  # CIE76 delta E, median over regions (same person: <= 19.2 seen)
PALETTE_SIZE = 4  # colours kept per region
MAIN_SHARE = 0.15  # a palette colour covering at least this share of its region is a main one
PALETTE_STEPS = 8  # k-means iterations
MAX_PROPORTION_DIFFERENCE = 0.12  # of the nose-to-ankle span (same person: <= 0.08 seen)


@dataclass(frozen=True)
class PersonSignature:
    """Per region (torso, thighs, shins) a palette of CIELAB colours and the share of the
    region each covers (shares 0 where a region was not seen), and the heights of the
    shoulders, hips and knees as fractions of the nose-to-ankle span (0 at the nose, 1 at the
    ankles)."""

    palettes_lab: np.ndarray  # (3, PALETTE_SIZE, 3)
    shares: np.ndarray  # (3, PALETTE_SIZE)
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
    palettes = np.zeros((len(REGIONS), PALETTE_SIZE, 3))
    shares = np.zeros((len(REGIONS), PALETTE_SIZE))
    for index, (start, end) in enumerate(REGIONS.values()):
        near = _distance_to_segment(pixels, middle[start], middle[end]) <= REGION_RADIUS * span
        if near.sum() >= 20:
            palettes[index], shares[index] = palette(lab[rows[near], cols[near]])
    return PersonSignature(palettes_lab=palettes, shares=shares, proportions=proportions)


def palette(colours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``PALETTE_SIZE`` main colours of ``colours`` (N, 3) and the share of each: k-means from
    farthest-point seeds (the median first), deterministic."""
    centres = [np.median(colours, axis=0)]
    for _ in range(PALETTE_SIZE - 1):
        nearest = np.min([np.linalg.norm(colours - c, axis=1) for c in centres], axis=0)
        centres.append(colours[int(np.argmax(nearest))])
    centres = np.array(centres, dtype=np.float64)
    for _ in range(PALETTE_STEPS):
        owner = np.argmin(np.linalg.norm(colours[:, None] - centres[None], axis=2), axis=1)
        centres = np.array([colours[owner == k].mean(0) if np.any(owner == k) else centres[k]
                            for k in range(PALETTE_SIZE)])
    owner = np.argmin(np.linalg.norm(colours[:, None] - centres[None], axis=2), axis=1)
    return centres, np.bincount(owner, minlength=PALETTE_SIZE) / len(colours)


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
    """Median over the regions seen in both of the CIE76 colour difference (delta E) between
    the nearest two main colours of their palettes."""
    seen = []
    for index in range(len(REGIONS)):
        main_a = a.palettes_lab[index][a.shares[index] >= MAIN_SHARE]
        main_b = b.palettes_lab[index][b.shares[index] >= MAIN_SHARE]
        if len(main_a) and len(main_b):
            seen.append(np.linalg.norm(main_a[:, None] - main_b[None], axis=2).min())
    return float(np.median(seen)) if seen else 0.0


def _distance_to_segment(points: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    direction = end - start
    t = np.clip((points - start) @ direction / max(float(direction @ direction), 1e-9), 0, 1)
    return np.linalg.norm(points - (start + t[:, None] * direction), axis=1)
