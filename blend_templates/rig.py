"""What every template shares: one camera per view round the subject, and aiming.

Blender frame: Z-up, metres; the subject stands at the origin facing -Y, feet on z = 0.
"""
from __future__ import annotations

import math

VIEWS = {"front": 0.0, "back": 180.0, "left": 90.0, "right": -90.0}  # degrees round +Z


def add_cameras(bpy, scene, subject_height: float, views: list[str], lens_mm: float = 50.0,
                distance_per_height: float = 2.4) -> dict[str, object]:
    """A camera per view at chest height, ``distance_per_height`` subject heights away (a
    longer lens wants a longer distance for the same framing); returns them by view."""
    cameras = {}
    for view in views:
        camera_data = bpy.data.cameras.new(f"camera_{view}")
        camera_data.lens = lens_mm
        camera = bpy.data.objects.new(f"camera_{view}", camera_data)
        distance = subject_height * distance_per_height
        angle = math.radians(VIEWS[view])
        camera.location = (distance * math.sin(angle), -distance * math.cos(angle),
                           subject_height * 0.55)
        aim(camera, (0.0, 0.0, subject_height * 0.5))
        scene.collection.objects.link(camera)
        cameras[view] = camera
    return cameras


def add_light(bpy, scene, name: str, kind: str, energy: float, location: tuple[float, float, float],
              target: tuple[float, float, float], size: float = 1.0) -> object:
    """A light of ``kind`` (AREA, SUN, ...) at ``location`` aimed at ``target``."""
    light_data = bpy.data.lights.new(name, type=kind)
    light_data.energy = energy
    if kind == "AREA":
        light_data.size = size
    light = bpy.data.objects.new(name, light_data)
    light.location = location
    aim(light, target)
    scene.collection.objects.link(light)
    return light


def plain_world(bpy, scene, name: str, color: tuple[float, float, float],
                strength: float) -> object:
    """A world lit evenly by one background colour (linear RGB) at ``strength``."""
    world = bpy.data.worlds.new(name)
    world.use_nodes = True
    world.node_tree.nodes["Background"].inputs[0].default_value = (*color, 1.0)
    world.node_tree.nodes["Background"].inputs[1].default_value = strength
    scene.world = world
    return world


def add_floor(bpy, scene, name: str, color: tuple[float, float, float],
              size: float = 12.0) -> object:
    """A square floor of ``size`` m at z = 0 with a plain matte material."""
    half = size / 2.0
    mesh = bpy.data.meshes.new(name)
    mesh.from_pydata([(-half, -half, 0.0), (half, -half, 0.0), (half, half, 0.0),
                      (-half, half, 0.0)], [], [(0, 1, 2, 3)])
    floor = bpy.data.objects.new(name, mesh)
    scene.collection.objects.link(floor)
    material = bpy.data.materials.new(name)
    material.use_nodes = True
    material.node_tree.nodes["Principled BSDF"].inputs["Base Color"].default_value = (*color, 1)
    floor.data.materials.append(material)
    return floor


def aim(obj, target: tuple[float, float, float]) -> None:
    """Point an object's -Z axis (cameras, lights) at ``target``."""
    from mathutils import Vector

    direction = Vector(target) - Vector(obj.location)
    obj.rotation_euler = direction.to_track_quat("-Z", "Y").to_euler()
