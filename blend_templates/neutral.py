"""The "neutral" template, for colour checks: a white world of the same brightness in every
direction and nothing else (no floor, no lights), under the Standard view transform, so that a
matte surface shows its own colour (its albedo, less what folds and the body hide from the
light). Blender frame: Z-up, metres; the subject stands at the origin facing -Y."""
from __future__ import annotations

from .rig import add_cameras, plain_world


def build_neutral(bpy, scene, subject_height: float, views: list[str]) -> dict[str, object]:
    """Add the even white world and the cameras; return the cameras."""
    plain_world(bpy, scene, "neutral_world", (1.0, 1.0, 1.0), 1.0)
    scene.view_settings.view_transform = "Standard"  # colours as given, no tone curve
    scene.view_settings.look = "None"
    return add_cameras(bpy, scene, subject_height, views, lens_mm=85.0, distance_per_height=4.0)
