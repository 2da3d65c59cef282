"""Short motions of Anny's skeleton for a web viewer: a walk and a few poses, from the fitting
A-pose and back.

A motion is keyframes of rotation vectors (degrees, Anny's bone frames: +X on an upper leg swings
it back, +X on a lower leg bends the knee, -X on an upper arm swings it forward, +Y on the left
upper arm lowers it towards the body, +Z on the root turns the body) sampled at ``FPS``.
``joint_worlds`` runs Anny's kinematics for every frame and gives each bone's world transform
such that the frame with no rotation is exactly the rest skeleton the body and its drapes were
made on (Anny's own posed skeleton with no rotation sits a few cm off it). Frames: Z-up,
metres, soles on z = 0 (``rest_body``'s).
"""
from __future__ import annotations

import numpy as np

from neural.body.anny_body import BodyParameters
from neural.synthetic.body_sampler import ARM_STANCES, BODY_STANCES, LOWERED

FPS = 30
WALK_PERIOD_S = 1.1
# the synthetic shoppers' stances (degrees); arms brought down a little short of hanging, so a
# heavy body's arms stay clear of its sides without the sampler's clearance search
ARMS_DOWN = {bone: tuple(0.85 * angle for angle in rotation) for bone, rotation in LOWERED.items()}


def _walk(cycles: int = 2, steps: int = 12, ease_s: float = 0.4) -> list[tuple[float, dict]]:
    """Keyframes of a walk on the spot, from the A-pose and back to it: legs swinging +-18 deg
    with the knee bent in the swing, arms lowered and swinging against the legs, the trunk
    turning a little with the hips."""
    frames = []
    for step in range(cycles * steps + 1):
        phase = 2 * np.pi * step / steps
        swing = np.sin(phase)
        knees = [max(0.0, np.sin(phase + shift + np.pi / 3)) for shift in (0.0, np.pi)]
        frames.append((ease_s + step * WALK_PERIOD_S / steps, {
            "upperleg01.L": (-18.0 * swing, 0.0, 0.0), "upperleg01.R": (18.0 * swing, 0.0, 0.0),
            "lowerleg01.L": (5.0 + 30.0 * knees[0], 0.0, 0.0),
            "lowerleg01.R": (5.0 + 30.0 * knees[1], 0.0, 0.0),
            "upperarm01.L": (14.0 * swing, 28.0, 0.0), "upperarm01.R": (-14.0 * swing, -28.0, 0.0),
            "lowerarm01.L": (-12.0, 0.0, 0.0), "lowerarm01.R": (-12.0, 0.0, 0.0),
            "spine03": (0.0, 0.0, -3.0 * swing)}))
    rest = {bone: (0.0, 0.0, 0.0) for bone in frames[0][1]}
    return [(0.0, rest), *frames, (frames[-1][0] + ease_s, rest)]


def _there_and_back(pose: dict, move_s: float = 0.8, hold_s: float = 1.2
                    ) -> list[tuple[float, dict]]:
    """Keyframes from the A-pose into ``pose``, held, and back."""
    rest = {bone: (0.0, 0.0, 0.0) for bone in pose}
    return [(0.0, rest), (move_s, pose), (move_s + hold_s, pose), (2 * move_s + hold_s, rest)]


MOTIONS = {  # name -> keyframes (seconds, {bone: rotation vector in degrees})
    "walk": _walk(),
    "arms down": _there_and_back(ARMS_DOWN),
    "hands on hips": _there_and_back(ARM_STANCES["hands_on_hips"][1]),
    "weight on one leg": _there_and_back(BODY_STANCES["weight_on_one_leg"][1] | ARMS_DOWN),
    "turn": _there_and_back({"root": (0.0, 0.0, 35.0), **ARMS_DOWN}, move_s=1.0, hold_s=0.6),
}


def motion_frames(name: str, fps: int = FPS) -> tuple[np.ndarray, tuple[str, ...], np.ndarray]:
    """A motion sampled at ``fps``: times (F,) seconds, its bones, rotation vectors (F, bones,
    3) in radians, linear between keyframes."""
    keyframes = MOTIONS[name]
    bones = tuple(dict.fromkeys(bone for _, pose in keyframes for bone in pose))
    key_times = np.array([time for time, _ in keyframes])
    key_values = np.radians([[pose.get(bone, (0.0, 0.0, 0.0)) for bone in bones]
                             for _, pose in keyframes])
    times = np.arange(0.0, key_times[-1] + 1e-9, 1.0 / fps)
    values = np.stack([np.stack([np.interp(times, key_times, key_values[:, b, axis])
                                 for axis in range(3)], axis=-1) for b in range(len(bones))],
                      axis=1)
    return times, bones, values


def joint_worlds(body: BodyParameters, rotvecs: np.ndarray, bones: tuple[str, ...],
                 device: str = "cpu") -> tuple[np.ndarray, np.ndarray]:
    """Rest world transforms (J, 4, 4) of Anny's bones for ``body`` (rigid, ``rest_skeleton``'s
    frame) and their world transforms (F, J, 4, 4) in the F poses ``rotvecs`` (F, len(bones),
    3) radians. Linear blend skinning with these (weights ``rest_skeleton``'s) moves the rest
    body; a frame with no rotation leaves it exactly where it is."""
    import torch

    from neural.body.anny_body import _shape_tensors, body_forward, load_anny, pose_matrices

    model = load_anny(device)
    indices = [model.bone_labels.index(bone) for bone in bones]
    with torch.no_grad():
        rest = body_forward(model, *_shape_tensors(body, device))
        rotations = torch.as_tensor(np.concatenate([np.zeros_like(rotvecs[:1]), rotvecs]),
                                    dtype=torch.float32, device=device)
        _, poses = model.get_bone_transforms(
            pose_matrices(rotations, indices, len(model.bone_labels)), rest["rest_bone_poses"])
    poses = poses.double().cpu().numpy()
    rest_poses = rest["rest_bone_poses"][0].double().cpu().numpy()
    floor = rest["rest_vertices"][0, :, 2].min().item() * body.scale
    # Anny's metres scaled to the body, soles on z = 0: p -> scale * p - floor (a similarity)
    to_body = np.diag([body.scale] * 3 + [1.0])
    to_body[2, 3] = -floor
    from_body = np.linalg.inv(to_body)
    moves = to_body @ poses[1:] @ np.linalg.inv(poses[0]) @ from_body  # rigid, identity at 0
    rest_worlds = rest_poses.copy()
    rest_worlds[:, :3, 3] = rest_poses[:, :3, 3] * body.scale
    rest_worlds[:, 2, 3] -= floor
    rest_worlds[:, :3, :3] = _orthonormal(rest_poses[:, :3, :3])
    return rest_worlds, moves @ rest_worlds


def _orthonormal(rotations: np.ndarray) -> np.ndarray:
    """The nearest rotation matrices (polar decomposition) to (J, 3, 3) near-rotations."""
    u, _, vt = np.linalg.svd(rotations)
    return u @ vt
