"""Fit one Anny body (shape phenotypes + local changes) to a front and optionally a side photo.

Each view has its own pose (rotation vectors of ``POSED_BONES``), global rotation and camera;
the shape is shared. Camera per view: a pinhole looking along +Y at the (rotated) body, which
faces -Y; camera frame x = +X, y = -Z, z = +Y, translated by (tx, ty, tz) metres; focal length f
in pixels of the fitting image, free but held near a 35 mm-equivalent default (phone photos
are 24-50 mm). A side view starts turned by 90 degrees towards where the person faces. The photos have
no metric scale, so the user's height fixes it: the rest-pose body is scaled uniformly so its
stature equals the given height. A shape prediction (``ShapeInit``) can start the fit; its
measurement guesses, when given, anchor the torso girths (``girth_anchor``).

The limbs start turned in the picture plane as the front photo's keypoints show them
(``limb_rotations``) and the camera from the keypoints' spread, so that few steps finish the job.
Phases: the camera alone (keypoints), then the poses too, then everything with the silhouettes,
the shape and its priors; the silhouette terms run in torch on the fit's device. Where a view
has pixel labels (``PersonObservation.labels``), its outline pulls the body out only where it
is skin; garments and hair bound the body from outside only, and accessories are no part of it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from neural.body.anny_body import (
    LOCAL_CHANGES,
    PHENOTYPES,
    POSED_BONES,
    BodyParameters,
    ShapeNear,
    body_forward,
    load_anny,
    load_keypoint_regressor,
    pose_rest_body,
    triangle_faces,
)
from neural.fitting.girth_anchor import anchor_from
from neural.fitting.silhouette import (
    bare_edge,
    boundary_vertices,
    contour_distance_field,
    contour_points,
    iou,
    outside_distance_field,
    rasterize,
    sample_field,
)
from neural.photo.person_detector import PersonObservation
from neural.photo.pixel_labels import LABELS

# (Anny COCO keypoint index, BlazePose landmark index, weight)
KEYPOINT_PAIRS = (
    (0, 0, 1.0), (1, 2, 0.5), (2, 5, 0.5), (3, 7, 0.5), (4, 8, 0.5),
    (5, 11, 1.0), (6, 12, 1.0), (7, 13, 1.0), (8, 14, 1.0), (9, 15, 1.0), (10, 16, 1.0),
    (11, 23, 0.5), (12, 24, 0.5), (13, 25, 1.0), (14, 26, 1.0), (15, 27, 1.0), (16, 28, 1.0),
    (17, 31, 0.5), (18, 32, 0.5), (21, 29, 0.5), (22, 30, 0.5),
)
ANNY_KEYPOINTS = [a for a, _, _ in KEYPOINT_PAIRS]
BLAZEPOSE_KEYPOINTS = [b for _, b, _ in KEYPOINT_PAIRS]
NOSE, LEFT_EAR, RIGHT_EAR = 0, 7, 8
# Limb bones whose rotation in the picture plane the fit starts from the photo's keypoints:
# (bone, the Anny COCO keypoints at its two ends, the limb bone it hangs from or None)
LIMBS = (
    ("upperarm01.L", (5, 7), None), ("lowerarm01.L", (7, 9), "upperarm01.L"),
    ("upperarm01.R", (6, 8), None), ("lowerarm01.R", (8, 10), "upperarm01.R"),
    ("upperleg01.L", (11, 13), None), ("lowerleg01.L", (13, 15), "upperleg01.L"),
    ("upperleg01.R", (12, 14), None), ("lowerleg01.R", (14, 16), "upperleg01.R"),
)
FIT_RESOLUTION = 256  # longest side of the fitting image, px
DEFAULT_FOCAL_35MM = 35.0  # mm, 35 mm-equivalent, for photos without a known focal length
FULL_FRAME_DIAGONAL_MM = 43.27


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
    local_change_range: float = 1.0  # beyond it, shapes the tape measures erratically (shoulders)
    anchor_weight: float = 0.02  # on the network's girth guesses (per squared sigma)
    height_weight: float = 1.0
    focal_prior_weight: float = 1e-2  # on log(f / default f)
    mask_points: int = 600
    boundary_refresh: int = 5  # iterations between recomputing the body's outline vertices
    shape_refresh: int = 10  # iterations between taking ``ShapeNear`` about the current shape
    seed: int = 0

    @classmethod
    def after_network(cls) -> "FitSettings":
        """A shorter schedule for a start from the shape network, which is already close: the
        measurements it gives differ from those of twice as many steps by 0.1-0.2 cm on
        average (the synthetic test people)."""
        return cls(iterations=30, camera_iterations=10, pose_iterations=15)


@dataclass
class ShapeInit:
    """A starting shape: phenotypes in [0, 1] and local changes, by name."""

    phenotypes: dict[str, float]
    local_changes: dict[str, float]
    source: str = "shape network"
    measurements_cm: dict[str, float] = field(default_factory=dict)  # the network's own guesses
    measurement_errors_cm: dict[str, float] = field(default_factory=dict)  # their validation MAE


@dataclass
class ViewFit:
    """How well the fitted body explains one photo."""

    silhouette_iou: float
    keypoint_error_px: float
    silhouette: np.ndarray  # (H, W) bool at the fitting resolution
    keypoints_px: np.ndarray  # (len(KEYPOINT_PAIRS), 2) fitted keypoints, photo pixels
    pose: dict[str, list[float]]
    mask: np.ndarray  # (H, W) the person mask at the fitting resolution
    keypoints_fit_px: np.ndarray  # the fitted keypoints at the fitting resolution
    pixels_per_cm: float  # at the body's distance, fitting resolution


@dataclass
class FitResult:
    """The fitted body (pose of the front view) and per-view diagnostics."""

    body: BodyParameters
    views: dict[str, ViewFit]
    confidence: float
    iterations: int
    seconds: float
    device: str
    init: str = "mean body"
    network_seconds: float = 0.0  # the shape network's, when it started the fit

    @property
    def silhouette_iou(self) -> float:
        return self.views["front"].silhouette_iou

    @property
    def keypoint_error_px(self) -> float:
        return self.views["front"].keypoint_error_px


class _View:
    """One photo's targets (at the fitting resolution) and its own pose and camera parameters."""

    def __init__(self, name: str, person: PersonObservation, settings: FitSettings, model,
                 rest_keypoints, device: str):
        import torch

        self.name, self.person = name, person
        self.ratio = FIT_RESOLUTION / max(person.width, person.height)
        self.size = (max(1, round(person.width * self.ratio)),
                     max(1, round(person.height * self.ratio)))
        self.mask = _resize_mask(person.mask, self.size)
        bare = None  # where the outline is the body's own edge; None: everywhere
        if person.labels is not None:
            labels = _resize_labels(person.labels, self.size)
            self.mask = np.where(labels == LABELS["accessory"], 0.0, self.mask)
            bare = bare_edge(labels, LABELS["skin"], (LABELS["garment"], LABELS["hair"]))
        self.field = torch.tensor(outside_distance_field(self.mask), device=device)
        self.outline_field = torch.tensor(contour_distance_field(self.mask, bare), device=device)
        self.outline = torch.tensor(contour_points(self.mask, settings.mask_points, settings.seed,
                                                   bare), device=device)
        self.target = torch.tensor(person.keypoints_px[BLAZEPOSE_KEYPOINTS] * self.ratio,
                                   device=device, dtype=torch.float32)
        self.visibility = torch.tensor(person.visibility[BLAZEPOSE_KEYPOINTS], device=device,
                                       dtype=torch.float32).clamp(0, 1)
        self.weights = torch.tensor([w for _, _, w in KEYPOINT_PAIRS],
                                    device=device) * self.visibility
        self.scale_px = float(self.size[1])
        self.boundary = torch.arange(0, len(model.template_vertices), 7, device=device)
        self.rotvecs = torch.zeros(len(POSED_BONES), 3, device=device, requires_grad=True)
        turn = 0.0 if name == "front" else _side_turn(person)
        self.global_rot = torch.tensor([0.0, 0.0, turn], device=device, requires_grad=True)
        self.centre = (self.size[0] / 2.0, self.size[1] / 2.0)
        self.default_focal = DEFAULT_FOCAL_35MM / FULL_FRAME_DIAGONAL_MM * float(
            np.hypot(*self.size))
        self.camera = _initial_camera(rest_keypoints, self.target, self.weights, turn,
                                      self.default_focal, self.centre, device)

    def project(self, points):
        """(N, 3) body points -> (N, 2) pixels of the fitting image (pinhole)."""
        import roma
        import torch

        rotated = points @ roma.rotvec_to_rotmat(self.global_rot).T
        focal, depth = self.camera[0].exp(), self.camera[3].exp() + rotated[:, 1]
        return torch.stack([focal * (rotated[:, 0] + self.camera[1]) / depth + self.centre[0],
                            focal * (self.camera[2] - rotated[:, 2]) / depth + self.centre[1]], -1)

    def focal_prior(self):
        return (self.camera[0] - float(np.log(self.default_focal))).square()


def fit_body(
    person: PersonObservation,
    height_cm: float,
    device: str = "cpu",
    settings: FitSettings | None = None,
    progress: Callable[[int, int], None] | None = None,
    side: PersonObservation | None = None,
    init: ShapeInit | None = None,
) -> FitResult:
    """Fit shape (shared) and pose (per view) to the front photo and, if given, the side one;
    ``height_cm`` sets the metric scale."""
    import torch

    settings = settings or (FitSettings.after_network() if init else FitSettings())
    started = time.perf_counter()
    torch.manual_seed(settings.seed)
    model = load_anny(device)
    regressor = load_keypoint_regressor(device)
    faces = triangle_faces(model)
    faces_on_device = torch.as_tensor(faces, device=device)
    with torch.no_grad():
        rest_keypoints = regressor(model())[0, ANNY_KEYPOINTS]
    views = [_View("front", person, settings, model, rest_keypoints, device)]
    if side is not None:
        views.append(_View("side", side, settings, model, rest_keypoints, device))
    with torch.no_grad():  # one body, one pose: the side view starts in the front's
        limbs = limb_rotations(rest_keypoints, views[0].target, views[0].visibility)
        for view in views:
            view.rotvecs.copy_(limbs)
    local_range = settings.local_change_range
    shape_logits, local_raw = _initial_shape(init, local_range, device)
    init_logits = shape_logits.detach().clone()  # the priors pull towards the starting shape
    init_local = local_raw.detach().clone()
    height_m = height_cm / 100.0

    def shape():
        return torch.sigmoid(shape_logits), local_range * torch.tanh(local_raw)

    with torch.no_grad():
        start = [t[0].cpu().numpy() for t in shape()]
    anchor = anchor_from(init, *start, height_m, device) if settings.anchor_weight else None

    def view_terms(view: _View, vertices, keypoints, full: bool, step: int) -> dict:
        """The view's loss terms at ``step`` of the phase."""
        uv = view.project(vertices)
        kp_uv = view.project(keypoints[ANNY_KEYPOINTS])
        offsets = ((kp_uv - view.target) / view.scale_px).square().sum(-1)
        terms = {
            "keypoints": settings.keypoint_weight * (view.weights * offsets).sum()
            / view.weights.sum(),
            "pose_prior": settings.pose_prior_weight * view.rotvecs.square().sum(),
            "focal_prior": settings.focal_prior_weight * view.focal_prior(),
        }
        if full:
            if step % settings.boundary_refresh == 0:
                # the body's outline vertices and, for each point of the photo's bare outline,
                # the nearest of them: held until the next refresh, all on the device
                found = boundary_vertices(uv.detach(), faces_on_device, *view.size)
                view.boundary = found if len(found) else view.boundary
                if len(view.outline):
                    view.nearest = view.boundary[
                        torch.cdist(view.outline, uv.detach()[view.boundary]).argmin(1)]
            outside = sample_field(view.field, uv) / view.scale_px
            to_mask = sample_field(view.outline_field, uv[view.boundary]) / view.scale_px
            contour = to_mask.square().mean()
            if len(view.outline):  # the body's rim reaches the outline where it is bare
                contour = contour + ((view.outline - uv[view.nearest]).square().sum(-1)
                                     / view.scale_px ** 2).mean()
            terms |= {
                "outside": settings.outside_weight * outside.square().mean(),
                "contour": settings.contour_weight * contour,
            }
        return terms

    still = {}  # the shape held in the camera and pose phases, run once

    def posed_bodies(phase: str, step: int):
        """Anny's output and keypoints for all views: the shared shape in each view's pose. Only
        what the phase optimises carries gradients: the camera and pose phases hold the shape
        (run in its rest pose once, then posed), the camera phase the poses too; the full phase
        runs the shape through ``ShapeNear``, taken again about the current shape every
        ``shape_refresh`` steps."""
        rotvecs = torch.stack([view.rotvecs for view in views])
        if phase == "full":
            if step % settings.shape_refresh == 0:
                with torch.no_grad():
                    still["near"] = ShapeNear(model, *shape())
            out = pose_rest_body(model, still["near"].rest(*shape()), rotvecs)
            return out, regressor(out)
        if "rest" not in still:
            with torch.no_grad():
                still["rest"] = body_forward(model, *shape())
        if phase == "camera":
            if "posed" not in still:
                with torch.no_grad():
                    out = pose_rest_body(model, still["rest"], rotvecs)
                    still["posed"] = out, regressor(out)
            return still["posed"]
        out = pose_rest_body(model, still["rest"], rotvecs)
        return out, regressor(out)

    def losses(phase: str, step: int):
        """The loss at ``step`` of ``phase``."""
        out, keypoints = posed_bodies(phase, step)
        full = phase == "full"
        total = 0.0
        for index, view in enumerate(views):
            terms = view_terms(view, out["vertices"][index], keypoints[index], full, step)
            total = total + sum(terms.values())
        if full:
            rest = out["rest_vertices"][0, :, 2]
            stature = rest.max() - rest.min()
            total = total + settings.height_weight * ((stature - height_m) / height_m).square()
            total = total + settings.shape_prior_weight * (shape_logits - init_logits
                                                           ).square().sum()
            total = total + settings.local_prior_weight * (local_raw - init_local).square().sum()
            if anchor is not None:
                total = total + settings.anchor_weight * anchor.cost(out["rest_vertices"][0])
        return total

    cameras = [p for v in views for p in (v.camera, v.global_rot)]
    poses = [v.rotvecs for v in views]
    phases = (  # (first step, phase, parameters optimised); silhouettes and shape join in "full"
        (0, "camera", cameras),
        (settings.camera_iterations, "pose", cameras + poses),
        (settings.camera_iterations + settings.pose_iterations, "full",
         cameras + poses + [shape_logits, local_raw]),
    )
    total_steps = phases[-1][0] + settings.iterations
    phase, phase_step = "camera", 0
    for step in range(total_steps):
        for first, name, parameters in phases:
            if step == first:
                optimiser = torch.optim.Adam(parameters, lr=settings.learning_rate)
                phase, phase_step = name, 0
        loss = losses(phase, phase_step)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        phase_step += 1
        if progress:
            progress(step + 1, total_steps)

    with torch.no_grad():  # the fitted body, whole, in every view's pose
        phenotypes, local = shape()
        out = body_forward(model, phenotypes, local, torch.stack([view.rotvecs for view in views]))
        keypoints = regressor(out)
        fits = {view.name: _view_fit(view, out["vertices"][index], keypoints[index], faces)
                for index, view in enumerate(views)}
        rest = out["rest_vertices"][0, :, 2]
        stature = float(rest.max() - rest.min())
    body = BodyParameters(
        phenotypes={k: round(v, 6) for k, v in zip(PHENOTYPES, phenotypes[0].tolist())},
        local_changes={k: round(v, 6) for k, v in zip(LOCAL_CHANGES, local[0].tolist())},
        pose=fits["front"].pose,
        scale=height_m / stature,
    )
    visibility = np.mean([v.person.visibility[BLAZEPOSE_KEYPOINTS].mean() for v in views])
    return FitResult(
        body=body, views=fits,
        confidence=round(float(np.mean([f.silhouette_iou for f in fits.values()]) * visibility), 3),
        iterations=total_steps, seconds=round(time.perf_counter() - started, 2), device=device,
        init=init.source if init else "mean body",
    )


def _view_fit(view: _View, vertices, keypoints, faces) -> ViewFit:
    """How well the body posed for ``view`` (its vertices and keypoints) explains the photo."""
    uv = view.project(vertices).cpu().numpy()
    kp_uv = view.project(keypoints[ANNY_KEYPOINTS]).cpu().numpy()
    silhouette = rasterize(uv, faces, *view.size)
    seen = view.person.visibility[BLAZEPOSE_KEYPOINTS] >= 0.5
    errors = np.linalg.norm(kp_uv - view.target.cpu().numpy(), axis=1)[seen] / view.ratio
    return ViewFit(
        silhouette_iou=round(iou(silhouette, view.mask >= 0.5), 4),
        keypoint_error_px=round(float(errors.mean()) if len(errors) else float("nan"), 2),
        silhouette=silhouette,
        keypoints_px=kp_uv / view.ratio,
        pose={b: [round(x, 6) for x in r] for b, r in zip(POSED_BONES, view.rotvecs.tolist())},
        mask=view.mask, keypoints_fit_px=kp_uv,
        pixels_per_cm=float(view.camera[0].exp() / view.camera[3].exp()) / 100.0,
    )


def _initial_shape(init: ShapeInit | None, local_range: float, device: str):
    """Free parameters (logits of phenotypes, atanh of scaled local changes) at ``init``."""
    import torch

    phenotypes = torch.full((1, len(PHENOTYPES)), 0.5, device=device)
    local = torch.zeros(1, len(LOCAL_CHANGES), device=device)
    if init is not None:
        phenotypes = torch.tensor([[init.phenotypes[k] for k in PHENOTYPES]], device=device)
        local = torch.tensor([[init.local_changes.get(k, 0.0) for k in LOCAL_CHANGES]],
                             device=device)
    shape_logits = _logit(phenotypes).clone().requires_grad_(True)
    local_raw = torch.atanh((local / local_range).clamp(-0.99, 0.99)).clone().requires_grad_(True)
    return shape_logits, local_raw


def _logit(p):
    import torch

    p = p.clamp(1e-3, 1 - 1e-3)
    return torch.log(p / (1 - p))


def _side_turn(person: PersonObservation) -> float:
    """Rotation about Z (radians) that turns the body to face the way the person faces."""
    ears_u = person.keypoints_px[[LEFT_EAR, RIGHT_EAR], 0].mean()
    faces_image_left = person.keypoints_px[NOSE, 0] < ears_u
    return -np.pi / 2 if faces_image_left else np.pi / 2


def _resize_mask(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    import cv2

    return cv2.resize(mask, size, interpolation=cv2.INTER_AREA)


def _resize_labels(labels: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    import cv2

    return cv2.resize(labels, size, interpolation=cv2.INTER_NEAREST)


def limb_rotations(rest_keypoints, target, visibility):
    """Rotation vectors (len(POSED_BONES), 3) that turn each limb of ``LIMBS`` seen in the
    front photo (both ends' keypoints visible) about the body's Y axis, the camera's line of
    sight, from its direction in the rest pose (``rest_keypoints``, ``ANNY_KEYPOINTS`` order)
    to its direction in the photo (``target``, pixels); the others stay at rest. A rotation
    about Y turns a limb in the picture plane by the same angle (image v points down, -Z), and
    a limb's rotation adds to the one of the limb it hangs from."""
    import torch

    rest_uv = torch.stack([rest_keypoints[:, 0], -rest_keypoints[:, 2]], -1)
    slot = {anny: index for index, anny in enumerate(ANNY_KEYPOINTS)}
    rotvecs = torch.zeros(len(POSED_BONES), 3, dtype=target.dtype, device=target.device)
    turned = {}  # bone -> its angle in the picture, radians
    for bone, (start, end), parent in LIMBS:
        a, b = slot[start], slot[end]
        if min(visibility[a], visibility[b]) < 0.5:
            continue
        seen, rest = target[b] - target[a], rest_uv[b] - rest_uv[a]
        angle = torch.atan2(seen[1], seen[0]) - torch.atan2(rest[1], rest[0])
        angle = torch.remainder(angle + np.pi, 2 * np.pi) - np.pi
        turned[bone] = angle
        rotvecs[POSED_BONES.index(bone), 1] = angle - turned.get(parent, 0.0)
    return rotvecs


def _initial_camera(rest_keypoints, target, weights, turn: float, focal: float,
                    centre: tuple[float, float], device):
    """Camera (log f, tx, ty, log tz) that puts the rest body's keypoints
    (``rest_keypoints``, ``ANNY_KEYPOINTS`` order), turned by ``turn`` about Z, over the
    photo's: the distance follows from the default focal length and the keypoints' spread."""
    import torch

    kp = rest_keypoints
    x = kp[:, 0] * np.cos(turn) - kp[:, 1] * np.sin(turn)
    model_uv = torch.stack([x, -kp[:, 2]], -1)
    w = weights[:, None]
    model_c = (w * model_uv).sum(0) / w.sum()
    target_c = (w * target).sum(0) / w.sum()
    spread_model = (w * (model_uv - model_c).square()).sum().sqrt()
    spread_target = (w * (target - target_c).square()).sum().sqrt()
    scale = float(spread_target / spread_model)  # pixels per metre at the body
    distance = focal / scale
    offset = (target_c - scale * model_c).tolist()
    tx, ty = ((offset[0] - centre[0]) / scale, (offset[1] - centre[1]) / scale)
    return torch.tensor([float(np.log(focal)), tx, ty, float(np.log(distance))],
                        device=device, requires_grad=True)
