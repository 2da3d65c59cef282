"""The "outdoor" template: daylight from a physical sky texture with its sun, a sun lamp
matching it for crisp shadows, and a grass-coloured ground. Blender frame: Z-up, metres; the
subject stands at the origin facing -Y."""
from __future__ import annotations

import math

from .rig import add_cameras, add_floor, add_light

SUN_ELEVATION_DEG = 35.0
SUN_AZIMUTH_DEG = 220.0  # from +Y round +Z: the sun ahead of the subject, to its left


def build_outdoor(bpy, scene, subject_height: float, views: list[str]) -> dict[str, object]:
    """Add the sky, sun, ground and cameras; return the cameras."""
    world = bpy.data.worlds.new("outdoor_world")
    world.use_nodes = True
    nodes, links = world.node_tree.nodes, world.node_tree.links
    sky = nodes.new("ShaderNodeTexSky")
    sky.sun_elevation = math.radians(SUN_ELEVATION_DEG)
    sky.sun_rotation = math.radians(SUN_AZIMUTH_DEG)
    links.new(sky.outputs["Color"], nodes["Background"].inputs["Color"])
    nodes["Background"].inputs["Strength"].default_value = 0.15
    scene.world = world
    add_floor(bpy, scene, "ground", (0.18, 0.30, 0.10), size=60.0)
    elevation, azimuth = math.radians(SUN_ELEVATION_DEG), math.radians(SUN_AZIMUTH_DEG)
    toward_sun = (math.sin(azimuth) * math.cos(elevation), math.cos(azimuth) * math.cos(elevation),
                  math.sin(elevation))
    add_light(bpy, scene, "sun", "SUN", 2.5, tuple(10.0 * c for c in toward_sun), (0.0, 0.0, 0.0))
    return add_cameras(bpy, scene, subject_height, views)
