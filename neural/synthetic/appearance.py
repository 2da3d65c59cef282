"""How a synthetic person looks: skin tone, close-fitting clothes, lighting and background.

Colours are sRGB in [0, 1]. Clothing regions are chosen on the rest-pose body from its joints
(Z-up, metres), so they follow the body when it is posed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Skin tones from light to dark (sRGB), after the Fitzpatrick / Monk scale swatches.
SKIN_TONES = np.array([
    [0.96, 0.84, 0.75], [0.92, 0.76, 0.64], [0.84, 0.65, 0.52], [0.74, 0.54, 0.40],
    [0.60, 0.42, 0.30], [0.45, 0.31, 0.22], [0.33, 0.23, 0.17], [0.24, 0.17, 0.13],
])
BACKGROUNDS = ("plain", "gradient", "noise", "stripes", "room")


@dataclass(frozen=True)
class Appearance:
    """Everything about a sample's look that is not geometry."""

    skin: tuple[float, float, float]
    top: tuple[float, float, float]
    bottom: tuple[float, float, float]
    sleeve: float  # fraction of the upper arm the top covers (0 = sleeveless)
    leg_cover: float  # fraction of the leg, hip to ankle, the bottoms cover
    light_direction: tuple[float, float, float]  # towards the light, world frame
    light_strength: float  # relative; 1 = a bright overcast day
    ambient: float  # fraction of diffuse fill light
    background: str
    background_seed: int


def sample_appearance(rng: np.random.Generator) -> Appearance:
    """A random skin tone, clothing colours and cut, light, and background kind."""
    skin = SKIN_TONES[rng.integers(len(SKIN_TONES))] * rng.uniform(0.94, 1.06, 3)
    azimuth, elevation = rng.uniform(-np.pi * 0.7, np.pi * 0.7), rng.uniform(0.2, 1.2)
    toward_light = (np.sin(azimuth) * np.cos(elevation), -np.cos(azimuth) * np.cos(elevation),
                    np.sin(elevation))
    return Appearance(
        skin=tuple(np.clip(skin, 0, 1).round(4)),
        top=tuple(clothing_colour(rng)),
        bottom=tuple(clothing_colour(rng)),
        sleeve=float(rng.choice([0.0, 0.4, 0.6, 1.0])),
        leg_cover=float(rng.choice([0.35, 0.6, 0.95])),
        light_direction=tuple(np.round(toward_light, 4)),
        light_strength=float(rng.uniform(0.6, 1.4)),
        ambient=float(rng.uniform(0.25, 0.6)),
        background=str(rng.choice(BACKGROUNDS)),
        background_seed=int(rng.integers(2**31)),
    )


HAIR_COLOURS = np.array([  # sRGB: black, dark brown, brown, auburn, blond, grey
    [0.05, 0.04, 0.04], [0.16, 0.10, 0.07], [0.30, 0.20, 0.12], [0.40, 0.17, 0.08],
    [0.70, 0.58, 0.36], [0.62, 0.62, 0.60],
])


def hair_colour(rng: np.random.Generator) -> np.ndarray:
    """A natural hair colour (sRGB), a little varied."""
    return np.clip(HAIR_COLOURS[rng.integers(len(HAIR_COLOURS))] * rng.uniform(0.85, 1.15), 0, 1)


def clothing_colour(rng: np.random.Generator) -> np.ndarray:
    """A random garment colour (sRGB): any hue, from grey to saturated, dark to light."""
    import colorsys

    hue, saturation, value = rng.uniform(), rng.uniform(0.0, 0.8), rng.uniform(0.12, 0.9)
    return np.round(colorsys.hsv_to_rgb(hue, saturation, value), 4)


def vertex_colours(rest_vertices: np.ndarray, joints: dict[str, np.ndarray],
                   look: Appearance) -> np.ndarray:
    """Per-vertex sRGB (V, 3): skin, a close-fitting top (with sleeves) and bottoms."""
    colours = np.tile(np.asarray(look.skin), (len(rest_vertices), 1))
    z = rest_vertices[:, 2]
    hip_z = (joints["hip.L"][2] + joints["hip.R"][2]) / 2
    ankle_z = (joints["ankle.L"][2] + joints["ankle.R"][2]) / 2
    on_arm, sleeve = np.zeros(len(z), bool), np.zeros(len(z), bool)
    for side in ("L", "R"):
        shoulder, elbow = joints[f"shoulder.{side}"], joints[f"elbow.{side}"]
        wrist = joints[f"wrist.{side}"]
        upper = _along_segment(rest_vertices, shoulder, elbow)
        near_upper = (upper > 0.0) & (_distance_to_line(rest_vertices, shoulder, elbow) < 0.09)
        forearm = (_along_segment(rest_vertices, elbow, wrist) > 0.0) & (
            _distance_to_line(rest_vertices, elbow, wrist) < 0.09)
        hand = np.linalg.norm(rest_vertices - wrist, axis=1) < 0.15
        on_arm |= (near_upper & (upper <= 1.0)) | forearm | hand
        sleeve |= near_upper & (upper <= look.sleeve)
    neck_z = joints["neck_base"][2]
    colours[(z > hip_z - 0.02) & (z < neck_z - 0.03) & ~on_arm] = look.top
    colours[sleeve] = look.top
    hem_z = hip_z - look.leg_cover * (hip_z - ankle_z)
    colours[(z < hip_z + 0.02) & (z > hem_z) & ~on_arm] = look.bottom
    return colours


def _along_segment(points: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Position of each point's projection on start -> end (0 at start, 1 at end)."""
    axis = end - start
    return (points - start) @ axis / np.dot(axis, axis)


def _distance_to_line(points: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    axis = (end - start) / np.linalg.norm(end - start)
    offset = points - start
    return np.linalg.norm(offset - np.outer(offset @ axis, axis), axis=1)


def background_image(kind: str, seed: int, size: tuple[int, int]) -> np.ndarray:
    """A (H, W, 3) float sRGB backdrop: plain, gradient, noise, stripes, or a wall + floor."""
    import cv2

    rng = np.random.default_rng(seed)
    width, height = size
    first, second = rng.uniform(0.1, 0.95, 3), rng.uniform(0.1, 0.95, 3)
    if kind == "plain":
        return np.broadcast_to(first, (height, width, 3)).copy()
    rows = np.linspace(0, 1, height)[:, None, None]
    if kind == "gradient":
        return np.broadcast_to(first + (second - first) * rows, (height, width, 3)).copy()
    if kind == "noise":
        coarse = rng.uniform(0, 1, (rng.integers(4, 24), rng.integers(4, 24), 1)).astype(np.float32)
        field = cv2.resize(coarse, size, interpolation=cv2.INTER_CUBIC)[..., None]
        fine = rng.normal(0, 0.04, (height, width, 1))
        return np.clip(first + (second - first) * field + fine, 0, 1)
    if kind == "stripes":
        period = rng.uniform(8, 80)
        angle = rng.uniform(0, np.pi)
        u, v = np.meshgrid(np.arange(width), np.arange(height))
        phase = (u * np.cos(angle) + v * np.sin(angle)) / period
        return np.where((phase % 1.0 < 0.5)[..., None], first, second).astype(np.float64)
    horizon = rng.uniform(0.6, 0.85)  # "room": a wall above a floor, with some texture
    image = np.where(rows < horizon, first, second * 0.8)
    image = np.broadcast_to(image, (height, width, 3)).copy()
    return np.clip(image + rng.normal(0, 0.03, (height, width, 1)), 0, 1)


def composite(rgba: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Alpha-composite a rendered (H, W, 4) float image over a (H, W, 3) background -> uint8."""
    alpha = rgba[..., 3:4]
    return (np.clip(rgba[..., :3] * alpha + background * (1 - alpha), 0, 1) * 255).round().astype(
        np.uint8)
