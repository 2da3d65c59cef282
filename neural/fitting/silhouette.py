"""Silhouette terms: a distance-field loss for fitting and a rasterised IoU for diagnostics.

All in image pixels of the fitting resolution (origin top-left, v down).
"""
from __future__ import annotations

import numpy as np


def outside_distance_field(mask: np.ndarray) -> np.ndarray:
    """Per pixel, the distance (px) to the nearest person pixel; 0 inside the person."""
    import cv2

    outside = (mask < 0.5).astype(np.uint8)
    return cv2.distanceTransform(outside, cv2.DIST_L2, 5).astype(np.float32)


def contour_points(mask: np.ndarray, count: int, seed: int = 0,
                   keep: np.ndarray | None = None) -> np.ndarray:
    """Up to ``count`` (u, v) pixel points on the outline of the binary person mask; with
    ``keep`` ((H, W) bool), only where it holds (the body's own edge). Possibly none."""
    import cv2

    binary = (mask >= 0.5).astype(np.uint8)
    contours, _ = cv2.findContours(binary, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return np.zeros((0, 2), np.float32)
    contour = np.concatenate([c[:, 0, :] for c in contours]).astype(np.float32)
    if keep is not None:
        contour = contour[keep[contour[:, 1].astype(int), contour[:, 0].astype(int)]]
    rng = np.random.default_rng(seed)
    return contour[rng.choice(len(contour), min(count, len(contour)), replace=False)]


def contour_distance_field(mask: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray:
    """Per pixel, the distance (px) to the outline of the binary person mask; with ``keep``
    ((H, W) bool), 0 wherever the nearest outline pixel is not kept (an outer bound only)."""
    import cv2

    binary = (mask >= 0.5).astype(np.uint8)
    edge = binary - cv2.erode(binary, np.ones((3, 3), np.uint8))
    if keep is None:
        return cv2.distanceTransform((edge == 0).astype(np.uint8), cv2.DIST_L2,
                                     5).astype(np.float32)
    from scipy import ndimage

    distance, (rows, cols) = ndimage.distance_transform_edt(edge == 0, return_indices=True)
    return np.where(keep[rows, cols], distance, 0.0).astype(np.float32)


def bare_edge(labels: np.ndarray, skin: int, covers: tuple[int, ...]) -> np.ndarray:
    """(H, W) bool: where the person's outline is the body's own edge: near ``skin`` pixels of
    the label map and not next to pixels of the ``covers`` labels (garments, hair)."""
    import cv2

    near_skin = cv2.dilate((labels == skin).astype(np.uint8), np.ones((5, 5), np.uint8))
    near_cover = cv2.dilate(np.isin(labels, covers).astype(np.uint8), np.ones((3, 3), np.uint8))
    return (near_skin > 0) & (near_cover == 0)


# where a triangle is sampled to draw a silhouette (barycentric): corners, centre, edge midpoints
_TRIANGLE_SAMPLES = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0), (1 / 3, 1 / 3, 1 / 3),
                     (0.5, 0.5, 0.0), (0.0, 0.5, 0.5), (0.5, 0.0, 0.5))


def splat_silhouette(points_uv, faces, width: int, height: int):
    """(H, W) bool torch image of the projected mesh, on the points' device: each triangle's
    ``_TRIANGLE_SAMPLES`` marked, then closed by one pixel. Exact for triangles up to about
    two pixels across, as a body's are at the fitting resolution (IoU 0.99 with ``rasterize``);
    ``points_uv`` (V, 2) pixels, ``faces`` (F, 3) int64 torch tensors."""
    import torch
    import torch.nn.functional as F

    weights = torch.tensor(_TRIANGLE_SAMPLES, dtype=points_uv.dtype, device=points_uv.device)
    pixels = torch.einsum("sk,fkd->fsd", weights, points_uv[faces]).reshape(-1, 2).round().long()
    inside = ((pixels[:, 0] >= 0) & (pixels[:, 0] < width) & (pixels[:, 1] >= 0)
              & (pixels[:, 1] < height))
    image = torch.zeros(height * width, dtype=points_uv.dtype, device=points_uv.device)
    image[pixels[inside, 1] * width + pixels[inside, 0]] = 1.0
    image = F.max_pool2d(image.view(1, 1, height, width), 3, 1, 1)
    return -F.max_pool2d(-image, 3, 1, 1)[0, 0] > 0.5


def boundary_vertices(points_uv, faces, width: int, height: int):
    """Indices (torch, on the points' device) of the projected vertices within about 1.5 px of
    the outline of the mesh's own silhouette (``splat_silhouette``); ``points_uv`` (V, 2)
    pixels, ``faces`` (F, 3) int64 torch tensors."""
    import torch
    import torch.nn.functional as F

    silhouette = splat_silhouette(points_uv, faces, width, height)[None, None].float()
    outline = silhouette + F.max_pool2d(-silhouette, 3, 1, 1)  # inside, next to outside
    band = F.max_pool2d(outline, 3, 1, 1)[0, 0] > 0.5
    u = points_uv[:, 0].round().long().clamp(0, width - 1)
    v = points_uv[:, 1].round().long().clamp(0, height - 1)
    return torch.nonzero(band[v, u]).flatten()


def sample_field(field, points_uv):
    """Bilinearly sample a (H, W) torch field at (N, 2) pixel points; differentiable in points."""
    import torch

    height, width = field.shape
    grid = torch.stack(
        [points_uv[:, 0] / (width - 1) * 2 - 1, points_uv[:, 1] / (height - 1) * 2 - 1], dim=-1
    )
    sampled = torch.nn.functional.grid_sample(
        field[None, None], grid[None, None], mode="bilinear", padding_mode="border",
        align_corners=True,
    )
    return sampled[0, 0, 0]


def rasterize(points_uv: np.ndarray, faces: np.ndarray, width: int, height: int) -> np.ndarray:
    """Binary (H, W) image of a closed surface's projected triangles (points in pixels).

    Every line of sight through the silhouette of a closed surface crosses it once going in and
    once coming out, so the triangles seen from one side cover it all: only those are drawn
    (half the work; the same image as all of them within a pixel on holes such as the eyes').
    """
    import cv2

    image = np.zeros((height, width), dtype=np.uint8)
    shift = 4
    corners = points_uv[faces]
    first, second = corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0]
    facing = first[:, 0] * second[:, 1] - first[:, 1] * second[:, 0] > 0.0
    triangles = np.round(corners[facing] * (1 << shift)).astype(np.int32)
    for triangle in triangles:
        cv2.fillConvexPoly(image, triangle, 1, lineType=cv2.LINE_8, shift=shift)
    return image.astype(bool)


def iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two boolean images."""
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 0.0
