"""The "studio" template: a grey backdrop floor, key/fill/rim area lights (three-point), one
camera per view. Blender frame: Z-up, metres; the subject stands at the origin facing -Y."""
from __future__ import annotations

from .rig import add_cameras, add_floor, add_light, plain_world


def build_studio(bpy, scene, subject_height: float, views: list[str]) -> dict[str, object]:
    """Add backdrop, lights and cameras for a subject of ``subject_height`` m; return cameras."""
    plain_world(bpy, scene, "studio_world", (0.8, 0.8, 0.82), 0.15)
    add_floor(bpy, scene, "backdrop", (0.75, 0.75, 0.77))
    chest = (0.0, 0.0, subject_height * 0.55)
    add_light(bpy, scene, "key", "AREA", 160.0, (-2.0, -3.0, 2.8), chest, size=2.0)
    add_light(bpy, scene, "fill", "AREA", 50.0, (2.5, -2.5, 1.8), chest, size=3.0)
    add_light(bpy, scene, "rim", "AREA", 120.0, (0.5, 3.0, 3.0), chest, size=1.5)
    return add_cameras(bpy, scene, subject_height, views)
