"""Fit an Anny body (shape phenotypes + pose) to one front photo by gradient descent in torch.

Camera: weak perspective looking along +Y at the body (which faces -Y):
``u = s * x + tu``, ``v = -s * z + tv`` in pixels of the fitting image, after a global rotation
of the body. The photo has no metric scale, so the user's height fixes it: after fitting,
the rest-pose body is scaled uniformly so its stature equals the given height.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from neural.body.anny_body import (
    LOCAL_CHANGES,
    PHENOTYPES,
    POSED_BONES,
    BodyParameters,
    body_forward,
    load_anny,
    load_keypoint_regressor,
)
from neural.fitting.silhouette import (
    boundary_vertices,
    contour_distance_field,
    contour_points,
    iou,
    outside_distance_field,
    rasterize,
    sample_field,
)
from neural.photo.person_detector import PersonObservation

# (Anny COCO keypoint index, BlazePose landmark index, weight)
KEYPOINT_PAIRS = (
    (0, 0, 1.0), (1, 2, 0.5), (2, 5, 0.5), (3, 7, 0.5), (4, 8, 0.5),
    (5, 11, 1.0), (6, 12, 1.0), (7, 13, 1.0), (8, 14, 1.0), (9, 15, 1.0), (10, 16, 1.0),
    (11, 23, 0.5), (12, 24, 0.5), (13, 25, 1.0), (14, 26, 1.0), (15, 27, 1.0), (16, 28, 1.0),
    (17, 31, 0.5), (18, 32, 0.5), (21, 29, 0.5), (22, 30, 0.5),
)
FIT_RESOLUTION = 256  # longest side of the fitting image, px


@dataclass
class FitSettings:
    """Optimisation schedule and loss weights (dimensionless; distances normalised by image size)."""

    iterations: int = 160
    camera_iterations: int = 40
    pose_iterations: int = 60  # pose to keypoints only, before shape and silhouette join in
    learning_rate: float = 0.04
    keypoint_weight: float = 3.0
    outside_weight: float = 2.0
    contour_weight: float = 20.0
    pose_prior_weight: float = 2e-5
    shape_prior_weight: float = 1e-3
    local_prior_weight: float = 2e-3
    local_change_range: float = 3.0  # MakeHuman targets are mild; allow extrapolating them
    height_weight: float = 1.0
    mask_points: int = 600
    boundary_refresh: int = 5  # iterations between recomputing the body's outline vertices
    seed: int = 0


@dataclass
class FitResult:
    """The fitted body and how well it explains the photo."""

    body: BodyParameters
    silhouette_iou: float
    keypoint_error_px: float
    confidence: float
    iterations: int
    seconds: float
    device: str
    silhouette: np.ndarray  # (H, W) bool, the fitted body's silhouette at the fitting resolution
    keypoints_px: np.ndarray  # (len(KEYPOINT_PAIRS), 2) fitted keypoints projected, photo pixels


def fit_body(
    person: PersonObservation,
    height_cm: float,
    device: str = "cpu",
    settings: FitSettings | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> FitResult:
    """Fit shape and pose to the detected person; ``height_cm`` sets the metric scale."""
    import torch

    settings = settings or FitSettings()
    started = time.perf_counter()
    torch.manual_seed(settings.seed)
    model = load_anny(device)
    regressor = load_keypoint_regressor(device)
    ratio = FIT_RESOLUTION / max(person.width, person.height)
    size = (max(1, round(person.width * ratio)), max(1, round(person.height * ratio)))
    mask = _resize_mask(person.mask, size)
    field = torch.tensor(outside_distance_field(mask), device=device)
    outline_field = torch.tensor(contour_distance_field(mask), device=device)
    outline = torch.tensor(contour_points(mask, settings.mask_points, settings.seed),
                           device=device)
    faces = model.get_triangular_faces().cpu().numpy()
    boundary = torch.arange(0, len(model.template_vertices), 7, device=device)
    anny_idx = [a for a, _, _ in KEYPOINT_PAIRS]
    target = torch.tensor(person.keypoints_px[[b for _, b, _ in KEYPOINT_PAIRS]] * ratio,
                          device=device, dtype=torch.float32)
    weights = torch.tensor([w for _, _, w in KEYPOINT_PAIRS], device=device) * torch.tensor(
        person.visibility[[b for _, b, _ in KEYPOINT_PAIRS]], device=device, dtype=torch.float32
    ).clamp(0, 1)
    scale_px = float(size[1])

    shape_logits = torch.zeros(1, len(PHENOTYPES), device=device, requires_grad=True)
    local_raw = torch.zeros(1, len(LOCAL_CHANGES), device=device, requires_grad=True)
    rotvecs = torch.zeros(len(POSED_BONES), 3, device=device, requires_grad=True)
    global_rot = torch.zeros(3, device=device, requires_grad=True)
    camera = _initial_camera(model, regressor, target, weights, device)
    height_m = height_cm / 100.0
    local_range = settings.local_change_range

    def project(points):
        import roma

        rotated = points @ roma.rotvec_to_rotmat(global_rot).T
        s = camera[0].exp()
        return torch.stack([s * rotated[:, 0] + camera[1], -s * rotated[:, 2] + camera[2]], -1)

    def losses(full: bool, step: int):
        nonlocal boundary
        out = body_forward(model, torch.sigmoid(shape_logits), local_range * torch.tanh(local_raw), rotvecs)
        uv = project(out["vertices"][0])
        kp_uv = project(regressor(out)[0, anny_idx])
        terms = {
            "keypoints": settings.keypoint_weight
            * (weights * ((kp_uv - target) / scale_px).square().sum(-1)).sum() / weights.sum(),
            "pose_prior": settings.pose_prior_weight * rotvecs.square().sum(),
        }
        if full:
            rest = out["rest_vertices"][0, :, 2]
            stature = rest.max() - rest.min()
            if step % settings.boundary_refresh == 0:
                found = boundary_vertices(uv.detach().cpu().numpy(), faces, *size)
                boundary = torch.as_tensor(found, device=device) if len(found) else boundary
            outside = sample_field(field, uv) / scale_px
            rim = uv[boundary]
            to_body = torch.cdist(outline, rim).min(dim=1).values / scale_px
            to_mask = sample_field(outline_field, rim) / scale_px
            terms |= {
                "outside": settings.outside_weight * outside.square().mean(),
                "contour": settings.contour_weight
                * (to_body.square().mean() + to_mask.square().mean()),
                "height": settings.height_weight * ((stature - height_m) / height_m).square(),
                "shape_prior": settings.shape_prior_weight * shape_logits.square().sum(),
                "local_prior": settings.local_prior_weight * local_raw.square().sum(),
            }
        return terms

    phases = (  # (first step, parameters optimised, silhouette and shape terms on)
        (0, [camera, global_rot], False),
        (settings.camera_iterations, [camera, global_rot, rotvecs], False),
        (settings.camera_iterations + settings.pose_iterations,
         [camera, global_rot, rotvecs, shape_logits, local_raw], True),
    )
    total_steps = phases[-1][0] + settings.iterations
    full = False
    for step in range(total_steps):
        for first, parameters, uses_silhouette in phases:
            if step == first:
                optimiser = torch.optim.Adam(parameters, lr=settings.learning_rate)
                full = uses_silhouette
        terms = losses(full, step)
        optimiser.zero_grad()
        sum(terms.values()).backward()
        optimiser.step()
        if progress:
            progress(step + 1, total_steps)

    with torch.no_grad():
        out = body_forward(model, torch.sigmoid(shape_logits), local_range * torch.tanh(local_raw), rotvecs)
        uv = project(out["vertices"][0]).cpu().numpy()
        kp_uv = project(regressor(out)[0, anny_idx]).cpu().numpy()
        rest = out["rest_vertices"][0, :, 2]
        stature = float(rest.max() - rest.min())
    silhouette = rasterize(uv, faces, size[0], size[1])
    fit_iou = iou(silhouette, mask >= 0.5)
    vis = person.visibility[[b for _, b, _ in KEYPOINT_PAIRS]] >= 0.5
    errors = np.linalg.norm(kp_uv - target.cpu().numpy(), axis=1)[vis] / ratio
    phenotypes = torch.sigmoid(shape_logits)[0].tolist()
    body = BodyParameters(
        phenotypes={k: round(v, 6) for k, v in zip(PHENOTYPES, phenotypes)},
        local_changes={k: round(v, 6) for k, v in zip(LOCAL_CHANGES, (local_range * torch.tanh(local_raw))[0].tolist())},
        pose={b: [round(x, 6) for x in r] for b, r in zip(POSED_BONES, rotvecs.tolist())},
        scale=height_m / stature,
    )
    return FitResult(
        body=body,
        silhouette_iou=round(fit_iou, 4),
        keypoint_error_px=round(float(errors.mean()), 2),
        confidence=round(float(fit_iou * person.visibility[[b for _, b, _ in KEYPOINT_PAIRS]].mean()), 3),
        iterations=total_steps,
        seconds=round(time.perf_counter() - started, 2),
        device=device,
        silhouette=silhouette,
        keypoints_px=kp_uv / ratio,
    )


def _resize_mask(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    import cv2

    return cv2.resize(mask, size, interpolation=cv2.INTER_AREA)


def _initial_camera(model, regressor, target, weights, device):
    """Scale (log px/m) and offset that align the rest body's keypoints with the photo's."""
    import torch

    with torch.no_grad():
        out = model()
        kp = regressor(out)[0, [a for a, _, _ in KEYPOINT_PAIRS]]
    model_uv = torch.stack([kp[:, 0], -kp[:, 2]], -1)
    w = weights[:, None]
    model_c = (w * model_uv).sum(0) / w.sum()
    target_c = (w * target).sum(0) / w.sum()
    spread_model = (w * (model_uv - model_c).square()).sum().sqrt()
    spread_target = (w * (target - target_c).square()).sum().sqrt()
    s = spread_target / spread_model
    offset = target_c - s * model_c
    return torch.tensor([float(s.log()), float(offset[0]), float(offset[1])],
                        device=device, requires_grad=True)
