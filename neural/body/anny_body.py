"""Anny, the differentiable parametric body, behind a small interface.

Frame: Z-up, metres, the body faces -Y and the wearer's left is +X; the origin is near the
pelvis. Pose parameters are rotation vectors (radians) per bone in Anny's ``local-ref``
parameterisation, whose axes are the world axes of the rest (A-) pose.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from neural.body.measurements import TemplateLandmarks, measure_body

PHENOTYPES = ("gender", "age", "muscle", "weight", "height", "proportions")
# Anny local changes (MakeHuman targets, each in [-1, 1]) that let a fit follow a silhouette.
LOCAL_CHANGES = (
    "torso-scale-horiz-incr", "torso-scale-depth-incr", "hip-scale-horiz-incr",
    "hip-scale-depth-incr", "measure-shoulder-dist-incr", "stomach-pregnant-incr",
    "measure-bust-circ-incr", "measure-waist-circ-incr", "measure-hips-circ-incr",
    "buttocks-volume-incr", "neck-scale-horiz-incr", "measure-thigh-circ-incr",
    "l-upperarm-fat-incr", "r-upperarm-fat-incr", "l-lowerarm-fat-incr", "r-lowerarm-fat-incr",
    "l-upperleg-fat-incr", "r-upperleg-fat-incr", "l-lowerleg-fat-incr", "r-lowerleg-fat-incr",
)
# Bones whose rotation the photo fit may change; all others keep Anny's rest (A-) pose.
POSED_BONES = (
    "spine03",
    "neck01",
    "upperarm01.L",
    "upperarm01.R",
    "lowerarm01.L",
    "lowerarm01.R",
    "upperleg01.L",
    "upperleg01.R",
    "lowerleg01.L",
    "lowerleg01.R",
)

# Anny bones whose rest-pose heads are the joint centres ``neural.body.measurements`` uses.
JOINT_BONES = {
    "neck_base": "neck01", "head_base": "head",
    **{f"{joint}.{side}": f"{bone}.{side}" for side in ("L", "R") for joint, bone in (
        ("shoulder", "upperarm01"), ("elbow", "lowerarm01"), ("wrist", "wrist"),
        ("hip", "upperleg01"), ("knee", "lowerleg01"), ("ankle", "foot"))},
}
# Bones (name prefixes) of the arms and hands; the shoulder (``clavicle``, ``shoulder01``) is torso.
ARM_BONES = ("upperarm", "lowerarm", "wrist", "finger", "metacarpal")
FOREARM_BONES = ARM_BONES[1:]  # the forearms and hands
# The lower edge of the breasts on Anny's topology, left and right: below the bust point
# (vertices 8489 / 1833), where Anny's bust-girth target ``measure-bust-circ-incr`` moves the
# surface half as far as at the bust point (tests/test_measurements.py checks it).
UNDERBUST_VERTICES = (10703, 4067)
# The natural waist on Anny's topology, left and right: the sides of the smallest torso girth of
# the average man (phenotypes 0.5, gender 0: Anny's male end), within 1.5 cm of it on other
# average bodies.
WAIST_VERTICES = (10662, 4021)
# The buttocks' most prominent points (furthest back) on the average man, left and right.
BUTTOCK_VERTICES = (10829, 4210)


@dataclass
class BodyParameters:
    """Shape and pose of one body: phenotypes in [0, 1], pose rotation vectors in radians."""

    phenotypes: dict[str, float] = field(default_factory=lambda: {k: 0.5 for k in PHENOTYPES})
    local_changes: dict[str, float] = field(default_factory=dict)
    pose: dict[str, list[float]] = field(default_factory=dict)
    scale: float = 1.0  # uniform scale applied after Anny, so that stature matches the user's


def anny_version() -> str:
    """Installed Anny version string."""
    import anny

    return anny.__version__


@functools.lru_cache(maxsize=4)
def load_anny(device: str = "cpu"):
    """The Anny model (float32) on ``device``; the first call builds Anny's cache (~1 min)."""
    import anny
    import torch

    from neural.quiet import quiet_warp

    quiet_warp()  # Anny skins with Warp kernels

    model = anny.Anny(local_changes=list(LOCAL_CHANGES)).to(dtype=torch.float32, device=device)
    model.requires_grad_(False)
    return model


@functools.lru_cache(maxsize=4)
def triangle_faces(model) -> np.ndarray:
    """``model``'s triangles (F, 3) int64 vertex indices, the same for every body."""
    return model.get_triangular_faces().cpu().numpy().astype(np.int64)


@functools.lru_cache(maxsize=1)
def anny_landmarks() -> TemplateLandmarks:
    """Anny's ``TemplateLandmarks``: arm faces are those whose three corners are mostly skinned
    to ``ARM_BONES``; their seams are the vertices they share with the other faces."""
    arm_vertices = skinned_to(ARM_BONES)
    faces = triangle_faces(load_anny("cpu"))
    arm_faces = arm_vertices[faces].all(1)
    return TemplateLandmarks(arm_faces=arm_faces,
                             seam_vertices=np.intersect1d(faces[arm_faces], faces[~arm_faces]),
                             underbust_vertices=UNDERBUST_VERTICES,
                             waist_vertices=WAIST_VERTICES,
                             buttock_vertices=BUTTOCK_VERTICES)


@functools.lru_cache(maxsize=4)
def skinned_to(bone_prefixes: tuple[str, ...]) -> np.ndarray:
    """Anny's vertices (V,) bool skinned more than half to bones whose names start with one of
    ``bone_prefixes``."""
    model = load_anny("cpu")
    bones = [i for i, label in enumerate(model.bone_labels) if label.startswith(bone_prefixes)]
    weights = model.vertex_bone_weights.cpu().numpy()
    on_bones = np.isin(model.vertex_bone_indices.cpu().numpy(), bones)
    return (weights * on_bones).sum(1) > 0.5


@functools.lru_cache(maxsize=4)
def load_keypoint_regressor(device: str = "cpu"):
    """Anny's regressor from mesh vertices to the 23 COCO-WholeBody body keypoints."""
    import anny

    return anny.KeypointsRegressor.coco(load_anny(device))


def pose_matrices(rotvecs, bone_indices: list[int], bone_count: int):
    """(B, bone_count, 4, 4) local-ref transforms with the rotation vectors ``rotvecs``
    ((B, len(bone_indices), 3), or (len(bone_indices), 3) for B = 1) on some bones."""
    import roma
    import torch

    if rotvecs.dim() == 2:
        rotvecs = rotvecs[None]
    device, dtype, batch = rotvecs.device, rotvecs.dtype, len(rotvecs)
    rotations = torch.eye(3, device=device, dtype=dtype).repeat(batch, bone_count, 1, 1)
    rotations = rotations.index_copy(1, torch.tensor(bone_indices, device=device),
                                     roma.rotvec_to_rotmat(rotvecs))
    transforms = torch.zeros(batch, bone_count, 4, 4, device=device, dtype=dtype)
    transforms[..., :3, :3] = rotations
    transforms[..., 3, 3] = 1.0
    return transforms


def body_forward(model, phenotypes, local_changes=None, rotvecs=None,
                 bones: tuple[str, ...] = POSED_BONES):
    """Run Anny: ``phenotypes`` (1, 6), ``local_changes`` (1, len(LOCAL_CHANGES)) or None,
    ``rotvecs`` (len(bones), 3), or (B, len(bones), 3) for B poses of the one shape, or None
    for the rest pose.

    Columns follow ``PHENOTYPES`` and ``LOCAL_CHANGES``; they are reordered here to the model's
    own label order. Returns Anny's output dict (``vertices`` posed, ``rest_vertices`` in
    A-pose; metres; batch B).
    """
    phenotypes = phenotypes[:, [PHENOTYPES.index(label) for label in model.phenotype_labels]]
    if local_changes is not None:
        local_changes = local_changes[:, [LOCAL_CHANGES.index(label)
                                          for label in model.local_change_labels]]
    pose = None
    if rotvecs is not None:
        indices = [model.bone_labels.index(name) for name in bones]
        pose = pose_matrices(rotvecs, indices, len(model.bone_labels))
        phenotypes = phenotypes.expand(len(pose), -1)
        if local_changes is not None:
            local_changes = local_changes.expand(len(pose), -1)
    return model(pose_parameters=pose, phenotype_kwargs=phenotypes,
                 local_changes_kwargs=local_changes)


class ShapeNear:
    """Anny's rest body for shapes near a start, quicker to run and differentiate than the whole
    model, for optimisation steps (a final body is run whole): the phenotypes' blendshape
    coefficients taken to first order about the start (Anny interpolates them piecewise
    linearly), the local changes' exactly, and the bones' rest orientations held at the
    start's (they turn little with the shape). ``rest(phenotypes, local_changes)`` ((1, 6) and
    (1, len(LOCAL_CHANGES)), columns as ``body_forward``'s) gives what ``pose_rest_body``
    needs: rest vertices, bone heads and bone rest poses (metres, Z-up)."""

    STEP = 1e-3  # of a phenotype, for its coefficients' slopes

    def __init__(self, model, phenotypes, local_changes):
        import torch

        self.model = model
        self.phenotype_order = [PHENOTYPES.index(label) for label in model.phenotype_labels]
        self.local_order = [LOCAL_CHANGES.index(label) for label in model.local_change_labels]
        start = phenotypes.detach()[:, self.phenotype_order]
        nudged = start + self.STEP * torch.cat([torch.zeros_like(start), torch.eye(
            start.shape[1], dtype=start.dtype, device=start.device)])
        coefficients = self._phenotype_coefficients(nudged)
        slopes = (coefficients[1:] - coefficients[:1]) / self.STEP  # (6, K)
        rest = model.get_rest_model(torch.cat([coefficients[:1], self._local_coefficients(
            local_changes.detach())], 1))
        self.start, self.orientations = start, rest["rest_bone_poses"][:, :, :3, :3]
        count = coefficients.shape[1]  # the phenotypes' blendshapes come first, then the locals'
        # per surface (vertices, bone heads): at the start's phenotypes, per phenotype's step,
        # and the local changes' own blendshapes; a step mixes 6 + 2 L shapes, not all of them
        self.surfaces = [(template + torch.einsum("cpd,c->pd", shapes[:count], coefficients[0]),
                          torch.einsum("cpd,kc->kpd", shapes[:count], slopes), shapes[count:])
                         for template, shapes in ((model.template_vertices, model.blendshapes),
                                                  (model.template_bone_heads,
                                                   model.bone_heads_blendshapes))]

    def _phenotype_coefficients(self, phenotypes):
        """(B, K) blendshape coefficients of the phenotypes (model order), the local changes'
        left out (Anny puts them last, two per change)."""
        import torch

        model = self.model
        none = torch.zeros(len(phenotypes), len(model.local_change_labels),
                           dtype=phenotypes.dtype, device=phenotypes.device)
        coefficients = model._get_phenotype_blendshape_coefficients(phenotypes, none, none[:, :0])
        return coefficients[:, :coefficients.shape[1] - 2 * len(model.local_change_labels)]

    def _local_coefficients(self, local_changes):
        """(1, 2 L) coefficients of the local changes (model order): the increase, then the
        decrease, of each, as Anny makes them."""
        import torch

        local = local_changes[:, self.local_order]
        return torch.stack([local * (local >= 0), -local * (local <= 0)], -1).flatten(1)

    def rest(self, phenotypes, local_changes) -> dict:
        import roma
        import torch

        moved = phenotypes[:, self.phenotype_order] - self.start
        local = self._local_coefficients(local_changes)
        vertices, heads = (start[None] + torch.einsum("kpd,bk->bpd", per_phenotype, moved)
                           + torch.einsum("cpd,bc->bpd", per_local, local)
                           for start, per_phenotype, per_local in self.surfaces)
        poses = roma.Rigid(linear=self.orientations, translation=heads).to_homogeneous()
        return {"rest_vertices": vertices, "rest_bone_heads": heads, "rest_bone_poses": poses}


def pose_rest_body(model, rest: dict, rotvecs, bones: tuple[str, ...] = POSED_BONES) -> dict:
    """``body_forward`` of a shape already run in its rest pose (``rest``: its output without
    ``rotvecs``): the B poses ``rotvecs`` (B, len(bones), 3) of that shape, without computing
    the shape again (its rest vertices and bone frames). Returns Anny's output dict."""
    pose = pose_matrices(rotvecs, [model.bone_labels.index(name) for name in bones],
                         len(model.bone_labels))
    transforms, bone_poses = model.get_bone_transforms(pose, rest["rest_bone_poses"])
    vertices = model.get_skinned_vertices(
        rest["rest_vertices"].expand(len(transforms), -1, -1), transforms)
    return rest | {"vertices": vertices, "bone_poses": bone_poses}


def rest_mesh(params: BodyParameters, device: str = "cpu") -> tuple[np.ndarray, np.ndarray]:
    """The body in Anny's rest A-pose, scaled: vertices (V, 3) metres Z-up, faces (F, 3).

    The soles rest on z = 0; x = 0 is the body's plane of symmetry.
    """
    vertices, faces, _ = rest_body(params, device)
    return vertices, faces


def rest_body(params: BodyParameters, device: str = "cpu"
              ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Rest-pose vertices (V, 3), faces (F, 3) and the ``JOINT_BONES`` joint centres, in the
    frame of ``rest_mesh`` (metres, Z-up, soles on z = 0)."""
    model = load_anny(device)
    vertices, heads, _ = _rest_frame(model, params, device)
    joints = {name: heads[model.bone_labels.index(bone)] for name, bone in JOINT_BONES.items()}
    return vertices, triangle_faces(model), joints


def rest_skeleton(params: BodyParameters, device: str = "cpu") -> dict[str, np.ndarray]:
    """Anny's skeleton of the body in its rest pose, in ``rest_mesh``'s frame (metres, Z-up,
    soles on z = 0), as an armature needs it: ``names`` (B,), ``parents`` (B,; -1 for the
    root), ``heads`` and ``tails`` (B, 3), ``z_axes`` (B, 3; each bone's roll), and per vertex
    the ``vertex_bones`` (V, K) that move it with their ``vertex_weights`` (V, K; rows sum to 1).

    Anny keeps each bone's head and orientation (its Y axis runs along the bone, Blender's
    convention); a bone's length, which does not change how it deforms the mesh, is taken to
    its farthest child head ahead of it, and half its parent's for a bone with none."""
    model = load_anny(device)
    _, heads, axes = _rest_frame(model, params, device)
    parents = np.asarray(model.bone_parents, dtype=np.int64)
    lengths = np.zeros(len(heads))
    for bone in range(len(heads)):
        ahead = (heads[parents == bone] - heads[bone]) @ axes[bone, :, 1]
        lengths[bone] = ahead.max() if ahead.size and ahead.max() > 0.005 else 0.0
    for bone in range(len(heads)):  # parents come before their children
        if lengths[bone] == 0.0:
            lengths[bone] = 0.5 * lengths[parents[bone]] if parents[bone] >= 0 else 0.1
    return {"names": np.asarray(model.bone_labels), "parents": parents, "heads": heads,
            "tails": heads + axes[:, :, 1] * lengths[:, None], "z_axes": axes[:, :, 2],
            "vertex_bones": model.vertex_bone_indices.cpu().numpy().astype(np.int16),
            "vertex_weights": model.vertex_bone_weights.cpu().numpy().astype(np.float32)}


def _rest_frame(model, params: BodyParameters, device: str
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rest-pose vertices (V, 3), bone heads (B, 3) and bone axes (B, 3, 3; columns X, Y, Z),
    scaled, soles on z = 0."""
    import torch

    with torch.no_grad():
        out = body_forward(model, *_shape_tensors(params, device))
    vertices = out["rest_vertices"][0].double().cpu().numpy() * params.scale
    heads = out["rest_bone_heads"][0].double().cpu().numpy() * params.scale
    axes = out["rest_bone_poses"][0, :, :3, :3].double().cpu().numpy()
    floor = vertices[:, 2].min()
    vertices[:, 2] -= floor
    heads[:, 2] -= floor
    return vertices, heads, axes


def measure_rest_body(params: BodyParameters, device: str = "cpu") -> dict[str, float]:
    """``measure_body`` (cm) of the body in its rest pose, with Anny's landmarks."""
    return measure_body(*rest_body(params, device), anny_landmarks())


def posed_body(params: BodyParameters, device: str = "cpu") -> np.ndarray:
    """Vertices (V, 3) of the body in its pose (``params.pose``), scaled, soles on z = 0."""
    import torch

    rotvecs = None
    if params.pose:
        rotvecs = torch.tensor(list(params.pose.values()), device=device, dtype=torch.float32)
    with torch.no_grad():
        out = body_forward(load_anny(device), *_shape_tensors(params, device), rotvecs,
                           tuple(params.pose) or POSED_BONES)
    vertices = out["vertices"][0].double().cpu().numpy() * params.scale
    vertices[:, 2] -= vertices[:, 2].min()
    return vertices


def rest_keypoints(params: BodyParameters, device: str = "cpu") -> dict[str, np.ndarray]:
    """COCO keypoints (name -> (3,)) of the rest-pose body, in the frame of ``rest_mesh``."""
    import torch

    model, regressor = load_anny(device), load_keypoint_regressor(device)
    with torch.no_grad():
        out = body_forward(model, *_shape_tensors(params, device))
        out["vertices"] = out["rest_vertices"]
        points = regressor(out)[0].double().cpu().numpy() * params.scale
        floor = out["rest_vertices"][0, :, 2].min().item() * params.scale
    points[:, 2] -= floor
    return dict(zip(regressor.labels, points))


def _shape_tensors(params: BodyParameters, device: str):
    """(1, 6) phenotypes and (1, len(LOCAL_CHANGES)) local changes as float32 tensors."""
    import torch

    phenotypes = torch.tensor([[params.phenotypes[k] for k in PHENOTYPES]], device=device)
    local = torch.tensor([[params.local_changes.get(k, 0.0) for k in LOCAL_CHANGES]],
                         device=device)
    return phenotypes, local
