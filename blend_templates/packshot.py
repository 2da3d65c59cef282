"""The "packshot" template, for e-commerce: a pure white background, the subject's shadow on
an invisible floor (a shadow catcher), large soft front lights and a longer lens (85 mm, less
perspective). Blender frame: Z-up, metres; the subject stands at the origin facing -Y."""
from __future__ import annotations

from blend_templates.rig import add_cameras, add_floor, add_light, plain_world


def build_packshot(bpy, subject_height: float, views: list[str]) -> dict[str, object]:
    """Add the white world, shadow-catching floor, lights and cameras; return the cameras."""
    plain_world(bpy, "packshot_world", (1.0, 1.0, 1.0), 1.0)
    bpy.context.scene.view_settings.view_transform = "Standard"  # white stays white
    floor = add_floor(bpy, "shadow_floor", (1.0, 1.0, 1.0))
    floor.is_shadow_catcher = True
    chest = (0.0, 0.0, subject_height * 0.55)
    add_light(bpy, "front_left", "AREA", 300.0, (-2.0, -3.0, 2.2), chest, size=3.0)
    add_light(bpy, "front_right", "AREA", 300.0, (2.0, -3.0, 2.2), chest, size=3.0)
    add_light(bpy, "top", "AREA", 150.0, (0.0, 0.0, subject_height + 1.5), chest, size=2.0)
    return add_cameras(bpy, subject_height, views, lens_mm=85.0, distance_per_height=4.0)
