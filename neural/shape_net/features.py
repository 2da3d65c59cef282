"""Network inputs from one view's detection: a normalised crop of the person and keypoints.

The crop is a box around the person, twice as tall as wide (``person_box``), resized to
``CROP_SIZE``; keypoints are expressed in the same box (0..1 across its height). The crop has
``VIEW_CHANNELS`` channels: the person mask, then where the pixel labels
(``neural.photo.pixel_labels``) say skin, garment and not-body (hair, accessory), each a
fraction of the pixel in [0, 1]; the label channels are 0 where a view has no labels. The photo
and its pixel labels are cropped by the same box (``crop``). Works at any image resolution.
"""
from __future__ import annotations

import numpy as np

CROP_SIZE = (64, 128)  # W, H in pixels
MASK_STRIDE = 2  # masks are first reduced to 1/2 of the image resolution (as stored for training)
KEYPOINT_FEATURES = 33 * 3  # (u, v, visibility) per BlazePose landmark
# BlazePose landmark of the other side, for each landmark: the order of a mirrored person
MIRRORED_KEYPOINTS = (0, 4, 5, 6, 1, 2, 3, 8, 7, 10, 9,
                      *[i + 1 if i % 2 else i - 1 for i in range(11, 33)])
LABEL_CHANNELS = (("skin",), ("garment",), ("hair", "accessory"))  # after the mask channel
VIEW_CHANNELS = 1 + len(LABEL_CHANNELS)


def person_box(keypoints_px: np.ndarray, mask: np.ndarray,
               image_size: tuple[int, int]) -> tuple[float, float, float] | None:
    """The crop box round the person, in image pixels: (left, top, height), twice as tall as
    wide; from the mask where it holds the person, else from the keypoints; None when there is
    nothing. ``mask`` may be at any resolution (``image_size`` = W, H of the photo)."""
    width, _ = image_size
    scale = mask.shape[1] / width  # mask pixels per image pixel
    rows, cols = np.nonzero(mask >= 0.5 * mask.max()) if mask.max() > 0 else ([], [])
    if len(rows):
        top, bottom = rows.min() / scale, (rows.max() + 1) / scale
        centre_u = (cols.min() + cols.max() + 1) / 2 / scale
    else:
        top, bottom = keypoints_px[:, 1].min(), keypoints_px[:, 1].max()
        centre_u = keypoints_px[:, 0].mean()
    box_h = (bottom - top) * 1.1
    if box_h <= 0:
        return None
    box_w = box_h * CROP_SIZE[0] / CROP_SIZE[1]
    return centre_u - box_w / 2, (top + bottom) / 2 - box_h / 2, box_h


def crop(image: np.ndarray, box: tuple[float, float, float], size: tuple[int, int],
         nearest: bool = False) -> np.ndarray:
    """``image`` ((H, W) or (H, W, C)) inside ``box`` ((left, top, height) in the image's own
    pixels) resized to ``size`` (W, H), bilinear (``nearest`` for label maps); 0 outside."""
    import cv2

    left, upper, box_h = box
    zoom = size[1] / box_h  # crop pixels per image pixel
    matrix = np.array([[zoom, 0.0, -left * zoom], [0.0, zoom, -upper * zoom]])
    return cv2.warpAffine(image, matrix, size, borderValue=0,
                          flags=cv2.INTER_NEAREST if nearest else cv2.INTER_LINEAR)


def uncrop(image: np.ndarray, box: tuple[float, float, float], size: tuple[int, int],
           nearest: bool = False) -> np.ndarray:
    """``crop`` undone: a crop (any resolution) taken in ``box`` put back into an image of
    ``size`` (W, H); 0 outside the box."""
    import cv2

    left, upper, box_h = box
    zoom = image.shape[0] / box_h  # crop pixels per image pixel
    matrix = np.array([[zoom, 0.0, -left * zoom], [0.0, zoom, -upper * zoom]])
    flags = (cv2.INTER_NEAREST if nearest else cv2.INTER_LINEAR) | cv2.WARP_INVERSE_MAP
    return cv2.warpAffine(image, matrix, size, borderValue=0, flags=flags)


def view_features(keypoints_px: np.ndarray, visibility: np.ndarray, mask: np.ndarray,
                  image_size: tuple[int, int],
                  labels: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(VIEW_CHANNELS, H, W) float32 crop and (KEYPOINT_FEATURES,) float32 keypoint vector.

    ``mask`` is at the image resolution or already reduced by ``MASK_STRIDE``; ``labels``
    (uint8 ``pixel_labels.LABELS``) at any resolution of the same photo, or None
    (``image_size`` = W, H in pixels); keypoints are in image pixels.
    """
    import cv2

    width, height = image_size
    if mask.shape[1] == width and width >= MASK_STRIDE:
        mask = cv2.resize(mask, (width // MASK_STRIDE, height // MASK_STRIDE),
                          interpolation=cv2.INTER_AREA)
    box = person_box(keypoints_px, mask, image_size)
    channels = np.zeros((VIEW_CHANNELS, CROP_SIZE[1], CROP_SIZE[0]), np.float32)
    if box is None:  # nothing detected in this view
        return channels, np.zeros(KEYPOINT_FEATURES, np.float32)
    scale = mask.shape[1] / width  # mask pixels per image pixel
    channels[0] = crop(mask.astype(np.float32), tuple(x * scale for x in box), CROP_SIZE)
    if mask.dtype == np.uint8:
        channels[0] /= 255.0
    if labels is not None:
        channels[1:] = label_channels(labels, box, labels.shape[1] / width)
    left, upper, box_h = box
    uv = (keypoints_px - [left, upper]) / box_h
    keypoints = np.c_[uv, np.clip(visibility, 0, 1)].astype(np.float32).ravel()
    return channels, keypoints


def label_channels(labels: np.ndarray, box: tuple[float, float, float],
                   scale: float) -> np.ndarray:
    """(len(LABEL_CHANNELS), H, W) float32 share of each crop pixel per ``LABEL_CHANNELS``
    group; ``box`` in image pixels, ``scale`` label pixels per image pixel."""
    from neural.photo.pixel_labels import LABELS

    shares = np.stack([np.isin(labels, [LABELS[name] for name in group])
                       for group in LABEL_CHANNELS], axis=-1).astype(np.float32)
    cropped = crop(shares, tuple(x * scale for x in box), CROP_SIZE)
    return cropped.transpose(2, 0, 1).reshape(len(LABEL_CHANNELS), CROP_SIZE[1], CROP_SIZE[0])
