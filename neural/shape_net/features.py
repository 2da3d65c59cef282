"""Network inputs from one view's detection: a normalised person-mask crop and keypoints.

The crop is a box around the person, twice as tall as wide, resized to ``CROP_SIZE``; keypoints
are expressed in the same box (0..1 across its height). Works at any image resolution.
"""
from __future__ import annotations

import numpy as np

CROP_SIZE = (64, 128)  # W, H in pixels
MASK_STRIDE = 2  # masks are first reduced to 1/2 of the image resolution (as stored for training)
KEYPOINT_FEATURES = 33 * 3  # (u, v, visibility) per BlazePose landmark


def view_features(keypoints_px: np.ndarray, visibility: np.ndarray, mask: np.ndarray,
                  image_size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(1, H, W) float32 mask crop and (KEYPOINT_FEATURES,) float32 keypoint vector.

    ``mask`` is at the image resolution or already reduced by ``MASK_STRIDE``
    (``image_size`` = W, H in pixels); keypoints are in image pixels.
    """
    import cv2

    width, height = image_size
    if mask.shape[1] == width and width >= MASK_STRIDE:
        mask = cv2.resize(mask, (width // MASK_STRIDE, height // MASK_STRIDE),
                          interpolation=cv2.INTER_AREA)
    scale = mask.shape[1] / width  # mask pixels per image pixel
    rows, cols = np.nonzero(mask >= 0.5 * mask.max()) if mask.max() > 0 else ([], [])
    if len(rows):
        top, bottom = rows.min() / scale, (rows.max() + 1) / scale
        centre_u = (cols.min() + cols.max() + 1) / 2 / scale
    else:
        top, bottom = keypoints_px[:, 1].min(), keypoints_px[:, 1].max()
        centre_u = keypoints_px[:, 0].mean()
    box_h = (bottom - top) * 1.1
    if box_h <= 0:  # nothing detected in this view
        return np.zeros((1, CROP_SIZE[1], CROP_SIZE[0]), np.float32), np.zeros(
            KEYPOINT_FEATURES, np.float32)
    box_w = box_h * CROP_SIZE[0] / CROP_SIZE[1]
    left, upper = centre_u - box_w / 2, (top + bottom) / 2 - box_h / 2
    # affine map from mask pixels to crop pixels
    zoom = CROP_SIZE[1] / (box_h * scale)
    matrix = np.array([[zoom, 0.0, -left * scale * zoom], [0.0, zoom, -upper * scale * zoom]])
    crop = cv2.warpAffine(mask.astype(np.float32), matrix, CROP_SIZE, flags=cv2.INTER_LINEAR,
                          borderValue=0.0)
    if mask.dtype == np.uint8:
        crop /= 255.0
    uv = (keypoints_px - [left, upper]) / box_h
    keypoints = np.c_[uv, np.clip(visibility, 0, 1)].astype(np.float32).ravel()
    return crop[None].astype(np.float32), keypoints
