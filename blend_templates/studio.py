"""The "studio" template: a curved backdrop, key/fill/rim area lights, one camera per view.

Blender frame: Z-up, metres; the subject stands at the origin facing -Y, feet on z = 0.
"""
from __future__ import annotations

import math

VIEWS = {"front": 0.0, "back": 180.0, "left": 90.0, "right": -90.0}


def build_studio(bpy, subject_height: float, views: list[str]) -> dict[str, object]:
    """Add backdrop, lights and cameras for a subject of ``subject_height`` m; return cameras."""
    scene = bpy.context.scene
    world = bpy.data.worlds.new("studio_world")
    world.use_nodes = True
    world.node_tree.nodes["Background"].inputs[0].default_value = (0.8, 0.8, 0.82, 1.0)
    world.node_tree.nodes["Background"].inputs[1].default_value = 0.15
    scene.world = world

    bpy.ops.mesh.primitive_plane_add(size=12.0, location=(0.0, 0.0, 0.0))
    floor = bpy.context.active_object
    floor.name = "backdrop"
    backdrop = bpy.data.materials.new("backdrop")
    backdrop.use_nodes = True
    backdrop.node_tree.nodes["Principled BSDF"].inputs["Base Color"].default_value = (0.75, 0.75, 0.77, 1)
    floor.data.materials.append(backdrop)

    for name, energy, (x, y, z), size in (
        ("key", 160.0, (-2.0, -3.0, 2.8), 2.0),
        ("fill", 50.0, (2.5, -2.5, 1.8), 3.0),
        ("rim", 120.0, (0.5, 3.0, 3.0), 1.5),
    ):
        light_data = bpy.data.lights.new(name, type="AREA")
        light_data.energy = energy
        light_data.size = size
        light = bpy.data.objects.new(name, light_data)
        light.location = (x, y, z)
        _aim(light, (0.0, 0.0, subject_height * 0.55))
        scene.collection.objects.link(light)

    cameras = {}
    for view in views:
        camera_data = bpy.data.cameras.new(f"camera_{view}")
        camera_data.lens = 50.0
        camera = bpy.data.objects.new(f"camera_{view}", camera_data)
        distance = subject_height * 2.4
        angle = math.radians(VIEWS[view])
        camera.location = (distance * math.sin(angle), -distance * math.cos(angle),
                           subject_height * 0.55)
        _aim(camera, (0.0, 0.0, subject_height * 0.5))
        scene.collection.objects.link(camera)
        cameras[view] = camera
    return cameras


def _aim(obj, target: tuple[float, float, float]) -> None:
    """Point an object's -Z axis (cameras, lights) at ``target``."""
    from mathutils import Vector

    direction = Vector(target) - Vector(obj.location)
    obj.rotation_euler = direction.to_track_quat("-Z", "Y").to_euler()
